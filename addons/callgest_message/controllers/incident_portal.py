from collections import OrderedDict
from urllib.parse import urlencode

from werkzeug.exceptions import NotFound

from odoo import fields, http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request
from odoo.osv import expression

from odoo.addons.callgest_base.controllers.portal import CallgestCustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager


class CallgestIncidentPortal(CallgestCustomerPortal):
    """The client's incidencias on his portal: a list, the detail where he
    answers in the chatter, and closing or reopening one. What he sees is
    what the ir.rules on callgest.incident let him read."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        Incident = request.env["callgest.incident"]
        readable = Incident.has_access("read")
        # asked by the home page's script, and written on the card itself
        if "callgest_open_incident_count" in counters or not counters:
            values["callgest_open_incident_count"] = (
                Incident.search_count([("state", "!=", "closed")]) if readable else 0
            )
        if not counters:  # the home page itself: show the card to clients
            values["callgest_show_incidents"] = readable and bool(
                values["callgest_open_incident_count"]
                or Incident.search_count([], limit=1)
            )
        return values

    def _callgest_incident_filters(self):
        env = request.env
        return OrderedDict(
            [
                (
                    "open",
                    {"label": env._("Open"), "domain": [("state", "!=", "closed")]},
                ),
                (
                    "closed",
                    {"label": env._("Closed"), "domain": [("state", "=", "closed")]},
                ),
                ("all", {"label": env._("All"), "domain": []}),
            ]
        )

    def _callgest_incident_sortings(self):
        env = request.env
        return {
            "date": {"label": env._("Newest first"), "order": "taken_at desc, id desc"},
            "due": {"label": env._("Due first"), "order": "date_due asc, id asc"},
        }

    def _callgest_incident_search_inputs(self):
        env = request.env
        return {
            "all": {"input": "all", "label": env._("Search in all")},
            "caller": {"input": "caller", "label": env._("Search the caller")},
            "text": {"input": "text", "label": env._("Search the description")},
        }

    def _callgest_incident_search_domain(self, search_in, search):
        if not search:
            return []
        domains = {
            "caller": [
                "|",
                "|",
                ("caller_name", "ilike", search),
                ("caller_company", "ilike", search),
                ("caller_number_search", "ilike", search),
            ],
            "text": [
                "|",
                ("description", "ilike", search),
                ("site", "ilike", search),
            ],
        }
        if search_in in domains:
            return domains[search_in]
        return expression.OR(list(domains.values()) + [[("name", "ilike", search)]])

    @http.route(
        ["/my/incidencias", "/my/incidencias/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_callgest_incidents(
        self, page=1, sortby="date", filterby="open", search_in="all", search="", **kw
    ):
        Incident = request.env["callgest.incident"]
        values = self._prepare_portal_layout_values()
        sortings = self._callgest_incident_sortings()
        filters = self._callgest_incident_filters()
        sortby = sortby if sortby in sortings else "date"
        filterby = filterby if filterby in filters else "open"
        search = (search or "").strip()
        domain = filters[filterby]["domain"] + self._callgest_incident_search_domain(
            search_in, search
        )
        count = Incident.search_count(domain) if Incident.has_access("read") else 0
        url_args = {"sortby": sortby, "filterby": filterby}
        if search:
            url_args.update(search_in=search_in, search=search)
        pager = portal_pager(
            url="/my/incidencias",
            url_args=url_args,
            total=count,
            page=page,
            step=self._items_per_page,
        )
        incidents = (
            Incident.search(
                domain,
                order=sortings[sortby]["order"],
                limit=self._items_per_page,
                offset=pager["offset"],
            )
            if count
            else Incident
        )
        request.session["my_callgest_incidents_history"] = incidents.ids[:100]
        values.update(
            {
                # read through the rules; shown with their types
                "incidents": incidents.sudo(),
                "page_name": "callgest_incidents",
                "pager": pager,
                "default_url": "/my/incidencias",
                "searchbar_sortings": sortings,
                "sortby": sortby,
                "searchbar_filters": filters,
                "filterby": filterby,
                "searchbar_inputs": self._callgest_incident_search_inputs(),
                "search_in": search_in,
                "search": search,
                "callgest_local": self._callgest_portal_local,
                "tz_name": self._callgest_portal_tz().zone,
                "query": urlencode(url_args),
                "now": fields.Datetime.now(),
            }
        )
        return request.render("callgest_message.portal_my_callgest_incidents", values)

    def _callgest_check_incident(self, incident_id):
        """The incidencia as superuser once the user may read it; 404 else
        (another client's incidencia does not exist for him)."""
        try:
            return self._document_check_access("callgest.incident", incident_id)
        except (AccessError, MissingError):
            raise NotFound() from None

    def _callgest_render_incident(self, incident_sudo, success=None, error=None):
        values = self._get_page_view_values(
            incident_sudo,
            None,
            {
                "page_name": "callgest_incident",
                "incident": incident_sudo,
                "callgest_local": self._callgest_portal_local,
                "tz_name": self._callgest_portal_tz().zone,
                "success_message": success,
                "error_message": error,
            },
            "my_callgest_incidents_history",
            False,
        )
        return request.render("callgest_message.portal_my_callgest_incident", values)

    @http.route(
        "/my/incidencias/<int:incident_id>", type="http", auth="user", website=True
    )
    def portal_my_callgest_incident(self, incident_id, message=None, **kw):
        incident_sudo = self._callgest_check_incident(incident_id)
        env = request.env
        notes = {
            "closed": env._("The incidencia is closed."),
            "reopened": env._("The incidencia is reopened: the service deals with it."),
        }
        return self._callgest_render_incident(incident_sudo, success=notes.get(message))

    @http.route(
        [
            "/my/incidencias/<int:incident_id>/close",
            "/my/incidencias/<int:incident_id>/reopen",
        ],
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_my_callgest_incident_state(self, incident_id, **kw):
        incident_sudo = self._callgest_check_incident(incident_id)
        reopen = request.httprequest.path.endswith("/reopen")
        try:
            # as superuser, the tracked change is the user's partner's
            if reopen:
                incident_sudo._callgest_portal_reopen(request.env.user.partner_id)
            else:
                incident_sudo._callgest_portal_close(request.env.user.partner_id)
        except UserError as error:
            return self._callgest_render_incident(incident_sudo, error=error.args[0])
        note = "reopened" if reopen else "closed"
        return request.redirect(f"/my/incidencias/{incident_sudo.id}?message={note}")
