from odoo.tests import HttpCase, new_test_user, tagged

from .common import send_due_deliveries


@tagged("post_install", "-at_install")
class TestUi(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.client_partner = cls.env["res.partner"].create(
            {
                "name": "Tour Dental",
                "is_company": True,
                "is_callgest_client": True,
                "tz": "Europe/Madrid",
            }
        )
        cls.ddi = cls.env["callgest.ddi"].create(
            {
                "number_entered": "+34 933 906 797",
                "partner_id": cls.client_partner.id,
                "state": "active",
            }
        )
        cls.env["callgest.recipient"].create(
            {
                "partner_id": cls.client_partner.id,
                "channel": "email",
                "address": "tour.boss@example.com",
                "mode": "urgent_immediate",
            }
        )
        new_test_user(
            cls.env,
            login="tour_secretaria",
            password="tour_secretaria",
            groups="callgest_base.group_callgest_secretary",
        )

    def test_secretary_takes_an_urgent_recado(self):
        self.start_tour(
            "/odoo", "callgest_message_secretary_tour", login="tour_secretaria"
        )
        message = self.env["callgest.message"].search(
            [("caller_name", "=", "Tour Caller")]
        )
        self.assertEqual(message.partner_id, self.client_partner)
        self.assertEqual(message.urgency, "urgent")
        self.assertEqual(message.state, "to_deliver")
        self.assertEqual(message.delivery_ids.address, "tour.boss@example.com")
        send_due_deliveries(self.env)
        self.assertEqual(message.delivery_ids.mail_id.state, "outgoing")
