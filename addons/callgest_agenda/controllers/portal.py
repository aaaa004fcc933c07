from collections import OrderedDict
from datetime import date, datetime, time, timedelta

import pytz
from werkzeug.exceptions import NotFound

from odoo import _, fields, http
from odoo.exceptions import AccessError, MissingError
from odoo.http import request

from odoo.addons.portal.controllers import portal
from odoo.addons.portal.controllers.portal import pager as portal_pager


class CallgestAgendaPortal(portal.CustomerPortal):
    """The client's appointments on his portal: a list, a week calendar and
    the detail, where he can cancel one. What he sees is what the
    ir.rules on resource.booking let him read."""

    def _callgest_tz(self):
        partner = request.env.user.partner_id
        return pytz.timezone(partner.commercial_partner_id.tz or partner.tz or "UTC")

    def _callgest_appointments(self):
        return request.env["resource.booking"].with_context(active_test=False)

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "callgest_appointment_count" in counters:
            Booking = request.env["resource.booking"]
            values["callgest_appointment_count"] = (
                Booking.search_count(
                    [
                        ("callgest_client_id", "!=", False),
                        ("stop", ">=", fields.Datetime.now()),
                    ]
                )
                if Booking.has_access("read")
                else 0
            )
        return values

    def _callgest_filters(self):
        now = fields.Datetime.now()
        base = [("callgest_client_id", "!=", False)]
        return OrderedDict(
            [
                (
                    "upcoming",
                    {
                        "label": _("Upcoming"),
                        "domain": base + [("active", "=", True), ("stop", ">=", now)],
                    },
                ),
                (
                    "past",
                    {
                        "label": _("Past"),
                        "domain": base + [("active", "=", True), ("stop", "<", now)],
                    },
                ),
                (
                    "cancelled",
                    {
                        "label": _("Cancelled"),
                        "domain": base + [("active", "=", False)],
                    },
                ),
                ("all", {"label": _("All"), "domain": base}),
            ]
        )

    def _callgest_sortings(self):
        return {
            "date": {
                "label": _("Newest first"),
                "order": "callgest_calendar_start desc, id desc",
            },
            "date_asc": {
                "label": _("Oldest first"),
                "order": "callgest_calendar_start asc, id asc",
            },
        }

    def _callgest_local(self, value, fmt="%d/%m/%Y %H:%M"):
        if not value:  # a cancelled appointment loses its times
            return ""
        return pytz.utc.localize(value).astimezone(self._callgest_tz()).strftime(fmt)

    @http.route(
        ["/my/appointments", "/my/appointments/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_callgest_appointments(
        self, page=1, sortby="date_asc", filterby="upcoming", **kw
    ):
        Booking = self._callgest_appointments()
        values = self._prepare_portal_layout_values()
        filters = self._callgest_filters()
        sortings = self._callgest_sortings()
        filterby = filterby if filterby in filters else "upcoming"
        sortby = sortby if sortby in sortings else "date_asc"
        domain = filters[filterby]["domain"]
        has_access = Booking.has_access("read")
        count = Booking.search_count(domain) if has_access else 0
        pager = portal_pager(
            url="/my/appointments",
            url_args={"sortby": sortby, "filterby": filterby},
            total=count,
            page=page,
            step=self._items_per_page,
        )
        bookings = (
            Booking.search(
                domain,
                order=sortings[sortby]["order"],
                limit=self._items_per_page,
                offset=pager["offset"],
            )
            if count
            else Booking
        )
        request.session["my_callgest_appointments_history"] = bookings.ids[:100]
        values.update(
            {
                # read through the rules above; shown with their types
                "bookings": bookings.sudo(),
                "page_name": "callgest_appointments",
                "pager": pager,
                "default_url": "/my/appointments",
                "searchbar_sortings": sortings,
                "sortby": sortby,
                "searchbar_filters": filters,
                "filterby": filterby,
                "callgest_local": self._callgest_local,
            }
        )
        return request.render("callgest_agenda.portal_my_callgest_appointments", values)

    @http.route("/my/appointments/calendar", type="http", auth="user", website=True)
    def portal_my_callgest_calendar(self, week=None, **kw):
        tz = self._callgest_tz()
        try:
            day = date.fromisoformat(week) if week else None
        except ValueError:
            day = None
        day = day or datetime.now(tz).date()
        monday = day - timedelta(days=day.weekday())
        days = [monday + timedelta(days=i) for i in range(7)]
        start = tz.localize(datetime.combine(monday, time.min)).astimezone(pytz.utc)
        stop = tz.localize(
            datetime.combine(monday + timedelta(days=7), time.min)
        ).astimezone(pytz.utc)
        Booking = self._callgest_appointments()
        bookings = Booking.browse()
        if Booking.has_access("read"):
            bookings = Booking.with_context(active_test=False).search(
                [
                    ("callgest_client_id", "!=", False),
                    ("callgest_calendar_start", "<", stop.replace(tzinfo=None)),
                    ("callgest_calendar_stop", ">", start.replace(tzinfo=None)),
                ],
                order="callgest_calendar_start asc, id asc",
            )
        by_day = {d: [] for d in days}
        for booking in bookings.sudo():
            local = (
                pytz.utc.localize(booking.callgest_calendar_start).astimezone(tz).date()
            )
            by_day.setdefault(local, []).append(booking)
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "callgest_calendar",
                "days": days,
                "by_day": by_day,
                "today": datetime.now(tz).date(),
                "prev_week": (monday - timedelta(days=7)).isoformat(),
                "next_week": (monday + timedelta(days=7)).isoformat(),
                "this_week": datetime.now(tz).date().isoformat(),
                "week_label": _(
                    "Week of %(start)s to %(end)s",
                    start=monday.strftime("%d/%m/%Y"),
                    end=days[-1].strftime("%d/%m/%Y"),
                ),
                "callgest_local": self._callgest_local,
            }
        )
        return request.render("callgest_agenda.portal_my_callgest_calendar", values)

    def _callgest_check_booking(self, booking_id):
        """The booking as superuser once the user may read it; 404 else
        (another client's appointment does not exist for him)."""
        try:
            booking_sudo = self._document_check_access("resource.booking", booking_id)
        except (AccessError, MissingError):
            raise NotFound() from None
        if not booking_sudo.callgest_client_id:
            raise NotFound()
        return booking_sudo

    @http.route(
        "/my/appointments/<int:booking_id>", type="http", auth="user", website=True
    )
    def portal_my_callgest_appointment(
        self, booking_id, error=None, message=None, **kw
    ):
        booking_sudo = self._callgest_check_booking(booking_id)
        errors = {
            "past": _("This appointment is already past: it cannot be cancelled."),
            "cancelled": _("This appointment was already cancelled."),
        }
        messages = {"cancelled": _("The appointment has been cancelled.")}
        values = self._get_page_view_values(
            booking_sudo,
            None,
            {
                "page_name": "callgest_appointment",
                "booking": booking_sudo,
                "callgest_local": self._callgest_local,
                "can_cancel": booking_sudo._callgest_portal_cancel_problem() is None,
                "error_message": errors.get(error),
                "success_message": messages.get(message),
            },
            "my_callgest_appointments_history",
            False,
        )
        return request.render("callgest_agenda.portal_my_callgest_appointment", values)

    @http.route(
        "/my/appointments/<int:booking_id>/cancel",
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_my_callgest_appointment_cancel(self, booking_id, **kw):
        booking_sudo = self._callgest_check_booking(booking_id)
        problem = booking_sudo._callgest_portal_cancel_problem()
        url = f"/my/appointments/{booking_sudo.id}"
        if problem:
            return request.redirect(f"{url}?error={problem}")
        booking_sudo.action_cancel()
        return request.redirect(f"{url}?message=cancelled")
