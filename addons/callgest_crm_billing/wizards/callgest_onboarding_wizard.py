import logging

from odoo import Command, _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import format_amount

from odoo.addons.callgest_billing.tools import rating

_logger = logging.getLogger(__name__)

DEPOSIT_ACCOUNT_CODE = "CGDEP"
# The seed's tariff, in euros, for a company without a default tariff yet: a
# one-off setup fee ("alta") and a deposit of one month of billing, with a
# minimum.
SETUP_FEE_EUR = 95.0
DEPOSIT_MINIMUM_EUR = 60.0


class CallgestOnboardingWizard(models.TransientModel):
    """Onboarding records the setup fee to invoice and invoices the client's
    deposit, held as a liability."""

    _inherit = "callgest.onboarding.wizard"

    currency_id = fields.Many2one(related="company_id.currency_id")
    setup_fee = fields.Monetary(
        compute="_compute_amounts",
        store=True,
        readonly=False,
        precompute=True,
        help="One-off setup fee, invoiced later by billing.",
    )
    deposit = fields.Monetary(
        compute="_compute_amounts",
        store=True,
        readonly=False,
        precompute=True,
        help="One month of billing, at least the minimum deposit. Invoiced and "
        "posted when the client is onboarded, held until the service ends.",
    )
    deposit_minimum = fields.Monetary(
        string="Minimum deposit", compute="_compute_deposit_minimum"
    )

    @api.depends("company_id")
    def _compute_amounts(self):
        for wizard in self:
            wizard.setup_fee, wizard.deposit = wizard._callgest_tariff()

    @api.depends("company_id")
    def _compute_deposit_minimum(self):
        for wizard in self:
            wizard.deposit_minimum = wizard._callgest_tariff()[1]

    @api.constrains("setup_fee", "deposit")
    def _check_amounts(self):
        for wizard in self:
            currency = wizard.currency_id
            if currency.compare_amounts(wizard.setup_fee, 0.0) < 0:
                raise ValidationError(_("The setup fee cannot be negative."))
            minimum = wizard._callgest_tariff()[1]
            if currency.compare_amounts(wizard.deposit, minimum) < 0:
                raise ValidationError(
                    _(
                        "The deposit is one month of billing, at least %(minimum)s: "
                        "%(deposit)s is too little.",
                        minimum=format_amount(self.env, minimum, currency),
                        deposit=format_amount(self.env, wizard.deposit, currency),
                    )
                )

    def _callgest_tariff(self):
        """(setup fee, minimum deposit) from the company's default tariff: its
        setup rate and its monthly minimum, in the company's currency (the
        seed's figures, in euros, where the company has no tariff yet)."""
        self.ensure_one()
        company = self.company_id or self.env.company
        today = fields.Date.context_today(self)
        tariff = self.env["callgest.tariff"].sudo()._find_default(company)
        if not tariff:
            euro = self.env.ref("base.EUR")
            return tuple(
                euro._convert(amount, company.currency_id, company, today)
                for amount in (SETUP_FEE_EUR, DEPOSIT_MINIMUM_EUR)
            )
        prices = {rate.usage: rate.price for rate in tariff.rate_ids}
        return tuple(
            tariff.currency_id._convert(
                prices.get(usage, 0.0), company.currency_id, company, today
            )
            for usage in (rating.SETUP_FEE, rating.MINIMUM)
        )

    def _callgest_onboarded(self, client):
        result = super()._callgest_onboarded(client)
        # the fees are owed to the company that onboards (company-dependent)
        client.with_company(self.company_id)._callgest_add_pending_fees(
            self.setup_fee, self.deposit
        )
        return result

    def _callgest_onboarding_note_more(self):
        currency = self.currency_id
        return [
            *super()._callgest_onboarding_note_more(),
            _(
                "To invoice: setup fee %(setup_fee)s, deposit %(deposit)s.",
                setup_fee=format_amount(self.env, self.setup_fee, currency),
                deposit=format_amount(self.env, self.deposit, currency),
            ),
        ]

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
        company = self.company_id
        # the deposit recorded in the company that onboards (company-dependent)
        client = client.sudo().with_company(company)
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
