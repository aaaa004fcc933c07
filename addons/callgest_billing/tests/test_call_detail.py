import csv
import io
from datetime import date
from decimal import Decimal

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.base.tests.common import HttpCaseWithUserPortal

from ..tools import rating
from .common import CallgestBillingCommon

OCTOBER = "2026-10"
REPORT = "callgest_billing.action_report_call_detail"


def csv_rows(content):
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


class CallDetailCommon(CallgestBillingCommon):
    """October calls of the clinic (one after the change to winter time) and
    a message; calls of both lawyers of the collective."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.clinic.email = "clinic@example.com"
        cls.clinic_calls = (
            # 10:00 UTC is 12:00 in Madrid in summer time, 11:00 in winter
            cls.make_call(cls.clinic, cls.at(date(2026, 10, 5)), 45, robot=8)
            + cls.make_call(
                cls.clinic, cls.at(date(2026, 10, 26)), 120, robot=10, transfer=30
            )
        )
        cls.env["callgest.billable.event"].create(
            {
                "partner_id": cls.clinic.id,
                "company_id": cls.company.id,
                "event_type": "message_auto",
                "channel": "email",
                "date": cls.at(date(2026, 10, 5), 11),
            }
        )
        cls.lawyer_a_calls = cls.make_call(
            cls.collective,
            cls.at(date(2026, 10, 7), 9),
            60,
            robot=5,
            professional=cls.lawyer_a,
        ) + cls.make_call(
            cls.collective,
            cls.at(date(2026, 10, 8), 15),
            30,
            professional=cls.lawyer_a,
        )
        cls.lawyer_b_calls = cls.make_call(
            cls.collective, cls.at(date(2026, 10, 9), 16), 90, ddi=cls.lawyer_b_ddi
        )
        moves = cls.env["account.move"].browse(
            cls.Invoicing.run_period(OCTOBER, [cls.clinic.id, cls.collective.id])
        )
        cls.clinic_invoice = moves.filtered(lambda m: m.partner_id == cls.clinic)
        cls.collective_invoice = moves.filtered(
            lambda m: m.partner_id == cls.collective
        )
        (moves.filtered(lambda m: m.state == "draft")).action_post()

    @staticmethod
    def expected_cost(call, level=1):
        return rating.total(
            rating.rate_call(
                rating.seed_tariff(),
                secretary_seconds=call.secretary_seconds,
                robot_seconds=call.robot_seconds,
                transfer_seconds=call.transfer_seconds,
                level=level,
            )
        )

    def csv_rows(self, content):
        return csv_rows(content)


@tagged("post_install", "-at_install")
class TestCallDetail(CallDetailCommon):
    def render_html(self, invoice):
        html, report_type = self.env["ir.actions.report"]._render_qweb_html(
            REPORT, invoice.ids
        )
        self.assertEqual(report_type, "html")
        return html.decode()

    def test_report_lists_every_call_in_client_time(self):
        html = self.render_html(self.clinic_invoice)
        self.assertEqual(html.count("o_call_detail_call"), 2)
        self.assertEqual(html.count("o_call_detail_message"), 1)
        self.assertIn("2026-10-05", html)
        self.assertIn("12:00:00", html)  # CEST
        self.assertIn("11:00:00", html)  # CET, after the 25th
        self.assertIn("+34600111222", html)
        self.assertIn(self.clinic_ddi.number_national, html)
        # the seed example: 45 s of secretary and 8 s of robot cost 0.593
        self.assertRegex(html, r"0\.593\s+EUR")
        self.assertIn(self.clinic.name, html)

    def test_report_subtotals_per_professional(self):
        html = self.render_html(self.collective_invoice)
        self.assertEqual(html.count("o_call_detail_call"), 3)
        # Lawyer A, Lawyer B, and the collective's own DDI fee and minimum
        self.assertEqual(html.count("o_call_detail_professional_total"), 3)
        self.assertIn("Subtotal Lawyer A", html)
        self.assertIn("Subtotal Lawyer B", html)
        self.assertIn("Not assigned to a professional", html)
        detail = self.env["report.callgest_billing.report_call_detail"]._call_detail(
            self.collective_invoice
        )
        groups = {
            group["name"]: group for group in detail["clients"][0]["professionals"]
        }
        self.assertEqual(
            groups["Lawyer A"]["total"]["amount"],
            sum(
                (self.expected_cost(call, level=2) for call in self.lawyer_a_calls),
                Decimal(0),
            ),
        )
        self.assertEqual(groups["Lawyer A"]["total"]["calls"], 2)
        self.assertEqual(groups["Lawyer B"]["total"]["calls"], 1)
        # the exact total is the sum of the invoiced usage
        self.env.cr.execute(
            "SELECT SUM(usage.amount)::text FROM callgest_usage usage "
            "JOIN callgest_usage_link link ON link.id = usage.invoice_link_id "
            "JOIN account_move_line line ON line.id = link.invoice_line_id "
            "WHERE line.move_id = %s",
            [self.collective_invoice.id],
        )
        self.assertEqual(detail["total"]["amount"], Decimal(self.env.cr.fetchone()[0]))

    def test_pdf_renders_through_the_report_action(self):
        report = self.env.ref(REPORT)
        self.assertEqual(
            report.get_valid_action_reports(
                "account.move",
                (
                    self.clinic_invoice + self.init_invoice("out_invoice", amounts=[10])
                ).ids,
            ),
            report.ids,
        )
        plain = self.init_invoice("out_invoice", amounts=[10])
        self.assertFalse(report.get_valid_action_reports("account.move", plain.ids))
        # an auditor reads invoices, not the rated usage: the menu still works
        auditor = new_test_user(
            self.env,
            login="detail_auditor",
            groups="account.group_account_readonly",
            company_id=self.company.id,
        )
        self.assertEqual(
            report.with_user(auditor).get_valid_action_reports(
                "account.move", self.clinic_invoice.ids
            ),
            report.ids,
        )
        # without wkhtmltopdf in test mode Odoo renders the HTML of the PDF
        content, _report_type = self.env["ir.actions.report"]._render_qweb_pdf(
            REPORT, self.clinic_invoice.ids
        )
        self.assertIn(b"o_call_detail_call", content)
        self.assertIn(self.clinic_invoice.name.encode(), content)

    def test_csv_has_a_row_per_call(self):
        rows = self.csv_rows(self.clinic_invoice._get_callgest_call_detail_csv())
        calls = [row for row in rows if row["kind"] == "call"]
        self.assertEqual(len(calls), 2)
        first, second = self.clinic_calls
        self.assertEqual(
            [
                (
                    row["local_date"],
                    row["local_time"],
                    row["timezone"],
                    row["caller"],
                    int(row["robot_seconds"]),
                    int(row["secretary_seconds"]),
                    int(row["transfer_seconds"]),
                    Decimal(row["cost"]),
                    row["currency"],
                )
                for row in calls
            ],
            [
                (
                    "2026-10-05",
                    "12:00:00",
                    "Europe/Madrid",
                    "+34600111222",
                    8,
                    45,
                    0,
                    self.expected_cost(first),
                    "EUR",
                ),
                (
                    "2026-10-26",
                    "11:00:00",
                    "Europe/Madrid",
                    "+34600111222",
                    10,
                    120,
                    30,
                    self.expected_cost(second),
                    "EUR",
                ),
            ],
        )
        self.assertEqual(calls[0]["cost"], "0.593")
        self.assertEqual([row["kind"] for row in rows].count("message"), 1)
        fees = [row for row in rows if row["kind"] == "fee"]
        self.assertTrue(fees)
        self.assertEqual({row["local_date"] for row in fees}, {OCTOBER})
        self.env.cr.execute(
            "SELECT SUM(usage.amount)::text FROM callgest_usage usage "
            "JOIN callgest_usage_link link ON link.id = usage.invoice_link_id "
            "JOIN account_move_line line ON line.id = link.invoice_line_id "
            "WHERE line.move_id = %s",
            [self.clinic_invoice.id],
        )
        self.assertEqual(
            sum((Decimal(row["cost"]) for row in rows), Decimal(0)),
            Decimal(self.env.cr.fetchone()[0]),
        )

    def test_sent_invoice_has_the_detail_attached(self):
        invoice = self.clinic_invoice
        filename = invoice._get_callgest_call_detail_filename("pdf")
        wizard = (
            self.env["account.move.send.wizard"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"sending_methods": ["email"]})
        )
        placeholders = {
            attachment["name"]: attachment
            for attachment in wizard.mail_attachments_widget
        }
        self.assertTrue(placeholders[filename]["placeholder"])
        wizard.action_send_and_print()
        detail = invoice.callgest_call_detail_pdf_id
        self.assertEqual(detail.name, filename)
        self.assertIn(b"o_call_detail_call", detail.raw)
        message = self.env["mail.message"].search(
            [("model", "=", invoice._name), ("res_id", "=", invoice.id)], limit=1
        )
        self.assertEqual(
            sorted(message.attachment_ids.mapped("name")),
            sorted([invoice.invoice_pdf_report_id.name, filename]),
        )
        # sent again: the same detail, not a second one
        self.env["account.move.send.wizard"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({"sending_methods": ["email"]}).action_send_and_print()
        self.assertEqual(invoice.callgest_call_detail_pdf_id, detail)
        # reset to draft: detached, made again at the next sending
        invoice.button_draft()
        invoice.invalidate_recordset(["callgest_call_detail_pdf_id"])
        self.assertFalse(invoice.callgest_call_detail_pdf_id)
        invoice.action_post()
        self.env["account.move.send.wizard"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({"sending_methods": ["email"]}).action_send_and_print()
        self.assertNotIn(invoice.callgest_call_detail_pdf_id, (detail, False))

    def test_invoice_without_usage_sends_no_detail(self):
        plain = self.init_invoice("out_invoice", amounts=[10], post=True)
        plain.partner_id.email = "plain@example.com"
        self.env["account.move.send.wizard"].with_context(
            active_model="account.move", active_ids=plain.ids
        ).create({"sending_methods": ["email"]}).action_send_and_print()
        self.assertTrue(plain.invoice_pdf_report_id)
        self.assertFalse(plain.callgest_call_detail_pdf_id)
        with self.assertRaisesRegex(UserError, "no call detail"):
            plain.action_download_callgest_call_detail_csv()

    def test_detail_needs_access_to_the_invoice(self):
        salesman = new_test_user(
            self.env,
            login="detail_salesman",
            groups="base.group_user",
            company_id=self.company.id,
        )
        Report = self.env["report.callgest_billing.report_call_detail"]
        with self.assertRaises(AccessError):
            Report.with_user(salesman)._get_report_values(self.clinic_invoice.ids)


@tagged("post_install", "-at_install")
class TestCallDetailPortal(CallDetailCommon, HttpCaseWithUserPortal):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.clinic_contact = cls.env["res.partner"].create(
            {"name": "Clinic manager", "parent_id": cls.clinic.id}
        )
        cls.clinic_portal = new_test_user(
            cls.env,
            login="clinic_portal",
            password="clinic_portal",
            groups="base.group_portal",
            partner_id=cls.clinic_contact.id,
            company_id=cls.company.id,
        )
        # the portal user of the tests is a lawyer of another client
        cls.partner_portal.parent_id = cls.collective
        cls.user_portal.write(
            {"company_id": cls.company.id, "company_ids": [(4, cls.company.id)]}
        )
        cls.detail_url = f"/my/invoices/{cls.clinic_invoice.id}/call_detail"

    def test_client_downloads_pdf_and_csv_from_the_portal(self):
        self.authenticate("clinic_portal", "clinic_portal")
        page = self.url_open(f"/my/invoices/{self.clinic_invoice.id}")
        self.assertEqual(page.status_code, 200)
        self.assertIn("o_callgest_call_detail_pdf", page.text)
        self.assertIn("/call_detail?access_token=", page.text)
        pdf = self.url_open(f"{self.detail_url}?report_type=pdf&download=1")
        self.assertEqual(pdf.status_code, 200)
        self.assertIn("call_detail.pdf", pdf.headers["Content-Disposition"])
        self.assertIn(b"o_call_detail_call", pdf.content)
        response = self.url_open(f"{self.detail_url}?report_type=csv")
        self.assertEqual(response.status_code, 200)
        rows = self.csv_rows(response.content)
        self.assertEqual(len([row for row in rows if row["kind"] == "call"]), 2)

    def test_other_client_has_no_access(self):
        self.authenticate("portal", "portal")
        for report_type in ("pdf", "csv", "html"):
            response = self.url_open(
                f"{self.detail_url}?report_type={report_type}", allow_redirects=False
            )
            self.assertEqual(response.status_code, 303, report_type)
            self.assertTrue(response.headers["Location"].endswith("/my"))
        response = self.url_open(
            f"/callgest_billing/invoice/{self.clinic_invoice.id}/call_detail.csv"
        )
        self.assertNotEqual(response.status_code, 200)
        self.assertNotIn("+34600111222", response.text)
        # the invoice's access token opens it, as Odoo's portal does
        self.clinic_invoice._portal_ensure_token()
        response = self.url_open(
            f"{self.detail_url}?report_type=csv"
            f"&access_token={self.clinic_invoice.access_token}"
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("+34600111222", response.text)

    def test_back_office_user_downloads_the_csv(self):
        self.authenticate(self.env.user.login, self.env.user.login)
        action = self.clinic_invoice.action_download_callgest_call_detail_csv()
        response = self.url_open(action["url"])
        self.assertEqual(response.status_code, 200)
        rows = self.csv_rows(response.content)
        self.assertEqual(len([row for row in rows if row["kind"] == "call"]), 2)


@tagged("post_install", "-at_install")
class TestCallDetailGroupings(CallgestBillingCommon):
    def test_reseller_detail_groups_by_client(self):
        reseller = self.make_client(
            "Detail Reseller", "8813", callgest_client_type="reseller"
        )
        self.clinic.write(
            {
                "callgest_reseller_id": reseller.id,
                "callgest_invoice_grouping": "reseller",
            }
        )
        other = self.make_client(
            "Detail Sub-client",
            "8814",
            callgest_reseller_id=reseller.id,
            callgest_invoice_grouping="reseller",
        )
        self.make_ddi("93 111 22 19", other)
        self.make_call(self.clinic, self.at(date(2026, 10, 5)), 45, robot=8)
        other_calls = self.make_call(
            other, self.at(date(2026, 10, 6)), 60
        ) + self.make_call(other, self.at(date(2026, 10, 7)), 30)
        move = self.env["account.move"].browse(
            self.Invoicing.run_period(OCTOBER, [self.clinic.id, other.id])
        )
        self.assertEqual(move.partner_id, reseller)
        detail = self.env["report.callgest_billing.report_call_detail"]._call_detail(
            move
        )
        self.assertTrue(detail["show_clients"])
        self.assertEqual(
            [
                (client["name"], client["total"]["calls"])
                for client in detail["clients"]
            ],
            [("Billing Clinic", 1), ("Detail Sub-client", 2)],
        )
        html = self.env["ir.actions.report"]._render_qweb_html(REPORT, move.ids)[0]
        self.assertEqual(html.count(b"o_call_detail_client_total"), 2)
        self.assertEqual(html.count(b"o_call_detail_call"), 3)
        rows = csv_rows(move._get_callgest_call_detail_csv())
        self.assertEqual(
            sorted(row["client"] for row in rows if row["kind"] == "call"),
            ["Billing Clinic", "Detail Sub-client", "Detail Sub-client"],
        )
        self.assertEqual(
            [int(row["secretary_seconds"]) for row in rows if row["kind"] == "call"],
            [45, *other_calls.mapped("secretary_seconds")],
        )

    def test_other_invoice_currency_shows_the_converted_cost(self):
        peso = self.setup_other_currency("CLP", rates=[("2026-01-01", 1000.0)])
        self.clinic.callgest_billing_currency_id = peso
        self.make_call(self.clinic, self.at(date(2026, 10, 5)), 45, robot=8)
        move = self.env["account.move"].browse(
            self.Invoicing.run_period(OCTOBER, [self.clinic.id])
        )
        self.assertEqual(move.currency_id, peso)
        rows = csv_rows(move._get_callgest_call_detail_csv())
        (call,) = [row for row in rows if row["kind"] == "call"]
        self.assertEqual((call["cost"], call["currency"]), ("0.593", "EUR"))
        self.assertEqual(
            (call["cost_invoice_currency"], call["invoice_currency"]), ("593", "CLP")
        )
        html = self.env["ir.actions.report"]._render_qweb_html(REPORT, move.ids)[0]
        self.assertIn(b"Cost (CLP)", html)


@tagged("post_install", "-at_install")
class TestProfessionalInvoicesPortal(CallgestBillingCommon, HttpCaseWithUserPortal):
    """A collective invoiced per professional: each professional's invoices
    and call detail are his alone; the collective's manager sees them all."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.collective.callgest_invoice_grouping = "professional"
        cls.make_call(
            cls.collective,
            cls.at(date(2026, 10, 7), 9),
            60,
            professional=cls.lawyer_a,
        )
        cls.make_call(
            cls.collective, cls.at(date(2026, 10, 9), 16), 90, ddi=cls.lawyer_b_ddi
        )
        moves = cls.env["account.move"].browse(
            cls.Invoicing.run_period(OCTOBER, [cls.collective.id])
        )
        moves.filtered(lambda m: m.state == "draft").action_post()
        cls.invoice_a = moves.filtered(lambda m: m.partner_id == cls.lawyer_a)
        cls.invoice_b = moves.filtered(lambda m: m.partner_id == cls.lawyer_b)
        cls.manager_contact = cls.env["res.partner"].create(
            {"name": "Firm manager", "parent_id": cls.collective.id}
        )
        cls.env["callgest.authorized.contact"].create(
            {"client_id": cls.collective.id, "partner_id": cls.manager_contact.id}
        )
        cls.portal_users = {}
        for login, partner in (
            ("lawyer_a_portal", cls.lawyer_a),
            ("lawyer_b_portal", cls.lawyer_b),
            ("firm_manager_portal", cls.manager_contact),
        ):
            cls.portal_users[login] = new_test_user(
                cls.env,
                login=login,
                password=login,
                groups="base.group_portal",
                partner_id=partner.id,
                company_id=cls.company.id,
            )

    def readable(self, login, invoices):
        Move = self.env["account.move"].with_user(self.portal_users[login])
        return Move.search([("id", "in", invoices.ids)])

    def test_each_professional_reads_his_own(self):
        both = self.invoice_a | self.invoice_b
        self.assertEqual(len(both), 2)
        self.assertEqual(self.readable("lawyer_a_portal", both), self.invoice_a)
        self.assertEqual(self.readable("lawyer_b_portal", both), self.invoice_b)
        self.assertEqual(self.readable("firm_manager_portal", both), both)
        with self.assertRaises(AccessError):
            self.invoice_b.with_user(self.portal_users["lawyer_a_portal"]).read(
                ["amount_total"]
            )
        lines_b = self.invoice_b.invoice_line_ids
        Line = self.env["account.move.line"].with_user(
            self.portal_users["lawyer_a_portal"]
        )
        self.assertFalse(Line.search([("id", "in", lines_b.ids)]))

    def test_call_detail_of_the_other_is_refused(self):
        self.authenticate("lawyer_a_portal", "lawyer_a_portal")
        own = self.url_open(
            f"/my/invoices/{self.invoice_a.id}/call_detail?report_type=csv"
        )
        self.assertEqual(own.status_code, 200)
        other = self.url_open(
            f"/my/invoices/{self.invoice_b.id}/call_detail?report_type=csv",
            allow_redirects=False,
        )
        self.assertEqual(other.status_code, 303)
        self.assertTrue(other.headers["Location"].endswith("/my"))
        self.authenticate("firm_manager_portal", "firm_manager_portal")
        for invoice in (self.invoice_a, self.invoice_b):
            response = self.url_open(
                f"/my/invoices/{invoice.id}/call_detail?report_type=csv"
            )
            self.assertEqual(response.status_code, 200, invoice.partner_id.name)
