"""A stopped prepaid client on the screen pop: callgest_protocols' lookup
(the PBX and the secretaries' console) and callgest_billing's prepaid
balance meet only here, where every addon is installed (stage 2 of
`make test`, through pytest-odoo): lookup gives the serve decision of
callgest.ddi.resolve_number, through callgest_base's _serve_decision hook."""

from datetime import date, datetime, timedelta

from odoo.tests import common, new_test_user


class TestPrepaidScreenPop(common.TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        spain = cls.env.ref("base.es")
        cls.client = cls.env["res.partner"].create(
            {
                "name": "Stopped Prepaid Clinic",
                "is_company": True,
                "is_callgest_client": True,
                "callgest_client_code": "9701",
                "country_id": spain.id,
                "tz": "Europe/Madrid",
                "callgest_billing_mode": "prepaid",
                "callgest_prepaid_exhausted_behaviour": "stop",
            }
        )
        cls.ddi = cls.env["callgest.ddi"].create(
            {
                "number_entered": "93 390 67 97",
                "country_id": spain.id,
                "partner_id": cls.client.id,
                "activation_date": date(2026, 1, 1),
            }
        )
        cls.ddi.action_activate()
        cls.env["callgest.protocol"].create({"partner_id": cls.client.id})
        cls.secretary = new_test_user(
            cls.env,
            login="prepaid_pop_secretary",
            groups="callgest_base.group_callgest_secretary",
        )
        cls.pbx = cls.env["callgest.pbx"].create(
            {"name": "Screen pop PBX", "code": "prepaid-pop", "country_id": spain.id}
        )
        cls.Entry = cls.env["callgest.prepaid.move"]

    def answer_a_call(self):
        start = datetime(2026, 10, 5, 8)
        call = self.env["callgest.call"].create(
            {
                "pbx_id": self.pbx.id,
                "call_key": "prepaid-pop-1",
                "company_id": self.env.company.id,
                "direction": "inbound",
                "ddi_id": self.ddi.id,
                "partner_id": self.client.id,
                "start_time": start,
                "answer_time": start + timedelta(seconds=5),
                "end_time": start + timedelta(seconds=65),
                "local_date": start.date(),
                "duration": 65,
                "robot_seconds": 5,
                "secretary_seconds": 60,
                "disposition": "answered",
                "has_cdr": True,
            }
        )
        self.env["callgest.usage"]._rate_calls(call)

    def decisions(self):
        resolved = (
            self.env["callgest.ddi"]
            .with_user(self.secretary)
            .resolve_number("+34933906797")
        )
        looked_up = (
            self.env["callgest.protocol"]
            .with_user(self.secretary)
            .lookup("+34933906797", "600 111 222")
        )
        console = (
            self.env["callgest.call.console"]
            .with_user(self.secretary)
            .console_data("+34933906797", "600 111 222")
        )
        return [
            (answer["serve"], answer["serve_reason"])
            for answer in (resolved, looked_up, console)
        ]

    def test_lookup_and_console_say_do_not_serve_a_stopped_client(self):
        # 1.00 on the balance: the first call (1.50) is served, then stopped
        self.Entry.create(
            {"partner_id": self.client.id, "kind": "adjustment", "amount": 1.0}
        )
        self.assertEqual(self.decisions(), [(True, False)] * 3)
        self.answer_a_call()  # 1.00 - 1.50 = -0.50
        self.assertTrue(self.client.callgest_prepaid_stopped)
        self.assertEqual(self.decisions(), [(False, "prepaid balance exhausted")] * 3)
        # the protocol's own reason stays what it was
        lookup = self.env["callgest.protocol"].lookup("+34933906797")
        self.assertEqual(lookup["reason"], "no_active_version")
        # a recharge: served again
        self.Entry.create(
            {"partner_id": self.client.id, "kind": "adjustment", "amount": 20.0}
        )
        self.assertEqual(self.decisions(), [(True, False)] * 3)
