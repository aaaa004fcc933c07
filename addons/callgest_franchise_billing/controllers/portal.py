from datetime import datetime, time
from decimal import Decimal

import pytz
from dateutil.relativedelta import relativedelta
from werkzeug.exceptions import Forbidden, NotFound

from odoo import http
from odoo.http import request
from odoo.tools import SQL

from odoo.addons.callgest_billing.controllers.portal import CallgestCallsBillingPortal


class CallgestFranchisePortal(CallgestCallsBillingPortal):
    """``/my/franchise``: for the manager of a franchise network (an active
    authorized contact of it), the month's calls, routed recados, seconds
    and cost per franchisee and for the network itself. The user may read
    none of the franchisees' usage by the portal rules: the figures are read
    as superuser, for his networks only, once that is checked."""

    def _callgest_franchise_networks(self):
        """The franchise networks the user is an active authorized contact of."""
        authorizations = (
            request.env["callgest.authorized.contact"]
            .sudo()
            .search([("partner_id", "=", self._callgest_portal_partner().id)])
        )
        return authorizations.client_id.filtered("callgest_is_franchise_network")

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "callgest_franchise_count" in counters or not counters:
            values["callgest_franchise_count"] = len(
                self._callgest_franchise_networks()
            )
        return values

    def _callgest_franchise_breakdown(self, network, month):
        """``(rows, total)``: a row per franchisee and one for the network
        (``franchisee`` empty): calls, routed recados, seconds of the calls
        and cost (the usage's exact amounts of the month, unrounded)."""
        env = request.env(su=True)
        period = month.strftime("%Y-%m")
        after = month + relativedelta(months=1)
        tz = pytz.timezone(network.tz or "UTC")
        since, until = (
            tz.localize(datetime.combine(day, time.min))
            .astimezone(pytz.utc)
            .replace(tzinfo=None)
            for day in (month, after)
        )
        figures = {}

        def row(professional_id):
            return figures.setdefault(
                professional_id or None,
                {"calls": 0, "recados": 0, "seconds": 0, "cost": Decimal(0)},
            )

        env.flush_all()
        cr = env.cr
        cr.execute(
            SQL(
                """SELECT professional_id, COUNT(*), COALESCE(SUM(duration), 0)
                     FROM callgest_call
                    WHERE partner_id = %s AND local_date >= %s AND local_date < %s
                 GROUP BY professional_id""",
                network.id,
                month,
                after,
            )
        )
        for professional_id, count, seconds in cr.fetchall():
            row(professional_id).update(calls=count, seconds=seconds)
        cr.execute(
            SQL(
                """SELECT franchisee_id, COUNT(*) FROM callgest_franchise_routing
                    WHERE network_id = %s AND message_id IS NOT NULL
                      AND routed_at >= %s AND routed_at < %s
                 GROUP BY franchisee_id""",
                network.id,
                since,
                until,
            )
        )
        for franchisee_id, count in cr.fetchall():
            row(franchisee_id)["recados"] = count
        # numeric as text: exact
        cr.execute(
            SQL(
                """SELECT professional_id, SUM(amount)::text FROM callgest_usage
                    WHERE partner_id = %s AND period = %s AND state != 'written_off'
                 GROUP BY professional_id""",
                network.id,
                period,
            )
        )
        for professional_id, amount in cr.fetchall():
            row(professional_id)["cost"] = Decimal(amount or 0)
        Partner = env["res.partner"]
        franchisees = network.sudo().with_context(active_test=False)
        franchisees = franchisees.callgest_professional_ids | Partner.browse(
            [ident for ident in figures if ident]
        )
        rows = [
            {"franchisee": franchisee, **row(franchisee.id)}
            for franchisee in franchisees.sorted("name")
        ]
        rows.append({"franchisee": Partner, **row(None)})
        total = {
            key: sum((line[key] for line in rows), Decimal(0) if key == "cost" else 0)
            for key in ("calls", "recados", "seconds", "cost")
        }
        return rows, total

    @http.route("/my/franchise", type="http", auth="user", website=True)
    def portal_my_franchise(self, month=None, network=None, **kw):
        networks = self._callgest_franchise_networks()
        if not networks:
            raise Forbidden()
        if network:
            network_id = self._callgest_int(network)
            chosen = networks.filtered(lambda n: n.id == network_id)
            if not chosen:
                raise NotFound()
        else:
            chosen = networks[:1]
        month = self._callgest_month(month)
        rows, total = self._callgest_franchise_breakdown(chosen, month)
        currency = (
            request.env["callgest.usage"]
            .sudo()
            .search([("partner_id", "=", chosen.id)], limit=1)
            .currency_id
            or chosen.sudo().currency_id
            or request.env.company.currency_id
        )
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "callgest_franchise",
                "network": chosen,
                "networks": networks,
                "month": month,
                "months": self._callgest_months(),
                "franchise_rows": rows,
                "franchise_total": total,
                "currency": currency,
            }
        )
        return request.render("callgest_franchise_billing.portal_my_franchise", values)
