from odoo import api, fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    callgest_tariff_id = fields.Many2one(
        "callgest.tariff",
        string="Tariff",
        help="The client's own tariff; empty means the company's default one.",
    )
    callgest_effective_tariff_id = fields.Many2one(
        "callgest.tariff",
        string="Tariff applied",
        compute="_compute_callgest_effective_tariff_id",
    )

    @api.depends("callgest_tariff_id", "company_id")
    def _compute_callgest_effective_tariff_id(self):
        Tariff = self.env["callgest.tariff"]
        for partner in self:
            company = partner.company_id or self.env.company
            partner.callgest_effective_tariff_id = (
                partner.callgest_tariff_id
                or Tariff.search(
                    [("is_default", "=", True), ("company_id", "=", company.id)],
                    limit=1,
                )
            )
