from datetime import date, datetime, timedelta

from odoo import fields
from odoo.tests import tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.addons.callgest_message.tests.common import send_due_deliveries

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
        cls.top_up_30 = cls.env.ref("callgest_billing.product_prepaid_top_up_30")
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
        self.assertFalse(self.Move._sync_recharges(invoice))
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

    def test_warning_while_bundle_calls_remain(self):
        """Warned with 10 plan calls left (the company's default), not with
        the call that uses the last one: a client who stops is warned while
        it is still served."""
        self.client.callgest_prepaid_exhausted_behaviour = "stop"
        self.assertEqual(self.client.callgest_prepaid_warning_calls, 10)
        self.credit(calls=12)
        self.make_calls(1)  # 11 left
        self.assertFalse(self.warnings())
        self.make_calls(1)  # 10 left, balance 0.00 <= 5.00: running low
        warning = self.warnings()
        self.assertEqual(len(warning), 1)
        self.assertEqual(self.client.callgest_prepaid_calls_left, 10)
        self.assertFalse(self.client.callgest_prepaid_stopped)
        self.assertIn("<strong>10</strong>", warning.body_html)
        # once per crossing, not on every call
        self.make_calls(9)  # 1 left
        self.assertEqual(len(self.warnings()), 1)
        self.make_calls(1)  # the last one: stopped, no second email
        self.assertTrue(self.client.callgest_prepaid_stopped)
        self.assertEqual(len(self.warnings()), 1)

    def test_warning_offers_plans_and_top_ups(self):
        self.credit(calls=3)  # 3 calls <= 10, 0.00 <= 5.00: low
        body = self.warnings().body_html
        # the seed's plans (12 months 156 €, 6 months 96 €) and reloads of
        # 20 €/30 €/50 €, each plus VAT
        for name in (
            "Prepaid plan 12 months (312 calls)",
            "Prepaid plan 6 months (192 calls)",
            "Prepaid top-up 20 €",
            "Prepaid top-up 30 €",
            "Prepaid top-up 50 €",
        ):
            self.assertIn(name, body)
        self.assertIn("+ VAT", body)
        self.assertLess(body.index("12 months"), body.index("top-up 20"))

    def test_warning_rearmed_only_above_the_thresholds(self):
        self.client.callgest_prepaid_warning_calls = 2
        self.credit(amount=7.0)
        self.make_calls(2)  # 7.00 - 2 x 1.50 = 4.00 <= 5.00 (0 calls <= 2)
        self.assertEqual(len(self.warnings()), 1)
        # 1.00 more (5.00): not above the threshold, the warning stays sent
        self.credit(amount=1.0)
        self.assertTrue(self.client.callgest_prepaid_warned)
        self.make_calls(1)  # 3.50
        self.assertEqual(len(self.warnings()), 1)
        # 3.00 more (6.50): above 5.00, re-armed
        self.credit(amount=3.0)
        self.assertFalse(self.client.callgest_prepaid_warned)
        self.make_calls(1)  # 6.50 - 1.50 = 5.00: low again, warned again
        self.assertEqual(len(self.warnings()), 2)

    def test_warning_thresholds_from_the_company(self):
        company = self.env.company
        company.write(
            {
                "callgest_prepaid_warning_amount": 25.0,
                "callgest_prepaid_warning_calls": 3,
            }
        )
        client = self.env["res.partner"].create(
            {"name": "New prepaid", "callgest_billing_mode": "prepaid"}
        )
        self.assertEqual(client.callgest_prepaid_warning_amount, 25.0)
        self.assertEqual(client.callgest_prepaid_warning_calls, 3)

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

    # ------------------------------------------------------------------
    # The overage invoice of a month (issue 11, point 8)
    # ------------------------------------------------------------------
    def run_period(self, period):
        return self.env["account.move"].browse(
            self.env["callgest.invoicing"].run_period(period, self.client.ids)
        )

    def test_overage_of_a_month_bills_only_months_up_to_it(self):
        self.credit(amount=1.5)
        self.make_calls(3)  # October
        self.make_calls(2, day=datetime(2026, 11, 3, 8))
        self.make_calls(1, day=datetime(2026, 12, 1, 8))
        # 1.50 - 3 x 1.50 - 2 x 1.50 - 1 x 1.50 (every month's first calls)
        self.assertAlmostEqual(self.client.callgest_prepaid_balance, -7.5)
        october = self.run_period("2026-10")
        # 3 calls x 1.50 - 1.50 credited = 3.00: November's and December's
        # calls are not October's
        self.assertEqual(october.amount_untaxed, 3.0)
        self.assertEqual(october.callgest_period, "2026-10")
        self.assertIn("2026-10", october.invoice_line_ids.name)
        november = self.run_period("2026-11")
        self.assertEqual(november.amount_untaxed, 3.0)  # 2 calls x 1.50
        self.assertFalse(self.run_period("2026-11"))
        # December's call waits for December: -7.50 + 3.00 + 3.00
        self.assertAlmostEqual(self.client.callgest_prepaid_balance, -1.5)

    def test_cancelled_overage_invoice_is_owed_again(self):
        self.credit(amount=1.5)
        self.make_calls(3)  # 1.50 - 3 x 1.50 = -3.00
        invoice = self.run_period(PERIOD)
        self.assertEqual(invoice.amount_untaxed, 3.0)
        self.assertEqual(self.client.callgest_prepaid_balance, 0.0)
        invoice.action_post()
        invoice.button_cancel()
        self.assertEqual(invoice.state, "cancel")
        # the balance as it was, and a new run bills the 3.00 again
        self.assertAlmostEqual(self.client.callgest_prepaid_balance, -3.0)
        invoice._callgest_sync_prepaid()  # asked again: taken back once
        self.assertAlmostEqual(self.client.callgest_prepaid_balance, -3.0)
        again = self.run_period(PERIOD)
        self.assertEqual(again.amount_untaxed, 3.0)
        self.assertEqual(self.client.callgest_prepaid_balance, 0.0)
        self.assertFalse(self.run_period(PERIOD))

    def test_cancelled_overage_invoice_reset_to_draft_settles_again(self):
        self.credit(amount=1.5)
        self.make_calls(3)
        invoice = self.run_period(PERIOD)
        invoice.button_cancel()
        self.assertAlmostEqual(self.client.callgest_prepaid_balance, -3.0)
        invoice.button_draft()
        # the 3.00 is billed by this invoice again: not by a new one
        self.assertEqual(self.client.callgest_prepaid_balance, 0.0)
        self.assertFalse(self.run_period(PERIOD))

    def test_deleted_overage_invoice_is_owed_again(self):
        self.credit(amount=1.5)
        self.make_calls(3)
        invoice = self.run_period(PERIOD)
        invoice.action_post()
        invoice.button_draft()
        invoice.unlink()
        self.assertAlmostEqual(self.client.callgest_prepaid_balance, -3.0)
        self.assertEqual(self.run_period(PERIOD).amount_untaxed, 3.0)
        self.assertEqual(self.client.callgest_prepaid_balance, 0.0)

    def test_overage_invoice_edited_in_draft_settles_what_it_bills(self):
        self.credit(amount=1.5)
        self.make_calls(3)
        invoice = self.run_period(PERIOD)
        # the accountant grants 1.00: the invoice bills 2.00, 1.00 is owed
        invoice.invoice_line_ids.price_unit = 2.0
        invoice.action_post()
        self.assertAlmostEqual(self.client.callgest_prepaid_balance, -1.0)

    # ------------------------------------------------------------------
    # A cancelled or credited top-up takes its credit back
    # ------------------------------------------------------------------
    def test_cancelled_top_up_takes_its_credit_back_once(self):
        invoice = self.invoice_recharge(self.top_up_20)
        self.pay(invoice)
        self.make_calls(4)  # 20.00 - 4 x 1.50 = 14.00
        self.assertAlmostEqual(self.client.callgest_prepaid_balance, 14.0)
        invoice.button_draft()
        # no longer paid: 14.00 - 20.00 = -6.00
        self.assertAlmostEqual(self.client.callgest_prepaid_balance, -6.0)
        invoice.button_cancel()
        self.Move._sync_recharges(invoice)
        self.assertAlmostEqual(self.client.callgest_prepaid_balance, -6.0)
        taken = self.Move.search(
            [("invoice_id", "=", invoice.id), ("kind", "=", "recharge_cancelled")]
        )
        self.assertEqual(taken.mapped("amount"), [-20.0])
        # the client is now served beyond its balance: the overage is billed
        self.assertEqual(self.run_period(PERIOD).amount_untaxed, 6.0)

    def test_top_up_paid_again_after_a_reset_credits_again(self):
        invoice = self.invoice_recharge(self.top_up_20)
        self.pay(invoice)
        invoice.button_draft()
        self.assertEqual(self.client.callgest_prepaid_balance, 0.0)
        invoice.action_post()
        self.pay(invoice)
        self.assertEqual(self.client.callgest_prepaid_balance, 20.0)

    def test_credit_note_of_a_paid_top_up_takes_its_credit_back(self):
        invoice = self.invoice_recharge(self.top_up_20, self.top_up_30)
        self.pay(invoice)
        self.assertEqual(self.client.callgest_prepaid_balance, 50.0)
        self.make_calls(2)  # 50.00 - 2 x 1.50 = 47.00
        refund = invoice._reverse_moves(
            [{"invoice_date": invoice.invoice_date, "ref": "top-up refused"}]
        )
        # a credit note of the 30 € top-up only
        refund.invoice_line_ids.filtered(
            lambda line: line.product_id == self.top_up_20
        ).unlink()
        refund.action_post()
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        # 47.00 - 30.00 = 17.00, once
        self.assertAlmostEqual(self.client.callgest_prepaid_balance, 17.0)
        self.Move._sync_recharges(invoice | refund)
        self.assertAlmostEqual(self.client.callgest_prepaid_balance, 17.0)
        # the credit note cancelled: the 30.00 is credited again
        refund.button_cancel()
        self.assertAlmostEqual(self.client.callgest_prepaid_balance, 47.0)

    def test_cancelled_plan_takes_back_its_calls_and_charges_used_ones(self):
        self.client.callgest_prepaid_exhausted_behaviour = "stop"
        invoice = self.invoice_recharge(self.plan_6_months)
        self.pay(invoice)
        self.make_calls(50)
        self.assertEqual(self.client.callgest_prepaid_calls_left, 142)
        invoice.button_cancel()
        # 142 calls left taken back, the 50 used charged at the plan's
        # 96.00 / 192 = 0.50 a call: 50 x 0.50 = -25.00
        self.assertEqual(self.client.callgest_prepaid_calls_left, 0)
        self.assertAlmostEqual(self.client.callgest_prepaid_balance, -25.0)
        self.assertTrue(self.client.callgest_prepaid_stopped)
        self.assertFalse(
            self.env["callgest.ddi"].resolve_number("+34933906741")["serve"]
        )
        self.Move._sync_recharges(invoice)
        self.assertAlmostEqual(self.client.callgest_prepaid_balance, -25.0)
        # invoiced and paid again: 192 - 50 = 142 calls, the 25.00 back
        invoice.button_draft()
        invoice.action_post()
        self.pay(invoice)
        self.assertEqual(self.client.callgest_prepaid_calls_left, 142)
        self.assertAlmostEqual(self.client.callgest_prepaid_balance, 0.0)

    # ------------------------------------------------------------------
    # The balance in every recado email
    # ------------------------------------------------------------------
    def test_recado_email_shows_the_balance_in_the_recipients_language(self):
        self.env["res.lang"]._activate_lang("pt_PT")
        self.env["ir.module.module"]._load_module_terms(
            ["callgest_message", "callgest_billing"], ["pt_PT"], overwrite=True
        )
        self.env["callgest.recipient"].create(
            {
                "partner_id": self.client.id,
                "channel": "email",
                "address": "lisboa@physio.example.com",
                "lang": "pt_PT",
                "mode": "immediate",
            }
        )
        self.credit(amount=14.0, calls=5)
        self.make_calls(1)  # a plan call: 4 left, 14.00 on the balance
        message = self.env["callgest.message"].create(
            {"ddi_id": self.ddi.id, "caller_name": "Ana", "body": "Ligar de volta"}
        )
        message.action_submit()
        send_due_deliveries(self.env)
        body = message.delivery_ids.mail_id.body_html
        self.assertIn("Foi registado um recado", body)
        self.assertIn("O seu saldo pré-pago", body)
        self.assertIn("14,00", body)
        self.assertIn("Chamadas do seu plano por utilizar: <strong>4</strong>", body)

    def test_postpaid_recado_email_has_no_balance(self):
        self.client.callgest_billing_mode = "postpaid"
        self.env["callgest.recipient"].create(
            {
                "partner_id": self.client.id,
                "channel": "email",
                "address": "office@physio.example.com",
                "lang": "en_US",
            }
        )
        message = self.env["callgest.message"].create(
            {"ddi_id": self.ddi.id, "caller_name": "Ana", "body": "Call back"}
        )
        message.action_submit()
        send_due_deliveries(self.env)
        body = message.delivery_ids.mail_id.body_html
        self.assertIn("A recado was taken", body)
        self.assertNotIn("prepaid balance", body)

    # ------------------------------------------------------------------
    # One serve decision for the PBX and the screen pop
    # ------------------------------------------------------------------
    def test_serve_decision_is_the_ddi_hook(self):
        self.client.callgest_prepaid_exhausted_behaviour = "stop"
        self.assertEqual(
            self.ddi._serve_decision(),
            {"serve": False, "serve_reason": "prepaid balance exhausted"},
        )
        payload = self.env["callgest.ddi"].resolve_number("+34933906741")
        self.assertEqual(
            (payload["serve"], payload["serve_reason"], payload["reason"]),
            (False, "prepaid balance exhausted", "prepaid balance exhausted"),
        )
        self.credit(amount=1.5)
        self.assertEqual(
            self.ddi._serve_decision(), {"serve": True, "serve_reason": False}
        )
