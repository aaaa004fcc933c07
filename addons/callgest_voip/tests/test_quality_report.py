from datetime import date, datetime, timedelta

import pytz

from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.callgest_base.tests.common import CallgestBaseCommon


class CallgestCallsCommon(CallgestBaseCommon):
    """A PBX and a helper that writes calls as the importer would."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Call = cls.env["callgest.call"]
        cls.company = cls.env.company
        cls.pbx = cls.env["callgest.pbx"].create(
            {
                "name": "Quality PBX",
                "code": "test-quality-pbx",
                "system": "asterisk",
                "timezone": "Europe/Madrid",
            }
        )
        cls.call_number = 0

    @classmethod
    def make_call(
        cls,
        client,
        start,
        wait=0,
        disposition="answered",
        duration=None,
        pbx=None,
        **values,
    ):
        """A call starting at ``start`` (naive UTC); a missed call lasts
        ``duration``, an answered one is picked up after ``wait`` seconds."""
        cls.call_number += 1
        pbx = pbx or cls.pbx
        if duration is None:
            duration = wait + 60 if disposition == "answered" else 30
        tz = pytz.timezone(client.tz or pbx.timezone)
        vals = {
            "pbx_id": pbx.id,
            "call_key": f"quality-{cls.call_number}",
            "company_id": pbx.company_id.id,
            "direction": "inbound",
            "partner_id": client.id,
            "start_time": start,
            "end_time": start + timedelta(seconds=duration),
            "local_date": pytz.utc.localize(start).astimezone(tz).date(),
            "duration": duration,
            "disposition": disposition,
            "has_cdr": True,
        }
        if disposition == "answered":
            vals["answer_time"] = start + timedelta(seconds=wait)
            vals["wait_seconds"] = wait
        vals.update(values)
        return cls.Call.create(vals)


@tagged("post_install", "-at_install")
class TestQualityReport(CallgestCallsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Report = cls.env["callgest.call.quality.report"]
        march = datetime(2024, 3, 5, 9, 0)
        # clinic, March: answered after 5, 10, 15, 20, 30 s; one missed
        # after ringing 45 s, one busy of 12 s
        for index, wait in enumerate([5, 10, 15, 20, 30]):
            cls.make_call(cls.clinic, march + timedelta(hours=index), wait)
        cls.make_call(cls.clinic, march + timedelta(days=1), 0, "missed", 45)
        cls.make_call(cls.clinic, march + timedelta(days=2), 0, "busy", 12)
        # none of these count
        cls.make_call(cls.clinic, march, 0, "blacklisted", 300)
        cls.make_call(cls.clinic, march, 200, direction="outbound")
        cls.make_call(cls.clinic, march, 200, has_cdr=False)
        # clinic, April: 8 s, and 12 s on March 31st at 23:30 UTC, which is
        # April 1st at 01:30 in Madrid
        cls.make_call(cls.clinic, datetime(2024, 4, 10, 8, 0), 8)
        cls.make_call(cls.clinic, datetime(2024, 3, 31, 23, 30), 12)
        # law firm, March: answered after 3, 4, 6, 9 s; one failed of 60 s
        for wait in [3, 4, 6, 9]:
            cls.make_call(cls.law_firm, march, wait)
        cls.make_call(cls.law_firm, march, 0, "failed", 60)

    def rows(self, report=None):
        self.env.flush_all()
        report = report if report is not None else self.Report
        report.invalidate_model()
        return {
            (row.company_id, row.partner_id, row.month): row
            for row in report.search(
                [("partner_id", "in", [self.clinic.id, self.law_firm.id])]
            )
        }

    def assertRow(self, row, **expected):
        for name, value in expected.items():
            self.assertEqual(row[name], value, name)

    def test_per_client_and_month(self):
        rows = self.rows()
        self.assertEqual(len(rows), 3)
        self.assertRow(
            rows[(self.company, self.clinic, date(2024, 3, 1))],
            calls=7,
            answered=5,
            missed=2,
            answered_ratio=71.43,
            avg_answer_seconds=16.0,
            # percentile_cont: rank 0.9 * 4 = 3.6, 20 + 0.6 * (30 - 20)
            p90_answer_seconds=26.0,
            # the missed call rang 45 s, longer than any answered wait
            max_wait_seconds=45,
            target_seconds=15,
            target_met=False,
        )
        self.assertRow(
            rows[(self.company, self.clinic, date(2024, 4, 1))],
            calls=2,
            answered=2,
            missed=0,
            answered_ratio=100.0,
            avg_answer_seconds=10.0,
            # rank 0.9 * 1 = 0.9: 8 + 0.9 * (12 - 8)
            p90_answer_seconds=11.6,
            max_wait_seconds=12,
            target_met=True,
        )
        self.assertRow(
            rows[(self.company, self.law_firm, date(2024, 3, 1))],
            calls=5,
            answered=4,
            missed=1,
            answered_ratio=80.0,
            avg_answer_seconds=5.5,
            # rank 0.9 * 3 = 2.7: 6 + 0.7 * (9 - 6)
            p90_answer_seconds=8.1,
            max_wait_seconds=60,
            target_met=True,
        )

    def test_target_follows_company(self):
        self.company.callgest_answer_target_seconds = 16
        row = self.rows()[(self.company, self.clinic, date(2024, 3, 1))]
        self.assertRow(row, target_seconds=16, target_met=True)
        self.company.callgest_answer_target_seconds = 10
        rows = self.rows()
        self.assertFalse(rows[(self.company, self.clinic, date(2024, 3, 1))].target_met)
        self.assertTrue(rows[(self.company, self.clinic, date(2024, 4, 1))].target_met)

    def test_month_without_answered_call(self):
        self.make_call(self.law_firm, datetime(2024, 5, 2, 10, 0), 0, "missed", 20)
        row = self.rows()[(self.company, self.law_firm, date(2024, 5, 1))]
        self.assertRow(
            row,
            calls=1,
            answered=0,
            missed=1,
            answered_ratio=0.0,
            avg_answer_seconds=0.0,
            p90_answer_seconds=0.0,
            max_wait_seconds=20,
            target_met=False,
        )

    def test_pivot_aggregates(self):
        self.env.flush_all()
        groups = self.Report.read_group(
            [("partner_id", "in", [self.clinic.id, self.law_firm.id])],
            [
                "calls:sum",
                "avg_answer_seconds:avg",
                "p90_answer_seconds:max",
                "max_wait_seconds:max",
            ],
            ["partner_id"],
        )
        clinic = next(g for g in groups if g["partner_id"][0] == self.clinic.id)
        self.assertEqual(clinic["calls"], 9)
        self.assertEqual(clinic["avg_answer_seconds"], 13.0)
        self.assertEqual(clinic["p90_answer_seconds"], 26.0)
        self.assertEqual(clinic["max_wait_seconds"], 45)
        # the fields' own aggregators are those, not a sum
        fields = self.Report._fields
        self.assertEqual(fields["avg_answer_seconds"].aggregator, "avg")
        self.assertEqual(fields["p90_answer_seconds"].aggregator, "max")
        self.assertEqual(fields["max_wait_seconds"].aggregator, "max")

    def test_multi_company(self):
        other = self.env["res.company"].create(
            {"name": "Other answering service", "callgest_answer_target_seconds": 120}
        )
        other_pbx = self.env["callgest.pbx"].create(
            {
                "name": "Other PBX",
                "code": "test-quality-other",
                "system": "asterisk",
                "timezone": "Europe/Madrid",
                "company_id": other.id,
            }
        )
        self.make_call(self.clinic, datetime(2024, 3, 8, 9, 0), 100, pbx=other_pbx)
        rows = self.rows()
        self.assertEqual(len(rows), 4)
        self.assertRow(
            rows[(other, self.clinic, date(2024, 3, 1))],
            calls=1,
            avg_answer_seconds=100.0,
            target_seconds=120,
            target_met=True,
        )
        # the other company's calls do not change this company's figures
        self.assertRow(
            rows[(self.company, self.clinic, date(2024, 3, 1))],
            calls=7,
            avg_answer_seconds=16.0,
        )
        # a supervisor of this company only sees its rows
        self.supervisor.company_ids = self.company
        seen = self.rows(self.Report.with_user(self.supervisor))
        self.assertEqual(len(seen), 3)
        self.assertNotIn((other, self.clinic, date(2024, 3, 1)), seen)
        self.supervisor.write({"company_ids": [(4, other.id)], "company_id": other.id})
        seen = self.rows(
            self.Report.with_user(self.supervisor).with_context(
                allowed_company_ids=[other.id]
            )
        )
        self.assertEqual(list(seen), [(other, self.clinic, date(2024, 3, 1))])

    def test_access(self):
        self.env.flush_all()
        with self.assertRaises(AccessError):
            self.Report.with_user(self.secretary).search([])
        self.assertTrue(self.Report.with_user(self.supervisor).search([]))
