from odoo import http
from odoo.exceptions import AccessError, MissingError
from odoo.http import content_disposition, request

from odoo.addons.callgest_base.controllers.portal import CallgestCustomerPortal

REPORT = "callgest_billing.action_report_call_detail"


class CallDetailController(CallgestCustomerPortal):
    """The call detail of an invoice: PDF/HTML and CSV, on the portal (the
    invoice's partner, or anyone with its access token) and for back-office
    users who can read the invoice."""

    @http.route(
        "/my/invoices/<int:invoice_id>/call_detail",
        type="http",
        auth="public",
        website=True,
    )
    def portal_my_invoice_call_detail(
        self, invoice_id, access_token=None, report_type="pdf", download=False, **kw
    ):
        try:
            invoice_sudo = self._document_check_access(
                "account.move", invoice_id, access_token
            )
        except (AccessError, MissingError):
            return request.redirect("/my")
        if not invoice_sudo.callgest_has_call_detail:
            raise request.not_found()
        if report_type == "csv":
            return self._call_detail_csv_response(invoice_sudo)
        if report_type == "html":
            return self._show_report(
                model=invoice_sudo, report_type="html", report_ref=REPORT
            )
        if report_type != "pdf":
            raise request.not_found()
        content, _report_type = (
            request.env["ir.actions.report"]
            .sudo()
            .with_company(invoice_sudo.company_id)
            ._render_qweb_pdf(REPORT, invoice_sudo.ids)
        )
        filename = invoice_sudo._get_callgest_call_detail_filename("pdf")
        return request.make_response(
            content,
            headers=[
                ("Content-Type", "application/pdf"),
                ("Content-Length", len(content)),
                (
                    "Content-Disposition",
                    content_disposition(
                        filename,
                        disposition_type="attachment" if download else "inline",
                    ),
                ),
            ],
        )

    @http.route(
        "/callgest_billing/invoice/<int:invoice_id>/call_detail.csv",
        type="http",
        auth="user",
    )
    def invoice_call_detail_csv(self, invoice_id, **kw):
        invoice = request.env["account.move"].browse(invoice_id).exists()
        if not invoice:
            raise request.not_found()
        invoice.check_access("read")
        invoice_sudo = invoice.sudo()
        if not invoice_sudo.callgest_has_call_detail:
            raise request.not_found()
        return self._call_detail_csv_response(invoice_sudo)

    def _call_detail_csv_response(self, invoice_sudo):
        return self._callgest_csv_download(
            invoice_sudo._get_callgest_call_detail_filename("csv"),
            invoice_sudo._get_callgest_call_detail_csv(),
        )
