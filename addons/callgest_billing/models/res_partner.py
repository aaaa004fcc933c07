from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from ..tools import rating

# A client's prices, billing mode and balances are for those who bill and
# supervise; a secretary answering a call needs none of them (the console's
# notice of a stopped prepaid client comes from callgest.ddi._serve_decision).
BILLING_GROUPS = "callgest_base.group_callgest_supervisor,account.group_account_invoice"
# The one-off fees to invoice: for who invoices them and supervisors (the
# onboarding bridge, callgest_crm_billing, adds the salesmen who record them).
FEE_GROUPS = BILLING_GROUPS


class ResPartner(models.Model):
    _inherit = "res.partner"

    # The service settings below are per company of the provider
    # (company_dependent: one jsonb column keyed by company id, see
    # readme/DESCRIPTION.md): a client served by the Spanish and the Lisbon
    # company has a tariff, billing mode, prepaid account and pending fees in
    # each. Read and written in the company of the call, usage or invoicing
    # run (``with_company``); raw SQL writes go through
    # ``_callgest_set_usage_pending_since`` only.
    callgest_tariff_id = fields.Many2one(
        "callgest.tariff",
        string="Tariff",
        company_dependent=True,
        check_company=True,
        help="The client's own tariff; empty means the company's default one.",
        groups=BILLING_GROUPS,
    )
    callgest_effective_tariff_id = fields.Many2one(
        "callgest.tariff",
        string="Tariff applied",
        compute="_compute_callgest_effective_tariff_id",
        groups=BILLING_GROUPS,
    )
    callgest_billing_currency_id = fields.Many2one(
        "res.currency",
        string="Invoice currency",
        company_dependent=True,
        help="The currency the client is invoiced in; empty means the "
        "company's. Prices are converted with the company's currency rates.",
        groups=BILLING_GROUPS,
    )
    callgest_agenda_modules = fields.Integer(
        string="Agenda modules",
        company_dependent=True,
        help="Weekly half-day agenda modules the client subscribes to, billed "
        "monthly (capped by the tariff).",
        groups=BILLING_GROUPS,
    )
    callgest_own_sims = fields.Boolean(
        string="Own SIMs for transfers",
        company_dependent=True,
        help="The client supplied SIMs of its corporate mobile group for our "
        "mobile trunks: its transfers to mobiles are billed at the fixed "
        "transfer rate (its operator bills the mobile call).",
        groups=BILLING_GROUPS,
    )
    callgest_transfer_cap_seconds = fields.Integer(
        string="Transfer cap (s)",
        company_dependent=True,
        # fallback: the ir.default of data/ir_default_data.xml
        help="The most transfer time billed per call (10 minutes by default); "
        "the seconds beyond it are not billed and the call is flagged in the "
        "answer quality report. 0: no cap.",
        groups=BILLING_GROUPS,
    )
    callgest_usage_ids = fields.One2many(
        "callgest.usage",
        "partner_id",
        string="Rated usage",
        groups=BILLING_GROUPS,
    )
    callgest_usage_pending_since = fields.Char(
        string="Usage to invoice since",
        readonly=True,
        copy=False,
        company_dependent=True,
        help="The earliest month (YYYY-MM) with usage not invoiced yet; the "
        "monthly invoicing reads the client's usage from there.",
        groups=BILLING_GROUPS,
    )
    callgest_billing_mode = fields.Selection(
        [("postpaid", "Invoiced monthly"), ("prepaid", "Prepaid")],
        string="Billing mode",
        company_dependent=True,
        help="Prepaid: calls are paid from a balance recharged in advance "
        "(top-ups, bundles of calls), not invoiced monthly.",
        groups=BILLING_GROUPS,
    )
    callgest_prepaid_move_ids = fields.One2many(
        "callgest.prepaid.move",
        "partner_id",
        string="Prepaid account",
        groups=BILLING_GROUPS,
    )
    callgest_prepaid_balance = fields.Monetary(
        string="Prepaid balance",
        currency_field="currency_id",
        compute="_compute_callgest_prepaid_balance",
        groups=BILLING_GROUPS,
    )
    callgest_prepaid_calls_left = fields.Integer(
        string="Bundle calls left",
        compute="_compute_callgest_prepaid_balance",
        groups=BILLING_GROUPS,
    )
    callgest_prepaid_exhausted_behaviour = fields.Selection(
        [
            ("serve_and_bill_overage", "Keep serving, invoice the overage"),
            ("stop", "Stop serving"),
        ],
        string="When the balance is exhausted",
        company_dependent=True,
        help="Stop: calls are no longer answered (they ring out and appear "
        "in the daily missed-calls report) until the next recharge.",
        groups=BILLING_GROUPS,
    )
    # a Float: Odoo 18 has no company-dependent Monetary; its fallback in
    # each company is the company's setting (res.company keeps the ir.default)
    callgest_prepaid_warning_amount = fields.Float(
        string="Low balance warning at",
        company_dependent=True,
        help="The client is emailed when the balance drops to this amount "
        "while at most the calls below are left of its plan.",
        groups=BILLING_GROUPS,
    )
    callgest_prepaid_warning_calls = fields.Integer(
        string="Low balance warning at calls left",
        company_dependent=True,
        help="The client is emailed when at most this many calls of its plan "
        "are left while the balance is at most the amount above: warned "
        "while calls remain, before a client who stops is stopped.",
        groups=BILLING_GROUPS,
    )
    callgest_prepaid_warned = fields.Boolean(
        string="Low balance warned",
        copy=False,
        company_dependent=True,
        help="The warning was sent since the account last went above the "
        "warning thresholds: it is sent once each time it drops below them.",
        groups=BILLING_GROUPS,
    )
    callgest_prepaid_stopped = fields.Boolean(
        string="Stopped for balance",
        compute="_compute_callgest_prepaid_balance",
        groups=BILLING_GROUPS,
    )
    callgest_currency_id = fields.Many2one(
        "res.currency",
        string="Fee currency",
        compute="_compute_callgest_currency_id",
        help="Currency of the one-off fees: the company's.",
    )
    # Per company of the provider (company_dependent): a client onboarded by
    # two companies owes each its own fees. Floats: Odoo 18 has no
    # company-dependent Monetary (the form shows them as amounts).
    callgest_setup_fee_pending = fields.Float(
        string="Setup fee to invoice",
        company_dependent=True,
        copy=False,
        tracking=True,
        help="One-off setup fee recorded at onboarding, not invoiced yet. Billing "
        "invoices it once and clears it.",
        groups=FEE_GROUPS,
    )
    callgest_deposit_pending = fields.Float(
        string="Deposit to invoice",
        company_dependent=True,
        copy=False,
        tracking=True,
        help="Deposit (one month of billing, with a minimum) recorded at "
        "onboarding, not invoiced yet. Billing invoices it once and clears it.",
        groups=FEE_GROUPS,
    )
    callgest_fees_pending_date = fields.Date(
        string="Fees recorded on",
        company_dependent=True,
        copy=False,
        tracking=True,
        help="When the setup fee and deposit to invoice were recorded.",
        groups=FEE_GROUPS,
    )
    callgest_deposit_invoice_ids = fields.Many2many(
        "account.move",
        string="Deposit invoices",
        compute="_compute_callgest_deposit",
        groups="account.group_account_invoice",
        help="The posted invoices of the client's deposit.",
    )
    callgest_deposit_held = fields.Monetary(
        string="Deposit held",
        currency_field="callgest_currency_id",
        compute="_compute_callgest_deposit",
        help="The deposit invoiced to the client and not yet returned or offset.",
        groups=BILLING_GROUPS,
    )

    def init(self):
        result = super().init()
        # The one writer of a company-dependent column in SQL: the cursor of
        # the usage each client has to invoice in each company. The invoicing
        # and the rating call it through _callgest_set_usage_pending_since,
        # the usage link's trigger (an invoice line deleted) directly.
        self.env.cr.execute(
            """CREATE OR REPLACE FUNCTION callgest_set_usage_pending_since(
                   partner_ids int[], company_ids int[], periods varchar[],
                   lower_only bool)
               RETURNS void LANGUAGE sql AS $$
                   UPDATE res_partner partner
                      SET callgest_usage_pending_since = NULLIF(
                              (COALESCE(partner.callgest_usage_pending_since,
                                        '{}'::jsonb) - pending.cleared)
                              || pending.since, '{}'::jsonb)
                     FROM (SELECT new.partner_id,
                                  COALESCE(jsonb_object_agg(
                                      new.company_id::text, new.period)
                                      FILTER (WHERE new.period IS NOT NULL),
                                      '{}'::jsonb) AS since,
                                  COALESCE(array_agg(new.company_id::text)
                                      FILTER (WHERE new.period IS NULL),
                                      '{}'::text[]) AS cleared
                             FROM unnest(partner_ids, company_ids, periods)
                                  AS new(partner_id, company_id, period)
                             JOIN res_partner old ON old.id = new.partner_id
                            WHERE NOT lower_only
                               OR new.period < COALESCE(
                                      old.callgest_usage_pending_since
                                      ->> new.company_id::text, '9999')
                         GROUP BY new.partner_id) AS pending
                    WHERE partner.id = pending.partner_id
               $$"""
        )
        return result

    @api.model
    def _callgest_set_usage_pending_since(self, pending, lower_only=False):
        """The documented bulk writer of the company-dependent
        ``callgest_usage_pending_since``: ``pending`` is ``{(client id,
        company id): 'YYYY-MM' or None}`` (None: nothing left to invoice in
        that company); ``lower_only`` keeps a cursor already earlier. One
        UPDATE of the jsonb column, whatever the number of clients; the other
        companies' keys are left as they are."""
        if not pending:
            return
        self.flush_model(["callgest_usage_pending_since"])
        keys = list(pending)
        self.env.cr.execute(
            SQL(
                "SELECT callgest_set_usage_pending_since("
                "%s::int[], %s::int[], %s::varchar[], %s)",
                [partner_id for partner_id, _company_id in keys],
                [company_id for _partner_id, company_id in keys],
                [pending[key] for key in keys],
                bool(lower_only),
            )
        )
        self.invalidate_model(["callgest_usage_pending_since"])

    @api.constrains("callgest_tariff_id")
    def _check_callgest_tariff_company(self):
        """A client's tariff in a company is one of that company's (the
        company-dependent check of ``check_company``: res.partner has no
        ``_check_company_auto``)."""
        self._check_company(["callgest_tariff_id"])

    @api.constrains("callgest_transfer_cap_seconds")
    def _check_callgest_transfer_cap_seconds(self):
        if any(partner.callgest_transfer_cap_seconds < 0 for partner in self):
            raise ValidationError(
                _("The transfer cap is a number of seconds, 0 or more.")
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
        """The pending fees were invoiced."""
        self.write(
            {
                "callgest_setup_fee_pending": 0.0,
                "callgest_deposit_pending": 0.0,
                "callgest_fees_pending_date": False,
            }
        )

    @api.depends("callgest_tariff_id")
    @api.depends_context("company")
    def _compute_callgest_effective_tariff_id(self):
        default = self.env["callgest.tariff"]._find_default(self.env.company)
        for partner in self:
            partner.callgest_effective_tariff_id = partner.callgest_tariff_id or default

    @api.depends_context("company")
    def _compute_callgest_deposit(self):
        """Posted deposit lines, read as superuser: supervisors settle the
        deposit without access to accounting. Invoiced minus credited, in the
        company's currency."""
        deposit_product = self.env.ref(
            "callgest_billing.product_deposit", raise_if_not_found=False
        )
        lines = self.env["account.move.line"]
        if deposit_product and self.ids:
            lines = (
                self.env["account.move.line"]
                .sudo()
                .search(
                    [
                        ("product_id", "=", deposit_product.id),
                        ("parent_state", "=", "posted"),
                        ("move_id.move_type", "in", ("out_invoice", "out_refund")),
                        ("partner_id", "in", self.commercial_partner_id.ids),
                        ("company_id", "=", self.env.company.id),
                    ]
                )
            )
        for partner in self:
            own = lines.filtered(
                lambda line, partner=partner: (
                    line.partner_id == partner.commercial_partner_id
                )
            )
            partner.callgest_deposit_invoice_ids = own.move_id.filtered(
                lambda move: move.move_type == "out_invoice"
            )
            partner.callgest_deposit_held = -sum(own.mapped("balance"))

    def _callgest_deposit_invoices_to_settle(self):
        """The posted deposit invoices that no credit note reverses yet."""
        self.ensure_one()
        self._callgest_invalidate_deposit()
        return self.sudo().callgest_deposit_invoice_ids.filtered(
            lambda move: (
                not move.reversal_move_ids.filtered(
                    lambda reversal: reversal.state != "cancel"
                )
            )
        )

    def _callgest_invalidate_deposit(self):
        """The deposit is computed from accounting: read it again."""
        self.invalidate_recordset(
            ["callgest_deposit_invoice_ids", "callgest_deposit_held"]
        )

    def _callgest_invoice_currency(self, company):
        """The invoice currency: the partner's own, else its company's (a
        professional of a collective), else the company's."""
        self.ensure_one()
        partner = self.with_company(company)
        return (
            partner.callgest_billing_currency_id
            or partner.commercial_partner_id.callgest_billing_currency_id
            or partner.parent_id.callgest_billing_currency_id
            or company.currency_id
        )

    @api.depends(
        "callgest_billing_mode",
        "callgest_prepaid_exhausted_behaviour",
        "callgest_prepaid_move_ids.amount",
        "callgest_prepaid_move_ids.calls",
    )
    @api.depends_context("company")
    def _compute_callgest_prepaid_balance(self):
        """The account of the client with the current company."""
        groups = (
            self.env["callgest.prepaid.move"]
            .sudo()
            ._read_group(
                [
                    ("partner_id", "in", self.ids),
                    ("company_id", "=", self.env.company.id),
                ],
                ["partner_id"],
                ["amount:sum", "calls:sum"],
            )
        )
        totals = {
            partner.id: (amount or 0.0, calls or 0) for partner, amount, calls in groups
        }
        for partner in self:
            amount, calls = totals.get(partner.id, (0.0, 0))
            partner.callgest_prepaid_balance = amount
            partner.callgest_prepaid_calls_left = calls
            partner.callgest_prepaid_stopped = (
                partner._callgest_prepaid_stops()
                and calls <= 0
                and partner.currency_id.compare_amounts(amount, 0) <= 0
            )

    def _callgest_prepaid_stops(self):
        """A prepaid client who chose to be stopped once its balance is
        exhausted (whatever its balance now): read without the balance."""
        self.ensure_one()
        return (
            self.callgest_billing_mode == "prepaid"
            and self.callgest_prepaid_exhausted_behaviour == "stop"
        )

    def _callgest_prepaid_running_low(self):
        self.ensure_one()
        return rating.prepaid_running_low(
            self.callgest_prepaid_calls_left,
            rating.round_money(
                rating.as_decimal(self.callgest_prepaid_balance),
                rating.as_decimal(self.currency_id.rounding),
            ),
            self.callgest_prepaid_warning_calls,
            rating.as_decimal(self.callgest_prepaid_warning_amount),
        )

    def _callgest_prepaid_check_warning(self):
        """After the account changed: email the prepaid clients whose account
        has just run low (``rating.prepaid_running_low``), once per crossing;
        the warning is re-armed when the account goes back above it."""
        template = self.env.ref("callgest_billing.mail_template_prepaid_low_balance")
        partners = self.sudo().filtered(
            lambda partner: partner.callgest_billing_mode == "prepaid"
        )
        partners.invalidate_recordset(
            ["callgest_prepaid_balance", "callgest_prepaid_calls_left"]
        )
        for partner in partners:
            low = partner._callgest_prepaid_running_low()
            if low and not partner.callgest_prepaid_warned:
                template.send_mail(partner.id)
                partner.callgest_prepaid_warned = True
            elif not low and partner.callgest_prepaid_warned:
                partner.callgest_prepaid_warned = False

    def _callgest_prepaid_offers(self):
        """What the client can buy to go on being served: the plans (bundles
        of calls), then the top-ups, cheapest first."""
        self.ensure_one()
        products = (
            self.env["product.product"]
            .sudo()
            .search(
                [
                    ("callgest_prepaid_recharge", "=", True),
                    ("sale_ok", "=", True),
                    (
                        "company_id",
                        "in",
                        ((self.company_id or self.env.company).id, False),
                    ),
                ]
            )
        )
        return products.sorted(
            lambda product: (not product.callgest_prepaid_calls, product.list_price)
        )
