from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.callgest_base.tools.phone_validation import parse_number


class CallgestFranchiseTransfer(models.Model):
    """A number a franchisee takes its calls on, in the order to try them
    (the secretary's transfer cascade for that franchisee)."""

    _name = "callgest.franchise.transfer"
    _description = "CallGest franchisee transfer number"
    _order = "franchisee_id, sequence, id"
    _check_company_auto = True

    franchisee_id = fields.Many2one(
        "res.partner",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
        domain=[("callgest_is_professional", "=", True)],
    )
    company_id = fields.Many2one(related="franchisee_id.company_id", store=True)
    sequence = fields.Integer(default=10)
    name = fields.Char(string="Who", help="e.g. the shop, the technician on duty.")
    number = fields.Char(required=True, help="Stored in E.164 (+34...).")
    ring_seconds = fields.Integer(default=20, help="Ring it this long, then the next.")

    @api.constrains("ring_seconds")
    def _check_ring_seconds(self):
        for transfer in self:
            if transfer.ring_seconds <= 0:
                raise ValidationError(
                    _(
                        "%(number)s: a transfer number rings for at least one second.",
                        number=transfer.number,
                    )
                )

    @api.model
    def _e164(self, number, franchisee):
        country = (
            franchisee.country_id
            or franchisee.parent_id.country_id
            or franchisee.company_id.country_id
            or self.env.company.country_id
        )
        try:
            return parse_number(number, country.code).e164
        except UserError as error:
            raise ValidationError(
                _(
                    "%(number)s is not a telephone number to transfer calls to: "
                    "%(reason)s",
                    number=number,
                    reason=error.args[0],
                )
            ) from error

    @api.model_create_multi
    def create(self, vals_list):
        Partner = self.env["res.partner"]
        for vals in vals_list:
            if vals.get("number"):
                vals["number"] = self._e164(
                    vals["number"], Partner.browse(vals.get("franchisee_id"))
                )
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("number"):
            for transfer in self:
                franchisee = self.env["res.partner"].browse(
                    vals.get("franchisee_id", transfer.franchisee_id.id)
                )
                super(CallgestFranchiseTransfer, transfer).write(
                    dict(vals, number=self._e164(vals["number"], franchisee))
                )
            return True
        return super().write(vals)
