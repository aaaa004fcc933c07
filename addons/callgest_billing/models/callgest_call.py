from odoo import fields, models


class CallgestCall(models.Model):
    _inherit = "callgest.call"

    usage_ids = fields.One2many("callgest.usage", "call_id", string="Rated usage")
    cost = fields.Monetary(
        compute="_compute_cost",
        currency_field="cost_currency_id",
        help="What the call costs the client, before taxes.",
    )
    cost_currency_id = fields.Many2one("res.currency", compute="_compute_cost")

    def _compute_cost(self):
        for call in self:
            usages = call.usage_ids
            call.cost = sum(usages.mapped("amount"))
            call.cost_currency_id = usages[:1].currency_id
