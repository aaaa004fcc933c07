from odoo import http
from odoo.exceptions import UserError
from odoo.http import request


class ChangeRequestConfirmation(http.Controller):
    """The link an authorized contact receives to confirm an emailed protocol
    change. Opening it shows the request; only the button (a POST, so that a
    mail scanner following links confirms nothing) confirms it."""

    @http.route(
        "/callgest/protocol-change/<int:request_id>/confirm",
        type="http",
        auth="public",
        methods=["GET", "POST"],
        sitemap=False,
    )
    def confirm_change_request(self, request_id, token=None, **post):
        change = request.env[
            "callgest.protocol.change.request"
        ]._from_confirmation_token(request_id, token)
        if not change:
            return request.render(
                "callgest_protocols.change_request_confirmation",
                {"change": change, "outcome": "invalid"},
                status=404,
            )
        error = False
        if request.httprequest.method == "POST":
            try:
                change._confirm_by_sender()
            except UserError as exc:
                error = str(exc)
        outcome = {
            "confirmed": "confirmed",
            "expired": "expired",
        }.get(change.confirmation_status, "ask")
        if change.state not in ("to_confirm", "draft_created", "done"):
            outcome = "closed"
        return request.render(
            "callgest_protocols.change_request_confirmation",
            {"change": change, "outcome": outcome, "token": token, "error": error},
        )
