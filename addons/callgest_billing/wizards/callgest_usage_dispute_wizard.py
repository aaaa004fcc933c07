from collections import defaultdict
from decimal import Decimal

from markupsafe import Markup

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, format_amount

RESOLUTIONS = [
    ("invoice_again", "Invoice again (corrected)"),
    ("write_off", "Write off"),
]


class CallgestUsageDisputeWizard(models.TransientModel):
    """Credit disputed usage of a posted CallGest invoice.

    One draft credit note reverses the usage picked, line by line with the
    products and prices of the invoice; the usage is then either invoiced
    again by the next monthly run (as late usage) or written off.
    """

    _name = "callgest.usage.dispute.wizard"
    _description = "Credit disputed CallGest usage"

    invoice_id = fields.Many2one(
        "account.move",
        required=True,
        readonly=True,
        domain=[("move_type", "=", "out_invoice"), ("state", "=", "posted")],
    )
    usage_ids = fields.Many2many(
        "callgest.usage",
        string="Disputed usage",
        domain="[('invoice_id', '=', invoice_id), ('state', '=', 'invoiced')]",
        help="The usage of this invoice to credit.",
    )
    resolution = fields.Selection(
        RESOLUTIONS,
        required=True,
        default="invoice_again",
        help="Invoice again: the usage goes back to be invoiced by the next "
        "monthly run, marked late (correct the call or its rating first). "
        "Write off: it is never invoiced again.",
    )
    reason = fields.Char(help="Why the usage is credited; required to write it off.")
    currency_id = fields.Many2one(related="invoice_id.currency_id")
    amount = fields.Monetary(
        string="Usage amount",
        compute="_compute_amount",
        help="The amount of the usage picked, before taxes, as rated.",
    )

    @api.depends("usage_ids")
    def _compute_amount(self):
        for wizard in self:
            usage_ids = wizard.usage_ids._origin.ids
            total = Decimal(0)
            if usage_ids:
                # the exact amounts, rounded once (the ORM rounds each usage)
                self.env.cr.execute(
                    SQL(
                        "SELECT SUM(amount)::text FROM callgest_usage WHERE id IN %s",
                        tuple(usage_ids),
                    )
                )
                total = Decimal(self.env.cr.fetchone()[0] or 0)
            wizard.amount = float(total)

    # ------------------------------------------------------------------
    # Checks
    # ------------------------------------------------------------------
    def _check_dispute(self):
        invoice = self.invoice_id
        if invoice.move_type != "out_invoice" or invoice.state != "posted":
            raise UserError(
                _("Only the usage of a posted customer invoice can be credited.")
            )
        if not self.usage_ids:
            raise UserError(_("Pick the usage to credit."))
        if self.resolution == "write_off" and not (self.reason or "").strip():
            raise UserError(_("Say why the usage is written off."))
        not_on_invoice = self.usage_ids.filtered(
            lambda usage: usage.state != "invoiced" or usage.invoice_id != invoice
        )
        if not_on_invoice:
            raise UserError(
                _(
                    "Some usage picked is no longer billed by %(invoice)s: it was "
                    "already credited, written off or invoiced again "
                    "(%(usage)s). Each usage is credited once.",
                    invoice=invoice.name,
                    usage=", ".join(
                        f"{usage.name} {usage.date}" for usage in not_on_invoice[:5]
                    ),
                )
            )

    # ------------------------------------------------------------------
    # Credit note
    # ------------------------------------------------------------------
    def _picked_totals(self):
        """``{invoice line: (quantity, amount, connect fee, line quantity)}``,
        Decimal sums of the usage picked and the usage quantity of the line."""
        self.env.flush_all()
        # numeric as text: Odoo's cursor reads numeric as float
        self.env.cr.execute(
            SQL(
                """SELECT link.invoice_line_id, SUM(picked.quantity)::text AS quantity,
                          SUM(picked.amount)::text AS amount,
                          SUM(COALESCE(picked.connect_fee, 0))::text AS connect_fee,
                          (SELECT SUM(billed.quantity)::text FROM callgest_usage billed
                            WHERE billed.partner_id = picked.partner_id
                              AND billed.invoice_link_id = picked.invoice_link_id)
                          AS line_quantity
                     FROM callgest_usage picked
                     JOIN callgest_usage_link link ON link.id = picked.invoice_link_id
                    WHERE picked.id IN %s
                 GROUP BY link.invoice_line_id, picked.invoice_link_id,
                          picked.partner_id""",
                tuple(self.usage_ids.ids),
            )
        )
        Line = self.env["account.move.line"]
        return {
            Line.browse(row["invoice_line_id"]): tuple(
                Decimal(row[column] or 0)
                for column in ("quantity", "amount", "connect_fee", "line_quantity")
            )
            for row in self.env.cr.dictfetchall()
        }

    def _credit_note_lines(self):
        invoice = self.invoice_id
        company = invoice.company_id
        day = invoice.invoice_date or fields.Date.context_today(self)
        source = self.usage_ids.currency_id[:1]

        def price(value):
            if source == invoice.currency_id:
                return float(value)
            return source._convert(
                float(value), invoice.currency_id, company, day, round=False
            )

        lines = []
        for line, (quantity, amount, fee, line_quantity) in sorted(
            self._picked_totals().items(), key=lambda item: item[0].sequence
        ):
            base = {
                # the credited line, to link the credit to its month
                "sequence": line.sequence,
                "product_id": line.product_id.id,
                "account_id": line.account_id.id,
                "tax_ids": [Command.set(line.tax_ids.ids)],
                "discount": line.discount,
            }
            # the invoicing bills a group as quantity × unit price (and its
            # connection fees on a line of their own) when that makes its
            # amount, else as one unit of the amount
            if quantity and Decimal(str(line.quantity)) == line_quantity:
                lines.append(
                    dict(
                        base,
                        name=line.name,
                        quantity=float(quantity),
                        price_unit=line.price_unit,
                    )
                )
                if fee:
                    lines.append(
                        dict(
                            base,
                            name=_("%(name)s: connection fees", name=line.name),
                            quantity=1.0,
                            price_unit=price(fee),
                        )
                    )
            else:
                lines.append(
                    dict(base, name=line.name, quantity=1.0, price_unit=price(amount))
                )
        return lines

    def _create_credit_note(self):
        invoice = self.invoice_id
        reason = (self.reason or "").strip()
        ref = _("Disputed usage of %(invoice)s", invoice=invoice.name)
        vals = {
            "move_type": "out_refund",
            "partner_id": invoice.partner_id.id,
            "company_id": invoice.company_id.id,
            "journal_id": invoice.journal_id.id,
            "currency_id": invoice.currency_id.id,
            "fiscal_position_id": invoice.fiscal_position_id.id,
            "reversed_entry_id": invoice.id,
            "invoice_origin": invoice.invoice_origin,
            "callgest_period": invoice.callgest_period,
            "ref": f"{ref}: {reason}" if reason else ref,
            "invoice_line_ids": [
                Command.create(line) for line in self._credit_note_lines()
            ],
        }
        credit_note = (
            self.env["account.move"]
            .with_company(invoice.company_id)
            .with_context(default_move_type="out_refund")
            .create(vals)
        )
        self._link_credit_note(credit_note)
        return credit_note

    def _link_credit_note(self, credit_note):
        """A link per credit line, negative, for the month of the usage it
        credits: the month's minimum sees what was billed less credited."""
        self.env.flush_all()
        Link = self.env["callgest.usage.link"].sudo()
        credited = Link.search(
            [("invoice_line_id", "in", self.invoice_id.invoice_line_ids.ids)]
        )
        link_of_sequence = {link.invoice_line_id.sequence: link for link in credited}
        rows = []
        for line in credit_note.invoice_line_ids:
            source = link_of_sequence.get(line.sequence)
            if source is None:
                continue
            amount = Decimal(str(line.price_subtotal))
            if line.currency_id != source.currency_id:
                amount = Decimal(
                    str(
                        line.currency_id._convert(
                            line.price_subtotal,
                            source.currency_id,
                            credit_note.company_id,
                            credit_note.invoice_date or fields.Date.context_today(self),
                        )
                    )
                )
            rows.append(
                {
                    "invoice_line_id": line.id,
                    "partner_id": source.partner_id.id,
                    "period": source.period,
                    "usage": source.usage,
                    "currency_id": source.currency_id.id,
                    "amount": -amount,
                }
            )
        Link._create_rows(rows)

    def action_credit(self):
        self.ensure_one()
        self._check_dispute()
        invoice = self.invoice_id
        usage = self.usage_ids
        credit_note = self._create_credit_note()
        self._post_dispute_message(credit_note)
        if self.resolution == "write_off":
            usage.action_write_off(self.reason.strip())
        else:
            usage._release()
        invoice.invalidate_recordset(["callgest_usage_count"])
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "name": _("Credit note"),
            "view_mode": "form",
            "res_id": credit_note.id,
        }

    def _post_dispute_message(self, credit_note):
        """List the usage credited on the invoice, before it leaves it."""
        usage_by_name = defaultdict(list)
        for usage in self.usage_ids.sorted("date"):
            usage_by_name[usage.name].append(usage)
        items = Markup().join(
            Markup("<li>%s</li>")
            % _(
                "%(usage)s: %(count)s line(s), %(amount)s",
                usage=name,
                count=len(lines),
                amount=format_amount(
                    self.env,
                    sum(line.amount for line in lines),
                    lines[0].currency_id,
                ),
            )
            for name, lines in usage_by_name.items()
        )
        resolution = dict(self._fields["resolution"]._description_selection(self.env))[
            self.resolution
        ]
        body = Markup("%s<ul>%s</ul>") % (
            _(
                "Disputed usage credited by %(credit_note)s "
                "(%(resolution)s%(reason)s):",
                credit_note=credit_note._get_html_link(),
                resolution=resolution,
                reason=f": {self.reason.strip()}" if self.reason else "",
            ),
            items,
        )
        self.invoice_id.message_post(body=body, subtype_xmlid="mail.mt_note")
