from odoo import api, models


class CallgestUsage(models.Model):
    _inherit = "callgest.usage"

    @api.model
    def _rate_calls(self, calls):
        """A network's call is first given the franchisee it was routed to
        (its professional), then rated: its usage is that franchisee's."""
        calls.sudo()._callgest_franchise_assign()
        return super()._rate_calls(calls)
