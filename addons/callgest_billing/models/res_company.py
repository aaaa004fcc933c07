from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    callgest_invoice_auto_post = fields.Boolean(
        string="Post CallGest invoices",
        help="The monthly invoicing posts the invoices it creates; otherwise "
        "they stay in draft for the accountants to review.",
    )
    callgest_invoice_journal_id = fields.Many2one(
        "account.journal",
        string="CallGest invoice journal",
        domain="[('type', '=', 'sale'), ('company_id', '=', id)]",
        help="Empty: the company's first sales journal.",
    )
    callgest_prepaid_warning_amount = fields.Monetary(
        string="Prepaid low balance warning at",
        currency_field="currency_id",
        default=10.0,
        help="The default amount at which a prepaid client is warned that "
        "the balance runs low.",
    )
