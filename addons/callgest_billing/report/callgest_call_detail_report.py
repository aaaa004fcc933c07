import csv
import io
from collections import defaultdict
from decimal import Decimal

import pytz

from odoo import _, api, models
from odoo.tools import SQL

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
               MIN(u.period) AS period, BOOL_OR(u.late) AS late
          FROM callgest_usage u
         -- through the lines' clients: the (client, period) index
         WHERE u.partner_id = ANY(%s) AND u.invoice_line_id = ANY(%s)
      GROUP BY 1, 2, 3, 4, 5, 6
    )
    SELECT line.call_id, line.billable_event_id, line.fee_id, line.partner_id,
           line.professional_id, line.currency_id, line.amount::text, line.date,
           line.name, line.usage, line.period, line.late,
           call.start_time, call.direction, call.caller_number, call.caller_raw,
           call.called_number, call.called_raw,
           COALESCE(ddi.number_national, ddi.number),
           call.robot_seconds, call.secretary_seconds, call.transfer_seconds,
           COALESCE(client.tz, pbx.timezone), event.event_type, event.channel,
           event.date, event.quantity, partner.tz
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
    "secretary_seconds",
    "transfer_seconds",
    "description",
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
        env = self.env
        env["callgest.usage"].flush_model()
        lines = invoice.sudo().line_ids.filtered("callgest_client_id")
        env.cr.execute(
            SQL(DETAIL_QUERY, lines.callgest_client_id.ids or [0], lines.ids or [0])
        )
        records = env.cr.fetchall()
        Partner = env["res.partner"].sudo().with_context(active_test=False)
        Currency = env["res.currency"]
        names = {
            partner.id: partner.name
            for partner in Partner.browse(
                {r[3] for r in records} | {r[4] for r in records if r[4]}
            )
        }
        invoice_currency = invoice.currency_id
        currencies = Currency.browse({r[5] for r in records})
        converted = bool(currencies - invoice_currency)
        company = invoice.company_id
        day = invoice.invoice_date or invoice.date
        event_fields = env["callgest.billable.event"]._fields
        message_types = dict(event_fields["event_type"]._description_selection(env))
        channels = dict(event_fields["channel"]._description_selection(env))
        timezones = {}

        def localize(moment, tz_name):
            tz_name = tz_name or "UTC"
            if tz_name not in timezones:
                timezones[tz_name] = pytz.timezone(tz_name)
            return pytz.utc.localize(moment).astimezone(timezones[tz_name])

        # one rate per tariff currency, not a rate query per line
        rates = {
            currency: Currency._get_conversion_rate(
                currency, invoice_currency, company, day
            )
            for currency in currencies - invoice_currency
        }

        def in_invoice_currency(amount, currency):
            if currency == invoice_currency:
                return float(amount)
            return invoice_currency.round(float(amount) * rates[currency])

        clients = {}
        for (
            call_id,
            event_id,
            _fee_id,
            partner_id,
            professional_id,
            currency_id,
            amount,
            date,
            name,
            _usage,
            period,
            late,
            start_time,
            direction,
            caller_number,
            caller_raw,
            called_number,
            called_raw,
            ddi,
            robot_seconds,
            secretary_seconds,
            transfer_seconds,
            call_tz,
            event_type,
            channel,
            event_date,
            event_quantity,
            partner_tz,
        ) in records:
            currency = Currency.browse(currency_id)
            amount = Decimal(amount)
            line = {
                "amount": amount,
                "currency": currency,
                "amount_invoice_currency": in_invoice_currency(amount, currency),
                "late": late,
                "period": period,
                "robot_seconds": 0,
                "secretary_seconds": 0,
                "transfer_seconds": 0,
                "caller": "",
                "ddi": "",
                "local": False,
                "timezone": "",
                "description": name,
            }
            if call_id:
                tz_name = call_tz or "UTC"
                outbound = direction == "outbound"
                line.update(
                    kind="call",
                    local=localize(start_time, tz_name),
                    timezone=tz_name,
                    caller=caller_number or caller_raw or "",
                    ddi=ddi or "",
                    robot_seconds=robot_seconds or 0,
                    secretary_seconds=secretary_seconds or 0,
                    transfer_seconds=transfer_seconds or 0,
                    description=_(
                        "Outbound call to %(number)s",
                        number=called_number or called_raw or "",
                    )
                    if outbound
                    else "",
                )
            elif event_id:
                tz_name = partner_tz or "UTC"
                description = message_types.get(event_type, name)
                if channel:
                    description = f"{description} ({channels[channel]})"
                if event_quantity and event_quantity > 1:
                    description = f"{description} × {event_quantity}"
                line.update(
                    kind="message",
                    local=localize(event_date or date, tz_name),
                    timezone=tz_name,
                    description=description,
                )
            else:
                line["kind"] = "fee"
            client = clients.setdefault(
                partner_id,
                {"name": names[partner_id], "professionals": {}},
            )
            group = client["professionals"].setdefault(
                professional_id or False,
                {
                    "name": names.get(professional_id, ""),
                    "lines": defaultdict(list),
                },
            )
            group["lines"][line["kind"]].append(line)
        return self._with_totals(clients, invoice_currency, converted)

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
                            line["secretary_seconds"],
                            line["transfer_seconds"],
                            line["description"],
                            exact_text(line["amount"], line["currency"]),
                            line["currency"].name,
                            f"{line['amount_invoice_currency']:.{invoice_currency.decimal_places}f}",
                            invoice_currency.name,
                        )
                    )
        return buffer.getvalue().encode("utf-8-sig")
