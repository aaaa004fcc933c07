from datetime import date, datetime

from freezegun import freeze_time

from odoo.tests import tagged

from .test_quality_report import CallgestCallsCommon

DAY = date(2024, 3, 12)


@tagged("post_install", "-at_install")
class TestMissedCallReport(CallgestCallsCommon):
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

    def test_client_timezone_decides_the_day(self):
        next_day = self.MissedReport._send_missed_call_reports(day=date(2024, 3, 13))
        self.assertEqual(next_day.call_ids, self.after_midnight)
        self.assertEqual(next_day.day, date(2024, 3, 13))
        self.assertIn("00:30:00", str(next_day.body_html))
        # in Lisbon (UTC+0 in March), both calls are on the 12th
        self.clinic.tz = "Europe/Lisbon"
        lisbon = self.MissedReport._send_missed_call_reports(day=DAY)
        self.assertEqual(lisbon.call_ids, self.late | self.after_midnight)
        self.assertIn("22:30:00", str(lisbon.body_html))
        self.assertIn("23:30:00", str(lisbon.body_html))

    def test_default_day_is_yesterday_of_the_client(self):
        # 07:00 UTC on the 13th: yesterday in Madrid is the 12th
        with freeze_time("2024-03-13 07:00:00"):
            reports = self.MissedReport._cron_send_missed_call_reports()
        self.assertEqual(reports.day, DAY)
        self.assertEqual(reports.call_ids, self.late)
        with freeze_time("2024-03-13 07:05:00"):
            self.assertFalse(self.MissedReport._cron_send_missed_call_reports())

    def test_opted_out_client_gets_nothing(self):
        self.law_firm.callgest_missed_call_report = True
        reports = self.MissedReport._send_missed_call_reports(day=DAY)
        self.assertEqual(reports.partner_id, self.clinic | self.law_firm)
        self.law_firm.callgest_missed_call_report = False
        self.clinic.callgest_missed_call_report = False
        other_day = self.MissedReport._send_missed_call_reports(day=date(2024, 3, 13))
        self.assertFalse(other_day)
        self.assertFalse(
            self.MissedReport.search([("partner_id", "=", self.clinic.id)]).filtered(
                lambda r: r.day == date(2024, 3, 13)
            )
        )

    def test_by_email_to_the_client_and_its_notified_contacts(self):
        Contact = self.env["callgest.authorized.contact"]
        notified = self.Partner.create(
            {"name": "Dr. Notified", "email": "notified@clinic.example.com"}
        )
        silent = self.Partner.create(
            {"name": "Dr. Silent", "email": "silent@clinic.example.com"}
        )
        Contact.create({"client_id": self.clinic.id, "partner_id": notified.id})
        Contact.create(
            {
                "client_id": self.clinic.id,
                "partner_id": silent.id,
                "receives_notifications": False,
            }
        )
        report = self.MissedReport._send_missed_call_reports(day=DAY)
        self.assertEqual(report.partner_id, self.clinic)
        self.assertEqual(report.day, DAY)
        self.assertEqual(report.call_ids, self.late)
        self.assertEqual(report.company_id, self.company)
        self.assertEqual(report.channel, "email")
        self.assertEqual(report.delivery_count, 2)
        mail = report.mail_id
        self.assertTrue(mail)
        self.assertEqual(mail.subject, "Missed calls of Test Clinic on 03/12/2024: 1")
        self.assertIn("reception@clinic.example.com", mail.email_to)
        self.assertIn("notified@clinic.example.com", mail.email_to)
        self.assertNotIn("silent@clinic.example.com", mail.email_to)
        body = str(mail.body_html)
        self.assertIn("23:30:00", body)
        self.assertIn("Ana Caller +34600111222", body)
        self.assertIn("42 s", body)
        self.assertIn(self.clinic_ddi.display_name, body)
        self.assertNotIn("+34600333444", body)
        # a second run the same day sends nothing
        self.assertFalse(self.MissedReport._send_missed_call_reports(day=DAY))
        self.assertEqual(self.MissedReport.search_count([]), 1)

    def test_nobody_to_send_to_is_logged(self):
        self.clinic.email = False
        report = self.MissedReport._send_missed_call_reports(day=DAY)
        self.assertEqual(report.channel, "none")
        self.assertEqual(report.delivery_count, 0)
        self.assertFalse(report.mail_id)
        # logged: not tried again
        self.assertFalse(self.MissedReport._send_missed_call_reports(day=DAY))
