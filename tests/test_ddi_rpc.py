"""The DDI resolver and the bad inputs of callgest_base, over JSON-RPC.

This is how the PBX side and scripts talk to Odoo: with odoorpc, against the
running server `make test` starts on the demo database.
"""

import odoorpc
import pytest


def english(client):
    """The demo users work in Spanish; most checks read English messages."""
    client.env.context["lang"] = "en_US"
    return client


@pytest.fixture
def secretary(odoorpc_login):
    return english(odoorpc_login("secretaria", "secretaria"))


@pytest.fixture
def supervisor(odoorpc_login):
    return english(odoorpc_login("supervisor", "supervisor"))


@pytest.mark.parametrize(
    "raw", ["93 390 67 01", "+34933906701", "0034933906701", "34933906701", "933906701"]
)
def test_resolver_finds_the_demo_clinic_in_every_written_form(secretary, raw):
    answer = secretary.env["callgest.ddi"].resolve_number(raw)
    assert answer["client_name"] == "Clínica Dental Diagonal"
    assert answer["client_code"] == "101"
    assert answer["e164"] == "+34933906701"
    assert answer["state"] == "active"


def test_resolver_gives_the_professional_of_a_collective(secretary):
    answer = secretary.env["callgest.ddi"].resolve_number("+34 910 600 101")
    assert answer["client_name"] == "Ferrer & Soler Abogados"
    assert answer["professional_name"] == "Ana Ferrer"


def test_resolver_answers_no_client_for_unknown_and_released(secretary):
    ddi = secretary.env["callgest.ddi"]
    assert ddi.resolve_number("+34 600 000 000")["client_id"] is False
    assert ddi.resolve_number("933906709")["client_id"] is False  # released
    assert ddi.resolve_number("anonymous")["ddi_id"] is False


def test_secretary_cannot_reassign_or_suspend_a_ddi(secretary):
    ddi_model = secretary.env["callgest.ddi"]
    ddi_id = ddi_model.resolve_number("933906701")["ddi_id"]
    other_client = secretary.env["res.partner"].search(
        [("callgest_client_code", "=", "103")]
    )
    with pytest.raises(odoorpc.error.RPCError, match="not allowed"):
        ddi_model.write([ddi_id], {"partner_id": other_client[0]})
    with pytest.raises(odoorpc.error.RPCError, match="not allowed"):
        ddi_model.action_suspend([ddi_id])
    assert ddi_model.read([ddi_id], ["state"])[0]["state"] == "active"


@pytest.mark.parametrize(
    "number, message",
    [
        ("12345", "not a valid telephone number"),
        ("not a number", "not a valid telephone number"),
        ("+34 933 906 701", "already in use"),
    ],
)
def test_bad_numbers_are_refused_with_a_clear_message(supervisor, number, message):
    spain = supervisor.env.ref("base.es").id
    with pytest.raises(odoorpc.error.RPCError, match=message):
        supervisor.env["callgest.ddi"].create(
            {"number_entered": number, "country_id": spain}
        )


def test_lifecycle_errors_over_rpc(supervisor):
    ddi_model = supervisor.env["callgest.ddi"]
    spain = supervisor.env.ref("base.es").id
    ddi_id = ddi_model.create({"number_entered": "93 390 67 90", "country_id": spain})
    with pytest.raises(odoorpc.error.RPCError, match="Choose a client"):
        ddi_model.action_activate([ddi_id])
    clinic = supervisor.env["res.partner"].search(
        [("callgest_client_code", "=", "101")]
    )
    ddi_model.write([ddi_id], {"partner_id": clinic[0]})
    with pytest.raises(odoorpc.error.RPCError, match="half-assigned"):
        ddi_model.action_release([ddi_id])
    ddi_model.action_activate([ddi_id])
    assert ddi_model.resolve_number("933906790")["client_id"] == clinic[0]
    ddi_model.action_release([ddi_id])
    assert ddi_model.resolve_number("933906790")["client_id"] is False


def test_duplicate_client_code_over_rpc(supervisor):
    with pytest.raises(odoorpc.error.RPCError, match="already used by"):
        supervisor.env["res.partner"].create(
            {
                "name": "Copycat",
                "is_callgest_client": True,
                "callgest_client_code": "101",
            }
        )


@pytest.mark.parametrize(
    "lang, message",
    [
        ("es_ES", "no es un número de teléfono válido para un DDI"),
        ("pt_PT", "não é um número de telefone válido para um DDI"),
    ],
)
def test_errors_come_in_the_users_language(odoorpc_login, lang, message):
    supervisor = odoorpc_login("supervisor", "supervisor")
    supervisor.env.context["lang"] = lang
    with pytest.raises(odoorpc.error.RPCError, match=message):
        supervisor.env["callgest.ddi"].create({"number_entered": "12345"})
