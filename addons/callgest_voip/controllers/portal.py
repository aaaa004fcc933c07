import json
import re
from datetime import date, datetime

import pytz
from dateutil.relativedelta import relativedelta

from odoo import http
from odoo.http import request

from odoo.addons.callgest_base.controllers.portal import CallgestCustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager

from ..models.callgest_call_quality_report import MISSED_DISPOSITIONS

MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")
# the call log's page size, and how many missed calls of a month are listed
CALLS_PER_PAGE = 50
MISSED_LIMIT = 200
MONTHS_SHOWN = 12


class CallgestCallsPortal(CallgestCustomerPortal):
    """The client's call log (``/my/calls``, its CSV) and its quality and
    consumption (``/my/consumption``). What a user sees is what the portal
    rule of ``callgest.call`` lets him read; the month filter (on the
    call's local day, indexed with its client) bounds every query by a
    month of calls, whatever the client's history: the page runs the same
    queries at a thousand calls and at a hundred thousand.

    callgest_billing extends the rows (each call's cost and its
    explanation) and the values of the pages (the month's running total).
    """

    # ------------------------------------------------------------------
    # Home
    # ------------------------------------------------------------------
    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        # asked by the home's counters (whether the card shows), and when the
        # home is rendered (no counters), for the card's text: Odoo 18 shows
        # no counter in a card
        if "callgest_call_count" in counters or not counters:
            Call = request.env["callgest.call"]
            values["callgest_call_count"] = (
                Call.search_count(self._callgest_month_domain(self._callgest_month()))
                if Call.has_access("read")
                else 0
            )
        return values

    # ------------------------------------------------------------------
    # Filters
    # ------------------------------------------------------------------
    def _callgest_today(self):
        return datetime.now(self._callgest_portal_tz()).date()

    def _callgest_month(self, value=None):
        """The first day of the month ``value`` ('YYYY-MM'), by default (or
        when it cannot be read) the client's current month."""
        match = MONTH_PATTERN.match(value or "")
        if match and 1 <= int(match[2]) <= 12 and int(match[1]) >= 2000:
            return date(int(match[1]), int(match[2]), 1)
        return self._callgest_today().replace(day=1)

    def _callgest_month_domain(self, month):
        return [
            ("partner_id", "!=", False),
            ("local_date", ">=", month),
            ("local_date", "<", month + relativedelta(months=1)),
        ]

    def _callgest_months(self):
        """The months offered: the last twelve, the current one first."""
        first = self._callgest_today().replace(day=1)
        return [first - relativedelta(months=n) for n in range(MONTHS_SHOWN)]

    @staticmethod
    def _callgest_int(value):
        return int(value) if value and str(value).isdigit() else None

    def _callgest_calls_filters(self, month=None, ddi=None, professional=None, **kw):
        """The filters of a request: the month, and a DDI and a professional
        (ids: a stranger's id only filters every call out)."""
        month = self._callgest_month(month)
        ddi_id = self._callgest_int(ddi)
        professional_id = self._callgest_int(professional)
        domain = self._callgest_month_domain(month)
        if ddi_id:
            domain.append(("ddi_id", "=", ddi_id))
        if professional_id:
            domain.append(("professional_id", "=", professional_id))
        url_args = {"month": month.strftime("%Y-%m")}
        if ddi_id:
            url_args["ddi"] = ddi_id
        if professional_id:
            url_args["professional"] = professional_id
        return {
            "month": month,
            "ddi_id": ddi_id,
            "professional_id": professional_id,
            "domain": domain,
            "url_args": url_args,
        }

    def _callgest_month_groups(self, month):
        """The month's calls by DDI and professional, one grouped query
        bounded by the month: the filters' options and the pager's count."""
        groups = request.env["callgest.call"]._read_group(
            self._callgest_month_domain(month),
            ["ddi_id", "professional_id"],
            ["__count"],
        )
        return [
            (ddi.sudo(), professional, count) for ddi, professional, count in groups
        ]

    # ------------------------------------------------------------------
    # Rows
    # ------------------------------------------------------------------
    def _callgest_call_columns(self):
        """``[(key, label)]``: the columns of the CSV, in order, the keys of
        ``_callgest_call_rows``' dicts."""
        env = request.env
        return [
            ("date", env._("Date")),
            ("time", env._("Time")),
            ("timezone", env._("Timezone")),
            ("caller", env._("Caller")),
            ("ddi", env._("DDI")),
            ("professional", env._("Professional")),
            ("robot_seconds", env._("Robot (s)")),
            ("wait_seconds", env._("Wait (s)")),
            ("secretary_seconds", env._("Secretary (s)")),
            ("transfer_seconds", env._("Transfer (s)")),
            ("outcome", env._("Outcome")),
        ]

    def _callgest_call_rows(self, calls):
        """One dict per call of ``calls`` (read with the user's rights, its
        DDI's number read as superuser), a constant number of queries."""
        tz = self._callgest_portal_tz()
        outcomes = dict(
            calls._fields["disposition"]._description_selection(request.env)
        )
        direction_labels = dict(
            calls._fields["direction"]._description_selection(request.env)
        )
        ddis = {
            ddi.id: ddi.number_national or ddi.number for ddi in calls.ddi_id.sudo()
        }
        rows = []
        for call in calls:
            local = self._callgest_local_dt(call.start_time, tz)
            rows.append(
                {
                    "call": call,
                    "date": local.strftime("%d/%m/%Y"),
                    "time": local.strftime("%H:%M:%S"),
                    "timezone": tz.zone,
                    "caller": call.caller_number or call.caller_name or "",
                    "ddi": ddis.get(call.ddi_id.id, ""),
                    "professional": call.professional_id.name or "",
                    "robot_seconds": (call.robot_seconds or 0)
                    + (call.queue_seconds or 0),
                    "wait_seconds": call.wait_seconds or 0,
                    "secretary_seconds": call.secretary_seconds or 0,
                    "transfer_seconds": call.transfer_seconds or 0,
                    "outcome": outcomes.get(call.disposition, ""),
                    "direction": direction_labels.get(call.direction, ""),
                    "missed": call.disposition in MISSED_DISPOSITIONS,
                }
            )
        return rows

    @staticmethod
    def _callgest_local_dt(value, tz):
        return pytz.utc.localize(value).astimezone(tz)

    # ------------------------------------------------------------------
    # Pages
    # ------------------------------------------------------------------
    def _callgest_calls_values(self, page=1, **kw):
        filters = self._callgest_calls_filters(**kw)
        groups = self._callgest_month_groups(filters["month"])
        ddis = {}
        professionals = {}
        total = 0
        for ddi, professional, count in groups:
            if ddi:
                ddis[ddi.id] = ddi.number_national or ddi.number
            if professional:
                professionals[professional.id] = professional.name
            if filters["ddi_id"] and ddi.id != filters["ddi_id"]:
                continue
            if (
                filters["professional_id"]
                and professional.id != filters["professional_id"]
            ):
                continue
            total += count
        pager = portal_pager(
            url="/my/calls",
            url_args=filters["url_args"],
            total=total,
            page=page,
            step=CALLS_PER_PAGE,
        )
        calls = request.env["callgest.call"].search(
            filters["domain"],
            limit=CALLS_PER_PAGE,
            offset=pager["offset"],
        )
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "callgest_calls",
                "default_url": "/my/calls",
                "pager": pager,
                "call_rows": self._callgest_call_rows(calls),
                "call_total": total,
                "months": self._callgest_months(),
                "month": filters["month"],
                "ddi_options": sorted(ddis.items(), key=lambda item: item[1]),
                "professional_options": sorted(
                    professionals.items(), key=lambda item: item[1]
                ),
                "ddi_id": filters["ddi_id"],
                "professional_id": filters["professional_id"],
                "url_args": filters["url_args"],
                "timezone": self._callgest_portal_tz().zone,
            }
        )
        return values

    @http.route(
        ["/my/calls", "/my/calls/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_calls(self, page=1, **kw):
        if not request.env["callgest.call"].has_access("read"):
            return request.redirect("/my")
        values = self._callgest_calls_values(page=page, **kw)
        return request.render("callgest_voip.portal_my_calls", values)

    @http.route("/my/calls/export.csv", type="http", auth="user")
    def portal_my_calls_csv(self, **kw):
        if not request.env["callgest.call"].has_access("read"):
            return request.redirect("/my")
        filters = self._callgest_calls_filters(**kw)
        # a month of the user's calls (the month bounds it)
        calls = request.env["callgest.call"].search(filters["domain"])
        columns = self._callgest_call_columns()
        rows = self._callgest_call_rows(calls)
        return self._callgest_csv_response(
            "calls-%s.csv" % filters["month"].strftime("%Y-%m"),
            [label for _key, label in columns],
            [[row[key] for key, _label in columns] for row in rows],
        )

    def _callgest_consumption_values(self, month=None, **kw):
        month = self._callgest_month(month)
        months = self._callgest_months()
        quality = request.env["callgest.call.quality.report"]._callgest_months(
            [], months[-1]
        )
        # one row per company and month: a client is served by one company
        by_month = {}
        for row in quality:
            by_month.setdefault(row["month"], row)
        month_rows = [
            {
                "month": first,
                "label": first.strftime("%m/%Y"),
                **{
                    key: by_month.get(first, {}).get(key) or 0
                    for key in ("calls", "answered", "missed", "abandoned")
                },
                "avg_answer_seconds": by_month.get(first, {}).get("avg_answer_seconds"),
                "p90_answer_seconds": by_month.get(first, {}).get("p90_answer_seconds"),
                "target_seconds": by_month.get(first, {}).get("target_seconds")
                or request.env.company.callgest_answer_target_seconds
                or 15,
            }
            for first in reversed(months)
        ]
        missed = request.env["callgest.call"].search(
            self._callgest_month_domain(month)
            + [
                ("direction", "=", "inbound"),
                ("disposition", "in", MISSED_DISPOSITIONS),
            ],
            limit=MISSED_LIMIT,
        )
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "callgest_consumption",
                "month_rows": month_rows,
                # the table: newest first, the months with calls
                "table_rows": [row for row in reversed(month_rows) if row["calls"]],
                "chart_json": json.dumps(
                    {
                        "labels": [row["label"] for row in month_rows],
                        "answered": [row["answered"] for row in month_rows],
                        "missed": [row["missed"] for row in month_rows],
                        "abandoned": [row["abandoned"] for row in month_rows],
                        "avg": [row["avg_answer_seconds"] for row in month_rows],
                        "p90": [row["p90_answer_seconds"] for row in month_rows],
                        "target": [row["target_seconds"] for row in month_rows],
                        "names": {
                            "answered": request.env._("Answered"),
                            "missed": request.env._("Missed"),
                            "abandoned": request.env._("Abandoned"),
                            "avg": request.env._("Average answer (s)"),
                            "p90": request.env._("90% answered within (s)"),
                            "target": request.env._("Target (s)"),
                        },
                    }
                ),
                "months": months,
                "month": month,
                "missed_rows": self._callgest_call_rows(missed),
                "missed_limit": MISSED_LIMIT,
                "timezone": self._callgest_portal_tz().zone,
            }
        )
        return values

    @http.route("/my/consumption", type="http", auth="user", website=True)
    def portal_my_consumption(self, **kw):
        if not request.env["callgest.call"].has_access("read"):
            return request.redirect("/my")
        values = self._callgest_consumption_values(**kw)
        return request.render("callgest_voip.portal_my_consumption", values)
