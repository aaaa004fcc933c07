from werkzeug.exceptions import NotFound

from odoo import http
from odoo.http import request
from odoo.tools import consteq


class CallgestAgendaFeed(http.Controller):
    """A professional's private calendar feed (iCalendar): his appointments
    from 30 days ago to the horizon of his types. The token is the secret;
    a new one revokes the old address."""

    @http.route(
        "/agenda/feed/<string:token>.ics",
        type="http",
        auth="public",
        methods=["GET"],
        csrf=False,
        sitemap=False,
    )
    def callgest_feed(self, token, **kw):
        Resource = request.env["resource.resource"].sudo()
        resource = (
            Resource.search([("callgest_ics_token", "=", token)], limit=1)
            if token
            else Resource
        )
        if not resource or not consteq(resource.callgest_ics_token or "", token):
            raise NotFound()
        body = resource._callgest_ics_feed()
        return request.make_response(
            body,
            headers=[
                ("Content-Type", "text/calendar; charset=utf-8"),
                ("Content-Disposition", 'inline; filename="agenda.ics"'),
                ("Cache-Control", "private, max-age=300"),
            ],
        )
