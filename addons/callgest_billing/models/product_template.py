from odoo import fields, models


class ProductTemplate(models.Model):
    _inherit = "product.template"

    callgest_prepaid_recharge = fields.Boolean(
        string="CallGest prepaid recharge",
        help="When a customer invoice of this product is paid, the client's "
        "prepaid account is credited: with the bundle calls below, or else "
        "with the untaxed amount of the line.",
    )
    callgest_prepaid_calls = fields.Integer(
        string="Bundle calls",
        help="Calls credited per unit sold; 0 for a money top-up.",
    )
