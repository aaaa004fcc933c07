from collections import defaultdict
from decimal import Decimal
from typing import NamedTuple

import pytz

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from odoo.addons.callgest_base.tools import sql_rows

from ..tools import rating
from ..tools.destinations import outbound_destination
from .callgest_tariff_rate import UNITS, USAGES

STATES = [
    ("to_invoice", "To invoice"),
    ("invoiced", "Invoiced"),
    ("prepaid", "Paid from the prepaid balance"),
    ("written_off", "Written off"),
]


class UsageRow(NamedTuple):
    """The columns of callgest_usage the rating engine writes in bulk (no
    per-line ORM create), by name (``sql_rows.insert_rows``); those with a
    default may be left out."""

    name: str
    company_id: int
    partner_id: int
    tariff_id: int
    currency_id: int
    usage: str
    product_id: int
    unit: str
    date: object
    period: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    professional_id: int | None = None
    ddi_id: int | None = None
    call_id: int | None = None
    billable_event_id: int | None = None
    seconds: int | None = None
    connect_fee: Decimal | None = None
    late: bool = False
    state: str = "to_invoice"


USAGE_COLUMNS = UsageRow._fields

USAGE_LABELS = dict(USAGES)


def usage_row(tariff, product_id, line, **values):
    """A UsageRow for ``_insert_rows``: ``line`` (a ``rating.RatedLine``)
    priced by ``tariff``, the other columns from ``values`` (a column not
    given has its UsageRow default, a misspelt one is a TypeError); new usage
    is to invoice, not late."""
    row = {
        "name": USAGE_LABELS[line.usage],
        "tariff_id": tariff.id,
        "currency_id": tariff.currency_id.id,
        "usage": line.usage,
        "product_id": product_id,
        "unit": line.unit,
        "seconds": line.seconds,
        "quantity": line.quantity,
        "unit_price": line.unit_price,
        "connect_fee": line.connect_fee,
        "amount": line.amount,
        **values,
    }
    return UsageRow(**row)


def period_of(day):
    """``'YYYY-MM'`` of a date."""
    return f"{day.year:04d}-{day.month:02d}"


