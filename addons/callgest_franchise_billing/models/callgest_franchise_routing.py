from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.callgest_base.tools.phone_validation import parse_number

from .callgest_call import ROUTING_MARGIN


class CallgestFranchiseRouting(models.Model):
    _inherit = "callgest.franchise.routing"

    call_id = fields.Many2one(
        "callgest.call",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
        help="The call of the PBX this routing was made for: it is charged to "
        "the franchisee (empty: to the network).",
    )
    caller_e164 = fields.Char(
        string="Caller (E.164)",
        compute="_compute_caller_e164",
        store=True,
        index="btree_not_null",
        help="The caller's number as the PBX records it, to find the call.",
    )

    @api.depends("caller_number", "network_id.country_id", "company_id.country_id")
    def _compute_caller_e164(self):
        for routing in self:
            number = routing.caller_number
            country = routing.network_id.country_id or routing.company_id.country_id
            e164 = False
            if number:
                try:
                    e164 = parse_number(number, country.code).e164
                except UserError:
                    e164 = False
            routing.caller_e164 = e164

    @api.model_create_multi
    def create(self, vals_list):
        routings = super().create(vals_list)
        routings._callgest_charge_calls()
        return routings

    def write(self, vals):
        result = super().write(vals)
        if {"message_id", "franchisee_id", "caller_number", "routed_at"} & set(vals):
            self._callgest_charge_calls()
        return result

    def _callgest_charge_calls(self):
        """A routing recorded after its call was imported (and rated): the
        call goes to the routing's franchisee and is rated again (its usage
        not invoiced yet moves; what was invoiced is corrected as late usage,
        see ``callgest.usage._rate_calls``)."""
        routings = self.sudo().filtered("caller_e164")
        if not routings:
            return
        # one query for the batch: the calls that may be these routings';
        # _callgest_franchise_assign matches each exactly
        routed_at = routings.mapped("routed_at")
        calls = (
            self.env["callgest.call"]
            .sudo()
            .search(
                [
                    ("partner_id", "in", routings.network_id.ids),
                    ("direction", "=", "inbound"),
                    ("caller_number", "in", list(set(routings.mapped("caller_e164")))),
                    ("start_time", "<=", max(routed_at)),
                    ("end_time", ">=", min(routed_at) - ROUTING_MARGIN),
                ]
            )
        )
        calls |= routings.call_id
        changed = calls._callgest_franchise_assign()
        if changed:
            self.env["callgest.usage"]._rate_calls(changed.filtered("has_cdr"))
