import pytz
from markupsafe import Markup
from werkzeug.exceptions import Forbidden, NotFound

from odoo import _, http
from odoo.exceptions import ValidationError
from odoo.http import request

from odoo.addons.callgest_base.controllers.portal import CallgestCustomerPortal

from ..models.callgest_protocol_change_request import (
    CHANGE_REQUEST_SECTIONS,
    OPEN_STATES,
)


class CallgestProtocolPortal(CallgestCustomerPortal):
    """The client's protocol on his portal: the active version as the
    secretary sees it, its history, and the change requests, with a form for
    the contacts authorized to request changes. What a portal user reads is
    what the ir.rules of the protocol, its versions and the requests let him
    read (security/callgest_protocols_portal_rules.xml); the lines of a
    version are read as superuser once the version is."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "callgest_protocol_count" in counters:
            Request = request.env["callgest.protocol.change.request"]
            Protocol = request.env["callgest.protocol"]
            count = 0
            if Request.has_access("read"):
                count = Request.search_count([("state", "in", OPEN_STATES)])
            # the card shows for a client with a protocol, even with no request
            if not count and Protocol.has_access("read"):
                count = "0" if Protocol.search_count([], limit=1) else 0
            values["callgest_protocol_count"] = count
        return values

    # ------------------------------------------------------------------
    # What the user may see
    # ------------------------------------------------------------------
    def _callgest_protocol_clients(self):
        """The clients whose protocol the user reads (through the rules), and
        those he may request changes for: sorted by name."""
        Protocol = request.env["callgest.protocol"]
        clients = request.env["res.partner"]
        if Protocol.has_access("read"):
            clients = Protocol.search([]).partner_id
        clients |= self._callgest_authorized_clients("changes")
        return clients.sudo().sorted(lambda client: (client.name or "", client.id))

    def _callgest_protocol_tz(self, client):
        return pytz.timezone(client.tz or client.callgest_calendar_id.tz or "UTC")

    def _callgest_protocol_local(self, client):
        tz = self._callgest_protocol_tz(client)

        def local(value, fmt="%d/%m/%Y %H:%M"):
            if not value:
                return ""
            return pytz.utc.localize(value).astimezone(tz).strftime(fmt)

        return local

    def _callgest_hours_rows(self, weekly):
        """``[(day name, "08:00-14:00, 15:00-19:00")]`` Monday to Sunday."""
        days = [
            _("Monday"),
            _("Tuesday"),
            _("Wednesday"),
            _("Thursday"),
            _("Friday"),
            _("Saturday"),
            _("Sunday"),
        ]

        def hhmm(hour):
            minutes = round(hour * 60)
            return f"{minutes // 60:02d}:{minutes % 60:02d}"

        rows = []
        for day, name in enumerate(days):
            spans = sorted(
                (start, end) for weekday, start, end in weekly if weekday == day
            )
            rows.append(
                (
                    name,
                    ", ".join(f"{hhmm(start)}-{hhmm(end)}" for start, end in spans)
                    or _("Closed"),
                )
            )
        return rows

    def _callgest_version_values(self, version):
        """The content of ``version`` (read by the user) for the templates."""
        content = version.sudo()._portal_content(_("[secretary's name]"))
        content["hours_rows"] = self._callgest_hours_rows(content["hours"])
        # an Html field, sanitized when written: shown as the secretary sees it
        content["instructions"] = Markup(content["instructions"] or "")
        return content

    # ------------------------------------------------------------------
    # Pages
    # ------------------------------------------------------------------
    @http.route("/my/protocol", type="http", auth="user", website=True)
    def portal_my_callgest_protocol(self, **kw):
        clients = self._callgest_protocol_clients()
        if len(clients) == 1:
            return self._callgest_protocol_page(
                clients, kw.get("protocol_id"), kw.get("message")
            )
        values = self._prepare_portal_layout_values()
        values.update({"page_name": "callgest_protocol", "clients": clients})
        return request.render("callgest_protocols.portal_my_callgest_protocols", values)

    @http.route("/my/protocol/<int:client_id>", type="http", auth="user", website=True)
    def portal_my_callgest_protocol_client(self, client_id, **kw):
        client = self._callgest_protocol_clients().filtered(
            lambda partner: partner.id == client_id
        )
        if not client:
            raise NotFound()
        return self._callgest_protocol_page(
            client, kw.get("protocol_id"), kw.get("message")
        )

    def _callgest_protocol_page(
        self, client, protocol_id=None, message=None, form=None
    ):
        """The protocol page of ``client``; ``form`` is the change request
        the user sent back with its error, to write again."""
        form = form or {}
        Protocol = request.env["callgest.protocol"]
        protocols = Protocol.browse()
        if Protocol.has_access("read"):
            protocols = Protocol.search([("partner_id", "=", client.id)])
        # the client's own protocol first, then those of its DDIs (read by
        # the rules above; their DDIs' numbers as superuser)
        protocols = protocols.sudo().sorted(
            lambda p: (bool(p.ddi_id), p.ddi_id.number or "")
        )
        try:
            protocol_id = int(protocol_id) if protocol_id else None
        except ValueError:
            protocol_id = None
        protocol = (
            protocols.filtered(lambda p: p.id == protocol_id)[:1] or protocols[:1]
        )
        Version = request.env["callgest.protocol.version"]
        versions = Version.browse()
        if protocol and Version.has_access("read"):
            # drafts are the service's work: the rules show the others only
            versions = Version.search(
                [("protocol_id", "=", protocol.id)], order="version desc"
            )
        active = versions.filtered(lambda v: v.state == "active")[:1]
        Request = request.env["callgest.protocol.change.request"]
        change_requests = Request.browse()
        if Request.has_access("read"):
            change_requests = Request.search(
                [("client_id", "=", client.id)], order="create_date desc, id desc"
            )
        authorization = self._callgest_protocol_authorization(client)
        messages = {
            "sent": _(
                "Your request has been received: a supervisor will review it and "
                "you will see its state below."
            ),
        }
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "callgest_protocol_client",
                "client": client,
                "several_clients": len(self._callgest_protocol_clients()) > 1,
                "protocols": protocols,
                "protocol": protocol,
                "version": active,
                "content": self._callgest_version_values(active) if active else None,
                "history": versions - active,
                "change_requests": change_requests.sudo(),
                "can_request": bool(authorization),
                "sections": CHANGE_REQUEST_SECTIONS,
                "callgest_local": self._callgest_protocol_local(client),
                "timezone": self._callgest_protocol_tz(client).zone,
                "error_message": form.get("error"),
                "success_message": messages.get(message),
                "form_text": form.get("text", ""),
                "form_section": form.get("section", ""),
            }
        )
        return request.render("callgest_protocols.portal_my_callgest_protocol", values)

    @http.route(
        "/my/protocol/version/<int:version_id>",
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_callgest_protocol_version(self, version_id, **kw):
        Version = request.env["callgest.protocol.version"]
        if not Version.has_access("read"):
            raise NotFound()
        # through the record rules: another client's version does not exist
        version = Version.search([("id", "=", version_id)])
        if not version:
            raise NotFound()
        client = version.sudo().partner_id
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "callgest_protocol_version",
                "client": client,
                "version": version.sudo(),
                "content": self._callgest_version_values(version),
                "callgest_local": self._callgest_protocol_local(client),
                "timezone": self._callgest_protocol_tz(client).zone,
            }
        )
        return request.render(
            "callgest_protocols.portal_my_callgest_protocol_version", values
        )

    # ------------------------------------------------------------------
    # Change request
    # ------------------------------------------------------------------
    def _callgest_protocol_authorization(self, client):
        """The user's authorization to request changes for ``client``."""
        if client not in self._callgest_authorized_clients("changes"):
            return request.env["callgest.authorized.contact"].sudo().browse()
        return (
            request.env["callgest.authorized.contact"]
            .sudo()
            .search(
                [
                    ("client_id", "=", client.id),
                    ("partner_id", "=", self._callgest_portal_partner().id),
                    ("can_request_changes", "=", True),
                ],
                limit=1,
            )
        )

    @http.route(
        "/my/protocol/<int:client_id>/request",
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_my_callgest_protocol_request(self, client_id, text="", section="", **kw):
        client = request.env["res.partner"].sudo().browse(client_id).exists()
        authorization = (
            self._callgest_protocol_authorization(client) if client else None
        )
        if not authorization:
            raise Forbidden(
                _("You are not authorized to request protocol changes for this client.")
            )
        try:
            with request.env.cr.savepoint():
                request.env["callgest.protocol.change.request"]._create_from_portal(
                    client, authorization, text, section or False
                )
        except ValidationError as error:
            return self._callgest_protocol_page(
                client,
                form={"error": error.args[0], "text": text, "section": section},
            )
        return request.redirect(f"/my/protocol/{client.id}?message=sent#requests")