class CallgestUsage(models.Model):
    """One rated usage: a call's robot or secretary time, a message, a monthly
    fee. Invoiced exactly once: it is linked to the invoice line that bills it.
    """

    _name = "callgest.usage"
    _description = "CallGest rated usage"
    _order = "date desc, id desc"
    _check_company_auto = True
    # written in bulk by the rating engine at import; the call, the event or
    # the invoicing run says who made it and when
    _log_access = False

    name = fields.Char(string="Description", required=True)
    company_id = fields.Many2one("res.company", required=True)
    partner_id = fields.Many2one("res.partner", string="Client", required=True)
    professional_id = fields.Many2one("res.partner")
    ddi_id = fields.Many2one("callgest.ddi", string="DDI")
    call_id = fields.Many2one(
        "callgest.call", index="btree_not_null", ondelete="restrict"
    )
    billable_event_id = fields.Many2one(
        "callgest.billable.event",
        string="Message",
        index="btree_not_null",
        ondelete="restrict",
    )
    tariff_id = fields.Many2one("callgest.tariff", ondelete="restrict")
    currency_id = fields.Many2one("res.currency", required=True)
    usage = fields.Selection(USAGES, required=True)
    product_id = fields.Many2one("product.product", required=True)
    unit = fields.Selection(UNITS, required=True)
    date = fields.Datetime(required=True, help="When it happened (UTC).")
    period = fields.Char(required=True, help="The month it belongs to, YYYY-MM.")
    seconds = fields.Integer(help="The seconds before the billing rules.")
    quantity = fields.Float(digits=(16, 4), required=True)
    unit_price = fields.Float(digits=(16, 6), required=True)
    connect_fee = fields.Float(digits=(16, 6))
    amount = fields.Monetary(
        currency_field="currency_id",
        required=True,
        help="Quantity × unit price (+ connect fee), exact: money is rounded "
        "once, on the invoice line.",
    )
    late = fields.Boolean(
        help="Arrived after its period was invoiced: billed on a later invoice."
    )
    state = fields.Selection(STATES, required=True, default="to_invoice")
    # no foreign key and no index: invoicing rewrites this column on every row
    # it bills, in place (see init); the link holds the key to the line
    invoice_link_id = fields.Integer(
        string="Invoice link",
        readonly=True,
        copy=False,
        help="The callgest.usage.link of the invoice line that bills it.",
    )
    invoice_line_id = fields.Many2one(
        "account.move.line",
        compute="_compute_invoice_line_id",
        search="_search_invoice_line_id",
    )
    invoice_id = fields.Many2one(
        "account.move",
        compute="_compute_invoice_id",
        search="_search_invoice_id",
    )
    write_off_reason = fields.Char(copy=False)

    def init(self):
        # Invoicing rewrites every usage row it bills (link, state). No index
        # or foreign key covers those columns and pages keep room for a second
        # version of their rows, so that PostgreSQL updates them in place
        # (HOT) without an index entry or a key check per row. The foreign key
        # to the invoice line is on callgest.usage.link, one row per line.
        # Usage is found by (client, period), its invoice line through the
        # link's client.
        self.env.cr.execute("ALTER TABLE callgest_usage SET (fillfactor = 50)")
        self.env.cr.execute(
            """CREATE INDEX IF NOT EXISTS callgest_usage_partner_period_index
               ON callgest_usage (partner_id, period)"""
        )
        # the monthly fees are made once per client, DDI and period: a second
        # invoicing run finds them instead of adding them again (a month's
        # minimum lines are computed from what it billed: see
        # callgest.invoicing._add_minimum_top_ups)
        self.env.cr.execute(
            """DROP INDEX IF EXISTS callgest_usage_periodic_uniq;
               CREATE UNIQUE INDEX IF NOT EXISTS callgest_usage_monthly_fee_uniq
               ON callgest_usage (partner_id, usage, period, COALESCE(ddi_id, 0))
               WHERE call_id IS NULL AND billable_event_id IS NULL
                 AND usage IN ('ddi', 'ddi_extra', 'agenda_module')"""
        )

    @api.depends("invoice_link_id")
    def _compute_invoice_line_id(self):
        links = (
            self.env["callgest.usage.link"]
            .sudo()
            .browse({usage.invoice_link_id for usage in self if usage.invoice_link_id})
            .exists()
        )
        line_of = {link.id: link.invoice_line_id for link in links}
        Line = self.env["account.move.line"]
        for usage in self:
            usage.invoice_line_id = line_of.get(usage.invoice_link_id, Line)

    def _search_invoice_line_id(self, operator, value):
        if operator in ("=", "!=") and not value:
            return [("invoice_link_id", operator, False)]
        if operator not in ("=", "in"):
            raise UserError(_("Search the usage of an invoice line with = or in."))
        ids = [value] if isinstance(value, int) else value
        return self._domain_of_lines(self.env["account.move.line"].browse(ids))

    @api.depends("invoice_line_id")
    def _compute_invoice_id(self):
        for usage in self:
            usage.invoice_id = usage.invoice_line_id.move_id

    def _search_invoice_id(self, operator, value):
        if operator in ("=", "!=") and not value:
            return [("invoice_link_id", operator, False)]
        if operator not in ("=", "in"):
            raise UserError(_("Search the usage of an invoice with = or in."))
        moves = self.env["account.move"].sudo().browse(value or [])
        return self._domain_of_lines(moves.line_ids)

    @api.model
    def _domain_of_lines(self, lines):
        """The usage billed by invoice ``lines``, found through their links'
        clients (the (client, period) index): usage has no index on its link."""
        links = (
            self.env["callgest.usage.link"]
            .sudo()
            .search([("invoice_line_id", "in", lines.ids)])
        )
        return [
            ("partner_id", "in", links.partner_id.ids),
            ("invoice_link_id", "in", links.ids),
        ]

    # ------------------------------------------------------------------
    # A call's cost, explained (portal and invoice call detail)
    # ------------------------------------------------------------------
    @api.model
    def _callgest_explanation_labels(self):
        """The usages' names in an explanation (short, lower case)."""
        labels = {
            rating.ROBOT: _("robot"),
            rating.SECRETARY_L1: _("secretary level 1"),
            rating.SECRETARY_L2: _("secretary level 2"),
            rating.TRANSFER_FIXED: _("transfer to fixed"),
            rating.TRANSFER_MOBILE: _("transfer to mobile"),
            rating.OUTBOUND_MANAGEMENT: _("outbound call management"),
            rating.OUTBOUND_SETUP: _("outbound call setup"),
            rating.OUTBOUND_FIXED: _("outbound to fixed"),
            rating.OUTBOUND_MOBILE: _("outbound to mobile"),
            rating.MESSAGE_AUTO: _("automatic message"),
            rating.MESSAGE_MANUAL: _("manual message"),
        }
        selection = dict(self._fields["usage"]._description_selection(self.env))
        return {usage: labels.get(usage, name) for usage, name in selection.items()}

    @api.model
    def _callgest_explanations(self, where):
        """``{call id: (amount, currency, text)}``: the cost of each call
        of the usage rows ``u`` that ``where`` (an ``SQL`` condition) keeps,
        exact, and its explanation (``rating.explain``), in one query. Read
        as superuser: the caller decides which calls the user may see (the
        portal after its rules, the call detail after the invoice's
        access)."""
        self.flush_model()
        self.env.cr.execute(
            SQL(
                # numeric as text: Odoo's cursor reads numeric as float
                """SELECT u.call_id, u.usage, u.unit, u.currency_id,
                          SUM(u.quantity)::text AS quantity,
                          u.unit_price::text AS unit_price,
                          SUM(COALESCE(u.connect_fee, 0))::text AS connect_fee,
                          SUM(u.amount)::text AS amount
                     FROM callgest_usage u
                    WHERE u.call_id IS NOT NULL AND %s
                 GROUP BY u.call_id, u.usage, u.unit, u.unit_price, u.currency_id
                 ORDER BY u.call_id, MIN(u.id)""",
                where,
            )
        )
        lines = defaultdict(list)
        currency_ids = {}
        for row in self.env.cr.dictfetchall():
            lines[row["call_id"]].append(
                rating.RatedLine(
                    row["usage"],
                    Decimal(row["quantity"]),
                    row["unit"],
                    Decimal(row["unit_price"]),
                    Decimal(row["amount"]),
                    connect_fee=Decimal(row["connect_fee"]),
                )
            )
            currency_ids[row["call_id"]] = row["currency_id"]
        currencies = {
            currency.id: currency
            for currency in self.env["res.currency"].browse(set(currency_ids.values()))
        }
        labels = self._callgest_explanation_labels()
        result = {}
        for call_id, call_lines in lines.items():
            currency = currencies[currency_ids[call_id]]
            result[call_id] = (
                rating.total(call_lines),
                currency,
                self._callgest_explain(call_lines, currency, labels),
            )
        return result

    @api.model
    def _callgest_explain(self, lines, currency, labels=None):
        """The sentence that explains a call's cost ("18 s robot × 0.001 +
        165 s secretary level 1 × 0.013 = 2.163 €") from its rated ``lines``
        (``rating.RatedLine``), in the language of the environment: the one
        wording of the invoice's call detail, the portal, the console and
        the quote."""
        return rating.explain(
            lines,
            labels or self._callgest_explanation_labels(),
            currency.symbol or currency.name,
            min_decimals=currency.decimal_places,
        )

    @api.model
    def _mark_pending(self, partner_periods):
        """Clients have usage to invoice from these periods on: ``{(client
        id, company id): period}``; the invoicing of each company reads each
        client's usage from there."""
        self.env["res.partner"]._callgest_set_usage_pending_since(
            partner_periods, lower_only=True
        )

    # ------------------------------------------------------------------
    # Rating
    # ------------------------------------------------------------------
    @api.model
    def _tariffs_for(self, partners, company):
        """``{partner: (tariff record, rating.Tariff)}``: the partner's own
        tariff, or the default tariff of ``company``."""
        result = {}
        cache = {}
        Tariff = self.env["callgest.tariff"].sudo()
        for partner in partners:
            tariff = partner.with_company(company).callgest_tariff_id
            if not tariff:
                if company not in cache:
                    cache[company] = Tariff._default_for(company)
                tariff = cache[company]
            if tariff not in cache:
                cache[tariff] = tariff._to_rating()
            result[partner] = (tariff, cache[tariff])
        return result

    @api.model
    def _rate_calls(self, calls):
        """Rate ``calls`` (again): their usage not invoiced yet is replaced;
        where what was invoiced differs from the new rating, the difference is
        added as late usage, so that nothing is billed twice or lost."""
        calls = calls.sudo().filtered(lambda call: call.partner_id and call.has_cdr)
        if not calls:
            return self.browse()
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                # numeric as text: Odoo's cursor reads numeric as float
                """SELECT call_id, usage, SUM(quantity)::text AS quantity,
                          SUM(amount)::text AS amount, SUM(seconds) AS seconds,
                          MAX(unit) AS unit, MAX(unit_price)::text AS unit_price
                   FROM callgest_usage
                   WHERE call_id IN %s AND state != 'to_invoice'
                   GROUP BY call_id, usage""",
                tuple(calls.ids),
            )
        )
        settled = defaultdict(dict)
        for row in self.env.cr.dictfetchall():
            settled[row["call_id"]][row["usage"]] = row
        self.env.cr.execute(
            SQL(
                "DELETE FROM callgest_usage WHERE call_id IN %s "
                "AND state = 'to_invoice'",
                tuple(calls.ids),
            )
        )
        rows = []
        unbilled = {}  # call id: its transfer seconds beyond the cap
        for company in calls.company_id:
            company_calls = calls.filtered_domain([("company_id", "=", company.id)])
            tariffs = self._tariffs_for(company_calls.partner_id, company)
            products = self._products_by_rate(t[0] for t in tariffs.values())
            for call in company_calls:
                tariff, tariff_rating = tariffs[call.partner_id]
                lines, transfers = self._rate_call(call, tariff_rating)
                unbilled[call.id] = transfers.unbilled
                rows.extend(
                    self._usage_rows(
                        call, tariff, products, lines, settled.get(call.id, {})
                    )
                )
        self.env.cr.execute(
            SQL(
                """UPDATE callgest_call c
                      SET transfer_unbilled_seconds = rated.seconds
                     FROM unnest(%s::int[], %s::int[]) AS rated(id, seconds)
                    WHERE c.id = rated.id
                      AND c.transfer_unbilled_seconds
                          IS DISTINCT FROM rated.seconds""",
                list(unbilled),
                list(unbilled.values()),
            )
        )
        calls.invalidate_recordset(["transfer_unbilled_seconds"])
        usages = self._insert_rows(rows)
        self.env["callgest.prepaid.move"]._consume_usages(usages)
        return usages

    def _rate_call(self, call, tariff_rating):
        """``(rated lines, rating.TransferSplit)`` of ``call``: robot time
        with its queue time, transfers by destination class within the
        client's cap (see the rules in ``tools/rating.py``)."""
        # the client's settings in the company of the call
        client = call.partner_id.with_company(call.company_id)
        level = 2 if client.callgest_service_level == "level_2" else 1
        outbound = call.direction == "outbound"
        talk = 0
        if outbound and call.answer_time:
            talk = max(int((call.end_time - call.answer_time).total_seconds()), 0)
        region = call.pbx_id.country_id.code or None
        transfers = rating.split_transfers(
            [
                (outbound_destination(number, region), seconds)
                for number, seconds in call._transfers()
            ],
            cap_seconds=client.callgest_transfer_cap_seconds,
            own_sims=client.callgest_own_sims,
        )
        lines = rating.rate_call(
            tariff_rating,
            secretary_seconds=call.secretary_seconds or 0,
            level=level,
            robot_seconds=call.robot_seconds or 0,
            queue_seconds=call.queue_seconds or 0,
            transfer_seconds=transfers.fixed,
            transfer_mobile_seconds=transfers.mobile,
            outbound=outbound,
            outbound_destination=outbound_destination(call.called_number)
            if talk
            else None,
            outbound_seconds=talk,
        )
        return lines, transfers

    @api.model
    def _products_by_rate(self, tariffs):
        return {
            (rate.tariff_id.id, rate.usage): rate.product_id.id
            for tariff in set(tariffs)
            for rate in tariff.rate_ids
        }

    def _usage_rows(self, call, tariff, products, lines, settled):
        """Rows for ``lines`` of ``call``, less what is already settled."""
        call_values = {
            "company_id": call.company_id.id,
            "partner_id": call.partner_id.id,
            "professional_id": call.professional_id.id or None,
            "ddi_id": call.ddi_id.id or None,
            "call_id": call.id,
            "date": call.start_time,
            "period": period_of(call.local_date or call.start_time.date()),
        }
        new = {line.usage: line for line in lines}
        rows = []
        for usage in list(new) + [u for u in settled if u not in new]:
            line = new.get(usage)
            if usage in settled:
                # what the new rating adds to (or takes from) what was settled
                done = settled[usage]
                line = rating.RatedLine(
                    usage,
                    (line.quantity if line else 0) - Decimal(done["quantity"]),
                    line.unit if line else done["unit"],
                    line.unit_price if line else Decimal(done["unit_price"]),
                    (line.amount if line else 0) - Decimal(done["amount"]),
                    (line.seconds if line else 0) - (done["seconds"] or 0),
                    line.connect_fee if line else rating.ZERO,
                )
                if not line.quantity and not line.amount:
                    continue
            rows.append(
                usage_row(
                    tariff,
                    products[(tariff.id, usage)],
                    line,
                    late=usage in settled,
                    **call_values,
                )
            )
        return rows

    @api.model
    def _insert_rows(self, rows, on_conflict_do_nothing=False):
        """Insert UsageRows; the monthly fees with ``on_conflict_do_nothing``
        (made once per client and period)."""
        if not rows:
            return self.browse()
        ids = sql_rows.insert_rows(
            self.env.cr,
            "callgest_usage",
            rows,
            conflict=() if on_conflict_do_nothing else None,
            returning=("id",),
        )
        self.invalidate_model()
        pending = {}
        for row in rows:
            key = (row.partner_id, row.company_id)
            if row.period < pending.get(key, "9999"):
                pending[key] = row.period
        self._mark_pending(pending)
        return self.browse([row[0] for row in ids])

    @api.model
    def _rate_events(self, events):
        """Rate messages sent to clients (once: an event rated is skipped)."""
        events = events.sudo()
        rated = set(
            self.search([("billable_event_id", "in", events.ids)])
            .mapped("billable_event_id")
            .ids
        )
        events = events.filtered(lambda event: event.id not in rated)
        if not events:
            return self.browse()
        professionals = self._event_professionals(events)
        rows = []
        for company in events.company_id:
            company_events = events.filtered_domain([("company_id", "=", company.id)])
            tariffs = self._tariffs_for(company_events.partner_id, company)
            products = self._products_by_rate(t[0] for t in tariffs.values())
            for event in company_events:
                tariff, tariff_rating = tariffs[event.partner_id]
                line = rating.rate_count(
                    tariff_rating.rate(event.event_type), event.quantity
                )
                if not line:
                    continue
                local = pytz.utc.localize(event.date).astimezone(
                    pytz.timezone(event.partner_id.tz or "UTC")
                )
                rows.append(
                    usage_row(
                        tariff,
                        products[(tariff.id, event.event_type)],
                        line,
                        company_id=company.id,
                        partner_id=event.partner_id.id,
                        professional_id=professionals.get(event.id),
                        billable_event_id=event.id,
                        date=event.date,
                        period=period_of(local.date()),
                    )
                )
        usages = self._insert_rows(rows)
        self.env["callgest.prepaid.move"]._consume_usages(usages)
        return usages

    @api.model
    def _event_professionals(self, events):
        """``{event id: professional id}``: the professional whose recados or
        incidencias ``events`` sent, when all those of an event are one
        professional's (a collective invoiced per professional bills his own
        messages to him); an event of the client's own items, of a report or
        of several professionals' items has none."""
        result = {}
        for event in events:
            deliveries = event.sudo().delivery_ids
            professionals = {
                (delivery.message_id or delivery.incident_id).professional_id
                for delivery in deliveries
            }
            if len(professionals) == 1:
                professional = professionals.pop()
                if professional and professional.parent_id == event.partner_id:
                    result[event.id] = professional.id
        return result

    @api.model
    def _assign_event_professionals(self, events):
        """The deliveries of ``events`` were just linked to them (an event is
        created, and rated, before its deliveries point to it): their usage
        not invoiced yet carries the professional of their recados."""
        professionals = self._event_professionals(events)
        if not professionals:
            return
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """UPDATE callgest_usage u
                      SET professional_id = event.professional_id
                     FROM unnest(%s::int[], %s::int[])
                          AS event(id, professional_id)
                    WHERE u.billable_event_id = event.id
                      AND u.invoice_link_id IS NULL
                      AND u.professional_id IS DISTINCT FROM event.professional_id""",
                list(professionals),
                list(professionals.values()),
            )
        )
        self.invalidate_model(["professional_id"])

    @api.model
    def _rate_unrated(self):
        """Rate the calls and messages that have no usage yet (those imported
        before billing was installed)."""
        self.env.cr.execute(
            """SELECT c.id FROM callgest_call c
                WHERE c.partner_id IS NOT NULL AND c.has_cdr
                  AND NOT EXISTS (SELECT 1 FROM callgest_usage u
                                   WHERE u.call_id = c.id)"""
        )
        call_ids = [row[0] for row in self.env.cr.fetchall()]
        self._rate_calls(self.env["callgest.call"].browse(call_ids))
        self._rate_events(self.env["callgest.billable.event"].sudo().search([]))
        # usage stored before the clients kept track of what they have to invoice
        self.env.cr.execute(
            """SELECT partner_id, company_id, MIN(period) FROM callgest_usage
                WHERE state = 'to_invoice' GROUP BY partner_id, company_id"""
        )
        self.env["res.partner"]._callgest_set_usage_pending_since(
            {
                (partner, company): since
                for partner, company, since in self.env.cr.fetchall()
            }
        )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_rerate(self):
        """Rate the calls of this usage again with the current tariffs: only
        usage not invoiced yet changes."""
        pending = self.filtered(lambda usage: usage.state == "to_invoice")
        if not pending:
            raise UserError(
                _(
                    "The selected usage is already invoiced, prepaid or written "
                    "off: only usage not invoiced yet is rated again. Use a credit "
                    "note to correct an invoice."
                )
            )
        self._rate_calls(pending.call_id)
        return {"type": "ir.actions.client", "tag": "soft_reload"}

    def action_write_off(self, reason):
        """Never invoice this usage (a dispute settled in the client's favour)."""
        if not reason:
            raise UserError(_("Say why the usage is written off."))
        self.write({"state": "written_off", "write_off_reason": reason})

    def _release(self):
        """The invoice line of this usage is gone: invoice it again."""
        if not self:
            return
        self.flush_recordset()
        # NULL, not the 0 an Integer field writes for False
        self.env.cr.execute(
            SQL(
                """UPDATE callgest_usage
                      SET state = 'to_invoice', invoice_link_id = NULL
                    WHERE id IN %s""",
                tuple(self.ids),
            )
        )
        self.invalidate_recordset()  # and what is computed from the link
        pending = {}
        for usage in self:
            key, period = (usage.partner_id.id, usage.company_id.id), usage.period
            pending[key] = min(period, pending.get(key, period))
        self._mark_pending(pending)
