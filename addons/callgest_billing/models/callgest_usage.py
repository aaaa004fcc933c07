from collections import defaultdict
from decimal import Decimal

import phonenumbers
import pytz
from psycopg2.extras import execute_values

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..tools import rating
from .callgest_tariff_rate import UNITS, USAGES

STATES = [
    ("to_invoice", "To invoice"),
    ("invoiced", "Invoiced"),
    ("prepaid", "Paid from the prepaid balance"),
    ("written_off", "Written off"),
]

# the columns the rating engine writes in bulk (no per-line ORM create)
USAGE_COLUMNS = (
    "name",
    "company_id",
    "partner_id",
    "professional_id",
    "ddi_id",
    "call_id",
    "billable_event_id",
    "tariff_id",
    "currency_id",
    "usage",
    "product_id",
    "unit",
    "date",
    "period",
    "seconds",
    "quantity",
    "unit_price",
    "connect_fee",
    "amount",
    "late",
    "state",
)

PARTNER_COLUMN = USAGE_COLUMNS.index("partner_id")
PERIOD_COLUMN = USAGE_COLUMNS.index("period")

OUTBOUND_DESTINATIONS = {
    phonenumbers.PhoneNumberType.MOBILE: rating.OUTBOUND_MOBILE_DESTINATION,
}


USAGE_LABELS = dict(USAGES)


def usage_row(tariff, product_id, line, **values):
    """A row of USAGE_COLUMNS for ``_insert_rows``: ``line`` (a
    ``rating.RatedLine``) priced by ``tariff``, the other columns from
    ``values`` (NULL when not given); new usage is to invoice, not late."""
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
        "late": False,
        "state": "to_invoice",
        **values,
    }
    return tuple(row.get(column) for column in USAGE_COLUMNS)


def period_of(day):
    """``'YYYY-MM'`` of a date."""
    return f"{day.year:04d}-{day.month:02d}"


