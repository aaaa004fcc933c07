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
    # written by the rating (callgest.usage._rate_calls), in bulk
    transfer_unbilled_seconds = fields.Integer(
        string="Transfer beyond the cap (s)",
        readonly=True,
        help="Transfer seconds beyond the client's transfer cap: not billed. "
        "The call is counted among the capped transfers of the answer "
        "quality report.",
    )

    def _compute_cost(self):
        for call in self:
            usages = call.usage_ids
            call.cost = sum(usages.mapped("amount"))
            call.cost_currency_id = usages[:1].currency_id

    def _transfers(self):
        """``[(number, seconds)]``: the call's transfers outside, in order
        (``transfer_legs``), else its transfer seconds to ``transfer_to``."""
        self.ensure_one()
        transfers = []
        for line in (self.transfer_legs or "").splitlines():
            number, _tab, seconds = line.rpartition("\t")
            if seconds.strip().isdigit():
                transfers.append((number, int(seconds)))
        if not transfers and self.transfer_seconds:
            transfers.append((self.transfer_to or "", self.transfer_seconds))
        return transfers
