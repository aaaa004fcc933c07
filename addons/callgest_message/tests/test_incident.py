from datetime import datetime

from odoo import fields
from odoo.tests import tagged

from .common import CallgestMessageCommon


@tagged("post_install", "-at_install")
class TestIncident(CallgestMessageCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.calendar = cls.env["resource.calendar"].create(
            {"name": "Clinic hours", "tz": "Europe/Madrid"}
        )  # Mon-Fri 8-12 and 13-17
        cls.clinic.callgest_calendar_id = cls.calendar
        cls.breakdown = cls.env["callgest.incident.type"].create(
            {
                "name": "Breakdown",
                "partner_id": cls.clinic.id,
                "default_priority": "high",
            }
        )

    def report(self, **values):
        return (
            self.env["callgest.incident"]
            .with_user(self.secretary)
            .create(
                {
                    "ddi_id": self.clinic_ddi.id,
                    "caller_name": "Ana",
                    "caller_number": "612 345 678",
                    "description": "The autoclave does not start",
                    **values,
                }
            )
        )

    def test_numbered_per_client(self):
        first, second = self.report(), self.report()
        self.assertEqual(first.name, "9001-INC-00001")
        self.assertEqual(second.name, "9001-INC-00002")
        other_ddi = self.create_ddi("910 600 177", self.spain, self.law_firm)
        self.assertEqual(self.report(ddi_id=other_ddi.id).name, "9002-INC-00001")

    def test_priority_from_type_and_due_in_business_hours(self):
        # Friday 2026-01-16 16:00 Madrid (15:00 UTC): 8 business hours for "high"
        incident = self.report(
            type_id=self.breakdown.id, taken_at="2026-01-16 15:00:00"
        )
        self.assertEqual(incident.priority, "high")
        # 1 h on Friday (16-17), then Monday 8-12 (4 h) and 13-16 (3 h): 16:00 Madrid
        self.assertEqual(incident.date_due, datetime(2026, 1, 19, 15, 0))
        incident.priority = "critical"
        self.assertEqual(
            incident.date_due, datetime(2026, 1, 19, 8, 0)
        )  # Mon 9:00 Madrid

    def test_state_flow(self):
        incident = self.report()
        incident.action_start()
        incident.action_wait()
        incident.action_resolve()
        incident.action_close()
        self.assertEqual(incident.state, "closed")
        incident.action_reopen()
        self.assertEqual(incident.state, "in_progress")

    def test_incidents_are_delivered(self):
        incident = self.report(type_id=self.breakdown.id)
        channels = sorted(incident.sudo().delivery_ids.mapped("channel"))
        # email (urgent at once), SMS (urgent only); Telegram wants orders only
        self.assertEqual(channels, ["email", "sms"])
        self.send_due()
        self.assertEqual(set(incident.sudo().delivery_ids.mapped("state")), {"sent"})
        self.assertEqual(len(self.server.requests), 1)
        self.assertIn("9001-INC-00001", self.server.json_bodies()[0]["text"])
        email = (
            incident.sudo()
            .delivery_ids.filtered(lambda d: d.channel == "email")
            .mail_id
        )
        self.assertIn("9001-INC-00001", email.subject)
        recipient_env = incident.with_context(lang=self.email_now.lang).env
        high = dict(incident._fields["priority"]._description_selection(recipient_env))[
            "high"
        ]
        self.assertIn(f"<span>{high}</span>", email.body_html, "the label, not the key")
        self.assertNotIn(
            fields.Datetime.to_string(incident.date_due), email.body_html, "not in UTC"
        )
