from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    callgest_answer_target_seconds = fields.Integer(
        related="company_id.callgest_answer_target_seconds", readonly=False
    )
    callgest_recording_retention_days = fields.Integer(
        related="company_id.callgest_recording_retention_days", readonly=False
    )
    callgest_recording_dir = fields.Char(
        string="Recordings directory",
        config_parameter="callgest_voip.recording_dir",
        help="Directory of the recording files on this server. When a call's "
        "recording is a file in it, the purge deletes the file; a URL, or a "
        "file elsewhere, is only forgotten.",
    )
