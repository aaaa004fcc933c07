from odoo.exceptions import ValidationError
from odoo.tests import Form, TransactionCase, tagged

from .common import CallgestMessageCommon


@tagged("post_install", "-at_install")
class TestMessage(CallgestMessageCommon):
    def test_client_and_professional_come_from_the_ddi(self):
        ddi = self.create_ddi(
            "910 600 188", self.spain, self.law_firm, professional_id=self.lawyer.id
        )
        message = self.take_message(ddi_id=ddi.id)
        self.assertEqual(message.partner_id, self.law_firm)
        self.assertEqual(message.professional_id, self.lawyer)
        self.assertEqual(message.state, "draft")
        self.assertEqual(message.taken_by_id, self.secretary)
        self.assertTrue(message.name.startswith("REC/"))
        self.assertEqual(message.category_id, self.category_message)

    def test_a_recado_needs_a_ddi_or_a_client(self):
        with self.assertRaises(ValidationError) as error:
            self.Message.with_user(self.secretary).create(
                {"caller_name": "Nobody", "body": "x"}
            )
        self.assertIn("Choose the DDI", str(error.exception))
        other_ddi = self.create_ddi("910 600 187", self.spain, self.law_firm)
        with self.assertRaises(ValidationError):
            self.take_message(ddi_id=other_ddi.id, partner_id=self.clinic.id)
        without_ddi = self.Message.create(
            {"partner_id": self.clinic.id, "body": "walk-in"}
        )
        self.assertEqual(without_ddi.partner_id, self.clinic)

    def test_caller_number_normalized_or_kept_as_written(self):
        message = self.take_message(caller_number="0034 600 123 456")
        self.assertEqual(message.caller_number_e164, "+34600123456")
        self.assertFalse(message.caller_number_invalid)
        garbled = self.take_message(caller_number="6001")
        self.assertEqual(garbled.caller_number, "6001")
        self.assertFalse(garbled.caller_number_e164)
        self.assertTrue(garbled.caller_number_invalid)
        garbled.action_submit()
        self.assertTrue(
            garbled.delivery_ids, "an invalid caller number is still deliverable"
        )

    def test_caller_is_linked_to_an_existing_contact_or_created(self):
        known = self.Partner.create(
            {"name": "Known caller", "phone": "+34 600 999 888"}
        )
        message = self.take_message(caller_number="600 999 888")
        self.assertEqual(message.caller_partner_id, known)
        unknown = self.take_message(
            caller_name="New Caller",
            caller_number="600 777 666",
            caller_email="new@example.com",
        )
        self.assertFalse(unknown.caller_partner_id)
        unknown.action_create_caller_contact()
        self.assertEqual(unknown.caller_partner_id.name, "New Caller")
        self.assertEqual(unknown.caller_partner_id.email, "new@example.com")

    def test_search_by_caller_number_in_any_form(self):
        message = self.take_message(caller_number="600 123 456")
        for written in ("600123456", "+34 600 12 34 56", "0034600123456"):
            with self.subTest(written=written):
                self.assertIn(
                    message,
                    self.Message.search([("caller_number_search", "ilike", written)]),
                )

    def test_taken_at_is_shown_in_the_client_timezone(self):
        message = self.take_message(taken_at="2026-01-15 10:00:00")
        self.assertEqual(message.taken_at_client_tz, "15/01/2026 11:00 (Europe/Madrid)")

    def test_quick_form_defaults_from_the_ddi(self):
        form = Form(self.Message.with_user(self.secretary))
        form.ddi_id = self.clinic_ddi
        self.assertEqual(form.partner_id, self.clinic)
        form.caller_name = "Form caller"
        form.body = "From the form"
        message = form.save()
        self.assertEqual(message.partner_id, self.clinic)

    def test_states(self):
        message = self.take_message()
        message.action_submit()
        self.assertEqual(message.state, "to_deliver")
        self.send_due()
        self.assertEqual(
            message.state, "to_deliver", "the digest part is still pending"
        )
        message.action_acknowledge()
        self.assertEqual(message.state, "acknowledged")
        draft = self.take_message()
        draft.action_cancel()
        self.assertEqual(draft.state, "cancelled")
        draft.action_reset_to_draft()
        self.assertEqual(draft.state, "draft")


@tagged("post_install", "-at_install", "demo_data")
class TestDemoLanding(TransactionCase):
    def test_demo_supervisor_lands_on_the_recados(self):
        supervisor = self.env.ref("callgest_base.user_supervisor")
        self.assertEqual(
            supervisor.action_id.id,
            self.env.ref("callgest_message.action_callgest_message").id,
        )
