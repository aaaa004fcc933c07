from odoo import fields, models

from odoo.addons.callgest_billing.models.callgest_tariff_rate import USAGES
from odoo.addons.callgest_billing.tools import rating


class CallgestQuoteLine(models.Model):
    """One line of a quote's monthly estimate: a usage and its amount, as the
    month's invoice would bill it."""

    _name = "callgest.quote.line"
    _description = "CallGest quote line"
    _order = "quote_id, sequence, id"

    quote_id = fields.Many2one(
        "callgest.quote", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="quote_id.company_id", store=True)
    sequence = fields.Integer(default=10)
    usage = fields.Selection(USAGES, required=True)
    currency_id = fields.Many2one(related="quote_id.currency_id")
    amount = fields.Monetary(required=True)
    is_top_up = fields.Boolean(compute="_compute_is_top_up")

    def _compute_is_top_up(self):
        for line in self:
            line.is_top_up = line.usage == rating.MINIMUM
