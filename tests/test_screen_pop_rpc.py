"""The screen pop as the PBX sees it: callgest.protocol.lookup over JSON-RPC.

Runs against the demo data of `make test`'s live server: the dental clinic's
protocol (Mon–Fri 8:00–21:00 in Barcelona, Spanish holidays, a VIP patient, a
blacklisted 902 prefix, a doctor on call).
"""

from datetime import date, timedelta

import pytest

CLINIC_DDI = "0034933906701"


@pytest.fixture
def secretary(odoorpc_login):
    client = odoorpc_login("secretaria", "secretaria")
    client.env.context["lang"] = "es_ES"
    return client


def lookup(client, caller, when):
    return client.env["callgest.protocol"].lookup(CLINIC_DDI, caller, when)


def test_open_on_a_weekday_morning(secretary):
    # Tuesday 24 November 2026, 10:00 in Barcelona
    decision = lookup(secretary, "600 999 000", "2026-11-24T10:00:00")
    assert decision["client"] == "Clínica Dental Diagonal"
    assert decision["open"] is True
    assert decision["greeting"].startswith("Buenos días, Clínica Dental Diagonal")
    assert [t["number"] for t in decision["transfer_targets"]] == [
        "+34934150200",
        "+34627561101",
    ]
    assert decision["out_of_hours"] is False
    assert decision["protocol_version"]


@pytest.mark.parametrize(
    "when",
    [
        "2026-11-22T23:00:00",  # a Sunday night
        "2026-12-08T10:00:00",  # Inmaculada Concepción, a national holiday
        "2026-11-24T21:00:00",  # closing time exactly
    ],
)
def test_closed_out_of_hours(secretary, when):
    decision = lookup(secretary, "600 999 000", when)
    assert decision["open"] is False
    assert decision["out_of_hours"]["behaviour"] == "on_call_cascade"


def test_the_person_on_call_on_sunday_night(secretary):
    # The demo's on-call shifts are set around the day the demo was installed
    today = date.today()
    sunday = today + timedelta(days=6 - today.weekday())
    decision = lookup(secretary, "600 999 000", f"{sunday.isoformat()}T23:00:00")
    assert decision["open"] is False
    assert decision["out_of_hours"]["on_call"]["name"] == "Dra. Marta Puig"


def test_an_offset_is_honoured(secretary):
    # 09:00 UTC is 10:00 in Barcelona in November
    decision = lookup(secretary, None, "2026-11-24T09:00:00+00:00")
    assert decision["local_time"].startswith("2026-11-24T10:00:00")
    assert decision["open"] is True


def test_vip_and_blacklisted_callers(secretary):
    assert lookup(secretary, "+34 600 100 200", None)["caller_category"] == "vip"
    assert lookup(secretary, "902 123 456", None)["caller_category"] == "blacklist"


def test_unknown_and_released_numbers_answer_no_client(secretary):
    protocol = secretary.env["callgest.protocol"]
    assert protocol.lookup("+34 600 000 000", None, None)["client"] is False
    assert protocol.lookup("933906709", None, None)["client"] is False  # released
