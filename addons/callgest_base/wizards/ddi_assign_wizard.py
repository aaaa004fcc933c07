from odoo import _, api, fields, models
from odoo.exceptions import UserError


class CallgestDdiAssignWizard(models.TransientModel):
    """Assign DDIs from the stock of available numbers to a client in bulk."""

    _name = "callgest.ddi.assign.wizard"
    _description = "Assign DDIs from stock"

    partner_id = fields.Many2one(
        "res.partner",
        string="Client",
        required=True,
        domain=[("is_callgest_client", "=", True)],
    )
    professional_id = fields.Many2one(
        "res.partner",
        domain="[('parent_id', '=', partner_id), "
        "('callgest_is_professional', '=', True)]",
    )
    ddi_ids = fields.Many2many(
        "callgest.ddi",
        string="DDIs",
        domain=[("state", "=", "available"), ("partner_id", "=", False)],
        help="The numbers to assign. Leave empty to take them from the stock.",
    )
    quantity = fields.Integer(
        default=1, help="How many numbers to take from the stock when none is chosen."
    )
    country_id = fields.Many2one("res.country", string="Country of the numbers")
    number_type = fields.Selection(
        lambda self: self.env["callgest.ddi"]._fields["number_type"].selection,
        string="Number type",
    )
    target_state = fields.Selection(
        [("reserved", "Reserved"), ("active", "Active")],
        string="Assign as",
        default="active",
        required=True,
    )
    available_count = fields.Integer(
        string="Available in stock", compute="_compute_available_count"
    )

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if self.env.context.get("active_model") == "callgest.ddi":
            active_ids = self.env.context.get("active_ids") or []
            values["ddi_ids"] = [fields.Command.set(active_ids)]
        return values

    def _stock_domain(self):
        domain = [("state", "=", "available"), ("partner_id", "=", False)]
        if self.country_id:
            domain.append(("number_region", "=", self.country_id.code))
        if self.number_type:
            domain.append(("number_type", "=", self.number_type))
        return domain

    @api.depends("country_id", "number_type")
    def _compute_available_count(self):
        for wizard in self:
            wizard.available_count = self.env["callgest.ddi"].search_count(
                wizard._stock_domain()
            )

    @api.onchange("partner_id")
    def _onchange_partner_id(self):
        if self.professional_id.parent_id != self.partner_id:
            self.professional_id = False

    def _pick_ddis(self):
        if self.ddi_ids:
            not_in_stock = self.ddi_ids.filtered(
                lambda ddi: ddi.state != "available" or ddi.partner_id
            )
            if not_in_stock:
                raise UserError(
                    _(
                        "These DDIs are not in stock: %(numbers)s.",
                        numbers=", ".join(not_in_stock.mapped("display_name")),
                    )
                )
            return self.ddi_ids
        if self.quantity < 1:
            raise UserError(_("Choose DDIs or a quantity of at least one."))
        ddis = self.env["callgest.ddi"].search(
            self._stock_domain(), limit=self.quantity, order="number"
        )
        if len(ddis) < self.quantity:
            raise UserError(
                _(
                    "Only %(available)s matching DDIs are in stock, %(wanted)s were "
                    "asked for.",
                    available=len(ddis),
                    wanted=self.quantity,
                )
            )
        return ddis

    def action_assign(self):
        self.ensure_one()
        ddis = self._pick_ddis()
        ddis.write(
            {
                "partner_id": self.partner_id.id,
                "professional_id": self.professional_id.id,
            }
        )
        if self.target_state == "active":
            ddis.action_activate()
        else:
            ddis.action_reserve()
        return {
            "type": "ir.actions.act_window",
            "name": _("Assigned DDIs"),
            "res_model": "callgest.ddi",
            "view_mode": "list,form",
            "domain": [("id", "in", ddis.ids)],
        }
