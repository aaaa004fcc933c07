from datetime import datetime
from decimal import Decimal

from odoo import _, api, models
from odoo.tools import SQL, format_amount

from odoo.addons.callgest_base.tools import phone_numbers
from odoo.addons.callgest_billing.tools import rating
from odoo.addons.callgest_console.models.callgest_call_console import HISTORY_LIMIT

# The records behind the base's history items, for their date: the base sorts
# its items by it, then leaves it out of them.
ITEM_MODELS = {"message": "callgest.message", "incident": "callgest.incident"}


class CallgestCallConsole(models.AbstractModel):
    """The caller's last calls in the console's caller history, each with
    its cost and the explanation of the invoice's call detail and the
    portal (``callgest.usage._callgest_explanations``)."""

    _inherit = "callgest.call.console"

    @api.model
    def _caller_history(self, partner_id, caller_number, tz_name):
        """The base's recados and incidencias plus the caller's last
        ``HISTORY_LIMIT`` calls to the client, newest first."""
        history = super()._caller_history(partner_id, caller_number, tz_name)
        if not partner_id or not caller_number:
            return history
        calls = self._caller_calls(partner_id, caller_number)
        if not calls:
            return history
        keyed = []
        key = (datetime.max, 0)
        for item in history:
            model = ITEM_MODELS.get(item["kind"])
            moment = model and self.env[model].browse(item["id"]).taken_at
            if moment:
                key = (moment, item["id"])
            # an item of another kind keeps its place after the one before it
            keyed.append((key, item))
        items = self._call_history_items(calls, tz_name)
        keyed += [
            ((call.start_time, call.id), item)
            for call, item in zip(calls, items, strict=True)
        ]
        # stable: equal keys keep their order
        keyed.sort(key=lambda pair: pair[0], reverse=True)
        return [item for _key, item in keyed]

    @api.model
    def _caller_calls_domain(self, partner_id, caller_number):
        """The calls of ``caller_number`` (any written form, as
        ``callgest.call.item.mixin`` finds a caller) to the client, in the
        current company."""
        digits = phone_numbers.search_digits(caller_number)
        if len(digits) < 3:
            number = [("caller_number", "ilike", caller_number)]
        else:
            number = [
                "|",
                "|",
                ("caller_number", "like", digits),
                ("caller_number", "like", digits.lstrip("0") or digits),
                ("caller_raw", "ilike", caller_number),
            ]
        return [
            ("partner_id", "=", partner_id),
            ("company_id", "=", self.env.company.id),
            *number,
        ]

    @api.model
    def _caller_calls(self, partner_id, caller_number):
        """The caller's last calls to the client, newest first, that the user
        may read."""
        Call = self.env["callgest.call"]
        if not Call.has_access("read"):
            return Call
        return Call.search(
            self._caller_calls_domain(partner_id, caller_number),
            order="start_time desc, id desc",
            limit=HISTORY_LIMIT,
        )

    @api.model
    def _call_history_items(self, calls, tz_name):
        """The history items of ``calls``, in their order: the cost rounded
        by its currency as ``state``, its explanation as ``excerpt``."""
        # the calls were read with the user's rules: their usage may be shown
        costs = (
            self.env["callgest.usage"]
            .sudo()
            ._callgest_explanations(SQL("u.call_id IN %s", tuple(calls.ids)))
        )
        directions = dict(calls._fields["direction"]._description_selection(self.env))
        items = []
        for call in calls:
            cost = costs.get(call.id)
            items.append(
                {
                    "kind": "call",
                    "id": call.id,
                    "name": _(
                        "Call %(duration)s",
                        duration=self._call_duration_text(call.duration),
                    ),
                    "date": self._local_date(call.start_time, tz_name),
                    "category": directions.get(call.direction) or _("Call"),
                    "state": (
                        self._call_cost_text(cost[0], cost[1])
                        if cost
                        else _("Not rated yet")
                    ),
                    "excerpt": cost[2] if cost else "",
                }
            )
        return items

    @api.model
    def _call_duration_text(self, seconds):
        """``165`` as ``"2 min 45 s"``, ``3720`` as ``"1 h 2 min"``."""
        minutes, seconds = divmod(max(int(seconds or 0), 0), 60)
        hours, minutes = divmod(minutes, 60)
        parts = [
            f"{value} {unit}"
            for value, unit in ((hours, "h"), (minutes, "min"), (seconds, "s"))
            if value
        ]
        return " ".join(parts) or "0 s"

    @api.model
    def _call_cost_text(self, amount, currency):
        """The exact ``amount`` rounded by ``currency`` (half away from zero,
        as its invoice line), formatted as Odoo formats money."""
        rounded = rating.round_money(amount, Decimal(str(currency.rounding)))
        return format_amount(self.env, float(rounded), currency)
