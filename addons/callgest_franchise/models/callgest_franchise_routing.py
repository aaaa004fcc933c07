from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools.misc import formatLang

from odoo.addons.callgest_base.tools import rpc_args
from odoo.addons.callgest_protocols.tools import routing as hours

from ..tools import franchise_routing

REASONS = [
    (franchise_routing.COVERS, "Covers the caller's area"),
    (franchise_routing.NEAREST, "Nearest franchisee"),
    (franchise_routing.NEXT_OPEN_FRANCHISEE, "Next nearest open franchisee"),
    (franchise_routing.CLOSED_TO_NETWORK, "Franchisee closed: the network"),
    (franchise_routing.NONE_OPEN, "Every franchisee closed: the network"),
    (franchise_routing.UNKNOWN_PLACE, "Unknown postal code or town: the network"),
    (franchise_routing.NO_FRANCHISEE, "No franchisee: the network"),
]


class CallgestFranchiseRouting(models.Model):
    """Where a call of a franchise network was routed, and why: one record
    per lookup of the caller's postal code or town. The recado taken and the
    call's record (when it arrives from the PBX) point to it."""

    _name = "callgest.franchise.routing"
    _description = "CallGest franchise routing"
    _order = "routed_at desc, id desc"
    _check_company_auto = True
    _rec_name = "query"

    network_id = fields.Many2one(
        "res.partner", required=True, index=True, readonly=True, check_company=True
    )
    franchisee_id = fields.Many2one(
        "res.partner",
        index="btree_not_null",
        readonly=True,
        check_company=True,
        help="Empty: the call stayed with the network.",
    )
    chosen_id = fields.Many2one(
        "res.partner",
        string="Covering or nearest",
        readonly=True,
        help="The franchisee that covered the caller's area or was the nearest, "
        "before its hours were checked.",
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    ddi_id = fields.Many2one("callgest.ddi", string="DDI", readonly=True)
    caller_number = fields.Char(readonly=True, index="btree_not_null")
    query = fields.Char(string="Postal code or town", required=True, readonly=True)
    postal_code = fields.Char(readonly=True)
    place = fields.Char(readonly=True)
    reason = fields.Selection(REASONS, required=True, readonly=True)
    distance_km = fields.Float(string="Distance (km)", digits=(16, 1), readonly=True)
    routed_at = fields.Datetime(required=True, readonly=True, index=True)
    user_id = fields.Many2one("res.users", string="Routed by", readonly=True)
    message_id = fields.Many2one(
        "callgest.message", string="Recado", readonly=True, index="btree_not_null"
    )

    @api.model
    def _check_router(self):
        user = self.env.user
        if not (
            user.has_group("callgest_base.group_callgest_secretary")
            or user.has_group("callgest_base.group_callgest_pbx")
        ):
            raise AccessError(
                _("Only secretaries and the PBX may route a network's calls.")
            )

    @api.model
    def route(self, ddi_number, query, caller_number=None, when=None):
        """Route a call of a franchise network (RPC, console and PBX).

        :param ddi_number: the network's number the caller dialled.
        :param query: the caller's postal code or town.
        :param caller_number: the caller's number, to find the call later.
        :param when: ``None`` (now) or an ISO-8601 string (without offset:
            the network's local time).
        :return: a JSON-serializable dict: ``franchisee_id`` (``False``: the
            network takes a recado), ``reason`` and ``message`` (why, in the
            user's language), the franchisee's hours, transfer numbers and
            distance, ``ranking`` and ``routing_id`` (the record of it).
        :raise UserError: for a number that is not a franchise network's.
        """
        self._check_router()
        env = self.env
        ddi_number = rpc_args.text(env, ddi_number, "ddi_number", '"+34933906790"')
        query = rpc_args.optional_text(env, query, "query", '"08201"') or ""
        caller_number = rpc_args.optional_text(
            env, caller_number, "caller_number", '"+34600100200"'
        )
        when = rpc_args.optional_text(env, when, "when", '"2026-12-03T10:30:00"')
        Ddi = self.env["callgest.ddi"]._callgest_as_rpc_caller()
        ddi = Ddi._resolve_for_rpc(ddi_number)
        network = ddi.partner_id
        if not network.callgest_is_franchise_network:
            raise UserError(
                _(
                    "%(number)s is not the number of a franchise network.",
                    number=ddi_number,
                )
            )
        return (
            self.with_env(Ddi.env)
            .with_company(ddi.company_id)
            ._route(network, ddi, query, caller_number, when)
        )

    @api.model
    def _route(self, network, ddi, query, caller_number=None, when=None):
        try:
            utc, _local = hours.resolve_when(when or None, network.tz or "UTC")
        except ValueError as error:
            raise UserError(str(error)) from error
        result, franchisees, hours_by_id = network._callgest_franchise_route(query, utc)
        franchisee = franchisees.get(result.franchisee_id) or self.env["res.partner"]
        chosen = franchisees.get(result.chosen_id) or self.env["res.partner"]
        place = result.place
        record = self.sudo().create(
            {
                "network_id": network.id,
                "franchisee_id": franchisee.id,
                "chosen_id": chosen.id,
                "company_id": ddi.company_id.id or network.company_id.id,
                "ddi_id": ddi.id,
                "caller_number": caller_number or False,
                "query": query or "-",
                "postal_code": place.postal_code if place else False,
                "place": place.name if place else False,
                "reason": result.reason,
                "distance_km": result.distance_km or 0.0,
                "routed_at": utc,
                "user_id": self.env.uid,
            }
        )
        payload = {
            "routing_id": record.id,
            "network": network.name,
            "network_id": network.id,
            "query": query,
            "postal_code": (place.postal_code or False) if place else False,
            "place": place.name if place else False,
            "reason": result.reason,
            "message": self._message(result, network, franchisee, chosen, query),
            "franchisee_id": franchisee.id or False,
            "franchisee": franchisee.name or False,
            "distance_km": result.distance_km
            if result.distance_km is not None
            else False,
            "fallback": network.callgest_franchise_fallback,
            "ranking": [
                {
                    "id": ident,
                    "name": franchisees[ident].name,
                    "distance_km": distance,
                    "open": is_open,
                }
                for ident, distance, is_open in result.ranking
            ],
        }
        shown = franchisee or chosen
        payload.update(self._franchisee_payload(shown, hours_by_id.get(shown.id)))
        return payload

    @api.model
    def _franchisee_payload(self, franchisee, hours):
        """Hours and transfer cascade of the franchisee taking the call (or,
        when the network does, of the one that was closed)."""
        if not franchisee:
            return {
                "open": False,
                "local_time": False,
                "next_change": False,
                "transfers": [],
                "phone": False,
            }
        is_open, local, change = hours
        return {
            "open": is_open,
            "local_time": local.isoformat(),
            "next_change": change.isoformat() if change else False,
            "phone": franchisee.phone or franchisee.mobile or False,
            "transfers": [
                {
                    "name": transfer.name or franchisee.name,
                    "number": transfer.number,
                    "ring_seconds": transfer.ring_seconds,
                }
                for transfer in franchisee.callgest_franchise_transfer_ids
            ],
        }

    @api.model
    def _message(self, result, network, franchisee, chosen, query):
        """Why the call goes where it goes, for the secretary."""
        place = result.place.name if result.place else query
        km = (
            formatLang(self.env, result.distance_km, digits=1)
            if result.distance_km is not None
            else "-"
        )
        reason = result.reason
        if reason == franchise_routing.COVERS:
            return _(
                "%(franchisee)s covers %(place)s.",
                franchisee=franchisee.name,
                place=place,
            )
        if reason == franchise_routing.NEAREST:
            return _(
                "No franchisee covers %(place)s: %(franchisee)s is the nearest, "
                "%(km)s km away.",
                place=place,
                franchisee=franchisee.name,
                km=km,
            )
        if reason == franchise_routing.NEXT_OPEN_FRANCHISEE:
            return _(
                "%(chosen)s is closed now: %(franchisee)s, the next nearest open "
                "franchisee (%(km)s km), takes the call.",
                chosen=chosen.name,
                franchisee=franchisee.name,
                km=km,
            )
        if reason == franchise_routing.CLOSED_TO_NETWORK:
            return _(
                "%(chosen)s is closed now: take a recado for the network %(network)s.",
                chosen=chosen.name,
                network=network.name,
            )
        if reason == franchise_routing.NONE_OPEN:
            return _(
                "Every franchisee is closed now: take a recado for the network "
                "%(network)s.",
                network=network.name,
            )
        if reason == franchise_routing.NO_FRANCHISEE:
            return _(
                "%(network)s has no franchisee yet: take a recado for the network.",
                network=network.name,
            )
        return _(
            "%(query)s is neither a Spanish postal code nor a town we know: ask "
            "again, or take a recado for the network %(network)s.",
            query=query or "-",
            network=network.name,
        )
