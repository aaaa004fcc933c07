from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    callgest_invoice_auto_post = fields.Boolean(
        related="company_id.callgest_invoice_auto_post", readonly=False
    )
    callgest_invoice_journal_id = fields.Many2one(
        related="company_id.callgest_invoice_journal_id", readonly=False
    )
    callgest_prepaid_warning_amount = fields.Monetary(
        related="company_id.callgest_prepaid_warning_amount", readonly=False
    )
    callgest_prepaid_warning_calls = fields.Integer(
        related="company_id.callgest_prepaid_warning_calls", readonly=False
    )