def outbound_destination(e164):
    """``'mobile'`` or ``'fixed'`` for the number an outbound call dialled."""
    try:
        number = phonenumbers.parse(e164 or "", None)
    except phonenumbers.NumberParseException:
        return rating.OUTBOUND_FIXED_DESTINATION
    return OUTBOUND_DESTINATIONS.get(
        phonenumbers.number_type(number), rating.OUTBOUND_FIXED_DESTINATION
    )


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
    invoice_line_id = fields.Many2one(
        "account.move.line", ondelete="set null", copy=False
    )
    invoice_id = fields.Many2one(
        "account.move",
        compute="_compute_invoice_id",
        search="_search_invoice_id",
    )
    write_off_reason = fields.Char(copy=False)

    def init(self):
        # Invoicing rewrites every usage row it bills (invoice line, state).
        # No index covers those columns and pages keep room for a second
        # version of their rows, so that PostgreSQL updates them in place
        # (HOT) instead of adding an entry to every index for each row.
        # Usage is found by (client, period), its invoice line through the
        # line's client (account.move.line.callgest_client_id).
        self.env.cr.execute("ALTER TABLE callgest_usage SET (fillfactor = 50)")
        self.env.cr.execute(
            """CREATE INDEX IF NOT EXISTS callgest_usage_partner_period_index
               ON callgest_usage (partner_id, period)"""
        )
        # the monthly fees are made once per client, DDI and period: a second
        # invoicing run finds them instead of adding them again
        self.env.cr.execute(
            """CREATE UNIQUE INDEX IF NOT EXISTS callgest_usage_periodic_uniq
               ON callgest_usage (partner_id, usage, period, COALESCE(ddi_id, 0))
               WHERE call_id IS NULL AND billable_event_id IS NULL
                 AND usage IN ('ddi', 'ddi_extra', 'agenda_module', 'minimum')"""
        )

    @api.depends("invoice_line_id")
    def _compute_invoice_id(self):
        for usage in self:
            usage.invoice_id = usage.invoice_line_id.move_id

    def _search_invoice_id(self, operator, value):
        if operator in ("=", "!=") and not value:
            return [("invoice_line_id", operator, False)]
        if operator not in ("=", "in"):
            raise UserError(_("Search the usage of an invoice with = or in."))
        moves = self.env["account.move"].sudo().browse(value or [])
        return self._domain_of_lines(moves.line_ids)

    @api.model
    def _domain_of_lines(self, lines):
        """The usage billed by invoice ``lines``, found through their clients
        (the (client, period) index): there is no index on the invoice line."""
        lines = lines.filtered("callgest_client_id")
        return [
            ("partner_id", "in", lines.callgest_client_id.ids),
            ("invoice_line_id", "in", lines.ids),
        ]

    @api.model
    def _mark_pending(self, partner_periods):
        """Clients have usage to invoice from these periods on: ``{client id:
        period}``; the invoicing reads each client's usage from there."""
        if not partner_periods:
            return
        execute_values(
            self.env.cr._obj,
            """UPDATE res_partner partner
                  SET callgest_usage_pending_since = pending.period
                 FROM (VALUES %s) AS pending(partner_id, period)
                WHERE partner.id = pending.partner_id
                  AND (partner.callgest_usage_pending_since IS NULL
                       OR partner.callgest_usage_pending_since > pending.period)""",
            list(partner_periods.items()),
        )
        self.env["res.partner"].invalidate_model(["callgest_usage_pending_since"])

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
            tariff = partner.callgest_tariff_id
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
                """SELECT call_id, usage, SUM(quantity)::text, SUM(amount)::text,
                          SUM(seconds), MAX(unit), MAX(unit_price)::text
                   FROM callgest_usage
                   WHERE call_id IN %s AND state != 'to_invoice'
                   GROUP BY call_id, usage""",
                tuple(calls.ids),
            )
        )
        settled = defaultdict(dict)
        for call_id, usage, *done in self.env.cr.fetchall():
            settled[call_id][usage] = done
        self.env.cr.execute(
            SQL(
                "DELETE FROM callgest_usage WHERE call_id IN %s "
                "AND state = 'to_invoice'",
                tuple(calls.ids),
            )
        )
        rows = []
        for company in calls.company_id:
            company_calls = calls.filtered_domain([("company_id", "=", company.id)])
            tariffs = self._tariffs_for(company_calls.partner_id, company)
            products = self._products_by_rate(t[0] for t in tariffs.values())
            for call in company_calls:
                tariff, tariff_rating = tariffs[call.partner_id]
                lines = self._rate_call(call, tariff_rating)
                rows.extend(
                    self._usage_rows(
                        call, tariff, products, lines, settled.get(call.id, {})
                    )
                )
        usages = self._insert_rows(rows)
        self.env["callgest.prepaid.move"]._consume_usages(usages)
        return usages

    def _rate_call(self, call, tariff_rating):
        level = 2 if call.partner_id.callgest_service_level == "level_2" else 1
        outbound = call.direction == "outbound"
        talk = 0
        if outbound and call.answer_time:
            talk = max(int((call.end_time - call.answer_time).total_seconds()), 0)
        return rating.rate_call(
            tariff_rating,
            secretary_seconds=call.secretary_seconds or 0,
            level=level,
            robot_seconds=call.robot_seconds or 0,
            transfer_seconds=call.transfer_seconds or 0,
            outbound=outbound,
            outbound_destination=outbound_destination(call.called_number)
            if talk
            else None,
            outbound_seconds=talk,
        )

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
                done_quantity, done_amount, done_seconds, done_unit, done_price = (
                    settled[usage]
                )
                line = rating.RatedLine(
                    usage,
                    (line.quantity if line else 0) - Decimal(done_quantity),
                    line.unit if line else done_unit,
                    line.unit_price if line else Decimal(done_price),
                    (line.amount if line else 0) - Decimal(done_amount),
                    (line.seconds if line else 0) - (done_seconds or 0),
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
        """Insert rows of USAGE_COLUMNS values; the monthly fees with
        ``on_conflict_do_nothing`` (made once per client and period)."""
        if not rows:
            return self.browse()
        columns = ", ".join(USAGE_COLUMNS)
        conflict = " ON CONFLICT DO NOTHING" if on_conflict_do_nothing else ""
        ids = execute_values(
            self.env.cr._obj,
            f"INSERT INTO callgest_usage ({columns}) VALUES %s{conflict} RETURNING id",
            rows,
            page_size=1000,
            fetch=True,
        )
        self.invalidate_model()
        pending = {}
        for row in rows:
            partner_id, period = row[PARTNER_COLUMN], row[PERIOD_COLUMN]
            if period < pending.get(partner_id, "9999"):
                pending[partner_id] = period
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
                        billable_event_id=event.id,
                        date=event.date,
                        period=period_of(local.date()),
                    )
                )
        usages = self._insert_rows(rows)
        self.env["callgest.prepaid.move"]._consume_usages(usages)
        return usages

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
            """UPDATE res_partner partner
                  SET callgest_usage_pending_since = pending.since
                 FROM (SELECT partner_id, MIN(period) AS since FROM callgest_usage
                        WHERE state = 'to_invoice' GROUP BY partner_id) AS pending
                WHERE partner.id = pending.partner_id"""
        )
        self.env["res.partner"].invalidate_model(["callgest_usage_pending_since"])

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
        self.write({"state": "to_invoice", "invoice_line_id": False})
        pending = {}
        for usage in self:
            client, period = usage.partner_id.id, usage.period
            pending[client] = min(period, pending.get(client, period))
        self._mark_pending(pending)
