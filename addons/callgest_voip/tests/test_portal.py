import csv
import io
from datetime import datetime, timedelta
from typing import NamedTuple

import pytz

from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException

from odoo.addons.callgest_base.tools import sql_rows

from .test_quality_report import CallgestCallsCommon


class CallRow(NamedTuple):
    """The columns of callgest_call the importer writes, for bulk inserts."""

    pbx_id: int
    call_key: str
    company_id: int
    direction: str
    partner_id: int
    ddi_id: int
    caller_number: str
    start_time: datetime
    end_time: datetime
    local_date: object
    duration: int
    wait_seconds: int
    secretary_seconds: int
    disposition: str
    has_cdr: bool


def csv_rows(response):
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


@tagged("post_install", "-at_install")
class TestCallsPortal(CallgestCallsCommon, HttpCase):
    """The call log and the quality page as a client's portal users: each
    sees his client's calls (a professional of a collective invoiced per
    professional only his own), never another client's, whatever ids he
    puts in the URL or the RPC."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.madrid = pytz.timezone("Europe/Madrid")
        cls.now = datetime.now().replace(microsecond=0)
        cls.other = Partner.create(
            {
                "name": "Other Client",
                "is_company": True,
                "is_callgest_client": True,
                "callgest_client_code": "9003",
                "tz": "Europe/Madrid",
            }
        )
        cls.other_ddi = cls.create_ddi("93 444 55 66", cls.spain, cls.other)
        cls.law_firm.write(
            {"callgest_invoice_grouping": "professional", "tz": "Europe/Madrid"}
        )
        cls.lawyer_2 = Partner.create(
            {
                "name": "Second Lawyer",
                "parent_id": cls.law_firm.id,
                "callgest_is_professional": True,
            }
        )

        def portal_user(login, partner_values):
            partner = Partner.create(partner_values)
            return new_test_user(
                cls.env,
                login=login,
                password=login,
                groups="base.group_portal",
                partner_id=partner.id,
            )

        cls.clinic_user = portal_user(
            "calls_clinic", {"name": "Clinic contact", "parent_id": cls.clinic.id}
        )
        cls.other_user = portal_user(
            "calls_other", {"name": "Other contact", "parent_id": cls.other.id}
        )
        cls.law_contact_user = portal_user(
            "calls_law", {"name": "Law firm office", "parent_id": cls.law_firm.id}
        )
        cls.lawyer_user = new_test_user(
            cls.env,
            login="calls_lawyer",
            password="calls_lawyer",
            groups="base.group_portal",
            partner_id=cls.lawyer.id,
        )
        recent = cls.now - timedelta(hours=2)
        cls.clinic_call = cls.make_call(
            cls.clinic,
            recent,
            12,
            ddi_id=cls.clinic_ddi.id,
            caller_number="+34600000001",
            secretary_seconds=90,
            robot_seconds=4,
            queue_seconds=6,
        )
        cls.clinic_missed = cls.make_call(
            cls.clinic,
            recent - timedelta(minutes=5),
            0,
            "missed",
            40,
            ddi_id=cls.clinic_ddi.id,
            caller_number="+34600000002",
            queue_seconds=30,
        )
        cls.other_call = cls.make_call(
            cls.other,
            recent,
            5,
            ddi_id=cls.other_ddi.id,
            caller_number="+34699999999",
        )
        cls.lawyer_call = cls.make_call(
            cls.law_firm,
            recent,
            5,
            professional_id=cls.lawyer.id,
            caller_number="+34611111111",
        )
        cls.lawyer_2_call = cls.make_call(
            cls.law_firm,
            recent,
            5,
            professional_id=cls.lawyer_2.id,
            caller_number="+34622222222",
        )
        cls.month = cls.madrid.localize(recent).strftime("%Y-%m")
        # the month of the calls, in Madrid
        for call in cls.Call.search([("call_key", "like", "quality-")]):
            call.local_date = (
                pytz.utc.localize(call.start_time).astimezone(cls.madrid).date()
            )

    def rpc(self, model, method, *args, **kwargs):
        return self.make_jsonrpc_request(
            "/web/dataset/call_kw",
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
        )

    def test_each_client_sees_only_its_calls(self):
        self.authenticate("calls_clinic", "calls_clinic")
        page = self.url_open(f"/my/calls?month={self.month}")
        self.assertEqual(page.status_code, 200)
        self.assertIn("+34600000001", page.text)
        self.assertIn("Europe/Madrid", page.text)
        self.assertNotIn("+34699999999", page.text)
        # robot time: the menus and the queue music
        rows = csv_rows(self.url_open(f"/my/calls/export.csv?month={self.month}"))
        by_caller = {row[3]: row for row in rows[1:]}
        self.assertEqual(set(by_caller), {"+34600000001", "+34600000002"})
        self.assertEqual(by_caller["+34600000001"][6:10], ["10", "12", "90", "0"])
        # the other client's DDI or professional as a filter: nothing of his
        for query in (
            f"ddi={self.other_ddi.id}",
            f"professional={self.lawyer.id}",
            "month=garbage&ddi=x",
        ):
            page = self.url_open(f"/my/calls?{query}")
            self.assertEqual(page.status_code, 200, query)
            self.assertNotIn("+34699999999", page.text, query)
            self.assertNotIn("+34611111111", page.text, query)
            rows = csv_rows(self.url_open(f"/my/calls/export.csv?{query}"))
            self.assertFalse(
                [
                    row
                    for row in rows[1:]
                    if row[3] not in ("+34600000001", "+34600000002")
                ],
                query,
            )
        consumption = self.url_open(f"/my/consumption?month={self.month}")
        self.assertEqual(consumption.status_code, 200)
        self.assertIn("o_callgest_quality_chart", consumption.text)
        self.assertIn("tel:+34600000002", consumption.text)
        self.assertNotIn("+34699999999", consumption.text)
        # the RPC reads his client's calls only, and not the agent
        found = self.rpc("callgest.call", "search_read", [], fields=["caller_number"])
        self.assertEqual(
            {row["caller_number"] for row in found}, {"+34600000001", "+34600000002"}
        )
        with self.assertRaisesRegex(JsonRpcException, "AccessError"):
            self.rpc("callgest.call", "read", [self.other_call.id], ["caller_number"])
        with self.assertRaisesRegex(JsonRpcException, "AccessError"):
            self.rpc("callgest.call", "read", [self.clinic_call.id], ["agent_id"])
        with self.assertRaisesRegex(JsonRpcException, "AccessError"):
            self.rpc("callgest.call", "write", [self.clinic_call.id], {"duration": 1})
        # the other client, the other way round
        self.authenticate("calls_other", "calls_other")
        page = self.url_open(f"/my/calls?month={self.month}&ddi={self.clinic_ddi.id}")
        self.assertNotIn("+34600000001", page.text)
        consumption = self.url_open(f"/my/consumption?month={self.month}")
        self.assertNotIn("+34600000002", consumption.text)
        rows = csv_rows(self.url_open(f"/my/calls/export.csv?month={self.month}"))
        self.assertEqual([row[3] for row in rows[1:]], ["+34699999999"])
        # the home card counts this month's calls
        counters = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["callgest_call_count"]}
        )
        self.assertEqual(counters["callgest_call_count"], 1)
        home = self.url_open("/my")
        self.assertRegex(home.text, r'o_callgest_home_calls">\s*1\s*<')

    def test_professional_sees_his_own(self):
        self.authenticate("calls_lawyer", "calls_lawyer")
        page = self.url_open(f"/my/calls?month={self.month}")
        self.assertIn("+34611111111", page.text)
        self.assertNotIn("+34622222222", page.text)
        found = self.rpc("callgest.call", "search_read", [], fields=["caller_number"])
        self.assertEqual([row["caller_number"] for row in found], ["+34611111111"])
        # a contact of the collective who is not a professional sees them all
        self.authenticate("calls_law", "calls_law")
        rows = csv_rows(self.url_open(f"/my/calls/export.csv?month={self.month}"))
        self.assertEqual(
            sorted(row[3] for row in rows[1:]), ["+34611111111", "+34622222222"]
        )

    def insert_calls(self, count, months):
        """``count`` calls of the clinic by SQL, over the last ``months``
        months (the current one included)."""
        rows = []
        start = self.now - timedelta(hours=3)
        for index in range(count):
            moment = start - timedelta(days=(index * 30 * months) / count)
            rows.append(
                CallRow(
                    self.pbx.id,
                    f"bulk-{self.bulk}-{index}",
                    self.company.id,
                    "inbound",
                    self.clinic.id,
                    self.clinic_ddi.id,
                    "+34930000%03d" % (index % 1000),
                    moment,
                    moment + timedelta(seconds=70),
                    pytz.utc.localize(moment).astimezone(self.madrid).date(),
                    70,
                    10,
                    60,
                    "answered" if index % 10 else "missed",
                    True,
                )
            )
        self.bulk += 1
        sql_rows.insert_rows(self.env.cr, "callgest_call", rows)
        self.env.cr.execute("ANALYZE callgest_call")

    def page_queries(self, url):
        self.url_open(url)  # warm the caches
        before = self.env.cr.sql_log_count
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        return self.env.cr.sql_log_count - before, response

    def test_same_queries_at_1000_and_100000_calls(self):
        self.bulk = 0
        self.authenticate("calls_clinic", "calls_clinic")
        self.insert_calls(1_000, 24)
        small, response = self.page_queries("/my/calls")
        self.assertIn("o_portal_pager", response.text)
        self.insert_calls(99_000, 24)
        large, response = self.page_queries("/my/calls")
        self.assertEqual(large, small)
        self.assertIn("/my/calls/page/2", response.text)
        page_2, _response = self.page_queries("/my/calls/page/2")
        self.assertEqual(page_2, small)
