from odoo import Command, fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, tagged

from odoo.addons.callgest_crm.tests.common import CallgestCrmCommon


@tagged("post_install", "-at_install")
class TestOnboardingFees(CallgestCrmCommon):
    """The fees of the onboarding wizard, in a euro company without a tariff
    nor a chart of accounts: the seed's figures are proposed and recorded on
    the client, the deposit stays to invoice."""

    def test_form_proposes_records_and_tells_the_fees(self):
        action = self.won_lead.with_user(
            self.sales_supervisor
        ).action_callgest_onboard()
        wizard_form = Form(
            self.env[action["res_model"]]
            .with_user(self.sales_supervisor)
            .with_context(**action["context"])
        )
        self.assertEqual(wizard_form.setup_fee, 95.0)
        self.assertEqual(wizard_form.deposit, 60.0)
        self.assertEqual(wizard_form.deposit_minimum, 60.0)
        wizard_form.ddi_id = self.stock_fr
        wizard_form.deposit = 75.0
        wizard_form.save().action_onboard()

        client = self.won_lead.partner_id
        today = fields.Date.context_today(client.with_user(self.sales_supervisor))
        # the fees to invoice later, in the company's currency
        self.assertEqual(client.callgest_currency_id, self.euro)
        self.assertEqual(client.callgest_setup_fee_pending, 95.0)
        self.assertEqual(client.callgest_deposit_pending, 75.0)
        self.assertEqual(client.callgest_fees_pending_date, today)
        # both chatters tell them, after what callgest_crm tells
        for note in (self.won_lead.message_ids[0], client.message_ids[0]):
            self.assertIn(self.stock_fr.number_international, note.body)
            self.assertIn("To invoice: setup fee", note.body)
            self.assertIn("95.00", note.body)
            self.assertIn("75.00", note.body)

    def test_fees_not_invoiced_yet_add_up(self):
        client = self.Partner.create(
            {
                "name": "Test Onboarding Clinic",
                "is_company": True,
                "is_callgest_client": True,
                "callgest_client_code": "4712",
                "callgest_service_state": "onboarding",
                "callgest_setup_fee_pending": 10.0,
            }
        )
        lead = self.create_lead(partner_id=client.id)
        self.onboarding_wizard(lead).action_onboard()
        self.assertEqual(client.callgest_setup_fee_pending, 105.0)
        self.assertEqual(client.callgest_deposit_pending, 60.0)
        # billing clears them once invoiced
        client._callgest_clear_pending_fees()
        self.assertFalse(client.callgest_setup_fee_pending)
        self.assertFalse(client.callgest_deposit_pending)
        self.assertFalse(client.callgest_fees_pending_date)

    def test_salesmen_read_the_fees_secretaries_do_not(self):
        self.won_lead.user_id = self.salesman
        self.onboarding_wizard(user=self.salesman).action_onboard()
        client = self.won_lead.partner_id
        self.assertEqual(client.with_user(self.salesman).callgest_deposit_pending, 60.0)
        with self.assertRaises(AccessError):
            client.with_user(self.secretary).read(["callgest_setup_fee_pending"])

    def test_deposit_below_the_minimum_is_refused(self):
        wizard_form = Form(
            self.env["callgest.onboarding.wizard"]
            .with_user(self.sales_supervisor)
            .with_context(default_lead_id=self.won_lead.id)
        )
        wizard_form.deposit = 59.99
        with self.assertRaisesRegex(ValidationError, "at least"):
            wizard_form.save()
        with self.assertRaises(ValidationError):
            self.onboarding_wizard(setup_fee=-1.0)

    def test_tariff_in_another_currency(self):
        dollar = self.env.ref("base.USD")
        dollar.active = True
        company = self.env["res.company"].create(
            {"name": "Test CallGest US", "currency_id": dollar.id}
        )
        today = fields.Date.context_today(company)
        self.env["res.currency.rate"].create(
            [
                {
                    "currency_id": self.euro.id,
                    "rate": 1.0,
                    "name": today,
                    "company_id": company.id,
                },
                {
                    "currency_id": dollar.id,
                    "rate": 1.25,
                    "name": today,
                    "company_id": company.id,
                },
            ]
        )
        self.sales_supervisor.company_ids |= company
        lead = self.create_lead(company_id=company.id)
        wizard = self.onboarding_wizard(lead)
        self.assertEqual(wizard.company_id, company)
        self.assertEqual(wizard.currency_id, dollar)
        self.assertEqual(wizard.setup_fee, 118.75)
        self.assertEqual(wizard.deposit, 75.0)
        self.assertFalse(wizard.ddi_id, "the stock of another company is not used")

    def test_fees_are_recorded_in_the_company_that_onboards(self):
        """The pending fees are company-dependent: a client owing a setup
        fee to one company, onboarded by the Lisbon one from the other
        company's session, owes Lisbon its own fees."""
        home = self.env.company
        lisbon = self.env["res.company"].create(
            {
                "name": "Test CallGest Lisboa",
                "currency_id": self.euro.id,
                "country_id": self.env.ref("base.pt").id,
            }
        )
        (self.env.user | self.sales_supervisor).write(
            {"company_ids": [Command.link(lisbon.id)]}
        )
        both = self.env(
            context=dict(self.env.context, allowed_company_ids=[home.id, lisbon.id])
        )
        client = self.Partner.create(
            {
                "name": "Test Clinic of Two Companies",
                "is_company": True,
                "is_callgest_client": True,
                "callgest_client_code": "4713",
                "callgest_service_state": "onboarding",
                "callgest_setup_fee_pending": 10.0,
            }
        )
        self.create_ddi("21 700 10 01", self.env.ref("base.pt"), company_id=lisbon.id)
        lead = self.create_lead(
            partner_id=client.id,
            company_id=lisbon.id,
            country_id=self.env.ref("base.pt").id,
        )
        wizard = (
            self.env["callgest.onboarding.wizard"]
            .with_env(both)
            .with_user(self.sales_supervisor)
            .with_context(default_lead_id=lead.id)
            .create({})
        )
        self.assertEqual(wizard.company_id, lisbon)
        wizard.action_onboard()
        in_home = client.with_env(both).with_company(home)
        in_lisbon = client.with_env(both).with_company(lisbon)
        self.assertEqual(in_home.callgest_setup_fee_pending, 10.0)
        self.assertFalse(in_home.callgest_deposit_pending)
        self.assertEqual(in_lisbon.callgest_setup_fee_pending, wizard.setup_fee)
        self.assertEqual(in_lisbon.callgest_deposit_pending, wizard.deposit)
        self.assertTrue(in_lisbon.callgest_fees_pending_date)
        self.assertFalse(in_home.callgest_fees_pending_date)
