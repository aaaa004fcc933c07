from odoo import fields, models


class CallgestMessage(models.Model):
    _inherit = "callgest.message"

    callgest_answers = fields.Text(
        string="Answers",
        help="The answers to the questions of the call type, one per line.",
    )
