from odoo import api, fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    callgest_tariff_id = fields.Many2one(
        "callgest.tariff",
        string="Tariff",
        help="The client's own tariff; empty means the company's default one.",
    )
    callgest_effective_tariff_id = fields.Many2one(
        "callgest.tariff",
        string="Tariff applied",
        compute="_compute_callgest_effective_tariff_id",
    )
    callgest_billing_currency_id = fields.Many2one(
        "res.currency",
        string="Invoice currency",
        help="The currency the client is invoiced in; empty means the "
        "company's. Prices are converted with the company's currency rates.",
    )
    callgest_agenda_modules = fields.Integer(
        string="Agenda modules",
        help="Weekly half-day agenda modules the client subscribes to, billed "
        "monthly (capped by the tariff).",
    )
    callgest_usage_ids = fields.One2many(
        "callgest.usage", "partner_id", string="Rated usage"
    )
    callgest_usage_pending_since = fields.Char(
        string="Usage to invoice since",
        readonly=True,
        copy=False,
        help="The earliest month (YYYY-MM) with usage not invoiced yet; the "
        "monthly invoicing reads the client's usage from there.",
    )
    callgest_billing_mode = fields.Selection(
        [("postpaid", "Invoiced monthly"), ("prepaid", "Prepaid")],
        string="Billing mode",
        default="postpaid",
        required=True,
        help="Prepaid: calls are paid from a balance recharged in advance "
        "(top-ups, bundles of calls), not invoiced monthly.",
    )
    callgest_prepaid_move_ids = fields.One2many(
        "callgest.prepaid.move", "partner_id", string="Prepaid account"
    )
    callgest_prepaid_balance = fields.Monetary(
        string="Prepaid balance",
        currency_field="currency_id",
        compute="_compute_callgest_prepaid_balance",
    )
    callgest_prepaid_calls_left = fields.Integer(
        string="Bundle calls left", compute="_compute_callgest_prepaid_balance"
    )
    callgest_prepaid_exhausted_behaviour = fields.Selection(
        [
            ("serve_and_bill_overage", "Keep serving, invoice the overage"),
            ("stop", "Stop serving"),
        ],
        string="When the balance is exhausted",
        default="serve_and_bill_overage",
        required=True,
        help="Stop: calls are no longer answered (they ring out and appear "
        "in the daily missed-calls report) until the next recharge.",
    )
    callgest_prepaid_warning_amount = fields.Monetary(
        string="Low balance warning at",
        currency_field="currency_id",
        default=lambda self: self.env.company.callgest_prepaid_warning_amount,
        help="The client is emailed once when the balance drops to this "
        "amount and no bundle calls are left.",
    )
    callgest_prepaid_warned = fields.Boolean(
        string="Low balance warned",
        copy=False,
        help="The warning was sent since the last recharge.",
    )
    callgest_prepaid_stopped = fields.Boolean(
        string="Stopped for balance", compute="_compute_callgest_prepaid_balance"
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
        groups="account.group_account_invoice,callgest_base.group_callgest_supervisor",
        help="The deposit invoiced to the client and not yet returned or offset.",
    )

    @api.depends("callgest_tariff_id", "company_id")
    def _compute_callgest_effective_tariff_id(self):
        Tariff = self.env["callgest.tariff"]
        for partner in self:
            company = partner.company_id or self.env.company
            partner.callgest_effective_tariff_id = (
                partner.callgest_tariff_id or Tariff._find_default(company)
            )

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
        return (
            self.callgest_billing_currency_id
            or self.commercial_partner_id.callgest_billing_currency_id
            or self.parent_id.callgest_billing_currency_id
            or company.currency_id
        )

    @api.depends(
        "callgest_billing_mode",
        "callgest_prepaid_exhausted_behaviour",
        "callgest_prepaid_move_ids.amount",
        "callgest_prepaid_move_ids.calls",
    )
    def _compute_callgest_prepaid_balance(self):
        groups = (
            self.env["callgest.prepaid.move"]
            .sudo()
            ._read_group(
                [("partner_id", "in", self.ids)],
                ["partner_id"],
                ["amount:sum", "calls:sum"],
            )
        )
        totals = {partner.id: (amount, calls) for partner, amount, calls in groups}
        for partner in self:
            amount, calls = totals.get(partner.id, (0.0, 0))
            partner.callgest_prepaid_balance = amount
            partner.callgest_prepaid_calls_left = calls
            partner.callgest_prepaid_stopped = (
                partner.callgest_billing_mode == "prepaid"
                and partner.callgest_prepaid_exhausted_behaviour == "stop"
                and calls <= 0
                and partner.currency_id.compare_amounts(amount, 0) <= 0
            )

    def _callgest_prepaid_warn(self):
        """Email the prepaid clients whose balance ran low, once until their
        next recharge."""
        template = self.env.ref("callgest_billing.mail_template_prepaid_low_balance")
        for partner in self.sudo():
            if (
                partner.callgest_billing_mode != "prepaid"
                or partner.callgest_prepaid_warned
                or partner.callgest_prepaid_calls_left > 0
                or partner.currency_id.compare_amounts(
                    partner.callgest_prepaid_balance,
                    partner.callgest_prepaid_warning_amount,
                )
                > 0
            ):
                continue
            template.send_mail(partner.id)
            partner.callgest_prepaid_warned = True
