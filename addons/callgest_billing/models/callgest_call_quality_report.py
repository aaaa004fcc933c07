from odoo import fields, models
from odoo.tools import SQL


class CallgestCallQualityReport(models.Model):
    """The answer quality report, with the calls whose transfer time went
    beyond the client's transfer cap (the rating sets
    ``callgest.call.transfer_unbilled_seconds``)."""

    _inherit = "callgest.call.quality.report"

    capped_transfers = fields.Integer(
        string="Capped transfers",
        readonly=True,
        aggregator="sum",
        help="Calls whose transfer lasted longer than the client's transfer "
        "cap: the seconds beyond it are not billed.",
    )

    def _select_extra(self):
        return super()._select_extra() + [
            SQL(
                "COUNT(*) FILTER (WHERE c.transfer_unbilled_seconds > 0)"
                " AS capped_transfers"
            )
        ]
