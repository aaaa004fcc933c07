from collections import defaultdict
from datetime import timedelta

from odoo import fields, models

# a routing recorded this long after the call's end (the secretary noting it
# as the caller hangs up, clocks apart) is still the call's
ROUTING_MARGIN = timedelta(minutes=5)


class CallgestCall(models.Model):
    _inherit = "callgest.call"

    callgest_franchise_routing_ids = fields.One2many(
        "callgest.franchise.routing", "call_id", string="Franchise routings"
    )

    def _callgest_franchise_calls(self):
        """The inbound calls of franchise networks among these, with a caller
        number to match their routings by."""
        return self.filtered(
            lambda call: (
                call.direction == "inbound"
                and call.partner_id.callgest_is_franchise_network
                and call.caller_number
                and call.start_time
                and call.end_time
            )
        )

    def _callgest_franchise_assign(self):
        """Give each inbound call of a franchise network the franchisee of its
        routing: the network's routing of the same caller (E.164) recorded
        between the call's start and its end (or up to ``ROUTING_MARGIN``
        after it), the latest before the end; a routing charges one call. A
        call without routing keeps its DDI's professional (none for the
        network's number), a routing to the network leaves it without. Return
        the calls whose professional changed."""
        calls = self._callgest_franchise_calls()
        changed = self.browse()
        if not calls:
            return changed
        Routing = self.env["callgest.franchise.routing"].sudo()
        routings = Routing.search(
            [
                ("network_id", "in", calls.partner_id.ids),
                ("caller_e164", "in", list(set(calls.mapped("caller_number")))),
                ("routed_at", ">=", min(calls.mapped("start_time"))),
                ("routed_at", "<=", max(calls.mapped("end_time")) + ROUTING_MARGIN),
            ]
        )
        linked = defaultdict(lambda: Routing)
        for routing in Routing.search([("call_id", "in", calls.ids)]):
            linked[routing.call_id.id] |= routing
        by_caller = defaultdict(list)
        for routing in routings:
            by_caller[(routing.network_id.id, routing.caller_e164)].append(routing)
        for call in calls.sorted(lambda call: (call.start_time, call.id)):
            candidates = [
                routing
                for routing in by_caller[(call.partner_id.id, call.caller_number)]
                if call.start_time
                <= routing.routed_at
                <= call.end_time + ROUTING_MARGIN
                and routing.call_id in (call, self.browse())
            ]
            during = [r for r in candidates if r.routed_at <= call.end_time]
            if during:
                routing = max(during, key=lambda r: (r.routed_at, r.id))
            elif candidates:
                routing = min(candidates, key=lambda r: (r.routed_at, r.id))
            else:
                routing = Routing
            stale = linked[call.id] - routing
            if stale:
                stale.write({"call_id": False})
            if routing and routing.call_id != call:
                routing.write({"call_id": call.id})
            professional = (
                routing.franchisee_id if routing else call.ddi_id.professional_id
            )
            if call.professional_id != professional:
                call.sudo().write({"professional_id": professional.id})
                changed |= call
        return changed
