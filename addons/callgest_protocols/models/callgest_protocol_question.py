from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

QUESTION_FIELD_TYPES = [
    ("text", "Text"),
    ("phone", "Phone"),
    ("email", "Email"),
    ("date", "Date"),
    ("selection", "Selection"),
]


def split_options(text):
    """The options of a selection question, from their comma-separated text."""
    return [option.strip() for option in (text or "").split(",") if option.strip()]


class CallgestProtocolQuestion(models.Model):
    """A question the secretary asks for a call type."""

    _name = "callgest.protocol.question"
    _description = "CallGest protocol question"
    _order = "call_type_id, sequence, id"
    _rec_name = "label"

    call_type_id = fields.Many2one(
        "callgest.protocol.call.type", required=True, index=True, ondelete="cascade"
    )
    sequence = fields.Integer(default=10)
    label = fields.Char(required=True)
    field_type = fields.Selection(
        QUESTION_FIELD_TYPES, string="Answer type", required=True, default="text"
    )
    selection_options = fields.Char(
        string="Options", help="The possible answers, separated by commas."
    )
    required = fields.Boolean()

    def _options(self):
        """The options of a selection question, as a list."""
        self.ensure_one()
        return split_options(self.selection_options)

    @api.constrains("field_type", "selection_options")
    def _check_selection_options(self):
        for question in self:
            if question.field_type == "selection" and not question._options():
                raise ValidationError(
                    _(
                        "The question %(label)s is a selection: write its options, "
                        "separated by commas.",
                        label=question.label,
                    )
                )
