import csv
import io

import pytz

from odoo.http import content_disposition, request

from odoo.addons.portal.controllers.portal import CustomerPortal


class CallgestCustomerPortal(CustomerPortal):
    """What every CallGest portal page shares: the client's timezone, the
    clients the user speaks for, and CSV exports. Each addon's pages inherit
    it; what a portal user may read is decided by the ir.rules of each model
    (see ``callgest_portal_rules.xml`` in each addon), never here."""

    def _callgest_portal_partner(self):
        return request.env.user.partner_id

    def _callgest_portal_tz(self):
        """The client's timezone: times are stored in UTC and shown in it."""
        partner = self._callgest_portal_partner()
        return pytz.timezone(partner.commercial_partner_id.tz or partner.tz or "UTC")

    def _callgest_portal_local(self, value, fmt="%d/%m/%Y %H:%M"):
        """A UTC datetime of the database, written in the client's time."""
        if not value:
            return ""
        return (
            pytz.utc.localize(value)
            .astimezone(self._callgest_portal_tz())
            .strftime(fmt)
        )

    def _callgest_authorized_clients(self, purpose="changes"):
        """The clients for which the user is an active authorized contact
        (who may request protocol changes, or manage the recipients of the
        notifications): checked with sudo, the user reads no authorization."""
        authorizations = (
            request.env["callgest.authorized.contact"]
            .sudo()
            .search(
                [
                    ("partner_id", "=", self._callgest_portal_partner().id),
                    (
                        "can_request_changes"
                        if purpose == "changes"
                        else "receives_notifications",
                        "=",
                        True,
                    ),
                ]
            )
        )
        return authorizations.client_id

    def _callgest_csv_response(self, filename, header, rows):
        """A CSV download (UTF-8 with BOM, so that spreadsheets read accents);
        ``rows`` are sequences in the order of ``header``."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";")
        writer.writerow(header)
        writer.writerows(rows)
        return self._callgest_csv_download(
            filename, ("\ufeff" + buffer.getvalue()).encode("utf-8")
        )

    def _callgest_csv_download(self, filename, content):
        """A CSV file already written (bytes), as a download."""
        return request.make_response(
            content,
            headers=[
                ("Content-Type", "text/csv; charset=utf-8"),
                ("Content-Length", len(content)),
                ("Content-Disposition", content_disposition(filename)),
            ],
        )
