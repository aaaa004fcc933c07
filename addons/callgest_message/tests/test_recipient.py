from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import CallgestMessageCommon


@tagged("post_install", "-at_install")
class TestRecipient(CallgestMessageCommon):
    def test_addresses_are_normalized(self):
        self.assertEqual(self.sms_urgent.address, "+34627561091")
        recipient = self.Recipient.create(
            {
                "partner_id": self.clinic.id,
                "channel": "email",
                "address": " Boss@Clinic.Example.com ",
            }
        )
        self.assertEqual(recipient.address, "boss@clinic.example.com")
        self.assertEqual(recipient.name, "boss@clinic.example.com")

    def test_invalid_addresses_are_refused_on_save(self):
        for channel, address in (
            ("email", "not-an-email"),
            ("email", "boss at clinic"),
            ("sms", "12345"),
            ("sms", "hello"),
            ("telegram", "my friend"),
            ("telegram", "12"),
        ):
            with (
                self.subTest(channel=channel, address=address),
                self.assertRaises(ValidationError) as error,
            ):
                self.Recipient.create(
                    {
                        "partner_id": self.clinic.id,
                        "channel": channel,
                        "address": address,
                    }
                )
            self.assertIn(address, str(error.exception))
        with self.assertRaises(ValidationError):
            self.email_now.address = "broken@"
        with self.assertRaises(ValidationError):
            self.email_now.channel = "telegram"  # an email is not a chat id
        self.assertEqual(self.email_now.address, "boss@clinic.example.com")

    def test_telegram_chat_forms(self):
        for chat in ("123456789", "-1001234567890", "@clinic_alerts"):
            recipient = self.Recipient.create(
                {"partner_id": self.clinic.id, "channel": "telegram", "address": chat}
            )
            self.assertEqual(recipient.address, chat)

    def test_digest_times_are_checked(self):
        with self.assertRaises(ValidationError):
            self.email_now.digest_times = "lunchtime"
        self.email_now.digest_times = "9:30"
        self.assertEqual(self.email_now.digest_times, "9:30")

    def test_what_a_recipient_wants(self):
        urgent, normal = True, False
        self.assertTrue(self.email_now._wants(self.category_message, normal))
        self.assertFalse(self.sms_urgent._wants(self.category_message, normal))
        self.assertTrue(self.sms_urgent._wants(self.category_message, urgent))
        self.assertFalse(self.telegram_orders._wants(self.category_message, urgent))
        self.assertTrue(self.telegram_orders._wants(self.category_order, normal))
