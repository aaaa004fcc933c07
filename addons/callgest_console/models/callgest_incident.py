from odoo import fields, models


class CallgestIncident(models.Model):
    _inherit = "callgest.incident"

    callgest_answers = fields.Text(
        string="Answers",
        help="The answers to the questions of the call type, one per line.",
    )
