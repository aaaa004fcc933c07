from odoo import api, fields, models

from odoo.addons.callgest_billing.models.res_partner import BILLING_GROUPS


class ResPartner(models.Model):
    _inherit = "res.partner"

    callgest_agenda_modules_manual = fields.Boolean(
        string="Agenda modules typed by hand",
        company_dependent=True,
        help="Bill the number typed instead of the one computed from the "
        "professionals' working hours.",
        groups=BILLING_GROUPS,
    )
    callgest_agenda_modules_computed = fields.Integer(
        string="Agenda modules computed",
        compute="_compute_callgest_agenda_modules_computed",
        help="Half-day sessions a week of the client's active professionals "
        "(a morning or an afternoon with working hours is one module).",
        groups=BILLING_GROUPS,
    )
    callgest_agenda_modules_billed = fields.Integer(
        string="Agenda modules billed",
        compute="_compute_callgest_agenda_modules_billed",
        groups=BILLING_GROUPS,
    )

    @api.depends(
        "callgest_agenda_resource_ids.active",
        "callgest_agenda_resource_ids.calendar_id.attendance_ids.day_period",
        "callgest_agenda_resource_ids.calendar_id.attendance_ids.dayofweek",
    )
    @api.depends_context("company")
    def _compute_callgest_agenda_modules_computed(self):
        company = self.env.company
        for partner in self:
            professionals = (
                self.env["resource.resource"]
                .sudo()
                .search(
                    [
                        ("callgest_client_id", "=", partner.id),
                        ("company_id", "in", (company.id, False)),
                        ("calendar_id", "!=", False),
                    ]
                )
                if partner.id
                else []
            )
            partner.callgest_agenda_modules_computed = sum(
                professional.calendar_id._callgest_weekly_modules()
                for professional in professionals
            )

    @api.depends(
        "callgest_agenda_modules",
        "callgest_agenda_modules_manual",
        "callgest_agenda_modules_computed",
    )
    @api.depends_context("company")
    def _compute_callgest_agenda_modules_billed(self):
        for partner in self:
            partner.callgest_agenda_modules_billed = (
                partner.callgest_agenda_modules
                if partner.callgest_agenda_modules_manual
                else partner.callgest_agenda_modules_computed
            )

    @api.model_create_multi
    def create(self, vals_list):
        return super().create([self._callgest_typed_by_hand(v) for v in vals_list])

    def write(self, vals):
        return super().write(self._callgest_typed_by_hand(vals))

    @api.model
    def _callgest_typed_by_hand(self, vals):
        """A number of modules written is an override unless said otherwise."""
        if (
            "callgest_agenda_modules" in vals
            and "callgest_agenda_modules_manual" not in vals
        ):
            vals = dict(vals, callgest_agenda_modules_manual=True)
        return vals
