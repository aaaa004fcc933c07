from odoo import api, fields, models

from odoo.addons.callgest_voip.models.callgest_cdr_quarantine import translate_reason


class CallgestQuoteIssue(models.Model):
    """A row of the prospect's file that could not be read, kept with the
    importer's reason (stored in English, shown in the user's language)."""

    _name = "callgest.quote.issue"
    _description = "CallGest quote: unreadable row"
    _order = "quote_id, line_number, id"

    quote_id = fields.Many2one(
        "callgest.quote", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="quote_id.company_id", store=True)
    line_number = fields.Integer(string="Line")
    raw = fields.Char(string="Row as written")
    reason = fields.Char(string="Reason (English)", required=True)
    reason_display = fields.Char(string="Reason", compute="_compute_reason_display")

    @api.depends("reason")
    @api.depends_context("lang")
    def _compute_reason_display(self):
        for issue in self:
            issue.reason_display = translate_reason(self.env, issue.reason)
