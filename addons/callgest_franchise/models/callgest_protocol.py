from odoo import api, models

from odoo.addons.callgest_base.tools import rpc_args
from odoo.addons.callgest_protocols.models.callgest_protocol import (
    CallgestProtocol as ProtocolBase,
)


class CallgestProtocol(models.Model):
    _inherit = "callgest.protocol"

    # read with the client's other fields: no query of its own
    _LOOKUP_PARTNER_FIELDS = [
        *ProtocolBase._LOOKUP_PARTNER_FIELDS,
        "callgest_is_franchise_network",
    ]

    @api.model
    def lookup(
        self,
        ddi_number,
        caller_number=None,
        when=None,
        agent_login=None,
        postal_code=None,
    ):
        """The screen pop, and for a franchise network's number
        ``franchise_network`` and, given the caller's ``postal_code`` (or
        town), ``franchise``: the routing of ``callgest.franchise.routing.route``."""
        result = super().lookup(ddi_number, caller_number, when, agent_login)
        postal_code = rpc_args.optional_text(
            self.env, postal_code, "postal_code", '"08201"'
        )
        Ddi = self.env["callgest.ddi"]._callgest_as_rpc_caller()
        network = Ddi.browse(result.get("ddi_id") or []).partner_id
        result["franchise_network"] = bool(network.callgest_is_franchise_network)
        if result["franchise_network"] and postal_code:
            result["franchise"] = self.env["callgest.franchise.routing"].route(
                ddi_number, postal_code, caller_number, when
            )
        return result
