from odoo import api, fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    callgest_currency_id = fields.Many2one(
        "res.currency",
        string="Fee currency",
        compute="_compute_callgest_currency_id",
        help="Currency of the one-off fees: the company's.",
    )
    callgest_setup_fee_pending = fields.Monetary(
        string="Setup fee to invoice",
        currency_field="callgest_currency_id",
        copy=False,
        tracking=True,
        help="One-off setup fee recorded at onboarding, not invoiced yet. Billing "
        "invoices it once and clears it.",
    )
    callgest_deposit_pending = fields.Monetary(
        string="Deposit to invoice",
        currency_field="callgest_currency_id",
        copy=False,
        tracking=True,
        help="Deposit (one month of billing, with a minimum) recorded at "
        "onboarding, not invoiced yet. Billing invoices it once and clears it.",
    )
    callgest_fees_pending_date = fields.Date(
        string="Fees recorded on",
        copy=False,
        tracking=True,
        help="When the setup fee and deposit to invoice were recorded.",
    )

    @api.depends("company_id")
    @api.depends_context("company")
    def _compute_callgest_currency_id(self):
        for partner in self:
            partner.callgest_currency_id = (
                partner.company_id.currency_id or self.env.company.currency_id
            )

    def _callgest_add_pending_fees(self, setup_fee, deposit):
        """Record one-off amounts to invoice, added to those not invoiced yet."""
        today = fields.Date.context_today(self)
        for partner in self:
            partner.write(
                {
                    "callgest_setup_fee_pending": partner.callgest_setup_fee_pending
                    + setup_fee,
                    "callgest_deposit_pending": partner.callgest_deposit_pending
                    + deposit,
                    "callgest_fees_pending_date": today,
                }
            )

    def _callgest_clear_pending_fees(self):
        """For billing: the pending fees were invoiced."""
        self.write(
            {
                "callgest_setup_fee_pending": 0.0,
                "callgest_deposit_pending": 0.0,
                "callgest_fees_pending_date": False,
            }
        )
