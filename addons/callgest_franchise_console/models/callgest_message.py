from odoo import api, models

from .callgest_call_console import ROUTING_KEY


class CallgestMessage(models.Model):
    _inherit = "callgest.message"

    @api.model_create_multi
    def create(self, vals_list):
        """Within ``callgest.call.console.create_recado`` after a routing,
        the recado is for the routing's franchisee (``False``: the network)
        rather than for the DDI's professional."""
        routing_id = self.env.context.get(ROUTING_KEY)
        if not routing_id:
            return super().create(vals_list)
        routing = self.env["callgest.franchise.routing"].browse(routing_id)
        for vals in vals_list:
            vals["professional_id"] = routing.franchisee_id.id or False
        # the key is the console's, for this recado only
        return super(CallgestMessage, self.with_context(**{ROUTING_KEY: False})).create(
            vals_list
        )
