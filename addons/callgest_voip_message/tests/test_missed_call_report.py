from datetime import date, datetime

from odoo.tests import tagged

from odoo.addons.callgest_voip.tests.test_quality_report import CallgestCallsCommon

DAY = date(2024, 3, 12)


@tagged("post_install", "-at_install")
class TestMissedCallReportDelivery(CallgestCallsCommon):
    """With callgest_message, the reports go to the client's recipients."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.MissedReport = cls.env["callgest.missed.call.report"]
        cls.clinic.email = "reception@clinic.example.com"
        # Madrid is UTC+1 in March (before the 31st)
        cls.late = cls.make_call(
            cls.clinic,
            datetime(2024, 3, 12, 22, 30),  # 23:30 in Madrid on the 12th
            disposition="missed",
            duration=42,
            ddi_id=cls.clinic_ddi.id,
            caller_number="+34600111222",
            caller_name="Ana Caller",
        )
        cls.after_midnight = cls.make_call(
            cls.clinic,
            datetime(2024, 3, 12, 23, 30),  # 00:30 in Madrid on the 13th
            disposition="busy",
            duration=7,
            ddi_id=cls.clinic_ddi.id,
            caller_number="+34600333444",
        )
        # not reported: answered, outbound, or on another day
        cls.make_call(cls.clinic, datetime(2024, 3, 12, 10, 0), 5)
        cls.make_call(
            cls.clinic,
            datetime(2024, 3, 12, 11, 0),
            disposition="failed",
            direction="outbound",
        )
        cls.make_call(
            cls.clinic, datetime(2024, 3, 11, 10, 0), disposition="missed", duration=9
        )
        # the law firm opted out
        cls.law_firm.callgest_missed_call_report = False
        cls.make_call(cls.law_firm, datetime(2024, 3, 12, 10, 0), disposition="missed")

    def _recipients(self):
        """Two recipients of the clinic: one takes every category, the other
        recados only (it gets no report)."""
        Recipient = self.env["callgest.recipient"]
        Category = self.env["callgest.message.category"]
        everything = Recipient.create(
            {
                "partner_id": self.clinic.id,
                "channel": "email",
                "address": "doctor@clinic.example.com",
                "lang": "en_US",
            }
        )
        recados_only = Recipient.create(
            {
                "partner_id": self.clinic.id,
                "channel": "email",
                "address": "desk@clinic.example.com",
                "lang": "en_US",
                "category_ids": [
                    (6, 0, Category.search([("code", "=", "message")]).ids)
                ],
            }
        )
        return everything, recados_only

    def _deliveries(self):
        return self.env["callgest.delivery"].search(
            [("partner_id", "=", self.clinic.id), ("kind", "=", "report")]
        )

    def test_through_delivery_engine(self):
        everything, _recados_only = self._recipients()
        reports = self.MissedReport._send_missed_call_reports(day=DAY)
        self.assertEqual(len(reports), 1)
        self.assertEqual(reports.partner_id, self.clinic)
        self.assertEqual(reports.day, DAY)
        self.assertEqual(reports.call_count, 1)
        self.assertEqual(reports.call_ids, self.late)
        self.assertEqual(reports.channel, "delivery")
        self.assertEqual(reports.delivery_count, 1)
        self.assertEqual(reports.company_id, self.company)

        deliveries = self._deliveries()
        self.assertEqual(len(deliveries), 1)
        self.assertEqual(deliveries.recipient_id, everything)
        self.assertEqual(deliveries.channel, "email")
        self.assertEqual(deliveries.address, "doctor@clinic.example.com")
        self.assertEqual(deliveries.state, "queued")
        self.assertEqual(
            deliveries.subject, "Missed calls of Test Clinic on 03/12/2024: 1"
        )
        body = str(deliveries.body_html)
        self.assertIn("23:30:00", body)
        self.assertIn("Ana Caller +34600111222", body)
        self.assertIn("42 s", body)
        self.assertIn(self.clinic_ddi.display_name, body)
        self.assertNotIn("+34600333444", body)

        # a second run the same day sends nothing
        again = self.MissedReport._send_missed_call_reports(day=DAY)
        self.assertFalse(again)
        self.assertEqual(self._deliveries(), deliveries)
        self.assertEqual(self.MissedReport.search_count([]), 1)

    def test_recipients_that_take_no_report_get_nothing(self):
        everything, _recados_only = self._recipients()
        everything.unlink()
        report = self.MissedReport._send_missed_call_reports(day=DAY)
        self.assertEqual(report.channel, "none")
        self.assertEqual(report.delivery_count, 0)
        self.assertFalse(report.mail_id)
        self.assertFalse(self._deliveries())

    def test_client_without_recipients_is_emailed(self):
        report = self.MissedReport._send_missed_call_reports(day=DAY)
        self.assertEqual(report.channel, "email")
        self.assertEqual(report.delivery_count, 1)
        self.assertIn("reception@clinic.example.com", report.mail_id.email_to)
        self.assertFalse(self._deliveries())
