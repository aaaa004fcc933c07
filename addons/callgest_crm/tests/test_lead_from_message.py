from psycopg2 import IntegrityError

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import CallgestCrmCommon


@tagged("post_install", "-at_install")
class TestLeadFromMessage(CallgestCrmCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Message = cls.env["callgest.message"]
        cls.information = cls.env.ref("callgest_message.category_information")
        cls.category_message = cls.env.ref("callgest_message.category_message")
        # the provider's own line: a DDI whose client is the company itself
        cls.own_ddi = cls.create_ddi(
            "93 745 10 50", cls.spain, cls.env.company.partner_id
        )

    def take_recado(self, ddi=None, category=None, **values):
        """A recado as a secretary takes it on a call (with tracking, as in use)."""
        Message = self.Message.with_context(tracking_disable=False)
        return Message.with_user(self.secretary).create(
            {
                "ddi_id": (ddi or self.own_ddi).id,
                "category_id": (category or self.information).id,
                "caller_name": "Test Pere Vila",
                "caller_number": "+34 600 55 44 33",
                "caller_email": "pere.vila@gestoria-vila.example.com",
                "caller_company": "Test Gestoria Vila",
                "body": "Wants prices for level 1.\nCalls from 9:00 to 14:00.",
                **values,
            }
        )

    def leads_of(self, message):
        return self.Lead.with_context(active_test=False).search(
            [("callgest_message_id", "=", message.id)]
        )

    def test_submitted_information_request_on_own_line_becomes_a_lead(self):
        message = self.take_recado()
        self.assertEqual(message.partner_id, self.env.company.partner_id)
        self.assertTrue(message.callgest_can_convert_to_lead)
        self.assertFalse(self.leads_of(message))
        # a secretary, who has no access to the CRM, sends it
        self.assertTrue(message.action_submit())
        self.assertEqual(message.state, "to_deliver")
        lead = self.leads_of(message)
        self.assertEqual(len(lead), 1)
        self.assertEqual(message.lead_id, lead)
        self.assertEqual(lead.contact_name, "Test Pere Vila")
        self.assertEqual(lead.partner_name, "Test Gestoria Vila")
        self.assertEqual(lead.phone, "+34 600 55 44 33")
        self.assertEqual(lead.email_from, "pere.vila@gestoria-vila.example.com")
        self.assertIn("Wants prices for level 1.", lead.description)
        self.assertIn("Calls from 9:00 to 14:00.", lead.description)
        self.assertIn("Test Gestoria Vila", lead.name)
        self.assertEqual(lead.company_id, message.company_id)
        self.assertEqual(lead.medium_id, self.env.ref("utm.utm_medium_phone"))
        # nobody sells on behalf of the secretary, who does not follow it
        self.assertFalse(lead.user_id)
        self.assertNotIn(self.secretary.partner_id, lead.message_partner_ids)
        self.assertFalse(message.callgest_can_convert_to_lead)
        self.assertIn(message.name, lead.message_ids[0].body)
        self.assertIn(f'data-oe-id="{lead.id}"', message.message_ids[0].body)

    def test_other_recados_are_not_converted_on_submit(self):
        on_client_line = self.take_recado(ddi=self.clinic_ddi)
        plain_message = self.take_recado(category=self.category_message)
        (on_client_line | plain_message).action_submit()
        self.assertEqual(on_client_line.state, "to_deliver")
        self.assertFalse(on_client_line.lead_id)
        self.assertFalse(self.leads_of(on_client_line))
        self.assertFalse(plain_message.lead_id)
        self.assertFalse(self.leads_of(plain_message))

    def test_button_converts_once(self):
        message = self.take_recado()
        message.with_user(self.secretary).action_convert_to_lead()
        lead = message.lead_id
        self.assertTrue(lead)
        # submitting it afterwards does not make a second lead
        message.action_submit()
        self.assertEqual(self.leads_of(message), lead)
        with self.assertRaisesRegex(UserError, "already converted"):
            message.with_user(self.secretary).action_convert_to_lead()
        self.assertEqual(self.leads_of(message), lead)

    def test_button_converts_a_recado_recategorised_after_submit(self):
        message = self.take_recado(category=self.category_message)
        message.action_submit()
        self.assertFalse(message.lead_id)
        message.category_id = self.information
        self.assertTrue(message.callgest_can_convert_to_lead)
        message.with_user(self.secretary).action_convert_to_lead()
        self.assertEqual(len(self.leads_of(message)), 1)

    def test_conversions_refused(self):
        plain_message = self.take_recado(category=self.category_message)
        self.assertFalse(plain_message.callgest_can_convert_to_lead)
        with self.assertRaisesRegex(UserError, "Only information requests"):
            plain_message.action_convert_to_lead()
        on_client_line = self.take_recado(ddi=self.clinic_ddi)
        self.assertFalse(on_client_line.callgest_can_convert_to_lead)
        with self.assertRaisesRegex(UserError, "our own numbers"):
            on_client_line.action_convert_to_lead()
        cancelled = self.take_recado()
        cancelled.action_cancel()
        self.assertFalse(cancelled.callgest_can_convert_to_lead)
        with self.assertRaisesRegex(UserError, "cancelled"):
            cancelled.action_convert_to_lead()
        self.assertFalse(
            self.Lead.search_count(
                [
                    (
                        "callgest_message_id",
                        "in",
                        (plain_message | on_client_line | cancelled).ids,
                    )
                ]
            )
        )

    def test_database_refuses_a_second_lead_for_a_recado(self):
        message = self.take_recado()
        message.action_convert_to_lead()
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            self.Lead.create({"name": "Duplicate", "callgest_message_id": message.id})
