from odoo import _, fields, models
from odoo.exceptions import UserError

from ..tools import rating


class AccountMove(models.Model):
    _inherit = "account.move"

    callgest_period = fields.Char(
        string="CallGest period",
        copy=False,
        readonly=True,
        index="btree_not_null",
        help="The month of service this invoice bills, YYYY-MM.",
    )
    callgest_usage_count = fields.Integer(compute="_compute_callgest_usage_count")

    def _callgest_usage_counts(self):
        """``{move id: usage count}``, whoever asks: the count is what the
        invoice form and the Print menu need, not the usage itself."""
        self.env["callgest.usage"].flush_model(["invoice_link_id"])
        self.env.cr.execute(
            """SELECT line.move_id, COUNT(*)
                 FROM account_move_line line
                 JOIN callgest_usage_link link ON link.invoice_line_id = line.id
                 JOIN callgest_usage usage
                   ON usage.partner_id = link.partner_id
                  AND usage.invoice_link_id = link.id
                WHERE line.move_id = ANY(%s)
             GROUP BY line.move_id""",
            [self._origin.ids],
        )
        return dict(self.env.cr.fetchall())

    def _compute_callgest_usage_count(self):
        counts = self._callgest_usage_counts()
        for move in self:
            move.callgest_usage_count = counts.get(move._origin.id, 0)

    def button_cancel(self):
        result = super().button_cancel()
        self.line_ids._callgest_usage()._release()
        self._callgest_sync_prepaid()
        return result

    def button_draft(self):
        result = super().button_draft()
        self._callgest_sync_prepaid()
        return result

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        # a credit note of a top-up takes its credit back; an overage invoice
        # edited in draft settles what it bills
        posted._callgest_sync_prepaid()
        return posted

    def unlink(self):
        self._callgest_sync_prepaid(deleted=True)
        return super().unlink()

    def _callgest_sync_prepaid(self, deleted=False):
        """The prepaid accounts follow the state of their top-up, plan and
        overage invoices (callgest.prepaid.move)."""
        Entry = self.env["callgest.prepaid.move"]
        Entry._sync_recharges(self, deleted=deleted)
        Entry._sync_overage_invoices(self, deleted=deleted)

    def _callgest_recharge_lines(self):
        """The lines of prepaid top-up and plan products."""
        return self.invoice_line_ids.filtered(
            lambda line: line.product_id.product_tmpl_id.callgest_prepaid_recharge
        )

    def _callgest_recharge_worth(self):
        """``(calls, amount, calls price)`` this invoice or credit note
        credits: the plan calls, the untaxed top-ups and the untaxed price
        of the plans, in the company's currency (Decimal amounts)."""
        self.ensure_one()
        sign = -1 if self.move_type == "out_invoice" else 1
        calls, amount, calls_price = 0, rating.ZERO, rating.ZERO
        for line in self._callgest_recharge_lines():
            value = sign * rating.as_decimal(line.balance)
            line_calls = line.product_id.product_tmpl_id.callgest_prepaid_calls * int(
                line.quantity
            )
            if line_calls:
                calls += line_calls
                calls_price += value
            else:
                amount += value
        return calls, amount, calls_price

    def _callgest_recharge_cancel_note(self, refunds, deleted):
        """Why the credit of this top-up or plan invoice is taken back."""
        self.ensure_one()
        refunds = refunds.filtered(lambda refund: refund.reversed_entry_id == self)
        if deleted:
            reason = _("deleted")
        elif self.state == "cancel":
            reason = _("cancelled")
        elif self.state == "draft":
            reason = _("reset to draft")
        elif refunds:
            reason = _(
                "credited by %(credit_notes)s",
                credit_notes=", ".join(refunds.mapped("name")),
            )
        else:
            reason = _("no longer paid")
        return _("%(invoice)s %(reason)s", invoice=self.display_name, reason=reason)

    def action_view_callgest_usage(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Rated usage"),
            "res_model": "callgest.usage",
            "view_mode": "list,form",
            "domain": self.env["callgest.usage"]._domain_of_lines(self.line_ids),
        }

    # ------------------------------------------------------------------
    # Call detail (report/callgest_call_detail_report.py)
    # ------------------------------------------------------------------
    callgest_has_call_detail = fields.Boolean(
        compute="_compute_callgest_has_call_detail",
        help="The invoice bills CallGest usage: it has a call detail.",
    )
    callgest_call_detail_pdf_file = fields.Binary(
        string="Call detail PDF", attachment=True, copy=False
    )
    callgest_call_detail_pdf_id = fields.Many2one(
        "ir.attachment",
        string="Call detail PDF attachment",
        compute=lambda self: self._compute_linked_attachment_id(
            "callgest_call_detail_pdf_id", "callgest_call_detail_pdf_file"
        ),
        depends=["callgest_call_detail_pdf_file"],
    )

    def _compute_callgest_has_call_detail(self):
        # whoever may see the invoice may know it has a detail (the Print
        # menu and the portal ask it of users without usage access)
        with_detail = self._callgest_usage_counts()
        for move in self:
            move.callgest_has_call_detail = move._origin.id in with_detail

    def _get_fields_to_detach(self):
        # reset to draft: the detail is made again when the invoice is re-sent
        return super()._get_fields_to_detach() + ["callgest_call_detail_pdf_file"]

    def _get_callgest_call_detail_filename(self, extension):
        self.ensure_one()
        name = (self.name or "").replace("/", "_") or str(self.id)
        # not translated: the send wizard matches its placeholder by name
        return f"{name}_call_detail.{extension}"

    def _callgest_needs_call_detail_pdf(self):
        self.ensure_one()
        move = self.sudo()
        return bool(
            move.callgest_has_call_detail and not move.callgest_call_detail_pdf_id
        )

    def _callgest_generate_call_detail_pdf(self):
        """Store the call detail PDF of these invoices, attached to them."""
        report = self.env.ref("callgest_billing.action_report_call_detail")
        for move in self:
            content, _report_type = (
                self.env["ir.actions.report"]
                .sudo()
                .with_company(move.company_id)
                ._render_qweb_pdf(report, move.ids)
            )
            self.env["ir.attachment"].sudo().create(
                {
                    "name": move._get_callgest_call_detail_filename("pdf"),
                    "raw": content,
                    "mimetype": "application/pdf",
                    "res_model": move._name,
                    "res_id": move.id,
                    "res_field": "callgest_call_detail_pdf_file",
                }
            )
        self.invalidate_recordset(
            ["callgest_call_detail_pdf_id", "callgest_call_detail_pdf_file"]
        )

    def _get_callgest_call_detail_csv(self):
        """The call detail as CSV bytes."""
        self.ensure_one()
        return self.env["report.callgest_billing.report_call_detail"]._call_detail_csv(
            self
        )

    def action_download_callgest_call_detail_csv(self):
        self.ensure_one()
        if not self.callgest_has_call_detail:
            raise UserError(
                _("This invoice bills no CallGest usage: it has no call detail.")
            )
        return {
            "type": "ir.actions.act_url",
            "url": f"/callgest_billing/invoice/{self.id}/call_detail.csv",
            "target": "download",
        }

    def _invoice_paid_hook(self):
        result = super()._invoice_paid_hook()
        self.env["callgest.prepaid.move"]._sync_recharges(self)
        return result
