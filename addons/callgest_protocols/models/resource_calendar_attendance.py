from odoo import api, models


class ResourceCalendarAttendance(models.Model):
    """The screen pop caches each calendar's hours and holidays
    (``callgest.protocol._calendar_schedule``): any change clears it."""

    _inherit = "resource.calendar.attendance"

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        self.env.registry.clear_cache()
        return records

    def write(self, vals):
        result = super().write(vals)
        self.env.registry.clear_cache()
        return result

    def unlink(self):
        result = super().unlink()
        self.env.registry.clear_cache()
        return result
