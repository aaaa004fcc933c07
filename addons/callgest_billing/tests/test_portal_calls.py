import csv
import io
from datetime import datetime, timedelta
from decimal import Decimal

import pytz

from odoo.tests import BaseCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException

from odoo.addons.base.tests.common import HttpCaseWithUserPortal

from ..tools import rating
from .test_call_detail import OCTOBER, CallDetailCommon

D = Decimal
LABELS = {rating.ROBOT: "robot", rating.SECRETARY_L1: "secretary level 1"}


class TestExplain(BaseCase):
    """The text that explains a cost (pure: no database)."""

    def test_seed_example(self):
        lines = rating.rate_call(
            rating.seed_tariff(), robot_seconds=18, secretary_seconds=165
        )
        self.assertEqual(
            rating.explain(lines, LABELS, "€"),
            "18 s robot × 0.001 + 165 s secretary level 1 × 0.013 = 2.163 €",
        )

    def test_units_fees_and_totals(self):
        tariff = rating.seed_tariff()
        # outbound to a mobile: management and setup per call, 2 started minutes
        lines = rating.rate_call(
            tariff,
            outbound=True,
            outbound_destination="mobile",
            outbound_seconds=61,
        )
        self.assertEqual(
            rating.explain(lines, {}, "EUR"),
            "outbound_management 0.3 + outbound_setup 0.3"
            " + 2 min outbound_mobile × 0.3 = 1.20 EUR",
        )
        fee = rating.Rate("x", rating.SECOND, D("0.01"), connect_fee=D("0.05"))
        self.assertEqual(
            rating.explain([rating.rate_seconds(fee, 10)], {"x": "calls"}, "€"),
            "10 s calls × 0.01 + 0.05 = 0.15 €",
        )
        capped = rating.rate_count(tariff.rate(rating.AGENDA_MODULE), 12)
        self.assertEqual(
            rating.explain([capped], {rating.AGENDA_MODULE: "modules"}, "€"),
            "12 modules × 9 (90) = 90.00 €",
        )
        self.assertEqual(rating.explain([], LABELS, "€"), "")


def csv_of(response, delimiter=";"):
    return list(
        csv.DictReader(
            io.StringIO(response.content.decode("utf-8-sig")), delimiter=delimiter
        )
    )


@tagged("post_install", "-at_install")
class TestPortalCallCosts(CallDetailCommon, HttpCaseWithUserPortal):
    """Each call's cost and explanation on the client's portal, the same
    text as on the invoice's call detail; the month's running total; the
    usage of another client never shown."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        contact = cls.env["res.partner"].create(
            {"name": "Clinic manager", "parent_id": cls.clinic.id}
        )
        cls.clinic_portal = new_test_user(
            cls.env,
            login="costs_clinic",
            password="costs_clinic",
            groups="base.group_portal",
            partner_id=contact.id,
            company_id=cls.company.id,
        )
        # the portal user of the tests is a lawyer of the collective
        cls.partner_portal.parent_id = cls.collective
        cls.user_portal.write(
            {"company_id": cls.company.id, "company_ids": [(4, cls.company.id)]}
        )
        madrid = pytz.timezone("Europe/Madrid")
        now = datetime.now().replace(microsecond=0)
        # this month and the month before, in Madrid: the tour's
        cls.this_month_call = cls.make_call(
            cls.clinic, now - timedelta(hours=1), 165, robot=18
        )
        first = madrid.localize(now).replace(day=1)
        cls.previous_month = (first - timedelta(days=1)).strftime("%Y-%m")
        cls.previous_call = cls.make_call(
            cls.clinic, (first - timedelta(days=3)).replace(tzinfo=None), 100, robot=20
        )
        for call in cls.this_month_call | cls.previous_call:
            call.local_date = (
                pytz.utc.localize(call.start_time).astimezone(madrid).date()
            )

    def test_same_explanation_on_the_invoice_and_the_portal(self):
        first = self.clinic_calls[0]
        expected = "8 s robot × 0.001 + 45 s secretary level 1 × 0.013 = 0.593 €"
        detail = self.env["report.callgest_billing.report_call_detail"]._call_detail(
            self.clinic_invoice
        )
        lines = detail["clients"][0]["professionals"][0]["calls"]
        self.assertEqual(lines[0]["explanation"], expected)
        invoice_csv = self.csv_rows(self.clinic_invoice._get_callgest_call_detail_csv())
        self.assertEqual(invoice_csv[0]["explanation"], expected)
        html, _type = self.env["ir.actions.report"]._render_qweb_html(
            "callgest_billing.action_report_call_detail", self.clinic_invoice.ids
        )
        self.assertIn(expected, html.decode())
        self.authenticate("costs_clinic", "costs_clinic")
        page = self.url_open(f"/my/calls?month={OCTOBER}")
        self.assertIn(expected, page.text)
        self.assertIn(f'data-call-id="{first.id}"', page.text)
        rows = csv_of(self.url_open(f"/my/calls/export.csv?month={OCTOBER}"))
        explanation = rows[-1]["Explanation"]  # the oldest: the first call
        self.assertEqual(explanation, expected)
        self.assertEqual(rows[-1]["Cost"], "0.593")
        # the month's running total, not invoiced yet, against the minimum
        page = self.url_open("/my/calls")
        self.assertIn("o_callgest_running_total", page.text)
        self.assertIn("2.16", page.text)
        self.assertIn("60.00", page.text)
        consumption = self.url_open("/my/consumption")
        self.assertIn("o_callgest_cost_table", consumption.text)
        self.assertIn("Secretary time, level 1", consumption.text)

    def test_other_client_sees_none_of_the_costs(self):
        self.authenticate("portal", "portal")
        clinic_ids = (self.clinic_calls | self.this_month_call).ids
        for url in (
            f"/my/calls?month={OCTOBER}",
            f"/my/calls?month={OCTOBER}&ddi={self.clinic_ddi.id}",
            "/my/calls",
            "/my/consumption",
        ):
            page = self.url_open(url)
            self.assertEqual(page.status_code, 200, url)
            for call_id in clinic_ids:
                self.assertNotIn(f'data-call-id="{call_id}"', page.text, url)
            self.assertNotIn("0.593 €", page.text, url)
        rows = csv_of(
            self.url_open(
                f"/my/calls/export.csv?month={OCTOBER}&ddi={self.clinic_ddi.id}"
            )
        )
        self.assertEqual(rows, [])
        rows = csv_of(self.url_open(f"/my/calls/export.csv?month={OCTOBER}"))
        self.assertEqual(len(rows), 3)  # the collective's three calls
        usage = self.make_jsonrpc_request(
            "/web/dataset/call_kw",
            {
                "model": "callgest.usage",
                "method": "search_read",
                "args": [[]],
                "kwargs": {"fields": ["partner_id"]},
            },
        )
        self.assertTrue(usage)
        self.assertEqual({row["partner_id"][0] for row in usage}, {self.collective.id})
        clinic_usage = self.Usage.search([("partner_id", "=", self.clinic.id)], limit=1)
        with self.assertRaisesRegex(JsonRpcException, "AccessError"):
            self.make_jsonrpc_request(
                "/web/dataset/call_kw",
                {
                    "model": "callgest.usage",
                    "method": "read",
                    "args": [clinic_usage.ids, ["amount"]],
                    "kwargs": {},
                },
            )

    def test_tour(self):
        self.start_tour("/my", "callgest_portal_calls_tour", login="costs_clinic")
