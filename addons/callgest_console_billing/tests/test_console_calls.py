import json
from datetime import datetime, timedelta

from odoo.tests import tagged
from odoo.tools import SQL, format_amount

from odoo.addons.callgest_protocols.tests.common import (
    CLINIC_DDI,
    CallgestProtocolsCommon,
)

CALLER = "+34 611 222 333"
SEED_EXAMPLE = "18 s robot × 0.001 + 165 s secretary level 1 × 0.013 = 2.163 €"


@tagged("post_install", "-at_install")
class TestConsoleCalls(CallgestProtocolsCommon):
    """The caller's last calls in the console's history: cost and the one
    explanation of the invoice's call detail and the portal."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Console = cls.env["callgest.call.console"].with_user(cls.secretary)
        cls.create_protocol(cls.clinic, greeting="{greeting}, {client}")
        cls.company = cls.env.company
        # the seed tariff is the default of the company of the tests
        tariff = cls.env.ref("callgest_billing.callgest_tariff_default")
        tariff.sudo().company_id = cls.company
        cls.pbx = cls.env["callgest.pbx"].create(
            {
                "name": "Console PBX",
                "code": "console-billing-pbx",
                "timezone": "Europe/Madrid",
                "country_id": cls.spain.id,
            }
        )
        cls.call_count = 0
        cls.now = datetime.now().replace(microsecond=0)
        # newest first: an incidencia, the rated call, a recado, a call the
        # rating has not seen yet
        cls.incident = cls.env["callgest.incident"].create(
            {
                "ddi_id": cls.clinic_ddi.id,
                "caller_number": "611 222 333",
                "description": "The door does not open.",
                "taken_at": cls.now - timedelta(minutes=10),
            }
        )
        cls.rated_call = cls.make_call(cls.now - timedelta(hours=1), 165, robot=18)
        cls.message = cls.env["callgest.message"].create(
            {
                "ddi_id": cls.clinic_ddi.id,
                "caller_number": "0034611222333",
                "body": "Please call me back.",
                "taken_at": cls.now - timedelta(hours=2),
            }
        )
        cls.unrated_call = cls.make_call(
            cls.now - timedelta(hours=3), 40, robot=5, rate=False
        )
        # not the caller's, not the client's, not the company's
        cls.other_caller_call = cls.make_call(
            cls.now - timedelta(minutes=5), 30, caller="+34699000111"
        )
        cls.law_ddi = cls.create_ddi("91 060 09 87", cls.spain, cls.law_firm)
        cls.other_client_call = cls.make_call(
            cls.now - timedelta(minutes=6), 30, client=cls.law_firm, ddi=cls.law_ddi
        )
        cls.other_company = cls.env["res.company"].create({"name": "Other centre"})
        cls.secretary.company_ids |= cls.other_company
        cls.other_company_call = cls.make_call(
            cls.now - timedelta(minutes=7),
            30,
            company=cls.other_company,
            ddi=cls.env["callgest.ddi"],
            rate=False,  # the other company has no tariff
        )

    @classmethod
    def make_call(
        cls,
        start,
        secretary=0,
        robot=0,
        client=None,
        ddi=None,
        caller="+34611222333",
        company=None,
        rate=True,
    ):
        """A call stored as the importer stores it, rated as at import."""
        cls.call_count += 1
        client = client or cls.clinic
        ddi = cls.clinic_ddi if ddi is None else ddi
        call = (
            cls.env["callgest.call"]
            .sudo()
            .create(
                {
                    "pbx_id": cls.pbx.id,
                    "call_key": f"console-billing-{cls.call_count}",
                    "company_id": (company or cls.company).id,
                    "direction": "inbound",
                    "ddi_id": ddi.id,
                    "partner_id": client.id,
                    "caller_number": caller,
                    "caller_raw": caller,
                    "called_number": ddi.number or CLINIC_DDI,
                    "start_time": start,
                    "answer_time": start + timedelta(seconds=robot),
                    "end_time": start + timedelta(seconds=robot + secretary),
                    "local_date": start.date(),
                    "duration": robot + secretary,
                    "robot_seconds": robot,
                    "secretary_seconds": secretary,
                    "disposition": "answered",
                    "has_cdr": True,
                }
            )
        )
        if rate:
            cls.env["callgest.usage"]._rate_calls(call)
        return call

    def history(self, caller=CALLER):
        result = self.Console.console_data(CLINIC_DDI, caller)
        json.dumps(result)  # what goes over RPC
        return result["history"]

    def test_rated_call_with_its_cost_and_explanation(self):
        history = self.history()
        calls = {item["id"]: item for item in history if item["kind"] == "call"}
        self.assertEqual(set(calls), {self.rated_call.id, self.unrated_call.id})
        item = calls[self.rated_call.id]
        amount, currency, text = (
            self.env["callgest.usage"]
            .sudo()
            ._callgest_explanations(SQL("u.call_id IN %s", (self.rated_call.id,)))[
                self.rated_call.id
            ]
        )
        # the one explanation, word for word
        self.assertEqual(item["excerpt"], text)
        self.assertEqual(item["excerpt"], SEED_EXAMPLE)
        self.assertEqual(str(amount), "2.163")
        # the cost rounded by the currency, as Odoo formats money
        self.assertEqual(item["state"], format_amount(self.env, 2.16, currency))
        self.assertEqual(item["state"], "2.16\N{NO-BREAK SPACE}€")
        self.assertEqual(item["name"], "Call 3 min 3 s")
        self.assertEqual(item["category"], "Inbound to a DDI")
        self.assertEqual(
            item["date"],
            self.Console._local_date(self.rated_call.start_time, "Europe/Madrid"),
        )
        self.assertEqual(
            set(item), {"kind", "id", "name", "date", "category", "state", "excerpt"}
        )

    def test_call_not_rated_yet(self):
        item = next(
            item for item in self.history() if item["id"] == self.unrated_call.id
        )
        self.assertEqual(item["kind"], "call")
        self.assertEqual(item["state"], "Not rated yet")
        self.assertEqual(item["excerpt"], "")
        self.assertEqual(item["name"], "Call 45 s")

    def test_merged_newest_first_with_recados_and_incidencias(self):
        self.assertEqual(
            [(item["kind"], item["id"]) for item in self.history()],
            [
                ("incident", self.incident.id),
                ("call", self.rated_call.id),
                ("message", self.message.id),
                ("call", self.unrated_call.id),
            ],
        )

    def test_only_this_callers_calls_to_this_client_in_this_company(self):
        for caller in (CALLER, "611 222 333", "0034611222333"):
            ids = {
                item["id"] for item in self.history(caller) if item["kind"] == "call"
            }
            self.assertEqual(ids, {self.rated_call.id, self.unrated_call.id}, caller)
        other = self.history("+34 699 000 111")
        self.assertEqual(
            [item["id"] for item in other if item["kind"] == "call"],
            [self.other_caller_call.id],
        )
        # the other company's call is in that company's history only
        in_other = self.Console.with_company(self.other_company)._caller_history(
            self.clinic.id, CALLER, "Europe/Madrid"
        )
        self.assertEqual(
            [item["id"] for item in in_other if item["kind"] == "call"],
            [self.other_company_call.id],
        )
        # no caller, no history
        self.assertEqual(self.Console.console_data(CLINIC_DDI)["history"], [])

    def test_last_calls_only(self):
        newer = self.env["callgest.call"]
        for minutes in range(15, 65, 10):
            newer |= self.make_call(self.now - timedelta(minutes=minutes), 10)
        calls = [item["id"] for item in self.history() if item["kind"] == "call"]
        self.assertEqual(calls, newer.ids)
