import logging

from odoo import Command, _, api, fields, models
from odoo.tools import format_amount

from ..tools import rating

_logger = logging.getLogger(__name__)

DEPOSIT_ACCOUNT_CODE = "CGDEP"


class CallgestOnboardingWizard(models.TransientModel):
    """Onboarding also invoices the client's deposit, held as a liability."""

    _inherit = "callgest.onboarding.wizard"

    deposit = fields.Monetary(
        help="One month of billing, at least the minimum deposit. Invoiced and "
        "posted when the client is onboarded, held until the service ends."
    )

    def _callgest_tariff(self):
        """(setup fee, minimum deposit) from the company's default tariff: its
        setup rate and its monthly minimum, in the company's currency (the
        seed's figures where the company has no tariff yet)."""
        self.ensure_one()
        company = self.company_id or self.env.company
        tariff = self.env["callgest.tariff"].sudo()._find_default(company)
        if not tariff:
            return super()._callgest_tariff()
        prices = {rate.usage: rate.price for rate in tariff.rate_ids}
        today = fields.Date.context_today(self)
        return tuple(
            tariff.currency_id._convert(
                prices.get(usage, 0.0), company.currency_id, company, today
            )
            for usage in (rating.SETUP_FEE, rating.MINIMUM)
        )

    def action_onboard(self):
        result = super().action_onboard()
        self._callgest_invoice_deposit(self.lead_id.partner_id)
        return result

    def _callgest_invoice_deposit(self, client):
        """Invoice and post the deposit recorded on ``client``, then clear it.

        Salesmen onboard clients without access to accounting: the invoice is
        made as superuser, as the onboarding itself.
        """
        self.ensure_one()
        client = client.sudo()
        company = self.company_id
        journal = self._callgest_deposit_journal(company)
        if not journal:
            # no chart of accounts yet: the deposit stays on the client's form
            # as a deposit to invoice
            _logger.info(
                "CallGest: deposit of %s not invoiced, %s has no sales journal",
                client.display_name,
                company.display_name,
            )
            return self.env["account.move"]
        currency = company.currency_id
        minimum = self._callgest_tariff()[1]
        amount = max(client.callgest_deposit_pending, minimum)
        product = self._callgest_deposit_product(company)
        account = product.with_company(company).property_account_income_id
        vals = {
            "move_type": "out_invoice",
            "partner_id": client.commercial_partner_id.id,
            "company_id": company.id,
            "currency_id": currency.id,
            "invoice_date": fields.Date.context_today(self),
            "invoice_origin": self.lead_id.name,
            "journal_id": journal.id,
            "invoice_line_ids": [
                Command.create(
                    {
                        "product_id": product.id,
                        "name": _(
                            "Deposit of the answering service (one month of billing)"
                        ),
                        "quantity": 1.0,
                        "price_unit": amount,
                        "account_id": account.id,
                        "tax_ids": [Command.clear()],
                    }
                )
            ],
        }
        invoice = (
            self.env["account.move"]
            .sudo()
            .with_company(company)
            .with_context(default_move_type="out_invoice")
            .create(vals)
        )
        invoice.action_post()
        client.write({"callgest_deposit_pending": 0.0})
        client._callgest_invalidate_deposit()
        client.message_post(
            body=_(
                "Deposit of %(amount)s invoiced: %(invoice)s.",
                amount=format_amount(self.env, amount, currency),
                invoice=invoice._get_html_link(),
            ),
            subtype_xmlid="mail.mt_note",
        )
        return invoice

    @api.model
    def _callgest_deposit_journal(self, company):
        return company.callgest_invoice_journal_id or self.env[
            "account.journal"
        ].sudo().search(
            [
                *self.env["account.journal"]._check_company_domain(company),
                ("type", "=", "sale"),
            ],
            limit=1,
        )

    @api.model
    def _callgest_deposit_product(self, company):
        """The deposit product, its income account in ``company`` a liability
        (created the first time: charts of accounts differ)."""
        product = self.env.ref("callgest_billing.product_deposit").sudo()
        product_in_company = product.with_company(company)
        account = product_in_company.property_account_income_id
        if not account or account.account_type != "liability_current":
            product_in_company.property_account_income_id = (
                self._callgest_deposit_account(company)
            )
        return product

    @api.model
    def _callgest_deposit_account(self, company):
        Account = self.env["account.account"].sudo().with_company(company)
        domain = Account._check_company_domain(company)
        account = Account.search(
            [*domain, ("code", "=", DEPOSIT_ACCOUNT_CODE)], limit=1
        ) or Account.search(
            [
                *domain,
                ("account_type", "=", "liability_current"),
                ("name", "=ilike", "Customer deposits"),
            ],
            limit=1,
        )
        if not account:
            account = Account.create(
                {
                    "name": _("Customer deposits"),
                    "code": DEPOSIT_ACCOUNT_CODE,
                    "account_type": "liability_current",
                    "company_ids": [Command.link(company.id)],
                }
            )
        return account
