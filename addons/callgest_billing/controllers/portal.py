from collections import defaultdict
from decimal import Decimal

from odoo.http import request
from odoo.tools import SQL

from odoo.addons.callgest_voip.controllers.portal import CallgestCallsPortal

from ..models.callgest_invoicing import NOT_IN_MINIMUM
from ..report.callgest_call_detail_report import exact_text
from ..tools import rating


class CallgestCallsBillingPortal(CallgestCallsPortal):
    """The money on the client's call pages: each call's cost with its
    explanation (``callgest.usage._callgest_explanations``, the text of the
    invoice's call detail too), the month's running total not invoiced yet
    against the monthly minimum, and the cost by kind per month. The usage
    read is what the portal rule of ``callgest.usage`` lets the user see."""

    def _callgest_call_columns(self):
        env = request.env
        return super()._callgest_call_columns() + [
            ("cost", env._("Cost")),
            ("currency", env._("Currency")),
            ("explanation", env._("Explanation")),
        ]

    def _callgest_call_rows(self, calls):
        rows = super()._callgest_call_rows(calls)
        # the calls were read with the user's rules: their usage is his
        explanations = (
            request.env["callgest.usage"]
            .sudo()
            ._callgest_explanations(SQL("u.call_id = ANY(%s)", calls.ids))
            if calls
            else {}
        )
        for row in rows:
            amount, currency, text = explanations.get(row["call"].id, (None, None, ""))
            row["cost"] = exact_text(amount, currency) if currency else ""
            row["currency"] = currency.name if currency else ""
            row["currency_symbol"] = (
                (currency.symbol or currency.name) if currency else ""
            )
            row["explanation"] = text
        return rows

    def _callgest_running_total(self):
        """The current month (client's time) not invoiced yet, per client
        the user sees: ``[{"partner", "amount", "currency", "minimum"}]``;
        the minimum is the tariff's per DDI in service (a professional of a
        collective invoiced per professional: his DDIs)."""
        Usage = request.env["callgest.usage"]
        if not Usage.has_access("read"):
            return []
        period = self._callgest_today().strftime("%Y-%m")
        groups = Usage._read_group(
            [
                ("state", "=", "to_invoice"),
                ("period", "=", period),
                ("usage", "not in", NOT_IN_MINIMUM),
            ],
            ["partner_id", "currency_id"],
            ["amount:sum"],
        )
        user_partner = request.env.user.partner_id
        result = []
        for partner, currency, amount in groups:
            client = partner.sudo()
            ddis = (
                request.env["callgest.ddi"]
                .sudo()
                .search([("partner_id", "=", client.id), ("state", "=", "active")])
            )
            if (
                client.callgest_invoice_grouping == "professional"
                and user_partner in client.callgest_professional_ids
                and user_partner
                not in client.callgest_authorized_contact_ids.partner_id
            ):
                ddis = ddis.filtered(lambda ddi: ddi.professional_id == user_partner)
            company = ddis.company_id[:1] or request.env.company
            _tariff, tariff_rating = Usage.sudo()._tariffs_for(client, company)[client]
            try:
                price = tariff_rating.rate(rating.MINIMUM).price
            except KeyError:
                price = Decimal(0)
            minimum = rating.round_money(
                price * max(len(ddis), 1), Decimal(str(currency.rounding))
            )
            result.append(
                {
                    "partner": client,
                    "amount": amount,
                    "currency": currency,
                    "minimum": float(minimum),
                    "period": period,
                }
            )
        return result

    def _callgest_calls_values(self, page=1, **kw):
        values = super()._callgest_calls_values(page=page, **kw)
        values["running_totals"] = self._callgest_running_total()
        return values

    def _callgest_consumption_values(self, month=None, **kw):
        values = super()._callgest_consumption_values(month=month, **kw)
        Usage = request.env["callgest.usage"]
        if not Usage.has_access("read"):
            return values
        periods = [first.strftime("%Y-%m") for first in values["months"]]
        groups = Usage._read_group(
            [("period", "in", periods)],
            ["period", "usage", "currency_id"],
            ["amount:sum"],
        )
        labels = dict(Usage._fields["usage"]._description_selection(request.env))
        table = defaultdict(dict)
        currencies = set()
        for period, usage, currency, amount in groups:
            table[period][usage] = table[period].get(usage, 0) + amount
            currencies.add(currency)
        kinds = sorted(
            {usage for row in table.values() for usage in row},
            key=lambda usage: (
                rating.DEFAULT_USAGES.index(usage)
                if usage in rating.DEFAULT_USAGES
                else 99
            ),
        )
        values.update(
            {
                "cost_kinds": [(usage, labels.get(usage, usage)) for usage in kinds],
                "cost_rows": [
                    {
                        "label": "%s/%s" % (period[5:], period[:4]),
                        "amounts": table.get(period, {}),
                        "total": sum(table.get(period, {}).values()),
                    }
                    for period in periods
                ],
                "cost_currency": currencies.pop() if len(currencies) == 1 else False,
            }
        )
        return values
