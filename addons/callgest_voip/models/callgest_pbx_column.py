from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

COLUMN_FIELDS = [
    ("start", "Start"),
    ("answer", "Answer"),
    ("end", "End"),
    ("duration", "Duration (s)"),
    ("billsec", "Talk time (s)"),
    ("disposition", "Disposition"),
    ("src", "Caller number"),
    ("clid", "Caller name"),
    ("dst", "Called number (DDI)"),
    ("uniqueid", "Unique id"),
    ("linkedid", "Linked id"),
    ("sequence", "Sequence"),
    ("channel", "Channel"),
    ("dstchannel", "Destination channel"),
    ("lastapp", "Last application"),
    ("accountcode", "Account code"),
    ("userfield", "User field"),
    ("dcontext", "Context"),
]


class CallgestPbxColumn(models.Model):
    """One value of the generic CSV format: the column it is read from."""

    _name = "callgest.pbx.column"
    _description = "CallGest PBX column mapping"
    _order = "pbx_id, id"

    pbx_id = fields.Many2one("callgest.pbx", required=True, ondelete="cascade")
    field_name = fields.Selection(COLUMN_FIELDS, string="Value", required=True)
    source_column = fields.Char(
        required=True,
        help="The column's header name, or its position counted from 0.",
    )

    _sql_constraints = [
        (
            "field_uniq",
            "unique(pbx_id, field_name)",
            "Each value can be mapped to one column only.",
        ),
    ]

    @api.constrains("source_column")
    def _check_source_column(self):
        for column in self:
            if not column.source_column.strip():
                raise ValidationError(_("A mapped column needs a name or position."))

    def _source(self):
        """The header name, or the 0-based position when it is a number."""
        self.ensure_one()
        source = self.source_column.strip()
        return int(source) if source.isdigit() else source
