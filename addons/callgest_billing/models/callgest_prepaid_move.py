from collections import defaultdict
from decimal import Decimal

from odoo import _, api, fields, models

from ..tools import rating
from .callgest_usage import period_of

KINDS = [
    ("recharge", "Recharge"),
    ("bundle", "Bundle of calls"),
    ("recharge_cancelled", "Recharge taken back"),
    (rating.PREPAID_CONSUMPTION, "Call"),
    ("overage_invoiced", "Overage invoiced"),
    ("overage_cancelled", "Overage invoice cancelled"),
    ("adjustment", "Adjustment"),
]
# what a top-up or plan invoice holds in the account
RECHARGE_KINDS = ("recharge", "bundle", "recharge_cancelled")
# what an overage invoice holds in the account
OVERAGE_KINDS = ("overage_invoiced", "overage_cancelled")
# a recharge invoice is credited while it is paid
PAID_STATES = ("paid", "in_payment")


class CallgestPrepaidMove(models.Model):
    """One entry of a prepaid client's account: a recharge or a bundle paid
    (or taken back), a call consumed, an overage invoiced (or cancelled). The
    balance is the sum of the amounts; the bundle calls left, the sum of the
    calls. Entries are only added: a correction is a new entry."""

    _name = "callgest.prepaid.move"
    _description = "CallGest prepaid account entry"
    _order = "date desc, id desc"
    _check_company_auto = True

    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True)
    partner_id = fields.Many2one(
        "res.partner", string="Client", required=True, index=True, ondelete="restrict"
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    kind = fields.Selection(KINDS, required=True, index=True)
    amount = fields.Monetary(
        currency_field="currency_id",
        help="Money added to (positive) or taken from (negative) the balance.",
    )
    calls = fields.Integer(
        string="Bundle calls",
        help="Bundle calls added (positive) or used (negative).",
    )
    period = fields.Char(
        index=True, help="For a call: the month it counts in, YYYY-MM."
    )
    call_id = fields.Many2one(
        "callgest.call", index="btree_not_null", ondelete="restrict"
    )
    invoice_id = fields.Many2one(
        "account.move",
        index="btree_not_null",
        ondelete="set null",
        help="The top-up, plan or overage invoice of the entry (a draft "
        "deleted leaves its entries, which then cancel each other).",
    )
    note = fields.Char()

    def init(self):
        # a call is charged once, whatever re-rating or concurrent import does
        self.env.cr.execute(
            """CREATE UNIQUE INDEX IF NOT EXISTS callgest_prepaid_move_call_uniq
               ON callgest_prepaid_move (call_id) WHERE kind = 'consumption'"""
        )

    @api.model_create_multi
    def create(self, vals_list):
        moves = super().create(vals_list)
        # every change of an account may cross the warning thresholds: the
        # client's account and thresholds in the company of the entries
        for company in moves.company_id:
            moves.filtered(
                lambda move, company=company: move.company_id == company
            ).partner_id.with_company(company)._callgest_prepaid_check_warning()
        return moves

    # ------------------------------------------------------------------
    # Recharges
    # ------------------------------------------------------------------
    @api.model
    def _sync_recharges(self, moves, deleted=False):
        """Bring the account in line with the top-up and plan invoices among
        ``moves`` (and those that credit notes among them reverse): a paid
        invoice credits its plan calls and untaxed top-ups, less what its
        posted credit notes credit; cancelled, reset to draft, no longer paid
        or ``deleted``, it credits nothing, and what it credited is taken
        back (the balance may go negative). Only the difference with what the
        account holds for the invoice is added (``rating.
        prepaid_recharge_change``): once, whoever calls and how often."""
        documents = moves.sudo().filtered(
            lambda move: move.move_type in ("out_invoice", "out_refund")
        )
        documents |= documents.reversed_entry_id
        if not documents:
            return self.browse()
        # one query, whatever the number of invoices posted at once
        invoices = (
            self.env["account.move.line"]
            .sudo()
            .search(
                [
                    ("move_id", "in", documents.ids),
                    ("move_id.move_type", "=", "out_invoice"),
                    ("product_id.product_tmpl_id.callgest_prepaid_recharge", "=", True),
                ]
            )
            .move_id
        )
        if not invoices:
            return self.browse()
        self.env.flush_all()
        # one sync of an invoice at a time: the second one sees the first's
        self.env.cr.execute(
            "SELECT id FROM account_move WHERE id IN %s FOR UPDATE",
            [tuple(invoices.ids)],
        )
        held = {
            invoice.id: (calls or 0, amount or 0.0)
            for invoice, calls, amount in self.sudo()._read_group(
                [("invoice_id", "in", invoices.ids), ("kind", "in", RECHARGE_KINDS)],
                ["invoice_id"],
                ["calls:sum", "amount:sum"],
            )
        }
        refunds = (
            self.env["account.move"]
            .sudo()
            .search(
                [
                    ("move_type", "=", "out_refund"),
                    ("state", "=", "posted"),
                    ("reversed_entry_id", "in", invoices.ids),
                ]
            )
        )
        vals_list = []
        for invoice in invoices:
            currency = invoice.company_id.currency_id
            rounding = rating.as_decimal(currency.rounding)
            calls, amount, calls_price = invoice._callgest_recharge_worth()
            # what a call of the plan(s) is worth: 96 € / 192 calls = 0.50 €
            call_value = calls_price / calls if calls else rating.ZERO
            credited = (
                not deleted
                and invoice.state == "posted"
                and invoice.payment_state in PAID_STATES
            )
            target = (0, rating.ZERO)
            if credited:
                for refund in refunds.filtered(
                    lambda refund, invoice=invoice: refund.reversed_entry_id == invoice
                ):
                    refund_calls, refund_amount, _price = (
                        refund._callgest_recharge_worth()
                    )
                    calls -= refund_calls
                    amount -= refund_amount
                target = (max(calls, 0), max(amount, rating.ZERO))
            partner = invoice.partner_id.commercial_partner_id.with_company(
                invoice.company_id
            )
            change_calls, change_amount = rating.prepaid_recharge_change(
                held.get(invoice.id, (0, 0.0)),
                target,
                partner.callgest_prepaid_calls_left,
                call_value,
                rounding,
            )
            vals = {
                "partner_id": partner.id,
                "company_id": invoice.company_id.id,
                "invoice_id": invoice.id,
            }
            note = invoice.name if invoice.name and invoice.name != "/" else ""
            if change_calls > 0:
                vals_list.append(
                    dict(vals, kind="bundle", calls=change_calls, note=note)
                )
            if change_amount > 0:
                vals_list.append(
                    dict(vals, kind="recharge", amount=float(change_amount), note=note)
                )
            if change_calls < 0 or change_amount < 0:
                vals_list.append(
                    dict(
                        vals,
                        kind="recharge_cancelled",
                        calls=min(change_calls, 0),
                        amount=float(min(change_amount, rating.ZERO)),
                        note=invoice._callgest_recharge_cancel_note(refunds, deleted),
                    )
                )
        return self.sudo().create(vals_list)

    # ------------------------------------------------------------------
    # Consumption
    # ------------------------------------------------------------------
    @api.model
    def _consume_usages(self, usages):
        """The usage just rated for calls of prepaid clients is paid from
        their account, not invoiced: each answered call uses a bundle call
        while any is left, then its tiered price from the balance."""
        usages = usages.sudo().filtered(
            lambda usage: (
                (usage.call_id or usage.billable_event_id)
                and usage.partner_id.with_company(
                    usage.company_id
                ).callgest_billing_mode
                == "prepaid"
            )
        )
        if not usages:
            return self.browse()
        usages.write({"state": "prepaid"})
        # messages are paid at their tariff price (rated once per message)
        vals_list = [
            {
                "partner_id": usage.partner_id.id,
                "company_id": usage.company_id.id,
                "kind": "consumption",
                "date": usage.date,
                "period": usage.period,
                "amount": -float(
                    rating.round_money(
                        rating.as_decimal(usage.amount),
                        rating.as_decimal(usage.currency_id.rounding),
                    )
                ),
                "note": usage.name,
            }
            for usage in usages.filtered("billable_event_id")
        ]
        calls = usages.call_id.filtered(
            lambda call: call.disposition == "answered" and call.direction != "transfer"
        )
        charged = self.sudo().search(
            [("call_id", "in", calls.ids), ("kind", "=", "consumption")]
        )
        calls -= charged.call_id
        # a client's account in each company
        by_client = defaultdict(lambda: defaultdict(list))
        for call in calls.sorted(lambda call: (call.start_time, call.id)):
            period = period_of(call.local_date or call.start_time.date())
            by_client[call.partner_id.id, call.company_id.id][period].append(call)
        for (client_id, company_id), periods in by_client.items():
            client = self.env["res.partner"].sudo().with_company(company_id)
            client = client.browse(client_id)
            calls_left = client.callgest_prepaid_calls_left
            for period, period_calls in periods.items():
                rank = (
                    self.sudo().search_count(
                        [
                            ("partner_id", "=", client.id),
                            ("company_id", "=", company_id),
                            ("kind", "=", "consumption"),
                            ("call_id", "!=", False),
                            ("period", "=", period),
                        ]
                    )
                    + 1
                )
                for call in period_calls:
                    vals = {
                        "partner_id": client.id,
                        "company_id": call.company_id.id,
                        "kind": "consumption",
                        "date": call.start_time,
                        "period": period,
                        "call_id": call.id,
                    }
                    if calls_left > 0:
                        calls_left -= 1
                        vals["calls"] = -1
                    else:
                        price = rating.round_money(
                            rating.prepaid_call_price(rank),
                            Decimal(str(call.company_id.currency_id.rounding)),
                        )
                        vals["amount"] = -float(price)
                    vals_list.append(vals)
                    rank += 1
        if not vals_list:
            return self.browse()
        return self.sudo().create(vals_list)

    # ------------------------------------------------------------------
    # Overage
    # ------------------------------------------------------------------
    @api.model
    def _overage_line_name(self, period):
        return _("Calls beyond the prepaid balance up to %(period)s", period=period)

    @api.model
    def _invoice_overage(self, company, period, invoice_date, client_ids=None):
        """Invoice what the balance of the prepaid clients served beyond it
        owes for the months up to ``period`` (``rating.prepaid_overage``):
        the invoiced overage is credited to the balance, so a second run
        invoices nothing, and the calls of later months wait for their own
        month's invoice."""
        domain = [
            ("company_id", "=", company.id),
            ("partner_id.callgest_billing_mode", "=", "prepaid"),
            (
                "partner_id.callgest_prepaid_exhausted_behaviour",
                "=",
                "serve_and_bill_overage",
            ),
        ]
        if client_ids:
            domain.append(("partner_id", "in", list(client_ids)))
        # the clients' settings in ``company`` (company-dependent fields)
        Move = self.sudo().with_company(company)
        entries = defaultdict(list)
        for partner, kind, entry_period, amount in Move._read_group(
            domain, ["partner_id", "kind", "period"], ["amount:sum"]
        ):
            entries[partner].append((kind, entry_period, amount or 0.0))
        rounding = rating.as_decimal(company.currency_id.rounding)
        balances = [
            (partner, owed)
            for partner, partner_entries in entries.items()
            if (owed := rating.prepaid_overage(partner_entries, period, rounding))
        ]
        if not balances:
            return self.env["account.move"]
        product = self.env.ref("callgest_billing.product_prepaid_overage")
        vals_list = []
        Invoicing = self.env["callgest.invoicing"]
        for partner, owed in balances:
            invoiced = partner.commercial_partner_id
            # named in the client's language
            lang = invoiced.lang or self.env.lang
            line = {
                "product_id": product.id,
                "name": self.with_context(lang=lang)._overage_line_name(period),
                "quantity": 1.0,
                "price_unit": float(owed),
            }
            vals_list.append(
                Invoicing.with_context(lang=lang)._invoice_vals(
                    company,
                    invoiced,
                    company.currency_id,
                    period,
                    invoice_date,
                    [line],
                )
            )
        invoices = (
            self.env["account.move"]
            .with_company(company)
            .with_context(default_move_type="out_invoice")
            .create(vals_list)
        )
        Move.create(
            [
                {
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "kind": "overage_invoiced",
                    "amount": float(owed),
                    "invoice_id": invoice.id,
                    "period": period,
                }
                for (partner, owed), invoice in zip(balances, invoices, strict=True)
            ]
        )
        if company.callgest_invoice_auto_post:
            invoices.action_post()
        return invoices

    @api.model
    def _sync_overage_invoices(self, moves, deleted=False):
        """An overage invoice credits the balance with its overage lines
        while it is not cancelled; cancelled or ``deleted``, its amount is
        owed again (the next run invoices it), reset to draft from cancelled
        it is credited again. Only the difference is added."""
        held = self.sudo()._read_group(
            [("invoice_id", "in", moves.ids), ("kind", "in", OVERAGE_KINDS)],
            ["invoice_id", "partner_id", "period"],
            ["amount:sum"],
        )
        if not held:
            return self.browse()
        product = self.env.ref("callgest_billing.product_prepaid_overage")
        vals_list = []
        for invoice, partner, period, amount in held:
            target = rating.ZERO
            if not deleted and invoice.state != "cancel":
                target = -sum(
                    (
                        rating.as_decimal(line.balance)
                        for line in invoice.invoice_line_ids
                        if line.product_id == product
                    ),
                    rating.ZERO,
                )
            change = rating.round_money(
                target - rating.as_decimal(amount or 0.0),
                rating.as_decimal(invoice.company_id.currency_id.rounding),
            )
            if not change:
                continue
            vals_list.append(
                {
                    "partner_id": partner.id,
                    "company_id": invoice.company_id.id,
                    "kind": "overage_invoiced" if change > 0 else "overage_cancelled",
                    "amount": float(change),
                    "invoice_id": invoice.id,
                    "period": period,
                    "note": _("Draft invoice deleted") if deleted else False,
                }
            )
        return self.sudo().create(vals_list)
