from odoo import api, fields, models

from ..tools import rating


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
        default=float(rating.PREPAID_WARNING_AMOUNT),
        help="The default amount at which a prepaid client is warned that "
        "the balance runs low (with at most the calls left below).",
    )
    callgest_prepaid_warning_calls = fields.Integer(
        string="Prepaid low balance warning at calls left",
        default=rating.PREPAID_WARNING_CALLS,
        help="The default number of plan calls left at which a prepaid "
        "client is warned (with at most the balance above).",
    )

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        companies._callgest_set_prepaid_warning_defaults()
        return companies

    def write(self, vals):
        result = super().write(vals)
        if {"callgest_prepaid_warning_amount", "callgest_prepaid_warning_calls"} & (
            set(vals)
        ):
            self._callgest_set_prepaid_warning_defaults()
        return result

    @api.model
    def _callgest_set_prepaid_warning_defaults(self):
        """The company's thresholds are the fallback of its clients' own
        (the company-dependent fields of res.partner): a client without
        thresholds of its own in a company is warned at the company's."""
        Default = self.env["ir.default"].sudo()
        for company in self or self.sudo().search([]):
            for fname in (
                "callgest_prepaid_warning_amount",
                "callgest_prepaid_warning_calls",
            ):
                Default.set("res.partner", fname, company[fname], company_id=company.id)
