from odoo.addons.callgest_base.tests.common import CallgestBaseCommon

from .http_server import RecordingProviderServer


class CallgestMessageCommon(CallgestBaseCommon):
    """A client with recipients on every channel and a local provider server."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("es_ES")
        cls.server = RecordingProviderServer()
        cls.server.__enter__()
        cls.addClassCleanup(cls.server.__exit__, None, None, None)
        params = cls.env["ir.config_parameter"].sudo()
        for key, value in {
            "telegram_base_url": cls.server.url,
            "telegram_bot_token": "42:TEST",
            "sms_url": cls.server.url + "/sms",
            "provider_timeout": "1",
            "max_attempts": "3",
            "retry_minutes": "1",
        }.items():
            params.set_param(f"callgest_message.{key}", value)
        cls.Message = cls.env["callgest.message"]
        cls.Delivery = cls.env["callgest.delivery"]
        cls.Recipient = cls.env["callgest.recipient"]
        cls.category_message = cls.env.ref("callgest_message.category_message")
        cls.category_order = cls.env.ref("callgest_message.category_order")
        cls.boss = cls.Partner.create(
            {
                "name": "Dr. Boss",
                "parent_id": cls.clinic.id,
                "email": "boss@clinic.example.com",
            }
        )
        cls.email_now = cls.Recipient.create(
            {
                "partner_id": cls.clinic.id,
                "contact_id": cls.boss.id,
                "channel": "email",
                "address": "boss@clinic.example.com",
                "lang": "es_ES",
                "mode": "urgent_immediate",
                "digest_times": "13:00, 18:00",
            }
        )
        cls.sms_urgent = cls.Recipient.create(
            {
                "partner_id": cls.clinic.id,
                "channel": "sms",
                "address": "627 561 091",
                "urgency_filter": "urgent",
                "mode": "immediate",
            }
        )
        cls.telegram_orders = cls.Recipient.create(
            {
                "partner_id": cls.clinic.id,
                "channel": "telegram",
                "address": "-1001234567890",
                "category_ids": [(6, 0, cls.category_order.ids)],
                "mode": "immediate",
            }
        )

    def setUp(self):
        super().setUp()
        self.server.requests.clear()
        self.server.behaviour = "ok"

    def take_message(self, **values):
        return self.Message.with_user(self.secretary).create(
            {
                "ddi_id": self.clinic_ddi.id,
                "caller_name": "Joan Garcia",
                "caller_number": "600 123 456",
                "body": "Please call back",
                **values,
            }
        )

    def send_due(self):
        return self.Delivery.sudo()._cron_send_due()

    def make_due(self, deliveries):
        """Move deliveries to now, as if their time had come."""
        deliveries.sudo().write({"next_attempt_at": "2000-01-01 00:00:00"})
