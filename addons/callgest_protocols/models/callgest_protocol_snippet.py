from odoo import fields, models


class CallgestProtocolSnippet(models.Model):
    """A predefined text a secretary can email to a caller."""

    _name = "callgest.protocol.snippet"
    _description = "CallGest protocol snippet"
    _order = "version_id, sequence, id"

    version_id = fields.Many2one(
        "callgest.protocol.version", required=True, index=True, ondelete="cascade"
    )
    sequence = fields.Integer(default=10)
    name = fields.Char(required=True)
    body = fields.Text(required=True)
