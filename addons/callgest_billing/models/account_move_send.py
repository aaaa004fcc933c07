from odoo import api, models


class AccountMoveSend(models.AbstractModel):
    _inherit = "account.move.send"

    @api.model
    def _get_invoice_extra_attachments(self, move):
        # the call detail goes out with the invoice PDF, like the EDI files
        return super()._get_invoice_extra_attachments(move) + (
            move.callgest_call_detail_pdf_id
        )

    @api.model
    def _get_placeholder_mail_attachments_data(
        self, move, invoice_edi_format=None, extra_edis=None
    ):
        results = super()._get_placeholder_mail_attachments_data(
            move, invoice_edi_format=invoice_edi_format, extra_edis=extra_edis
        )
        if move._callgest_needs_call_detail_pdf():
            filename = move._get_callgest_call_detail_filename("pdf")
            results.append(
                {
                    "id": f"placeholder_{filename}",
                    "name": filename,
                    "mimetype": "application/pdf",
                    "placeholder": True,
                }
            )
        return results

    @api.model
    def _link_invoice_documents(self, invoices_data):
        result = super()._link_invoice_documents(invoices_data)
        invoices = self.env["account.move"].union(
            *(
                invoice
                for invoice in invoices_data
                if invoice.invoice_pdf_report_id
                and invoice._callgest_needs_call_detail_pdf()
            )
        )
        invoices._callgest_generate_call_detail_pdf()
        return result
