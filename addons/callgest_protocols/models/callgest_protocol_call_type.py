from odoo import fields, models

CALL_TYPE_ACTIONS = [
    ("message", "Take a recado"),
    ("incident", "Open an incidencia"),
    ("appointment", "Offer an appointment"),
    ("transfer", "Transfer"),
]


class CallgestProtocolCallType(models.Model):
    """A kind of call a version expects (order, fault, appointment...)."""

    _name = "callgest.protocol.call.type"
    _description = "CallGest protocol call type"
    _order = "version_id, sequence, id"

    version_id = fields.Many2one(
        "callgest.protocol.version", required=True, index=True, ondelete="cascade"
    )
    sequence = fields.Integer(default=10)
    name = fields.Char(required=True)
    instructions = fields.Html()
    action = fields.Selection(CALL_TYPE_ACTIONS, required=True, default="message")
    message_category_code = fields.Char(
        string="Recado category code",
        help="Code of the recado category to take, e.g. order or appointment.",
    )
    question_ids = fields.One2many(
        "callgest.protocol.question",
        "call_type_id",
        string="Questions",
        copy=True,
    )
