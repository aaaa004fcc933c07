from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from .common import CallgestCrmCommon


@tagged("post_install", "-at_install")
class TestOnboardingWizard(CallgestCrmCommon):
    def test_form_onboards_a_won_lead_as_a_new_client(self):
        self.Partner.create(
            {"name": "Test Highest Code", "callgest_client_code": "9876543"}
        )
        action = self.won_lead.with_user(
            self.sales_supervisor
        ).action_callgest_onboard()
        self.assertEqual(action["res_model"], "callgest.onboarding.wizard")
        wizard_form = Form(
            self.env[action["res_model"]]
            .with_user(self.sales_supervisor)
            .with_context(**action["context"])
        )
        # proposals made from the lead and the stock
        self.assertFalse(wizard_form.partner_id)
        self.assertEqual(wizard_form.client_name, "Test Kiné Lyon")
        self.assertEqual(wizard_form.country_id, self.france)
        self.assertEqual(wizard_form.client_code, "9876544")
        self.assertEqual(wizard_form.ddi_id, self.stock_fr_first)
        self.assertEqual(wizard_form.tz, "Europe/Paris")
        self.assertEqual(wizard_form.lang, "en_US")
        self.assertEqual(wizard_form.service_level, "level_1")
        # the user's choices
        wizard_form.client_code = "4711"
        wizard_form.service_level = "level_2"
        wizard_form.calendar_id = self.calendar
        wizard_form.ddi_id = self.stock_fr
        result = wizard_form.save().action_onboard()
        self.assertEqual(result["type"], "ir.actions.act_window_close")

        client = self.won_lead.partner_id
        # the day in the timezone of the user who onboarded
        today = fields.Date.context_today(client.with_user(self.sales_supervisor))
        self.assertEqual(client.name, "Test Kiné Lyon")
        self.assertTrue(client.is_company)
        self.assertTrue(client.is_callgest_client)
        self.assertEqual(client.callgest_client_code, "4711")
        self.assertEqual(client.callgest_service_level, "level_2")
        self.assertEqual(client.callgest_calendar_id, self.calendar)
        self.assertEqual(client.tz, "Europe/Paris")
        self.assertEqual(client.lang, "en_US")
        self.assertEqual(client.country_id, self.france)
        self.assertEqual(client.email, "claire.martin@kine-lyon.example.com")
        # onboarding, then active: both dates stamped
        self.assertEqual(client.callgest_service_state, "active")
        self.assertEqual(client.callgest_onboarding_date, today)
        self.assertEqual(client.callgest_activation_date, today)
        # the chosen number is in service, the proposed one still in stock
        self.assertEqual(self.stock_fr.partner_id, client)
        self.assertEqual(self.stock_fr.state, "active")
        self.assertEqual(self.stock_fr.activation_date, today)
        self.assertEqual(self.stock_fr_first.state, "available")
        self.assertFalse(self.stock_fr_first.partner_id)
        # the contact person of the lead, under the client
        self.assertEqual(client.child_ids.mapped("name"), ["Claire Martin"])
        # the lead is no longer onboardable; both chatters tell the story
        self.assertFalse(self.won_lead.callgest_can_onboard)
        lead_note = self.won_lead.message_ids[0]
        self.assertIn("4711", lead_note.body)
        self.assertIn(f'data-oe-id="{client.id}"', lead_note.body)
        self.assertIn(self.stock_fr.number_international, lead_note.body)
        client_note = client.message_ids[0]
        self.assertIn(f'data-oe-id="{self.won_lead.id}"', client_note.body)
        self.assertIn(self.stock_fr.number_international, client_note.body)

    def test_existing_contact_is_updated_not_duplicated(self):
        prospect = self.Partner.create(
            {
                "name": "Test Notary Porto",
                "is_company": True,
                "country_id": self.portugal.id,
                "lang": "en_US",
            }
        )
        notary = self.Partner.create(
            {"name": "Test Helena Sousa", "parent_id": prospect.id}
        )
        stock_pt = self.create_ddi("223 390 111", self.portugal)
        lead = self.create_lead(partner_id=notary.id, country_id=self.portugal.id)
        partners_before = self.Partner.search_count([])
        wizard = self.onboarding_wizard(lead)
        self.assertEqual(wizard.partner_id, prospect)
        self.assertEqual(wizard.country_id, self.portugal)
        self.assertEqual(wizard.tz, "Europe/Lisbon")
        self.assertEqual(wizard.ddi_id.number_region, "PT")
        wizard.write({"ddi_id": stock_pt.id, "client_code": "3511"})
        wizard.action_onboard()
        self.assertEqual(self.Partner.search_count([]), partners_before)
        self.assertEqual(lead.partner_id, prospect)
        self.assertTrue(prospect.is_callgest_client)
        self.assertEqual(prospect.callgest_client_code, "3511")
        self.assertEqual(prospect.callgest_service_state, "active")
        self.assertEqual(prospect.tz, "Europe/Lisbon")
        self.assertEqual(stock_pt.partner_id, prospect)
        self.assertEqual(stock_pt.state, "active")

    def test_onboarding_client_keeps_its_onboarding_date(self):
        client = self.Partner.create(
            {
                "name": "Test Onboarding Clinic",
                "is_company": True,
                "is_callgest_client": True,
                "callgest_client_code": "4712",
                "callgest_service_state": "onboarding",
                "callgest_onboarding_date": "2026-01-05",
            }
        )
        lead = self.create_lead(partner_id=client.id)
        wizard = self.onboarding_wizard(lead)
        self.assertEqual(wizard.client_code, "4712")
        wizard.action_onboard()
        self.assertEqual(client.callgest_service_state, "active")
        self.assertEqual(str(client.callgest_onboarding_date), "2026-01-05")
        self.assertEqual(
            client.callgest_activation_date,
            fields.Date.context_today(client.with_user(self.sales_supervisor)),
        )

    def test_default_ddi_follows_the_country(self):
        wizard_form = Form(
            self.env["callgest.onboarding.wizard"]
            .with_user(self.sales_supervisor)
            .with_context(default_lead_id=self.won_lead.id)
        )
        self.assertEqual(wizard_form.ddi_id, self.stock_fr_first)
        wizard_form.country_id = self.spain
        self.assertEqual(wizard_form.ddi_id.number_region, "ES")
        self.assertEqual(wizard_form.ddi_id.state, "available")
        self.assertEqual(wizard_form.tz, "Europe/Madrid")
        wizard_form.country_id = self.env.ref("base.ar")
        self.assertFalse(
            wizard_form.ddi_id, "no number of that country: none is proposed"
        )

    def test_default_ddi_is_geographic_when_possible(self):
        # in Spain, a 900 number comes first in the order of the numbers
        toll_free = self.create_ddi("900 45 10 01", self.spain)
        self.assertEqual(toll_free.number_type, "toll_free")
        lead = self.create_lead(country_id=self.spain.id)
        proposed = self.onboarding_wizard(lead).ddi_id
        self.assertEqual(proposed.number_region, "ES")
        self.assertEqual(proposed.number_type, "fixed_line")
        self.assertLess(toll_free.number, proposed.number)
        # without geographic numbers left, the first special one
        self.Ddi.search(
            [
                ("state", "=", "available"),
                ("partner_id", "=", False),
                ("number_region", "=", "ES"),
                ("number_type", "in", ("fixed_line", "fixed_line_or_mobile")),
            ]
        ).action_release()
        self.assertEqual(self.onboarding_wizard(lead).ddi_id, toll_free)

    def test_a_lead_that_is_not_won_is_refused(self):
        lead = self.create_lead(won=False)
        self.assertFalse(lead.callgest_can_onboard)
        with self.assertRaisesRegex(UserError, "not won"):
            lead.with_user(self.sales_supervisor).action_callgest_onboard()
        wizard = self.onboarding_wizard(lead)
        with self.assertRaisesRegex(UserError, "not won"):
            wizard.action_onboard()
        self.assertFalse(lead.partner_id)
        self.assertEqual(self.stock_fr_first.state, "available")

    def test_a_lost_lead_is_refused(self):
        self.won_lead.action_archive()
        with self.assertRaises(UserError):
            self.onboarding_wizard().action_onboard()

    def test_a_ddi_no_longer_in_stock_is_refused(self):
        wizard = self.onboarding_wizard()
        self.assertEqual(wizard.ddi_id, self.stock_fr_first)
        # someone else took the number meanwhile
        self.stock_fr_first.write({"partner_id": self.clinic.id})
        self.stock_fr_first.action_activate()
        with self.assertRaisesRegex(UserError, "no longer in stock"):
            wizard.action_onboard()
        self.assertFalse(self.won_lead.partner_id)
        self.assertFalse(self.Partner.search([("name", "=", "Test Kiné Lyon")]))

    def test_a_client_code_already_used_is_refused(self):
        wizard = self.onboarding_wizard(client_code="9001")  # the clinic's
        with self.assertRaisesRegex(ValidationError, "already used by Test Clinic"):
            wizard.action_onboard()
        self.assertEqual(self.stock_fr_first.state, "available")
        self.assertFalse(self.won_lead.partner_id)

    def test_an_active_client_is_not_onboarded_again(self):
        self.clinic.callgest_service_state = "active"
        lead = self.create_lead(partner_id=self.clinic.id)
        self.assertFalse(lead.callgest_can_onboard)
        with self.assertRaisesRegex(UserError, "already an active client"):
            lead.action_callgest_onboard()
        wizard = self.onboarding_wizard(self.won_lead)
        wizard.partner_id = self.clinic
        with self.assertRaisesRegex(UserError, "already an active client"):
            wizard.action_onboard()

    def test_salesman_onboards_without_callgest_rights(self):
        # a salesman cannot touch a service account directly...
        with self.assertRaises(AccessError):
            self.clinic.with_user(self.salesman).write(
                {"callgest_service_level": "level_2"}
            )
        # ...but onboards a won lead of theirs through the wizard
        self.won_lead.user_id = self.salesman
        wizard = self.onboarding_wizard(user=self.salesman)
        self.assertEqual(wizard.ddi_id, self.stock_fr_first)
        wizard.action_onboard()
        client = self.won_lead.partner_id
        self.assertEqual(client.callgest_service_state, "active")
        self.assertEqual(self.stock_fr_first.partner_id, client)
        self.assertEqual(self.stock_fr_first.state, "active")

    def test_secretary_cannot_onboard(self):
        with self.assertRaises(AccessError):
            self.onboarding_wizard(user=self.secretary)
