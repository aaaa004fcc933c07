from collections import OrderedDict
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

import pytz
from werkzeug.exceptions import NotFound

from odoo import http
from odoo.exceptions import AccessError, MissingError
from odoo.http import request
from odoo.osv import expression

from odoo.addons.callgest_base.controllers.portal import CallgestCustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager

MESSAGE_FILTER_KEYS = (
    "sortby",
    "filterby",
    "search_in",
    "search",
    "date_from",
    "date_to",
    "urgency",
    "category",
    "professional",
)


class CallgestMessagePortal(CallgestCustomerPortal):
    """The client's recados on his portal: a list with its filters, the
    detail with its chatter, marking one read or unread, a CSV export. What
    he sees is what the ir.rules on callgest.message let him read."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        Message = request.env["callgest.message"]
        readable = Message.has_access("read")
        # asked by the home page's script, and written on the card itself
        if "callgest_unread_message_count" in counters or not counters:
            values["callgest_unread_message_count"] = (
                Message.search_count([("client_read_date", "=", False)])
                if readable
                else 0
            )
        if not counters:  # the home page itself: show the card to clients
            values["callgest_show_messages"] = readable and bool(
                values["callgest_unread_message_count"]
                or Message.search_count([], limit=1)
            )
        return values

    # ------------------------------------------------------------------
    # Filters
    # ------------------------------------------------------------------
    def _callgest_message_filters(self):
        env = request.env
        return OrderedDict(
            [
                ("all", {"label": env._("All"), "domain": []}),
                (
                    "unread",
                    {
                        "label": env._("Unread"),
                        "domain": [("client_read_date", "=", False)],
                    },
                ),
                (
                    "read",
                    {
                        "label": env._("Read"),
                        "domain": [("client_read_date", "!=", False)],
                    },
                ),
            ]
        )

    def _callgest_message_sortings(self):
        env = request.env
        return {
            "date": {"label": env._("Newest first"), "order": "taken_at desc, id desc"},
            "date_asc": {
                "label": env._("Oldest first"),
                "order": "taken_at asc, id asc",
            },
            "urgency": {
                "label": env._("Urgent first"),
                "order": "urgency desc, taken_at desc, id desc",
            },
            "caller": {
                "label": env._("Caller"),
                "order": "caller_name asc, taken_at desc, id desc",
            },
        }

    def _callgest_message_search_inputs(self):
        env = request.env
        return {
            "all": {"input": "all", "label": env._("Search in all")},
            "caller": {"input": "caller", "label": env._("Search the caller")},
            "number": {"input": "number", "label": env._("Search the number")},
            "text": {"input": "text", "label": env._("Search the message")},
        }

    def _callgest_message_search_domain(self, search_in, search):
        if not search:
            return []
        domains = {
            "caller": [
                "|",
                ("caller_name", "ilike", search),
                ("caller_company", "ilike", search),
            ],
            "number": [("caller_number_search", "ilike", search)],
            "text": [("body", "ilike", search)],
        }
        if search_in in domains:
            return domains[search_in]
        return expression.OR(list(domains.values()) + [[("name", "ilike", search)]])

    def _callgest_local_day_bound(self, value, end=False):
        """The UTC instant a day of the client starts (or, for ``end``, the
        next day starts); None for a missing or badly written date."""
        try:
            day = date.fromisoformat(value) if value else None
        except ValueError:
            return None
        if not day:
            return None
        if end:
            day += timedelta(days=1)
        local = self._callgest_portal_tz().localize(datetime.combine(day, time.min))
        return local.astimezone(pytz.utc).replace(tzinfo=None)

    def _callgest_message_domain(self, kw):
        """The domain of the list and of the CSV, from the query string;
        values that do not parse are ignored, never an error."""
        filters = self._callgest_message_filters()
        filterby = kw.get("filterby") if kw.get("filterby") in filters else "all"
        domain = list(filters[filterby]["domain"])
        domain += self._callgest_message_search_domain(
            kw.get("search_in") or "all", (kw.get("search") or "").strip()
        )
        start = self._callgest_local_day_bound(kw.get("date_from"))
        if start:
            domain.append(("taken_at", ">=", start))
        stop = self._callgest_local_day_bound(kw.get("date_to"), end=True)
        if stop:
            domain.append(("taken_at", "<", stop))
        if kw.get("urgency") in ("normal", "urgent"):
            domain.append(("urgency", "=", kw["urgency"]))
        for key, field in (
            ("category", "category_id"),
            ("professional", "professional_id"),
        ):
            value = kw.get(key) or ""
            if value.isdigit():
                domain.append((field, "=", int(value)))
        return domain

    def _callgest_message_options(self):
        """The categories and professionals of the recados the user reads,
        for the filter selects (names read with sudo: the user reads no
        partner of his client's professionals)."""
        Message = request.env["callgest.message"]
        if not Message.has_access("read"):
            return [], []
        groups = Message._read_group(
            [], ["category_id", "professional_id"], ["__count"]
        )
        categories = {category for category, _professional, _count in groups}
        professionals = {
            professional for _category, professional, _count in groups if professional
        }
        categories = sorted(
            (c.sudo() for c in categories if c), key=lambda c: (c.sequence, c.id)
        )
        professionals = sorted(
            (p.sudo() for p in professionals), key=lambda p: p.name or ""
        )
        return categories, professionals

    # ------------------------------------------------------------------
    # Pages
    # ------------------------------------------------------------------
    @http.route(
        ["/my/recados", "/my/recados/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_callgest_messages(self, page=1, **kw):
        Message = request.env["callgest.message"]
        values = self._prepare_portal_layout_values()
        sortings = self._callgest_message_sortings()
        sortby = kw.get("sortby") if kw.get("sortby") in sortings else "date"
        filters = self._callgest_message_filters()
        filterby = kw.get("filterby") if kw.get("filterby") in filters else "all"
        domain = self._callgest_message_domain(kw)
        count = Message.search_count(domain) if Message.has_access("read") else 0
        url_args = {key: kw[key] for key in MESSAGE_FILTER_KEYS if kw.get(key)}
        pager = portal_pager(
            url="/my/recados",
            url_args=url_args,
            total=count,
            page=page,
            step=self._items_per_page,
        )
        messages = (
            Message.search(
                domain,
                order=sortings[sortby]["order"],
                limit=self._items_per_page,
                offset=pager["offset"],
            )
            if count
            else Message
        )
        request.session["my_callgest_messages_history"] = messages.ids[:100]
        categories, professionals = self._callgest_message_options()
        values.update(
            {
                # read through the rules; shown with their professionals
                "messages": messages.sudo(),
                "page_name": "callgest_messages",
                "pager": pager,
                "default_url": "/my/recados",
                "searchbar_sortings": sortings,
                "sortby": sortby,
                "searchbar_filters": filters,
                "filterby": filterby,
                "searchbar_inputs": self._callgest_message_search_inputs(),
                "search_in": kw.get("search_in") or "all",
                "search": kw.get("search") or "",
                "filter_values": kw,
                "categories": categories,
                "professionals": professionals,
                "csv_url": f"/my/recados/export.csv?{urlencode(url_args)}",
                "callgest_local": self._callgest_portal_local,
                "tz_name": self._callgest_portal_tz().zone,
            }
        )
        return request.render("callgest_message.portal_my_callgest_messages", values)

    @http.route("/my/recados/export.csv", type="http", auth="user", website=True)
    def portal_my_callgest_messages_csv(self, **kw):
        Message = request.env["callgest.message"]
        if not Message.has_access("read"):
            raise NotFound()
        sortings = self._callgest_message_sortings()
        sortby = kw.get("sortby") if kw.get("sortby") in sortings else "date"
        messages = Message.search(
            self._callgest_message_domain(kw), order=sortings[sortby]["order"]
        ).sudo()
        env = request.env
        tz_name = self._callgest_portal_tz().zone
        urgencies = dict(Message._fields["urgency"]._description_selection(env))
        header = [
            env._("Reference"),
            env._("Taken at (%(tz)s)", tz=tz_name),
            env._("Caller"),
            env._("Number"),
            env._("Company"),
            env._("Email"),
            env._("Category"),
            env._("Urgency"),
            env._("Professional"),
            env._("Message"),
            env._("Call back"),
            env._("Preferred time"),
            env._("Read on (%(tz)s)", tz=tz_name),
            env._("Read by"),
        ]
        rows = [
            [
                message.name,
                self._callgest_portal_local(message.taken_at),
                message.caller_name or "",
                message.caller_number or "",
                message.caller_company or "",
                message.caller_email or "",
                message.category_id.name or "",
                urgencies.get(message.urgency, ""),
                message.professional_id.name or "",
                message.body or "",
                env._("Yes") if message.callback_requested else env._("No"),
                message.callback_preferred_time or "",
                self._callgest_portal_local(message.client_read_date),
                message.client_read_partner_id.name or "",
            ]
            for message in messages
        ]
        return self._callgest_csv_response("recados.csv", header, rows)

    def _callgest_check_message(self, message_id):
        """The recado as superuser once the user may read it; 404 else
        (another client's recado does not exist for him)."""
        try:
            return self._document_check_access("callgest.message", message_id)
        except (AccessError, MissingError):
            raise NotFound() from None

    @http.route("/my/recados/<int:message_id>", type="http", auth="user", website=True)
    def portal_my_callgest_message(self, message_id, message=None, **kw):
        message_sudo = self._callgest_check_message(message_id)
        env = request.env
        notes = {
            "read": env._("The recado is marked as read."),
            "unread": env._("The recado is marked as unread."),
        }
        values = self._get_page_view_values(
            message_sudo,
            None,
            {
                "page_name": "callgest_message",
                "recado": message_sudo,
                "callgest_local": self._callgest_portal_local,
                "tz_name": self._callgest_portal_tz().zone,
                "success_message": notes.get(message),
            },
            "my_callgest_messages_history",
            False,
        )
        return request.render("callgest_message.portal_my_callgest_message", values)

    @http.route(
        [
            "/my/recados/<int:message_id>/read",
            "/my/recados/<int:message_id>/unread",
        ],
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_my_callgest_message_mark(self, message_id, **kw):
        message_sudo = self._callgest_check_message(message_id)
        if request.httprequest.path.endswith("/unread"):
            message_sudo._callgest_portal_mark_unread(request.env.user.partner_id)
            note = "unread"
        else:
            message_sudo._callgest_portal_mark_read(request.env.user.partner_id)
            note = "read"
        return request.redirect(f"/my/recados/{message_sudo.id}?message={note}")
