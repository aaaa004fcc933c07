from odoo import api, models


class ResourceCalendarLeaves(models.Model):
    """The screen pop caches each calendar's hours and holidays
    (``callgest.protocol._calendar_schedule``): a change of a holiday (a
    leave of no resource) clears it; a leave of one resource does not."""

    _inherit = "resource.calendar.leaves"

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        if any(not vals.get("resource_id") for vals in vals_list):
            self.env.registry.clear_cache()
        return records

    def write(self, vals):
        holidays = "resource_id" in vals or any(not leave.resource_id for leave in self)
        result = super().write(vals)
        if holidays:
            self.env.registry.clear_cache()
        return result

    def unlink(self):
        holidays = any(not leave.resource_id for leave in self)
        result = super().unlink()
        if holidays:
            self.env.registry.clear_cache()
        return result
