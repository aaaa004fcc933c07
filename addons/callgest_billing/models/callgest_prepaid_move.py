from collections import defaultdict
from decimal import Decimal

from odoo import _, api, fields, models

from ..tools import rating
from .callgest_usage import period_of

KINDS = [
    ("recharge", "Recharge"),
    ("bundle", "Bundle of calls"),
    ("consumption", "Call"),
    ("overage_invoiced", "Overage invoiced"),
    ("adjustment", "Adjustment"),
]


class CallgestPrepaidMove(models.Model):
    """One entry of a prepaid client's account: a recharge or a bundle paid,
    a call consumed, an overage invoiced. The balance is the sum of the
    amounts; the bundle calls left, the sum of the calls."""

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
        "account.move", index="btree_not_null", ondelete="restrict"
    )
    note = fields.Char()

    def init(self):
        # a call is charged once, whatever re-rating or concurrent import does
        self.env.cr.execute(
            """CREATE UNIQUE INDEX IF NOT EXISTS callgest_prepaid_move_call_uniq
               ON callgest_prepaid_move (call_id) WHERE kind = 'consumption'"""
        )

    # ------------------------------------------------------------------
    # Recharges
    # ------------------------------------------------------------------
    @api.model
    def _recharge_from_invoices(self, invoices):
        """Credit the prepaid products of paid customer invoices, once per
        invoice; a recharge clears the low-balance warning."""
        invoices = invoices.sudo().filtered(
            lambda move: move.move_type == "out_invoice"
        )
        lines = invoices.invoice_line_ids.filtered(
            lambda line: line.product_id.product_tmpl_id.callgest_prepaid_recharge
        )
        if not lines:
            return self.browse()
        done = set(
            self.sudo()
            .search(
                [
                    ("invoice_id", "in", lines.move_id.ids),
                    ("kind", "in", ("recharge", "bundle")),
                ]
            )
            .invoice_id.ids
        )
        vals_list = []
        for line in lines.filtered(lambda line: line.move_id.id not in done):
            invoice = line.move_id
            template = line.product_id.product_tmpl_id
            calls = template.callgest_prepaid_calls * int(line.quantity)
            vals = {
                "partner_id": invoice.partner_id.commercial_partner_id.id,
                "company_id": invoice.company_id.id,
                "invoice_id": invoice.id,
                "note": line.name,
            }
            if calls:
                vals_list.append(dict(vals, kind="bundle", calls=calls))
            else:
                # untaxed, in the company's currency
                vals_list.append(dict(vals, kind="recharge", amount=-line.balance))
        moves = self.sudo().create(vals_list)
        moves.partner_id.sudo().write({"callgest_prepaid_warned": False})
        return moves

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
                and usage.partner_id.callgest_billing_mode == "prepaid"
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
        by_client = defaultdict(lambda: defaultdict(list))
        for call in calls.sorted(lambda call: (call.start_time, call.id)):
            period = period_of(call.local_date or call.start_time.date())
            by_client[call.partner_id][period].append(call)
        for client, periods in by_client.items():
            calls_left = client.callgest_prepaid_calls_left
            for period, period_calls in periods.items():
                rank = (
                    self.sudo().search_count(
                        [
                            ("partner_id", "=", client.id),
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
        moves = self.sudo().create(vals_list)
        moves.partner_id._callgest_prepaid_warn()
        return moves

    # ------------------------------------------------------------------
    # Overage
    # ------------------------------------------------------------------
    @api.model
    def _invoice_overage(self, company, period, invoice_date, client_ids=None):
        """Invoice the negative balance of the prepaid clients that are
        served beyond it; the invoiced overage brings the balance back to 0,
        so a second run invoices nothing."""
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
        Move = self.sudo()
        balances = [
            (partner, amount)
            for partner, amount in Move._read_group(
                domain, ["partner_id"], ["amount:sum"]
            )
            if company.currency_id.compare_amounts(amount, 0) < 0
        ]
        if not balances:
            return self.env["account.move"]
        product = self.env.ref("callgest_billing.product_prepaid_overage")
        vals_list = []
        Invoicing = self.env["callgest.invoicing"]
        for partner, amount in balances:
            line = {
                "product_id": product.id,
                "name": _(
                    "Calls beyond the prepaid balance up to %(period)s",
                    period=period,
                ),
                "quantity": 1.0,
                "price_unit": -amount,
            }
            vals_list.append(
                Invoicing._invoice_vals(
                    company,
                    partner.commercial_partner_id,
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
                    "amount": -amount,
                    "invoice_id": invoice.id,
                    "period": period,
                }
                for (partner, amount), invoice in zip(balances, invoices, strict=True)
            ]
        )
        if company.callgest_invoice_auto_post:
            invoices.action_post()
        return invoices
