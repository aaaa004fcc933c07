from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from odoo.addons.callgest_billing.tests.common import CallgestBillingCommon


@tagged("post_install", "-at_install")
class TestDeposit(CallgestBillingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.won_stage = cls.env["crm.stage"].create(
            {"name": "Deposit Won", "sequence": 950, "is_won": True}
        )
        cls.deposit_product = cls.env.ref("callgest_billing.product_deposit")

    def onboard(self, name, number, **values):
        """Onboard a won opportunity on a DDI of the stock; the client."""
        ddi = self.env["callgest.ddi"].create(
            {"number_entered": number, "country_id": self.spain.id}
        )
        lead = self.env["crm.lead"].create(
            {
                "name": f"Answering service for {name}",
                "type": "opportunity",
                "partner_name": name,
                "country_id": self.spain.id,
                "stage_id": self.won_stage.id,
                "company_id": self.company.id,
            }
        )
        wizard = (
            self.env["callgest.onboarding.wizard"]
            .with_context(default_lead_id=lead.id)
            .create({"ddi_id": ddi.id, **values})
        )
        wizard.action_onboard()
        return lead.partner_id

    def pay(self, invoice):
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({})._create_payments()

    def terminate(self, client):
        client.sudo().callgest_service_state = "terminated"

    def settle(self, client, method):
        wizard = self.env["callgest.deposit.settle.wizard"].create(
            {"partner_id": client.id, "method": method}
        )
        wizard.action_settle()
        return client.callgest_deposit_invoice_ids.reversal_move_ids

    def test_onboarding_invoices_the_deposit_as_a_liability(self):
        client = self.onboard("Deposit Dental", "93 111 33 71", deposit=75.0)
        invoice = client.callgest_deposit_invoice_ids
        self.assertEqual(len(invoice), 1)
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.move_type, "out_invoice")
        self.assertEqual(invoice.amount_total, 75.0)
        self.assertEqual(invoice.amount_tax, 0.0)
        line = invoice.invoice_line_ids
        self.assertEqual(line.product_id, self.deposit_product)
        self.assertEqual(line.account_id.account_type, "liability_current")
        self.assertEqual(line.account_id.code, "CGDEP")
        self.assertEqual(line.balance, -75.0)
        self.assertEqual(client.callgest_deposit_pending, 0.0)
        # the setup fee is left to the monthly run
        self.assertEqual(client.callgest_setup_fee_pending, 95.0)
        self.assertEqual(client.callgest_deposit_held, 75.0)
        # a second client reuses the company's deposit account
        other = self.onboard("Deposit Optician", "93 111 33 72")
        other_line = other.callgest_deposit_invoice_ids.invoice_line_ids
        self.assertEqual(other_line.account_id, line.account_id)
        self.assertEqual(other.callgest_deposit_held, 60.0)

    def test_deposit_is_at_least_the_minimum(self):
        client = self.make_client("Deposit Small", "8811")
        lead = self.env["crm.lead"].create(
            {
                "name": "Small",
                "type": "opportunity",
                "partner_id": client.id,
                "stage_id": self.won_stage.id,
            }
        )
        wizard = (
            self.env["callgest.onboarding.wizard"]
            .with_context(default_lead_id=lead.id)
            .create({})
        )
        client.sudo().callgest_deposit_pending = 20.0
        invoice = wizard._callgest_invoice_deposit(client)
        self.assertEqual(invoice.amount_total, 60.0)
        self.assertEqual(client.callgest_deposit_pending, 0.0)
        client.sudo().callgest_deposit_pending = 130.0
        invoice = wizard._callgest_invoice_deposit(client)
        self.assertEqual(invoice.amount_total, 130.0)
        self.assertEqual(client.callgest_deposit_held, 190.0)

    def test_return_a_paid_deposit(self):
        client = self.onboard("Deposit Return", "93 111 33 73", deposit=80.0)
        deposit = client.callgest_deposit_invoice_ids
        self.pay(deposit)
        with self.assertRaisesRegex(UserError, "terminate the service first"):
            self.settle(client, "return")
        self.terminate(client)
        credit_note = self.settle(client, "return")
        self.assertEqual(len(credit_note), 1)
        self.assertEqual(credit_note.move_type, "out_refund")
        self.assertEqual(credit_note.state, "posted")
        self.assertEqual(credit_note.reversed_entry_id, deposit)
        self.assertEqual(credit_note.amount_total, 80.0)
        self.assertEqual(
            credit_note.invoice_line_ids.account_id,
            deposit.invoice_line_ids.account_id,
        )
        # the deposit was paid: all of it is to pay back
        self.assertEqual(credit_note.amount_residual, 80.0)
        self.assertEqual(client.callgest_deposit_held, 0.0)
        with self.assertRaisesRegex(UserError, "no deposit left to settle"):
            self.settle(client, "offset")
        self.assertEqual(deposit.reversal_move_ids, credit_note)

    def test_return_an_unpaid_deposit_cancels_it(self):
        client = self.onboard("Deposit Unpaid", "93 111 33 74", deposit=70.0)
        deposit = client.callgest_deposit_invoice_ids
        self.terminate(client)
        credit_note = self.settle(client, "return")
        self.assertEqual(credit_note.amount_total, 70.0)
        self.assertEqual(credit_note.amount_residual, 0.0)
        self.assertEqual(deposit.amount_residual, 0.0)
        self.assertIn(deposit.payment_state, ("paid", "reversed"))

    def test_offset_against_open_invoices(self):
        client = self.onboard("Deposit Offset", "93 111 33 75", deposit=100.0)
        deposit = client.callgest_deposit_invoice_ids
        self.pay(deposit)
        older = self.init_invoice(
            "out_invoice",
            partner=client,
            invoice_date="2026-09-30",
            amounts=[30.0],
            taxes=self.env["account.tax"],
            post=True,
        )
        newer = self.init_invoice(
            "out_invoice",
            partner=client,
            invoice_date="2026-10-31",
            amounts=[200.0],
            taxes=self.env["account.tax"],
            post=True,
        )
        self.terminate(client)
        credit_note = self.settle(client, "offset")
        self.assertEqual(credit_note.amount_total, 100.0)
        self.assertEqual(credit_note.amount_residual, 0.0)
        # oldest first: the 30 paid, 70 off the 200
        self.assertEqual(older.amount_residual, 0.0)
        self.assertEqual(newer.amount_residual, 130.0)
        self.assertEqual(client.callgest_deposit_held, 0.0)
        self.assertIn("Deposit settled", client.message_ids[0].body)
        with self.assertRaisesRegex(UserError, "no deposit left to settle"):
            self.settle(client, "return")

    def test_settling_is_the_accountants(self):
        """A supervisor sees the deposit held; returning or offsetting it (a
        credit note) is the accountant's act."""
        client = self.onboard("Deposit Supervised", "93 111 33 76")
        self.terminate(client)
        supervisor = self.env["res.users"].create(
            {
                "name": "Deposit Supervisor",
                "login": "deposit_supervisor",
                "company_id": self.company.id,
                "company_ids": [(6, 0, self.company.ids)],
                "groups_id": [
                    (6, 0, [self.env.ref("callgest_base.group_callgest_supervisor").id])
                ],
            }
        )
        self.assertEqual(client.with_user(supervisor).callgest_deposit_held, 60.0)
        with self.assertRaises(AccessError):
            self.env["callgest.deposit.settle.wizard"].with_user(supervisor).create(
                {"partner_id": client.id, "method": "return"}
            )
        self.assertEqual(client.callgest_deposit_held, 60.0)
        accountant = self.env["res.users"].create(
            {
                "name": "Deposit Accountant",
                "login": "deposit_accountant",
                "company_id": self.company.id,
                "company_ids": [(6, 0, self.company.ids)],
                "groups_id": [
                    (6, 0, [self.env.ref("account.group_account_invoice").id])
                ],
            }
        )
        wizard = (
            self.env["callgest.deposit.settle.wizard"]
            .with_user(accountant)
            .create({"partner_id": client.id, "method": "return"})
        )
        self.assertEqual(wizard.deposit_held, 60.0)
        wizard.action_settle()
        self.assertEqual(client.callgest_deposit_held, 0.0)
        self.assertEqual(
            client.callgest_deposit_invoice_ids.reversal_move_ids.amount_total, 60.0
        )
