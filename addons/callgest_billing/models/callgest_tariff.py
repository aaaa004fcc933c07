from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..tools import rating


class CallgestTariff(models.Model):
    """The prices of the service: the default tariff, or a client's own."""

    _name = "callgest.tariff"
    _description = "CallGest tariff"
    _inherit = ["mail.thread"]
    _order = "is_default desc, name"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True)
    is_default = fields.Boolean(
        string="Default tariff",
        tracking=True,
        help="Used for every client of the company without a tariff of its own.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(
        "res.currency",
        required=True,
        default=lambda self: self.env.company.currency_id,
        tracking=True,
    )
    rate_ids = fields.One2many("callgest.tariff.rate", "tariff_id", string="Rates")
    partner_ids = fields.One2many("res.partner", "callgest_tariff_id", string="Clients")

    @api.constrains("is_default", "company_id", "active")
    def _check_one_default(self):
        for tariff in self.filtered(lambda tariff: tariff.is_default and tariff.active):
            others = self.search_count(
                [
                    ("is_default", "=", True),
                    ("company_id", "=", tariff.company_id.id),
                    ("id", "!=", tariff.id),
                ]
            )
            if others:
                raise ValidationError(
                    _(
                        "The company %(company)s already has a default tariff.",
                        company=tariff.company_id.display_name,
                    )
                )

    @api.constrains("rate_ids")
    def _check_one_rate_per_usage(self):
        for tariff in self:
            usages = tariff.rate_ids.mapped("usage")
            if len(usages) != len(set(usages)):
                raise ValidationError(
                    _(
                        "The tariff %(tariff)s has two rates for one usage.",
                        tariff=tariff.display_name,
                    )
                )

    @api.model
    def _find_default(self, company):
        """The default tariff of ``company``, or an empty recordset."""
        return self.search(
            [("is_default", "=", True), ("company_id", "=", company.id)], limit=1
        )

    @api.model
    def _default_for(self, company):
        tariff = self._find_default(company)
        if not tariff:
            raise UserError(
                _(
                    "The company %(company)s has no default CallGest tariff: "
                    "mark one tariff as the default.",
                    company=company.display_name,
                )
            )
        return tariff

    def _to_rating(self):
        """The tariff as the plain-Python rating core reads it."""
        self.ensure_one()
        return rating.Tariff.from_rates(
            self.name,
            self.currency_id.name,
            [rate._to_rating() for rate in self.rate_ids],
        )
