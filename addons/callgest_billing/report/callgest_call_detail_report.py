import csv
import io
from collections import defaultdict
from decimal import Decimal
from typing import NamedTuple

import pytz

from odoo import _, api, models
from odoo.tools import SQL

from ..tools import rating

# one line of the detail per call, per message, per monthly fee: a call's
# usage lines (robot, secretary, transfer, outbound) add up to its cost
DETAIL_QUERY = """
    WITH line AS (
        SELECT u.call_id, u.billable_event_id,
               CASE WHEN u.call_id IS NULL AND u.billable_event_id IS NULL
                    THEN u.id END AS fee_id,
               u.partner_id, u.professional_id, u.currency_id,
               SUM(u.amount) AS amount, MIN(u.date) AS date,
               MIN(u.name) AS name, MIN(u.usage) AS usage,
               MIN(u.period) AS period, BOOL_OR(u.late) AS late,
               ARRAY_AGG(u.id) AS usage_ids
          FROM callgest_usage_link link
          -- through the links' clients: the (client, period) index
          JOIN callgest_usage u
            ON u.partner_id = link.partner_id AND u.invoice_link_id = link.id
         WHERE link.invoice_line_id = ANY(%s)
      GROUP BY 1, 2, 3, 4, 5, 6
    )
    SELECT line.call_id, line.billable_event_id AS event_id, line.fee_id,
           line.partner_id, line.professional_id, line.currency_id,
           line.amount::text AS amount, line.date, line.name, line.usage,
           line.period, line.late, line.usage_ids,
           call.start_time, call.direction, call.caller_number, call.caller_raw,
           call.called_number, call.called_raw,
           COALESCE(ddi.number_national, ddi.number) AS ddi,
           call.robot_seconds, call.secretary_seconds, call.transfer_seconds,
           COALESCE(client.tz, pbx.timezone) AS call_tz, event.event_type,
           event.channel, event.date AS event_date,
           event.quantity AS event_quantity, partner.tz AS partner_tz,
           call.queue_seconds, call.wait_seconds, call.transfer_unbilled_seconds
      FROM line
      JOIN res_partner partner ON partner.id = line.partner_id
 LEFT JOIN callgest_call call ON call.id = line.call_id
 LEFT JOIN res_partner client ON client.id = call.partner_id
 LEFT JOIN callgest_pbx pbx ON pbx.id = call.pbx_id
 LEFT JOIN callgest_ddi ddi ON ddi.id = call.ddi_id
 LEFT JOIN callgest_billable_event event ON event.id = line.billable_event_id
  ORDER BY COALESCE(call.start_time, event.date, line.date), line.call_id,
           line.billable_event_id, line.fee_id
"""


class DetailRow(NamedTuple):
    """A row of DETAIL_QUERY, by the names of its columns: a line's usage
    (call, message or fee), then its call's or its message's columns (NULL
    for the other kinds)."""

    call_id: int | None
    event_id: int | None
    fee_id: int | None
    partner_id: int
    professional_id: int | None
    currency_id: int
    amount: str  # numeric as text: exact
    date: object
    name: str
    usage: str
    period: str
    late: bool
    usage_ids: list
    # the call's
    start_time: object
    direction: str | None
    caller_number: str | None
    caller_raw: str | None
    called_number: str | None
    called_raw: str | None
    ddi: str | None
    robot_seconds: int | None
    secretary_seconds: int | None
    transfer_seconds: int | None
    call_tz: str | None
    queue_seconds: int | None
    wait_seconds: int | None
    transfer_unbilled_seconds: int | None
    # the message's
    event_type: str | None
    channel: str | None
    event_date: object
    event_quantity: int | None
    partner_tz: str | None


CSV_HEADER = (
    "client",
    "professional",
    "kind",
    "local_date",
    "local_time",
    "timezone",
    "caller",
    "ddi",
    "robot_seconds",
    "wait_seconds",
    "secretary_seconds",
    "transfer_seconds",
    "description",
    "explanation",
    "cost",
    "currency",
    "cost_invoice_currency",
    "invoice_currency",
)


def exact_text(amount, currency):
    """The exact amount, with at least the currency's decimals (no rounding)."""
    digits = max(currency.decimal_places, -amount.normalize().as_tuple().exponent)
    return f"{amount:.{digits}f}"


