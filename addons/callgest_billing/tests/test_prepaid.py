from datetime import date, datetime, timedelta

from odoo import fields
from odoo.tests import tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

PERIOD = "2026-10"


@tagged("post_install", "-at_install")
class TestPrepaid(AccountTestInvoicingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        company = cls.env.company
        # the accountant of the tests also manages the answering service
        cls.env.user.groups_id |= cls.env.ref("callgest_base.group_callgest_manager")
        # the default tariff rates the calls of the company the tests run in
        cls.env.ref(
            "callgest_billing.callgest_tariff_default"
        ).sudo().company_id = company
        cls.Move = cls.env["callgest.prepaid.move"]
        cls.Usage = cls.env["callgest.usage"]
        cls.client = cls.env["res.partner"].create(
            {
                "name": "Prepaid Physiotherapist",
                "is_company": True,
                "is_callgest_client": True,
                "callgest_client_code": "9301",
                "email": "physio@example.com",
                "country_id": cls.env.ref("base.es").id,
                "tz": "Europe/Madrid",
                "callgest_billing_mode": "prepaid",
                "callgest_prepaid_warning_amount": 5.0,
            }
        )
        cls.ddi = cls.env["callgest.ddi"].create(
            {
                "number_entered": "93 390 67 41",
                "country_id": cls.env.ref("base.es").id,
                "partner_id": cls.client.id,
                "activation_date": date(2026, 1, 1),
            }
        )
        cls.ddi.action_activate()
        cls.pbx = cls.env["callgest.pbx"].create(
            {
                "name": "Prepaid test PBX",
                "code": "test-prepaid",
                "system": "asterisk",
                "timezone": "Europe/Madrid",
                "country_id": cls.env.ref("base.es").id,
            }
        )
        cls.top_up_20 = cls.env.ref("callgest_billing.product_prepaid_top_up_20")
        cls.plan_6_months = cls.env.ref(
            "callgest_billing.product_prepaid_bundle_6_months"
        )
        cls.call_number = 0

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    def credit(self, amount=0.0, calls=0):
        self.Move.create(
            {
                "partner_id": self.client.id,
                "kind": "adjustment",
                "amount": amount,
                "calls": calls,
            }
        )

    def make_calls(self, count, disposition="answered", day=datetime(2026, 10, 5, 8)):
        """``count`` calls to the client's DDI, rated as the import rates them."""
        vals_list = []
        for index in range(count):
            type(self).call_number += 1
            start = day + timedelta(minutes=index)
            answered = disposition == "answered"
            vals_list.append(
                {
                    "pbx_id": self.pbx.id,
                    "call_key": f"prepaid-{self.call_number}",
                    "company_id": self.env.company.id,
                    "direction": "inbound",
                    "ddi_id": self.ddi.id,
                    "partner_id": self.client.id,
                    "start_time": start,
                    "answer_time": start + timedelta(seconds=5) if answered else False,
                    "end_time": start + timedelta(seconds=65),
                    "local_date": start.date(),
                    "duration": 65,
                    "robot_seconds": 5,
                    "secretary_seconds": 60 if answered else 0,
                    "disposition": disposition,
                    "has_cdr": True,
                }
            )
        calls = self.env["callgest.call"].create(vals_list)
        self.Usage._rate_calls(calls)
        return calls

    def pay(self, invoice):
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({"payment_date": invoice.invoice_date})._create_payments()

    def invoice_recharge(self, *products):
        return self.init_invoice(
            "out_invoice",
            partner=self.client,
            invoice_date=fields.Date.today(),
            post=True,
            products=products,
            taxes=[],
        )

    def consumption(self, calls):
        return self.Move.search(
            [("call_id", "in", calls.ids), ("kind", "=", "consumption")]
        )

    def warnings(self):
        template = self.env.ref("callgest_billing.mail_template_prepaid_low_balance")
        return self.env["mail.mail"].search(
            [
                ("model", "=", "res.partner"),
                ("res_id", "=", self.client.id),
                ("subject", "=", template.subject),
            ]
        )

    # ------------------------------------------------------------------
    # Tests
    # ------------------------------------------------------------------
    def test_recharge_by_paid_invoice(self):
        self.client.callgest_prepaid_warned = True
        invoice = self.invoice_recharge(self.top_up_20, self.plan_6_months)
        self.assertEqual(self.client.callgest_prepaid_balance, 0.0)
        self.assertEqual(self.client.callgest_prepaid_calls_left, 0)
        self.pay(invoice)
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertEqual(self.client.callgest_prepaid_balance, 20.0)
        self.assertEqual(self.client.callgest_prepaid_calls_left, 192)
        self.assertFalse(self.client.callgest_prepaid_warned)
        recharges = self.Move.search([("invoice_id", "=", invoice.id)])
        self.assertEqual(
            sorted(recharges.mapped("kind")), ["bundle", "recharge"], recharges
        )
        # the hook runs again (in payment, then paid): credited once
        self.assertFalse(self.Move._recharge_from_invoices(invoice))
        self.assertEqual(self.client.callgest_prepaid_balance, 20.0)

    def test_unpaid_or_other_products_credit_nothing(self):
        invoice = self.init_invoice(
            "out_invoice", partner=self.client, post=True, amounts=[100.0]
        )
        self.pay(invoice)
        self.assertFalse(self.Move.search([("partner_id", "=", self.client.id)]))

    def test_calls_use_bundle_then_tiered_balance(self):
        self.credit(amount=200.0, calls=2)
        calls = self.make_calls(101)
        missed = self.make_calls(1, disposition="missed")
        moves = self.consumption(calls).sorted(lambda move: move.call_id.start_time)
        self.assertEqual(len(moves), 101)
        self.assertEqual(moves[:2].mapped("calls"), [-1, -1])
        self.assertEqual(set(moves[:2].mapped("amount")), {0.0})
        self.assertEqual(set(moves[2:99].mapped("amount")), {-1.5})
        # the 100th call of the month is in the second tier
        self.assertEqual(moves[99].amount, -1.0)
        self.assertEqual(moves[100].amount, -1.0)
        self.assertFalse(self.consumption(missed))
        self.assertEqual(self.client.callgest_prepaid_calls_left, 0)
        # 200 - 97 × 1.5 - 2 × 1.0
        self.assertAlmostEqual(self.client.callgest_prepaid_balance, 52.5)
        usages = self.Usage.search([("call_id", "in", (calls | missed).ids)])
        self.assertTrue(usages)
        self.assertEqual(set(usages.mapped("state")), {"prepaid"})
        # a second import of the month continues the ranks: 0.5 from the 200th
        self.make_calls(98, day=datetime(2026, 10, 20, 8))
        last = self.make_calls(1, day=datetime(2026, 10, 21, 8))
        self.assertEqual(self.consumption(last).amount, -0.5)
        # and a new month starts again at 1.5
        november = self.make_calls(1, day=datetime(2026, 11, 2, 8))
        self.assertEqual(self.consumption(november).amount, -1.5)

    def test_rerating_does_not_consume_twice(self):
        self.credit(amount=50.0, calls=1)
        calls = self.make_calls(3)
        balance = self.client.callgest_prepaid_balance
        self.assertAlmostEqual(balance, 47.0)
        self.Usage._rate_calls(calls)
        self.env["callgest.invoicing"].rerate_period(PERIOD, self.client.ids)
        self.assertEqual(len(self.consumption(calls)), 3)
        self.assertEqual(self.client.callgest_prepaid_balance, balance)
        self.assertEqual(self.client.callgest_prepaid_calls_left, 0)

    def test_warning_sent_once_and_again_after_a_recharge(self):
        self.credit(amount=12.0)
        self.make_calls(4)  # 6.0 left
        self.assertFalse(self.warnings())
        self.assertFalse(self.client.callgest_prepaid_warned)
        self.make_calls(1)  # 4.5 left: at most the 5.0 threshold
        warning = self.warnings()
        self.assertEqual(len(warning), 1)
        self.assertIn(self.client, warning.recipient_ids)
        self.assertIn("4.50", warning.body_html)
        self.assertTrue(self.client.callgest_prepaid_warned)
        self.make_calls(2)
        self.assertEqual(len(self.warnings()), 1)
        invoice = self.invoice_recharge(self.top_up_20)
        self.pay(invoice)
        self.assertFalse(self.client.callgest_prepaid_warned)
        self.assertAlmostEqual(self.client.callgest_prepaid_balance, 21.5)
        self.make_calls(12)  # 3.5 left
        self.assertEqual(len(self.warnings()), 2)

    def test_no_warning_while_bundle_calls_are_left(self):
        self.credit(calls=3)
        self.make_calls(2)
        self.assertFalse(self.warnings())
        self.make_calls(1)
        self.assertEqual(len(self.warnings()), 1)

    def test_stop_behaviour_tells_the_pbx_not_to_serve(self):
        self.client.callgest_prepaid_exhausted_behaviour = "stop"
        self.credit(amount=1.5)
        Ddi = self.env["callgest.ddi"]
        payload = Ddi.resolve_number("+34933906741")
        self.assertEqual(payload["client_id"], self.client.id)
        self.assertTrue(payload["serve"])
        self.make_calls(1)
        payload = Ddi.resolve_number("+34933906741")
        self.assertFalse(payload["serve"])
        self.assertEqual(payload["reason"], "prepaid balance exhausted")
        self.assertTrue(self.client.callgest_prepaid_stopped)
        self.pay(self.invoice_recharge(self.top_up_20))
        self.assertTrue(Ddi.resolve_number("+34933906741")["serve"])
        # a client that keeps being served is never stopped
        self.client.callgest_prepaid_exhausted_behaviour = "serve_and_bill_overage"
        self.make_calls(20)
        self.assertLess(self.client.callgest_prepaid_balance, 0)
        self.assertTrue(Ddi.resolve_number("+34933906741")["serve"])

    def test_overage_invoiced_once_and_no_usage_invoiced(self):
        self.credit(amount=1.5)
        self.make_calls(3)
        self.assertAlmostEqual(self.client.callgest_prepaid_balance, -3.0)
        invoicing = self.env["callgest.invoicing"]
        invoices = self.env["account.move"].browse(
            invoicing.run_period(PERIOD, [self.client.id])
        )
        self.assertEqual(len(invoices), 1)
        self.assertEqual(invoices.partner_id, self.client)
        self.assertEqual(invoices.amount_untaxed, 3.0)
        self.assertEqual(
            invoices.invoice_line_ids.product_id,
            self.env.ref("callgest_billing.product_prepaid_overage"),
        )
        self.assertEqual(self.client.callgest_prepaid_balance, 0.0)
        self.assertFalse(
            self.Usage.search(
                [("partner_id", "=", self.client.id), ("invoice_id", "!=", False)]
            )
        )
        self.assertFalse(invoicing.run_period(PERIOD, [self.client.id]))
        # paying the overage invoice is no recharge
        invoices.action_post()
        self.pay(invoices)
        self.assertEqual(self.client.callgest_prepaid_balance, 0.0)

    def test_stopped_client_overage_not_invoiced(self):
        self.client.callgest_prepaid_exhausted_behaviour = "stop"
        self.credit(amount=1.0)
        self.make_calls(1)
        self.assertFalse(
            self.env["callgest.invoicing"].run_period(PERIOD, [self.client.id])
        )

    def test_messages_are_paid_from_the_balance_not_invoiced(self):
        self.credit(amount=10.0)
        self.env["callgest.billable.event"].create(
            {
                "partner_id": self.client.id,
                "event_type": "message_manual",
                "channel": "email",
                "date": datetime(2026, 10, 5, 9),
            }
        )
        self.assertAlmostEqual(self.client.callgest_prepaid_balance, 9.7)
        usage = self.Usage.search([("partner_id", "=", self.client.id)])
        self.assertEqual(usage.mapped("state"), ["prepaid"])
        self.assertEqual(
            self.env["callgest.invoicing"].run_period(PERIOD, self.client.ids), []
        )
