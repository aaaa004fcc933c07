from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    callgest_answer_target_seconds = fields.Integer(
        string="Answer time target (s)",
        default=15,
        help="The average answer time promised to clients, in seconds: a "
        "client's month meets the target when its average is at most this.",
    )
    callgest_recording_retention_days = fields.Integer(
        string="Keep recordings (days)",
        default=30,
        help="Call recordings older than this are purged, unless the client "
        "has a retention period of its own.",
    )

    @api.constrains(
        "callgest_answer_target_seconds", "callgest_recording_retention_days"
    )
    def _check_callgest_quality_settings(self):
        for company in self:
            if company.callgest_answer_target_seconds < 0:
                raise ValidationError(_("The answer time target cannot be negative."))
            if company.callgest_recording_retention_days < 1:
                raise ValidationError(_("Keep the recordings for one day at least."))
