from odoo import fields, models


class CallgestPbxExtension(models.Model):
    """The user who answers on a PBX extension (the call's agent)."""

    _name = "callgest.pbx.extension"
    _description = "CallGest PBX agent extension"
    _order = "pbx_id, extension"
    _rec_name = "extension"

    pbx_id = fields.Many2one("callgest.pbx", required=True, ondelete="cascade")
    extension = fields.Char(
        required=True, help="As the PBX writes it: 301, or SIP/301, or Agent/1001."
    )
    user_id = fields.Many2one("res.users", string="Agent", required=True)

    _sql_constraints = [
        (
            "extension_uniq",
            "unique(pbx_id, extension)",
            "This extension is already mapped on this PBX.",
        ),
    ]
