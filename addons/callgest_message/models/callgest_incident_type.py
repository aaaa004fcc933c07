from odoo import fields, models


class CallgestIncidentType(models.Model):
    """A kind of incident; each client has its own list, plus shared ones."""

    _name = "callgest.incident.type"
    _description = "CallGest incident type"
    _order = "sequence, name"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    partner_id = fields.Many2one(
        "res.partner",
        string="Client",
        index=True,
        ondelete="cascade",
        domain=[("is_callgest_client", "=", True)],
        help="Leave empty for a type every client can use.",
    )
    default_priority = fields.Selection(
        [
            ("low", "Low"),
            ("normal", "Normal"),
            ("high", "High"),
            ("critical", "Critical"),
        ],
        default="normal",
        required=True,
    )
    company_id = fields.Many2one(related="partner_id.company_id", store=True)
    active = fields.Boolean(default=True)
