import calendar
import logging
import re
from collections import defaultdict
from datetime import date
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..tools import rating
from .callgest_usage import USAGE_LABELS, usage_row

_logger = logging.getLogger(__name__)

PERIOD_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")
# pg_try_advisory_xact_lock(key, company id): one invoicing run per company
INVOICING_LOCK_KEY = 0x43474956  # "CGIV"
# usage that does not count towards the monthly minimum
NOT_IN_MINIMUM = (rating.SETUP_FEE, rating.MINIMUM)


class CallgestInvoicing(models.AbstractModel):
    """The monthly invoicing of rated usage into ``account.move``.

    ``run_period`` is the one entry point: the wizard, the monthly cron and
    RPC call it. A run takes an advisory lock per company, so two runs at
    once cannot both invoice; a client already invoiced for the period is
    skipped, so a second run creates nothing.
    """

    _name = "callgest.invoicing"
    _description = "CallGest monthly invoicing"

    @api.model
    def _period_bounds(self, period):
        """``(first day, last day)`` of ``'YYYY-MM'``."""
        match = PERIOD_PATTERN.match(str(period or "").strip())
        month = int(match.group(2)) if match else 0
        if not match or not 1 <= month <= 12:
            raise UserError(
                _(
                    "The period %(period)s is not valid: write it as YYYY-MM, "
                    "e.g. 2026-10.",
                    period=period,
                )
            )
        year = int(match.group(1))
        return date(year, month, 1), date(
            year, month, calendar.monthrange(year, month)[1]
        )

    @api.model
    def run_period(self, period, client_ids=None):
        """Invoice ``period`` (``'YYYY-MM'``) for ``client_ids`` (all clients
        when empty); return the ids of the invoices created."""
        moves, _message = self._run_period(period, client_ids)
        return moves.ids

    @api.model
    def _run_period(self, period, client_ids=None):
        """``(invoices created, message for the user)``."""
        first, last = self._period_bounds(period)
        period = first.strftime("%Y-%m")
        company = self.env.company
        if not self.env.su and not self.env.user.has_group(
            "account.group_account_invoice"
        ):
            raise UserError(_("Only invoicing users can run the CallGest invoicing."))
        if last >= fields.Date.context_today(self):
            raise UserError(
                _(
                    "The month %(period)s is not over yet: it can be invoiced "
                    "from %(day)s.",
                    period=period,
                    day=last + relativedelta(days=1),
                )
            )
        self._lock(company)
        clients = self._clients(company, first, last, period, client_ids)
        done = self._clients_invoiced(clients, period)
        clients -= done
        overage = self.env["callgest.prepaid.move"]._invoice_overage(
            company, period, last, client_ids
        )
        if not clients:
            message = _(
                "Nothing to invoice for %(period)s: %(count)s client(s) were "
                "already invoiced for it and no other client has usage to "
                "invoice.",
                period=period,
                count=len(done),
            )
            if overage:
                message = _(
                    "%(count)s prepaid overage invoice(s) created for %(period)s.",
                    count=len(overage),
                    period=period,
                )
            _logger.info("CallGest invoicing %s: %s", period, message)
            return overage, message
        self._check_currency_rates(company, clients, last)
        self._make_monthly_fees(company, clients, period, first, last)
        groups = self._usage_groups(company, clients, period)
        self._add_minimum_top_ups(company, clients, period, last, groups)
        moves = self._create_invoices(company, period, last, groups)
        self._update_pending_since(clients)
        if company.callgest_invoice_auto_post and moves:
            moves.action_post()
        message = _(
            "%(count)s invoice(s) created for %(period)s.",
            count=len(moves | overage),
            period=period,
        )
        if done:
            message += " " + _(
                "%(count)s client(s) skipped: already invoiced for this period.",
                count=len(done),
            )
        _logger.info("CallGest invoicing %s: %s", period, message)
        return moves | overage, message

    @api.model
    def _lock(self, company):
        self.env.cr.execute(
            "SELECT pg_try_advisory_xact_lock(%s, %s)",
            (INVOICING_LOCK_KEY, company.id),
        )
        if not self.env.cr.fetchone()[0]:
            raise UserError(
                _(
                    "Another CallGest invoicing run is in progress for %(company)s: "
                    "nothing was created. Try again when it has finished.",
                    company=company.display_name,
                )
            )

    # ------------------------------------------------------------------
    # Who is invoiced
    # ------------------------------------------------------------------
    @api.model
    def _clients(self, company, first, last, period, client_ids):
        """The clients with something to invoice up to ``period``: usage, a
        DDI in service during the month, agenda modules or a setup fee."""
        self.env.flush_all()
        Partner = self.env["res.partner"].sudo()
        ids = set(
            Partner.search(
                [
                    ("callgest_usage_pending_since", "!=", False),
                    ("callgest_usage_pending_since", "<=", period),
                ]
            ).ids
        )
        cr = self.env.cr
        cr.execute(
            SQL(
                """SELECT DISTINCT partner_id FROM callgest_ddi
                    WHERE partner_id IS NOT NULL AND company_id = %s
                      AND activation_date <= %s
                      AND (release_date IS NULL OR release_date >= %s)""",
                company.id,
                last,
                first,
            )
        )
        ids |= {row[0] for row in cr.fetchall()}
        ids |= set(
            Partner.search(
                [
                    ("company_id", "in", (company.id, False)),
                    ("callgest_agenda_modules", ">", 0),
                    *self._in_service_domain(first, last),
                ]
            ).ids
        )
        # the provider's own lines (information requests) are not a client's
        clients = Partner.browse(ids).filtered("is_callgest_client")
        if client_ids:
            clients &= Partner.browse(client_ids)
        return self._clients_billed_monthly(clients)

    @api.model
    def _in_service_domain(self, first, last):
        """Clients whose service ran during part of ``first``..``last``."""
        return [
            ("is_callgest_client", "=", True),
            ("callgest_activation_date", "!=", False),
            ("callgest_activation_date", "<=", last),
            "|",
            ("callgest_termination_date", "=", False),
            ("callgest_termination_date", ">=", first),
        ]

    @api.model
    def _clients_billed_monthly(self, clients):
        """Hook: the clients the monthly run invoices (prepaid ones are not)."""
        return clients.filtered(
            lambda client: client.callgest_billing_mode != "prepaid"
        )

    @api.model
    def _clients_invoiced(self, clients, period):
        """The ``clients`` that already have an invoice for ``period``."""
        if not clients:
            return clients
        self.env.cr.execute(
            SQL(
                """SELECT DISTINCT partner_id FROM callgest_usage
                    WHERE partner_id IN %s AND period = %s AND NOT late
                      AND invoice_line_id IS NOT NULL""",
                tuple(clients.ids),
                period,
            )
        )
        return clients.browse([row[0] for row in self.env.cr.fetchall()])

    @api.model
    def _check_currency_rates(self, company, clients, day):
        """Every currency to convert to or from has a rate on ``day``:
        checked before anything is created."""
        Usage = self.env["callgest.usage"]
        tariffs = Usage._tariffs_for(clients, company)
        currencies = set()
        for client in clients:
            tariff_currency = tariffs[client][0].currency_id
            invoice_currency = self._invoice_partner(client)._callgest_invoice_currency(
                company
            )
            if tariff_currency != invoice_currency:
                currencies |= {tariff_currency, invoice_currency}
        currencies.discard(company.currency_id)
        missing = [
            currency
            for currency in currencies
            if not self.env["res.currency.rate"]
            .sudo()
            .search_count(
                [
                    ("currency_id", "=", currency.id),
                    ("company_id", "in", (company.id, False)),
                    ("name", "<=", day),
                ],
                limit=1,
            )
        ]
        if missing:
            raise UserError(
                _(
                    "No exchange rate on %(day)s for %(currencies)s in %(company)s: "
                    "add one (Accounting > Configuration > Currencies) and run "
                    "the invoicing again. Nothing was created.",
                    day=day,
                    currencies=", ".join(sorted(c.name for c in missing)),
                    company=company.display_name,
                )
            )

    @api.model
    def _invoice_partner(self, client, professional=None):
        if client.callgest_invoice_grouping == "professional" and professional:
            return professional
        return client.callgest_invoice_partner_id

    # ------------------------------------------------------------------
    # Monthly fees
    # ------------------------------------------------------------------
    @api.model
    def _make_monthly_fees(self, company, clients, period, first, last):
        """DDI fees (prorated), agenda modules and the setup fee, as usage
        of the period; each is made once (a unique index)."""
        Usage = self.env["callgest.usage"]
        tariffs = Usage._tariffs_for(clients, company)
        products = Usage._products_by_rate(t[0] for t in tariffs.values())
        labels = USAGE_LABELS
        days_in_month = Decimal(last.day)
        moment = fields.Datetime.to_datetime(last)
        ddis = (
            self.env["callgest.ddi"]
            .sudo()
            .search(
                [
                    ("partner_id", "in", clients.ids),
                    ("company_id", "=", company.id),
                    ("activation_date", "!=", False),
                    ("activation_date", "<=", last),
                    "|",
                    ("release_date", "=", False),
                    ("release_date", ">=", first),
                ],
                order="partner_id, activation_date, id",
            )
        )
        rows = []

        def row(client, tariff, line, name, ddi=None):
            return usage_row(
                tariff,
                products[(tariff.id, line.usage)],
                line,
                name=name,
                company_id=company.id,
                partner_id=client.id,
                professional_id=(ddi.professional_id.id or None) if ddi else None,
                ddi_id=ddi.id if ddi else None,
                date=moment,
                period=period,
            )

        first_ddi_seen = set()
        for ddi in ddis:
            client = ddi.partner_id
            tariff, tariff_rating = tariffs[client]
            usage = rating.DDI
            if client.callgest_client_type == "collective":
                if client in first_ddi_seen:
                    usage = rating.DDI_EXTRA
                first_ddi_seen.add(client)
            start = max(ddi.activation_date, first)
            end = min(ddi.release_date or last, last)
            days = (end - start).days + 1
            fraction = (Decimal(days) / days_in_month).quantize(Decimal("0.01"))
            rate = tariff_rating.rate(usage)
            amount = fraction * rate.price
            line = rating.RatedLine(usage, fraction, rate.unit, rate.price, amount)
            name = f"{labels[usage]}: {ddi.number_national or ddi.number}"
            if fraction != 1:
                name += " " + _(
                    "(%(days)s of %(month)s days)", days=days, month=last.day
                )
            rows.append(row(client, tariff, line, name, ddi))
        for client in clients.filtered_domain(
            [
                ("callgest_agenda_modules", ">", 0),
                *self._in_service_domain(first, last),
            ]
        ):
            tariff, tariff_rating = tariffs[client]
            line = rating.rate_count(
                tariff_rating.rate(rating.AGENDA_MODULE), client.callgest_agenda_modules
            )
            name = _(
                "%(usage)s: %(count)s module(s)",
                usage=labels[rating.AGENDA_MODULE],
                count=client.callgest_agenda_modules,
            )
            rows.append(row(client, tariff, line, name))
        rows.extend(self._setup_fee_rows(clients, tariffs, row, labels))
        Usage._insert_rows(rows, on_conflict_do_nothing=True)

    @api.model
    def _setup_fee_rows(self, clients, tariffs, row, labels):
        """The one-off setup fee recorded at onboarding, on the first invoice."""
        rows = []
        pending = clients.filtered(lambda c: c.callgest_setup_fee_pending > 0)
        for client in pending:
            tariff, tariff_rating = tariffs[client]
            amount = rating.as_decimal(client.callgest_setup_fee_pending)
            line = rating.RatedLine(
                rating.SETUP_FEE, Decimal(1), rating.UNIT, amount, amount
            )
            rows.append(row(client, tariff, line, labels[rating.SETUP_FEE]))
        pending.write({"callgest_setup_fee_pending": 0.0})
        return rows

    # ------------------------------------------------------------------
    # From usage to invoice lines
    # ------------------------------------------------------------------
    @api.model
    def _usage_groups(self, company, clients, period):
        """``{client: [group]}``, a group per invoice line: usage of one
        kind, price and section, with its totals and the usage ids."""
        # numeric as text: Odoo's cursor reads numeric as float, not Decimal
        self.env.flush_all()
        # each client's usage from the earliest month it has to invoice
        since = [client.callgest_usage_pending_since or period for client in clients]
        self.env.cr.execute(
            SQL(
                """SELECT u.partner_id, professional_id, usage, product_id,
                          unit, unit_price::text, currency_id, period,
                          SUM(quantity)::text, SUM(amount)::text,
                          SUM(connect_fee)::text, ARRAY_AGG(u.id)
                     FROM unnest(%s::int[], %s::varchar[])
                          AS pending(partner_id, since)
                     JOIN callgest_usage u
                       ON u.partner_id = pending.partner_id
                      AND u.period >= pending.since AND u.period <= %s
                    WHERE u.state = 'to_invoice' AND u.company_id = %s
                 GROUP BY u.partner_id, professional_id, usage, product_id,
                          unit, unit_price, currency_id, period
                 ORDER BY u.partner_id, professional_id NULLS FIRST,
                          period DESC""",
                clients.ids,
                since,
                period,
                company.id,
            )
        )
        groups = defaultdict(list)
        for (
            partner_id,
            professional_id,
            usage,
            product_id,
            unit,
            unit_price,
            currency_id,
            usage_period,
            quantity,
            amount,
            connect_fee,
            ids,
        ) in self.env.cr.fetchall():
            groups[partner_id].append(
                {
                    "client_id": partner_id,
                    "professional_id": professional_id,
                    "usage": usage,
                    "product_id": product_id,
                    "unit": unit,
                    "unit_price": Decimal(unit_price),
                    "currency_id": currency_id,
                    "period": usage_period,
                    "late": usage_period < period,
                    "quantity": Decimal(quantity),
                    "amount": Decimal(amount),
                    "connect_fee": Decimal(connect_fee or 0),
                    "usage_ids": ids,
                }
            )
        # the lines in the tariff's order: calls, messages, then monthly fees
        order = {usage: index for index, usage in enumerate(rating.DEFAULT_USAGES)}
        for client_groups in groups.values():
            client_groups.sort(key=lambda group: order.get(group["usage"], 99))
        return groups

    @api.model
    def _add_minimum_top_ups(self, company, clients, period, day, groups):
        """A top-up line to the monthly minimum (per DDI in service) where the
        period's usage, as the invoice lines will round it, is below it."""
        Usage = self.env["callgest.usage"]
        tariffs = Usage._tariffs_for(clients, company)
        products = Usage._products_by_rate(t[0] for t in tariffs.values())
        rows = []
        top_ups = {}
        for client in clients:
            client_groups = groups.get(client.id, [])
            ddi_months = sum(
                (
                    group["quantity"]
                    for group in client_groups
                    if group["usage"] in (rating.DDI, rating.DDI_EXTRA)
                    and not group["late"]
                ),
                Decimal(0),
            )
            if not ddi_months:
                continue
            tariff, tariff_rating = tariffs[client]
            rounding = tariff.currency_id.rounding
            minimum = rating.round_money(
                ddi_months * tariff_rating.rate(rating.MINIMUM).price, rounding
            )
            billed = sum(
                (
                    rating.round_money(group["amount"], rounding)
                    for group in client_groups
                    if not group["late"] and group["usage"] not in NOT_IN_MINIMUM
                ),
                Decimal(0),
            )
            if billed >= minimum:
                continue
            top_up = minimum - billed
            top_ups[client.id] = top_up
            rows.append(
                usage_row(
                    tariff,
                    products[(tariff.id, rating.MINIMUM)],
                    rating.RatedLine(
                        rating.MINIMUM, Decimal(1), rating.UNIT, top_up, top_up
                    ),
                    name=_(
                        "Top-up to the monthly minimum of %(minimum)s %(currency)s",
                        minimum=minimum,
                        currency=tariff.currency_id.name,
                    ),
                    company_id=company.id,
                    partner_id=client.id,
                    date=fields.Datetime.to_datetime(day),
                    period=period,
                )
            )
        for usage in Usage._insert_rows(rows, on_conflict_do_nothing=True):
            top_up = top_ups[usage.partner_id.id]
            groups[usage.partner_id.id].append(
                {
                    "client_id": usage.partner_id.id,
                    "professional_id": None,
                    "usage": rating.MINIMUM,
                    "product_id": usage.product_id.id,
                    "unit": rating.UNIT,
                    "unit_price": top_up,
                    "currency_id": usage.currency_id.id,
                    "period": period,
                    "late": False,
                    "quantity": Decimal(1),
                    "amount": top_up,
                    "connect_fee": Decimal(0),
                    "usage_ids": usage.ids,
                    "name": usage.name,
                }
            )

    @api.model
    def _create_invoices(self, company, period, invoice_date, groups):
        """One invoice per invoiced partner, created in one batch; each usage
        is then linked to the invoice line that bills it."""
        Partner = self.env["res.partner"].sudo()
        Currency = self.env["res.currency"]
        labels = USAGE_LABELS
        units = dict(
            self.env["callgest.usage"]._fields["unit"]._description_selection(self.env)
        )
        invoices = {}  # invoiced partner -> {"sections": {section: [lines]}}
        for client_id, client_groups in groups.items():
            client = Partner.browse(client_id)
            for group in client_groups:
                professional = Partner.browse(group["professional_id"] or [])
                invoice_partner = self._invoice_partner(client, professional)
                section = self._section_name(client, professional, invoice_partner)
                if group["late"]:
                    section = (section + " - " if section else "") + _(
                        "usage of earlier months"
                    )
                invoice = invoices.setdefault(
                    invoice_partner, {"sections": defaultdict(list)}
                )
                invoice["sections"][section].append(group)
        vals_list = []
        line_groups = []  # per invoice: {sequence: group}
        for partner, invoice in invoices.items():
            currency = partner._callgest_invoice_currency(company)
            lines = []
            by_sequence = {}
            sequence = 0
            for section in sorted(invoice["sections"], key=lambda s: (bool(s), s)):
                if section:
                    sequence += 1
                    lines.append(
                        {
                            "display_type": "line_section",
                            "name": section,
                            "sequence": sequence,
                        }
                    )
                for group in invoice["sections"][section]:
                    for line in self._invoice_lines(
                        group, labels, units, Currency, currency, company, invoice_date
                    ):
                        sequence += 1
                        line["sequence"] = sequence
                        by_sequence[sequence] = group
                        lines.append(line)
            vals_list.append(
                self._invoice_vals(
                    company, partner, currency, period, invoice_date, lines
                )
            )
            line_groups.append(by_sequence)
        moves = (
            self.env["account.move"]
            .with_company(company)
            .with_context(default_move_type="out_invoice")
            .create(vals_list)
        )
        self._link_usage(moves, line_groups)
        return moves

    @api.model
    def _invoice_vals(self, company, partner, currency, period, invoice_date, lines):
        """The vals of a CallGest invoice of ``period`` with ``lines``."""
        vals = {
            "move_type": "out_invoice",
            "partner_id": partner.id,
            "company_id": company.id,
            "currency_id": currency.id,
            "invoice_date": invoice_date,
            "invoice_origin": _("CallGest %(period)s", period=period),
            "callgest_period": period,
            "invoice_line_ids": [fields.Command.create(line) for line in lines],
        }
        if company.callgest_invoice_journal_id:
            vals["journal_id"] = company.callgest_invoice_journal_id.id
        return vals

    @api.model
    def _section_name(self, client, professional, invoice_partner):
        if invoice_partner != client.commercial_partner_id and invoice_partner != (
            professional
        ):
            # a reseller's invoice: a section per sub-client
            return client.display_name
        if professional and invoice_partner != professional:
            return professional.name
        return ""

    @api.model
    def _invoice_lines(self, group, labels, units, Currency, currency, company, day):
        """The invoice line(s) of a group: quantity × unit price, so that
        Odoo rounds the amount once; a line whose amount is not that (a cap,
        a correction) is billed as one unit of its amount."""
        source = Currency.browse(group["currency_id"])

        def price(value):
            if source == currency:
                return float(value)
            return source._convert(float(value), currency, company, day, round=False)

        name = group.get("name") or labels[group["usage"]]
        if group["unit"] in (rating.SECOND, rating.MINUTE):
            name = _("%(usage)s (%(unit)s)", usage=name, unit=units[group["unit"]])
        if group["late"]:
            name = _("%(name)s - %(period)s, late", name=name, period=group["period"])
        base = {
            "product_id": group["product_id"],
            "name": name,
            "callgest_client_id": group["client_id"],
        }
        quantity, unit_price = group["quantity"], group["unit_price"]
        fee = group["connect_fee"]
        if quantity and quantity * unit_price + fee == group["amount"]:
            lines = [dict(base, quantity=float(quantity), price_unit=price(unit_price))]
            if fee:
                lines.append(
                    dict(
                        base,
                        name=_("%(name)s: connection fees", name=name),
                        quantity=1.0,
                        price_unit=price(fee),
                    )
                )
            return lines
        return [dict(base, quantity=1.0, price_unit=price(group["amount"]))]

    @api.model
    def _link_usage(self, moves, line_groups):
        """Link each usage to the invoice line that bills it, in one UPDATE."""
        self.env.flush_all()
        usage_ids, line_ids, late = [], [], []
        for move, by_sequence in zip(moves, line_groups, strict=True):
            seen = set()
            for line in move.invoice_line_ids:
                group = by_sequence.get(line.sequence)
                if group is None or id(group) in seen:
                    continue  # a section, or the fee line of a group
                seen.add(id(group))
                usage_ids.extend(group["usage_ids"])
                line_ids.extend([line.id] * len(group["usage_ids"]))
                late.extend([group["late"]] * len(group["usage_ids"]))
        self.env.cr.execute(
            SQL(
                """UPDATE callgest_usage usage
                      SET invoice_line_id = link.line_id, state = 'invoiced',
                          late = link.late
                     FROM unnest(%s::int[], %s::int[], %s::bool[])
                          AS link(usage_id, line_id, late)
                    WHERE usage.id = link.usage_id
                      AND usage.state = 'to_invoice'""",
                usage_ids,
                line_ids,
                late,
            )
        )
        if self.env.cr.rowcount != len(usage_ids):
            # a concurrent change: invoice nothing rather than twice
            raise UserError(
                _(
                    "Usage changed while it was being invoiced; nothing was "
                    "created. Run the invoicing again."
                )
            )
        self.env["callgest.usage"].invalidate_model()

    @api.model
    def _update_pending_since(self, clients):
        """After a run: the earliest month each client still has to invoice."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """UPDATE res_partner partner
                      SET callgest_usage_pending_since = (
                          SELECT MIN(usage.period) FROM callgest_usage usage
                           WHERE usage.partner_id = partner.id
                             AND usage.period >= partner.callgest_usage_pending_since
                             AND usage.state = 'to_invoice')
                    WHERE partner.id = ANY(%s)
                      AND partner.callgest_usage_pending_since IS NOT NULL""",
                clients.ids,
            )
        )
        self.env["res.partner"].invalidate_model(["callgest_usage_pending_since"])

    @api.model
    def rerate_period(self, period, client_ids=None):
        """Rate the calls and messages of ``period`` again with the current
        tariffs, for clients not invoiced for it yet; return a message."""
        first, last = self._period_bounds(period)
        period = first.strftime("%Y-%m")
        Partner = self.env["res.partner"].sudo()
        Call = self.env["callgest.call"].sudo()
        domain = [
            ("local_date", ">=", first),
            ("local_date", "<=", last),
            ("partner_id", "!=", False),
            ("company_id", "=", self.env.company.id),
        ]
        if client_ids:
            domain.append(("partner_id", "in", client_ids))
        calls = Call.search(domain)
        events = (
            self.env["callgest.usage"]
            .sudo()
            .search(
                [
                    ("period", "=", period),
                    ("billable_event_id", "!=", False),
                    ("state", "=", "to_invoice"),
                    ("company_id", "=", self.env.company.id),
                ]
                + ([("partner_id", "in", client_ids)] if client_ids else [])
            )
        )
        clients = calls.partner_id | events.partner_id
        if client_ids:
            clients |= Partner.browse(client_ids)
        invoiced = self._clients_invoiced(clients, period)
        if invoiced and client_ids:
            raise UserError(
                _(
                    "%(period)s is already invoiced for %(clients)s: its usage "
                    "is not rated again. Correct an invoice with a credit note.",
                    period=period,
                    clients=", ".join(invoiced.mapped("display_name")),
                )
            )
        calls = calls.filtered(lambda call: call.partner_id not in invoiced)
        events = events.filtered(lambda usage: usage.partner_id not in invoiced)
        event_records = events.billable_event_id
        events.unlink()
        Usage = self.env["callgest.usage"]
        usages = Usage._rate_calls(calls) | Usage._rate_events(event_records)
        message = _(
            "%(calls)s call(s) and %(messages)s message(s) of %(period)s rated "
            "again: %(lines)s usage line(s).",
            calls=len(calls),
            messages=len(event_records),
            period=period,
            lines=len(usages),
        )
        if invoiced:
            message += " " + _(
                "%(count)s client(s) left as they are: already invoiced.",
                count=len(invoiced),
            )
        return message

    # ------------------------------------------------------------------
    # Cron
    # ------------------------------------------------------------------
    @api.model
    def _cron_invoice_previous_month(self):
        period = (fields.Date.context_today(self) - relativedelta(months=1)).strftime(
            "%Y-%m"
        )
        companies = (
            self.env["callgest.tariff"]
            .sudo()
            .search([("is_default", "=", True)])
            .company_id
        )
        for company in companies:
            # the cron's user need not be an accountant
            self.sudo().with_company(company).run_period(period)
