from odoo import api, models


class CallgestBillableEvent(models.Model):
    _inherit = "callgest.billable.event"

    @api.model_create_multi
    def create(self, vals_list):
        events = super().create(vals_list)
        self.env["callgest.usage"]._rate_events(events)
        return events
