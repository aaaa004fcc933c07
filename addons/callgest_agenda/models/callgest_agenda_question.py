from odoo import fields, models


class CallgestAgendaQuestion(models.Model):
    _name = "callgest.agenda.question"
    _description = "CallGest agenda: a question asked when booking"
    _order = "sequence, id"

    type_id = fields.Many2one(
        "resource.booking.type", required=True, index=True, ondelete="cascade"
    )
    sequence = fields.Integer(default=10)
    name = fields.Char(string="Question", required=True, translate=True)
    required = fields.Boolean()
