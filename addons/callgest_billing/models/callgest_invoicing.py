import calendar
import logging
import re
from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..tools import rating
from .callgest_usage import usage_row

_logger = logging.getLogger(__name__)

PERIOD_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")
# pg_try_advisory_xact_lock(key, company id): one invoicing run per company
INVOICING_LOCK_KEY = 0x43474956  # "CGIV"
# usage that does not count towards the monthly minimum
NOT_IN_MINIMUM = (rating.SETUP_FEE, rating.MINIMUM)


class UsageGroup(NamedTuple):
    """The usage one invoice line bills: of one client and professional, one
    kind, product, unit, price, currency and period (a monthly fee or a
    minimum alone, with its ``name``), its sums and its usage ids."""

    client_id: int
    professional_id: int | None
    usage: str
    product_id: int
    unit: str
    unit_price: Decimal
    currency_id: int
    period: str
    late: bool  # of a month before the one invoiced
    quantity: Decimal
    amount: Decimal
    connect_fee: Decimal
    usage_ids: list
    name: str | None  # a fee's own name (the usage's label otherwise)


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
        done = self._clients_invoiced(clients, period, company)
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
        self._drop_pending_minimums(clients, company)
        groups = self._usage_groups(company, clients, period)
        self._add_minimum_top_ups(company, clients, period, last, groups)
        moves = self._create_invoices(company, period, last, groups)
        self._update_pending_since(clients, company)
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
        DDI in service during the month, agenda modules or a setup fee; with
        their settings in ``company`` (company-dependent fields)."""
        self.env.flush_all()
        Partner = self.env["res.partner"].sudo().with_company(company)
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
        ids |= set(self._agenda_clients(company, first, last).ids)
        # the provider's own lines (information requests) are not a client's
        clients = Partner.browse(ids).filtered("is_callgest_client")
        if client_ids:
            clients &= Partner.browse(client_ids)
        return self._clients_billed_monthly(clients)

    @api.model
    def _agenda_clients(self, company, first, last):
        """The clients in service during ``first``..``last`` with agenda
        modules to invoice in ``company`` (hook: callgest_agenda_billing adds
        those whose professionals have working hours)."""
        return (
            self.env["res.partner"]
            .sudo()
            .with_company(company)
            .search(
                [
                    ("company_id", "in", (company.id, False)),
                    ("callgest_agenda_modules", ">", 0),
                    *self._in_service_domain(first, last),
                ]
            )
        )

    @api.model
    def _agenda_modules(self, client):
        """The weekly agenda modules ``client`` (in the run's company) is
        invoiced (hook: callgest_agenda_billing derives them from its
        professionals' working hours)."""
        return client.callgest_agenda_modules

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
    def _clients_invoiced(self, clients, period, company=None):
        """The ``clients`` that already have an invoice for ``period`` from
        ``company`` (default: the current one)."""
        if not clients:
            return clients
        company = company or self.env.company
        self.env.cr.execute(
            SQL(
                """SELECT DISTINCT partner_id FROM callgest_usage
                    WHERE partner_id IN %s AND period = %s AND NOT late
                      AND invoice_link_id IS NOT NULL AND company_id = %s""",
                tuple(clients.ids),
                period,
                company.id,
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

    @api.model
    def _in_lang(self, partner):
        """This model in the language of ``partner``: the names of the lines
        it is invoiced are written in it, not in the language of whoever runs
        the invoicing."""
        return self.with_context(lang=partner.lang or self.env.lang)

    @api.model
    def _usage_labels(self):
        """``{usage: its name}`` in the context's language."""
        Usage = self.env["callgest.usage"]
        return dict(Usage._fields["usage"]._description_selection(self.env))

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
            rate = tariff_rating.rate(usage)
            # exact: months of service (the minimum counts them) and amount
            fraction = rating.prorated(Decimal(1), days, last.day)
            amount = rating.prorated(rate.price, days, last.day)
            line = rating.RatedLine(usage, fraction, rate.unit, rate.price, amount)
            name = self._in_lang(
                self._invoice_partner(client, ddi.professional_id)
            )._ddi_fee_name(ddi, usage, days, last.day)
            rows.append(row(client, tariff, line, name, ddi))
        for client in clients.filtered_domain(self._in_service_domain(first, last)):
            modules = self._agenda_modules(client)
            if not modules:
                continue
            tariff, tariff_rating = tariffs[client]
            line = rating.rate_count(tariff_rating.rate(rating.AGENDA_MODULE), modules)
            name = self._in_lang(self._invoice_partner(client))._agenda_fee_name(
                modules
            )
            rows.append(row(client, tariff, line, name))
        rows.extend(self._setup_fee_rows(clients, tariffs, row))
        Usage._insert_rows(rows, on_conflict_do_nothing=True)

    @api.model
    def _ddi_fee_name(self, ddi, usage, days, month_days):
        """The name of a DDI's monthly fee, prorated for ``days`` of the
        month's ``month_days``, in the context's language."""
        name = f"{self._usage_labels()[usage]}: {ddi.number_national or ddi.number}"
        if days != month_days:
            name += " " + _("(%(days)s of %(month)s days)", days=days, month=month_days)
        return name

    @api.model
    def _agenda_fee_name(self, count):
        return _(
            "%(usage)s: %(count)s module(s)",
            usage=self._usage_labels()[rating.AGENDA_MODULE],
            count=count,
        )

    @api.model
    def _setup_fee_rows(self, clients, tariffs, row):
        """The one-off setup fee recorded at onboarding, on the first invoice."""
        rows = []
        pending = clients.filtered(lambda c: c.callgest_setup_fee_pending > 0)
        for client in pending:
            tariff, tariff_rating = tariffs[client]
            amount = rating.as_decimal(client.callgest_setup_fee_pending)
            line = rating.RatedLine(
                rating.SETUP_FEE, Decimal(1), rating.UNIT, amount, amount
            )
            name = self._in_lang(self._invoice_partner(client))._usage_labels()[
                rating.SETUP_FEE
            ]
            rows.append(row(client, tariff, line, name))
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
                          SUM(quantity)::text AS quantity,
                          SUM(amount)::text AS amount,
                          SUM(connect_fee)::text AS connect_fee,
                          ARRAY_AGG(u.id) AS usage_ids,
                          -- a fee is a line of its own, with its name
                          CASE WHEN call_id IS NULL AND billable_event_id IS NULL
                               THEN name END AS fee_name
                     FROM unnest(%s::int[], %s::varchar[])
                          AS pending(partner_id, since)
                     JOIN callgest_usage u
                       ON u.partner_id = pending.partner_id
                      AND u.period >= pending.since AND u.period <= %s
                    WHERE u.state = 'to_invoice' AND u.company_id = %s
                 GROUP BY u.partner_id, professional_id, usage, product_id,
                          unit, unit_price, currency_id, period, fee_name
                 ORDER BY u.partner_id, professional_id NULLS FIRST,
                          period DESC""",
                clients.ids,
                since,
                period,
                company.id,
            )
        )
        groups = defaultdict(list)
        for row in self.env.cr.dictfetchall():
            groups[row["partner_id"]].append(
                UsageGroup(
                    client_id=row["partner_id"],
                    professional_id=row["professional_id"],
                    usage=row["usage"],
                    product_id=row["product_id"],
                    unit=row["unit"],
                    unit_price=Decimal(row["unit_price"]),
                    currency_id=row["currency_id"],
                    period=row["period"],
                    late=row["period"] < period,
                    quantity=Decimal(row["quantity"]),
                    amount=Decimal(row["amount"]),
                    connect_fee=Decimal(row["connect_fee"] or 0),
                    usage_ids=row["usage_ids"],
                    name=row["fee_name"],
                )
            )
        # the lines in the tariff's order: calls, messages, then monthly fees
        order = {usage: index for index, usage in enumerate(rating.DEFAULT_USAGES)}
        for client_groups in groups.values():
            client_groups.sort(key=lambda group: order.get(group.usage, 99))
        return groups

    @api.model
    def _drop_pending_minimums(self, clients, company=None):
        """Minimum lines not invoiced (their invoice was cancelled) are made
        again from what the months hold now, in ``company`` (default: the
        current one)."""
        company = company or self.env.company
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """DELETE FROM callgest_usage
                    WHERE partner_id = ANY(%s) AND usage = %s
                      AND state = 'to_invoice' AND company_id = %s""",
                clients.ids,
                rating.MINIMUM,
                company.id,
            )
        )
        self.env["callgest.usage"].invalidate_model()

    @api.model
    def _months_billed(self, clients, periods, company=None):
        """``{(client id, period): {"months": DDI months of service, "counted":
        what the invoice lines billed (less credit notes) toward the minimum,
        "topped_up": the minimum lines billed}}``, in the tariff's currency;
        ``periods`` are those the invoice being made bills usage of; in
        ``company`` (default: the current one)."""
        company = company or self.env.company
        self.env.flush_all()
        months = defaultdict(
            lambda: {
                "months": Decimal(0),
                "counted": Decimal(0),
                "topped_up": Decimal(0),
            }
        )
        self.env.cr.execute(
            SQL(
                """SELECT partner_id, period, SUM(quantity)::text AS quantity
                     FROM callgest_usage
                    WHERE partner_id = ANY(%s) AND period = ANY(%s)
                      AND usage IN %s AND state IN ('to_invoice', 'invoiced')
                      AND company_id = %s
                 GROUP BY partner_id, period""",
                clients.ids,
                list(periods),
                (rating.DDI, rating.DDI_EXTRA),
                company.id,
            )
        )
        for row in self.env.cr.dictfetchall():
            months[row["partner_id"], row["period"]]["months"] = Decimal(
                row["quantity"]
            )
        self.env.cr.execute(
            SQL(
                """SELECT link.partner_id, link.period,
                          link.usage = %s AS is_minimum,
                          SUM(link.amount)::text AS amount
                     FROM callgest_usage_link link
                     JOIN account_move_line line ON line.id = link.invoice_line_id
                     JOIN account_move move ON move.id = line.move_id
                    WHERE link.partner_id = ANY(%s) AND link.period = ANY(%s)
                      AND link.usage != %s AND move.state != 'cancel'
                      AND move.company_id = %s
                 GROUP BY link.partner_id, link.period, is_minimum""",
                rating.MINIMUM,
                clients.ids,
                list(periods),
                rating.SETUP_FEE,
                company.id,
            )
        )
        for row in self.env.cr.dictfetchall():
            month = months[row["partner_id"], row["period"]]
            month["topped_up" if row["is_minimum"] else "counted"] = Decimal(
                row["amount"]
            )
        return months

    @api.model
    def _add_minimum_top_ups(self, company, clients, period, day, groups):
        """The minimum line of each month the invoices bill usage of (see
        ``rating.minimum_adjustment``): a top-up where the month's usage, as
        the invoice lines round it, is below its minimum (per DDI month in
        service), a negative line where usage billed after the month was
        topped up is absorbed by that top-up. A month whose DDI fees were
        never invoiced has no minimum yet: its usage counts toward it when
        the month is invoiced."""
        Usage = self.env["callgest.usage"]
        tariffs = Usage._tariffs_for(clients, company)
        products = Usage._products_by_rate(t[0] for t in tariffs.values())
        periods = {period} | {
            group.period for client_groups in groups.values() for group in client_groups
        }
        months = self._months_billed(clients, periods, company)
        rows, new_groups = [], []
        for client in clients:
            client_groups = groups.get(client.id, [])
            tariff, tariff_rating = tariffs[client]
            rounding = tariff.currency_id.rounding
            on_invoice = defaultdict(Decimal)
            for group in client_groups:
                if group.usage not in NOT_IN_MINIMUM:
                    on_invoice[group.period] += rating.round_money(
                        group.amount, rounding
                    )
            for month_period in sorted({period} | set(on_invoice), reverse=True):
                month = months.get((client.id, month_period))
                if not month or not month["months"]:
                    continue
                minimum = rating.round_money(
                    month["months"] * tariff_rating.rate(rating.MINIMUM).price,
                    rounding,
                )
                adjustment = rating.minimum_adjustment(
                    minimum,
                    month["counted"] + on_invoice[month_period],
                    month["topped_up"],
                )
                if not adjustment:
                    continue
                name = self._in_lang(self._invoice_partner(client))._minimum_line_name(
                    minimum, tariff.currency_id, month_period, period, adjustment
                )
                rows.append(
                    usage_row(
                        tariff,
                        products[(tariff.id, rating.MINIMUM)],
                        rating.RatedLine(
                            rating.MINIMUM,
                            Decimal(1),
                            rating.UNIT,
                            adjustment,
                            adjustment,
                        ),
                        name=name,
                        company_id=company.id,
                        partner_id=client.id,
                        date=fields.Datetime.to_datetime(day),
                        period=month_period,
                    )
                )
                new_groups.append(
                    UsageGroup(
                        client_id=client.id,
                        professional_id=None,
                        usage=rating.MINIMUM,
                        product_id=products[(tariff.id, rating.MINIMUM)],
                        unit=rating.UNIT,
                        unit_price=adjustment,
                        currency_id=tariff.currency_id.id,
                        period=month_period,
                        late=month_period < period,
                        quantity=Decimal(1),
                        amount=adjustment,
                        connect_fee=Decimal(0),
                        usage_ids=[],  # once inserted, below
                        name=name,
                    )
                )
        usages = Usage._insert_rows(rows)
        for usage_id, group in zip(usages.ids, new_groups, strict=True):
            groups[group.client_id].append(group._replace(usage_ids=[usage_id]))

    @api.model
    def _minimum_line_name(self, minimum, currency, month, period, adjustment):
        if adjustment < 0:
            return _(
                "Usage of %(month)s absorbed by its top-up to the monthly "
                "minimum of %(minimum)s %(currency)s",
                month=month,
                minimum=minimum,
                currency=currency.name,
            )
        if month != period:
            return _(
                "Top-up of %(month)s to the monthly minimum of %(minimum)s "
                "%(currency)s",
                month=month,
                minimum=minimum,
                currency=currency.name,
            )
        return _(
            "Top-up to the monthly minimum of %(minimum)s %(currency)s",
            minimum=minimum,
            currency=currency.name,
        )

    @api.model
    def _create_invoices(self, company, period, invoice_date, groups):
        """One invoice per invoiced partner, created in one batch; each usage
        is then linked to the invoice line that bills it."""
        Partner = self.env["res.partner"].sudo()
        Currency = self.env["res.currency"]
        in_lang = {}  # lang -> (this model in it, usage labels, unit labels)

        def localized(partner):
            """The lines of ``partner``'s invoice are named in its language."""
            lang = partner.lang or self.env.lang
            if lang not in in_lang:
                local = self.with_context(lang=lang)
                in_lang[lang] = (
                    local,
                    local._usage_labels(),
                    dict(
                        local.env["callgest.usage"]
                        ._fields["unit"]
                        ._description_selection(local.env)
                    ),
                )
            return in_lang[lang]

        invoices = {}  # invoiced partner -> {"sections": {section: [lines]}}
        for client_id, client_groups in groups.items():
            client = Partner.browse(client_id)
            for group in client_groups:
                professional = Partner.browse(group.professional_id or [])
                invoice_partner = self._invoice_partner(client, professional)
                section = self._section_name(client, professional, invoice_partner)
                if group.late:
                    section = (section + " - " if section else "") + localized(
                        invoice_partner
                    )[0]._late_section_name()
                invoice = invoices.setdefault(
                    invoice_partner, {"sections": defaultdict(list)}
                )
                invoice["sections"][section].append(group)
        vals_list = []
        line_groups = []  # per invoice: {sequence: group}
        for partner, invoice in invoices.items():
            local, labels, units = localized(partner)
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
                    for line in local._invoice_lines(
                        group, labels, units, Currency, currency, company, invoice_date
                    ):
                        sequence += 1
                        line["sequence"] = sequence
                        by_sequence[sequence] = group
                        lines.append(line)
            vals_list.append(
                local._invoice_vals(
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
    def _late_section_name(self):
        return _("usage of earlier months")

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
        source = Currency.browse(group.currency_id)

        def price(value):
            if source == currency:
                return float(value)
            return source._convert(float(value), currency, company, day, round=False)

        name = group.name or labels[group.usage]
        if group.unit in (rating.SECOND, rating.MINUTE):
            name = _("%(usage)s (%(unit)s)", usage=name, unit=units[group.unit])
        if group.late:
            name = _("%(name)s - %(period)s, late", name=name, period=group.period)
        base = {
            "product_id": group.product_id,
            "name": name,
            "callgest_client_id": group.client_id,
        }
        quantity, unit_price = group.quantity, group.unit_price
        fee = group.connect_fee
        if (
            quantity
            and quantity * unit_price + fee == group.amount
            and self._fits_invoice_line(quantity, unit_price, source, currency)
        ):
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
        # one unit of the amount, rounded once, in the invoice's currency
        amount = rating.round_money(
            rating.as_decimal(price(group.amount)), Decimal(str(currency.rounding))
        )
        return [dict(base, quantity=1.0, price_unit=float(amount))]

    @api.model
    def _fits_invoice_line(self, quantity, unit_price, source, currency):
        """An invoice line keeps ``quantity`` and ``unit_price`` as they are
        (the precisions of its fields), so that Odoo's rounding of quantity ×
        price is the only rounding: not a prorated 16/31 month (0.52 × 9 €
        would be 4.68 €, not 4.65 €)."""
        precision = self.env["decimal.precision"].precision_get
        if quantity != round(quantity, precision("Product Unit of Measure")):
            return False
        if source != currency:
            return True  # converted: the price is not exact anyway
        return unit_price == round(unit_price, precision("Product Price"))

    @api.model
    def _link_usage(self, moves, line_groups):
        """Link each usage to the invoice line that bills it: one link row per
        line (insert-only, the foreign key to the line), then one UPDATE of
        the usage rows, in place (no key to check per row)."""
        self.env.flush_all()
        Currency = self.env["res.currency"]
        links, groups = {}, {}  # by invoice line id: link row, group
        for move, by_sequence in zip(moves, line_groups, strict=True):
            group_link = {}  # id(group) -> its link row (the group's first line)
            for line in move.invoice_line_ids.sorted("sequence"):
                group = by_sequence.get(line.sequence)
                if group is None:
                    continue  # a section
                link = group_link.get(id(group))
                if link is None:
                    link = group_link[id(group)] = links[line.id] = {
                        "invoice_line_id": line.id,
                        "partner_id": group.client_id,
                        "period": group.period,
                        "usage": group.usage,
                        "currency_id": group.currency_id,
                        "amount": Decimal(0),
                    }
                    groups[line.id] = group
                source = Currency.browse(group.currency_id)
                if line.currency_id == source:
                    link["amount"] += Decimal(str(line.price_subtotal))
                elif link["amount"] == 0:  # converted: in the tariff's currency
                    link["amount"] = rating.round_money(
                        group.amount, Decimal(str(source.rounding))
                    )
        link_of_line = self.env["callgest.usage.link"]._create_rows(
            list(links.values())
        )
        usage_ids, link_ids, late = [], [], []
        for line_id, group in groups.items():
            count = len(group.usage_ids)
            usage_ids.extend(group.usage_ids)
            link_ids.extend([link_of_line[line_id]] * count)
            late.extend([group.late] * count)
        self.env.cr.execute(
            SQL(
                """UPDATE callgest_usage usage
                      SET invoice_link_id = link.link_id, state = 'invoiced',
                          late = link.late
                     FROM unnest(%s::int[], %s::int[], %s::bool[])
                          AS link(usage_id, link_id, late)
                    WHERE usage.id = link.usage_id
                      AND usage.state = 'to_invoice'""",
                usage_ids,
                link_ids,
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
    def _update_pending_since(self, clients, company=None):
        """After a run: the earliest month each client still has to invoice
        in ``company`` (default: the current one)."""
        company = company or self.env.company
        self.env.flush_all()
        clients = clients.with_company(company).filtered("callgest_usage_pending_since")
        if not clients:
            return
        self.env.cr.execute(
            SQL(
                """SELECT pending.partner_id, MIN(usage.period)
                     FROM unnest(%s::int[], %s::varchar[])
                          AS pending(partner_id, since)
                LEFT JOIN callgest_usage usage
                       ON usage.partner_id = pending.partner_id
                      AND usage.period >= pending.since
                      AND usage.company_id = %s
                      AND usage.state = 'to_invoice'
                 GROUP BY pending.partner_id""",
                clients.ids,
                clients.mapped("callgest_usage_pending_since"),
                company.id,
            )
        )
        self.env["res.partner"]._callgest_set_usage_pending_since(
            {
                (partner_id, company.id): since
                for partner_id, since in self.env.cr.fetchall()
            }
        )

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
        Run = self.env["callgest.invoicing.run"].sudo()
        for company in companies:
            # one queue job per company; the cron's user need not be an
            # accountant: the jobs run as superuser, in their company
            Run.with_company(company)._queue(period, company)
