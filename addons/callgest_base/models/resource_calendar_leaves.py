from odoo import fields, models


class ResourceCalendarLeaves(models.Model):
    _inherit = "resource.calendar.leaves"

    callgest_holiday_scope = fields.Selection(
        [
            ("national", "National"),
            ("regional", "Regional"),
            ("local", "Local"),
        ],
        string="Holiday scope",
        help="Public holiday of the client's country, region or town. The "
        "answering service closes for the client on these days.",
    )