class ReportCallDetail(models.AbstractModel):
    """The call-by-call detail of a CallGest invoice (PDF and CSV)."""

    _name = "report.callgest_billing.report_call_detail"
    _description = "CallGest invoice call detail"

    @api.model
    def _get_report_values(self, docids, data=None):
        docs = self.env["account.move"].browse(docids)
        # the usage is read as superuser below: the invoice says who may see it
        docs.check_access("read")
        return {
            "doc_ids": docids,
            "doc_model": "account.move",
            "docs": docs,
            "details": {doc.id: self._call_detail(doc) for doc in docs},
            "exact_text": exact_text,
        }

    @api.model
    def _call_detail(self, invoice):
        """The detail of ``invoice``: its clients (several on a reseller's
        invoice), each with its professionals (a collective's), each with its
        calls, messages and monthly fees and their subtotals."""
        invoice.ensure_one()
        rows = self._detail_rows(invoice)
        names = self._partner_names(rows)
        money = self._detail_money(invoice, rows)
        localize = self._localizer()
        event_fields = self.env["callgest.billable.event"]._fields
        labels = {
            "event_type": dict(
                event_fields["event_type"]._description_selection(self.env)
            ),
            "channel": dict(event_fields["channel"]._description_selection(self.env)),
        }
        explanations = self._call_explanations(rows)
        clients = {}
        for row in rows:
            line = self._base_line(row, money)
            if row.call_id:
                line.update(self._call_line(row, localize))
                line["explanation"] = explanations.get(row.call_id, ("", "", ""))[2]
            elif row.event_id:
                line.update(self._message_line(row, localize, labels))
            else:
                line.update(self._fee_line(row))
            client = clients.setdefault(
                row.partner_id,
                {"name": names[row.partner_id], "professionals": {}},
            )
            group = client["professionals"].setdefault(
                row.professional_id or False,
                {
                    "name": names.get(row.professional_id, ""),
                    "lines": defaultdict(list),
                },
            )
            group["lines"][line["kind"]].append(line)
        return self._with_totals(clients, invoice.currency_id, money["converted"])

    @api.model
    def _detail_rows(self, invoice):
        """The DetailRows of ``invoice``'s lines, in the order of the detail."""
        self.env["callgest.usage"].flush_model()
        lines = invoice.sudo().line_ids.filtered("callgest_client_id")
        self.env.cr.execute(SQL(DETAIL_QUERY, lines.ids or [0]))
        return [DetailRow(**row) for row in self.env.cr.dictfetchall()]

    @api.model
    def _partner_names(self, rows):
        """``{id: name}`` of the clients and professionals of ``rows``."""
        Partner = self.env["res.partner"].sudo().with_context(active_test=False)
        ids = {row.partner_id for row in rows}
        ids |= {row.professional_id for row in rows if row.professional_id}
        return {partner.id: partner.name for partner in Partner.browse(ids)}

    @api.model
    def _detail_money(self, invoice, rows):
        """What converting the lines' amounts to the invoice's currency
        needs: the invoice's currency, the tariffs' currencies (by id), one
        rate per tariff currency (not a rate query per line)."""
        Currency = self.env["res.currency"]
        invoice_currency = invoice.currency_id
        currencies = Currency.browse({row.currency_id for row in rows})
        day = invoice.invoice_date or invoice.date
        return {
            "invoice_currency": invoice_currency,
            "currencies": {currency.id: currency for currency in currencies},
            "converted": bool(currencies - invoice_currency),
            "rates": {
                currency: Currency._get_conversion_rate(
                    currency, invoice_currency, invoice.company_id, day
                )
                for currency in currencies - invoice_currency
            },
        }

    @api.model
    def _localizer(self):
        """``localize(naive UTC datetime, tz name)``: the local datetime, each
        time zone looked up once."""
        timezones = {}

        def localize(moment, tz_name):
            tz_name = tz_name or "UTC"
            if tz_name not in timezones:
                timezones[tz_name] = pytz.timezone(tz_name)
            return pytz.utc.localize(moment).astimezone(timezones[tz_name])

        return localize

    @api.model
    def _base_line(self, row, money):
        """What every line of the detail has: its cost (exact, and in the
        invoice's currency), and the columns a call fills (empty)."""
        currency = money["currencies"][row.currency_id]
        amount = Decimal(row.amount)
        invoice_currency = money["invoice_currency"]
        if currency == invoice_currency:
            amount_invoice_currency = float(amount)
        else:
            amount_invoice_currency = invoice_currency.round(
                float(amount) * money["rates"][currency]
            )
        return {
            "amount": amount,
            "currency": currency,
            "amount_invoice_currency": amount_invoice_currency,
            "late": row.late,
            "period": row.period,
            "robot_seconds": 0,
            "wait_seconds": 0,
            "secretary_seconds": 0,
            "transfer_seconds": 0,
            "caller": "",
            "ddi": "",
            "local": False,
            "timezone": "",
            "description": row.name,
            "explanation": "",
        }

    @api.model
    def _call_explanations(self, rows):
        """``{call id: (amount, currency, text)}`` of the calls of ``rows``,
        from the usage their lines bill: the same text as the portal's."""
        usage_ids = [
            usage_id for row in rows if row.call_id for usage_id in row.usage_ids
        ]
        if not usage_ids:
            return {}
        return (
            self.env["callgest.usage"]
            .sudo()
            ._callgest_explanations(SQL("u.id = ANY(%s)", usage_ids))
        )

    @api.model
    def _call_line(self, row, localize):
        """The columns of a call's line: its local time, numbers, seconds."""
        tz_name = row.call_tz or "UTC"
        unbilled = row.transfer_unbilled_seconds or 0
        description = ""
        if row.direction == "outbound":
            description = _(
                "Outbound call to %(number)s",
                number=row.called_number or row.called_raw or "",
            )
        elif unbilled:
            description = _(
                "Transfer of %(seconds)s s capped: %(unbilled)s s not billed",
                seconds=row.transfer_seconds,
                unbilled=unbilled,
            )
        return {
            "kind": "call",
            "local": localize(row.start_time, tz_name),
            "timezone": tz_name,
            "caller": row.caller_number or row.caller_raw or "",
            "ddi": row.ddi or "",
            "robot_seconds": rating.robot_time(
                row.robot_seconds or 0, row.queue_seconds or 0
            ),
            "wait_seconds": row.wait_seconds or 0,
            "secretary_seconds": row.secretary_seconds or 0,
            # billed: within the client's transfer cap
            "transfer_seconds": max((row.transfer_seconds or 0) - unbilled, 0),
            "description": description,
        }

    @api.model
    def _message_line(self, row, localize, labels):
        """The columns of a message's line: its local time and what it was
        (``labels``: the event types' and channels' names)."""
        tz_name = row.partner_tz or "UTC"
        description = labels["event_type"].get(row.event_type, row.name)
        if row.channel:
            description = f"{description} ({labels['channel'][row.channel]})"
        if row.event_quantity and row.event_quantity > 1:
            description = f"{description} × {row.event_quantity}"
        return {
            "kind": "message",
            "local": localize(row.event_date or row.date, tz_name),
            "timezone": tz_name,
            "description": description,
        }

    @api.model
    def _fee_line(self, row):
        """A monthly fee's line: its name and cost only."""
        return {"kind": "fee"}

    @api.model
    def _with_totals(self, clients, invoice_currency, converted):
        def totals(lines):
            return {
                "amount": sum((line["amount"] for line in lines), Decimal(0)),
                "amount_invoice_currency": invoice_currency.round(
                    sum(line["amount_invoice_currency"] for line in lines)
                ),
                "calls": sum(1 for line in lines if line["kind"] == "call"),
            }

        result = []
        all_lines = []
        for client in sorted(clients.values(), key=lambda c: c["name"]):
            professionals = []
            client_lines = []
            # the client's own usage first, then its professionals by name
            for group in sorted(
                client["professionals"].values(),
                key=lambda group: (bool(group["name"]), group["name"]),
            ):
                lines = [
                    line
                    for kind in ("call", "message", "fee")
                    for line in group["lines"][kind]
                ]
                client_lines += lines
                professionals.append(
                    {
                        "name": group["name"],
                        "calls": group["lines"]["call"],
                        "messages": group["lines"]["message"],
                        "fees": group["lines"]["fee"],
                        "lines": lines,
                        "total": totals(lines),
                    }
                )
            all_lines += client_lines
            result.append(
                {
                    "name": client["name"],
                    "professionals": professionals,
                    "total": totals(client_lines),
                }
            )
        currencies = {line["currency"] for line in all_lines}
        return {
            "clients": result,
            "total": totals(all_lines),
            # one tariff currency for the exact total (usually the only one)
            "currency": currencies.pop() if len(currencies) == 1 else False,
            "invoice_currency": invoice_currency,
            "converted": converted,
            "show_professionals": any(
                len(client["professionals"]) > 1 or client["professionals"][0]["name"]
                for client in result
            ),
            "show_clients": len(result) > 1,
        }

    @api.model
    def _call_detail_csv(self, invoice):
        """The same detail as CSV (UTF-8, comma separated, one line per call,
        message and fee; decimal point, exact amounts)."""
        detail = self._call_detail(invoice)
        invoice_currency = detail["invoice_currency"]
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(CSV_HEADER)
        for client in detail["clients"]:
            for professional in client["professionals"]:
                for line in professional["lines"]:
                    local = line["local"]
                    writer.writerow(
                        (
                            client["name"],
                            professional["name"],
                            line["kind"],
                            local.strftime("%Y-%m-%d") if local else line["period"],
                            local.strftime("%H:%M:%S") if local else "",
                            line["timezone"],
                            line["caller"],
                            line["ddi"],
                            line["robot_seconds"],
                            line["wait_seconds"],
                            line["secretary_seconds"],
                            line["transfer_seconds"],
                            line["description"],
                            line["explanation"],
                            exact_text(line["amount"], line["currency"]),
                            line["currency"].name,
                            f"{line['amount_invoice_currency']:.{invoice_currency.decimal_places}f}",
                            invoice_currency.name,
                        )
                    )
        return buffer.getvalue().encode("utf-8-sig")
