from odoo import fields, models


class CallgestMessageCategory(models.Model):
    _name = "callgest.message.category"
    _description = "CallGest message category"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, index=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("code_uniq", "unique(code)", "A category code must be unique."),
    ]
