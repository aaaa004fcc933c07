import logging
from datetime import datetime, time, timedelta

import psycopg2
import pytz

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import email_normalize

from odoo.addons.callgest_base.tools.phone_validation import parse_number

from ..tools import slots as slot_tools
from .resource_booking_type import _utc

_logger = logging.getLogger(__name__)

# Odoo's colour indexes: what the calendar views paint
COLOR_CONFIRMED = 10  # green
COLOR_CANCELED = 1  # red
COLOR_SCHEDULED = 4  # light blue


class ResourceBooking(models.Model):
    _inherit = "resource.booking"

    callgest_client_id = fields.Many2one(
        related="type_id.callgest_client_id",
        store=True,
        index="btree_not_null",
        string="Client",
    )
    callgest_resource_id = fields.Many2one(
        "resource.resource",
        string="Professional",
        compute="_compute_callgest_resource_id",
        store=True,
        index="btree_not_null",
    )
    callgest_caller_name = fields.Char(string="Caller")
    callgest_caller_phone = fields.Char(string="Caller's phone")
    callgest_caller_email = fields.Char(string="Caller's email")
    callgest_notify_caller = fields.Boolean(
        string="Notify the caller",
        default=True,
        help="Send the caller the confirmation, changes, cancellation and "
        "reminders of this appointment.",
    )
    callgest_answers = fields.Text(string="Answers")
    callgest_source = fields.Selection(
        [
            ("secretary", "Booked by a secretary"),
            ("online", "Booked online"),
            ("portal", "Booked by the client"),
        ],
        string="Booked through",
        default="secretary",
        readonly=True,
    )
    callgest_booking_ip = fields.Char(
        string="Booked from IP",
        readonly=True,
        groups="callgest_base.group_callgest_supervisor",
    )
    callgest_color = fields.Integer(
        compute="_compute_callgest_color",
        store=True,
        help="Green when confirmed, red when cancelled.",
    )
    callgest_cancelled_start = fields.Datetime(
        string="Was at",
        readonly=True,
        copy=False,
        help="The time a cancelled appointment had (resource_booking's cancel "
        "unschedules it).",
    )
    callgest_cancelled_stop = fields.Datetime(readonly=True, copy=False)
    callgest_calendar_start = fields.Datetime(
        string="Appointment start",
        compute="_compute_callgest_calendar_span",
        store=True,
        index=True,
        help="The start, or the time a cancelled appointment had: what the "
        "calendars show.",
    )
    callgest_calendar_stop = fields.Datetime(
        string="Appointment end", compute="_compute_callgest_calendar_span", store=True
    )
    callgest_start_local = fields.Char(
        string="When (client's time)", compute="_compute_callgest_start_local"
    )

    @api.depends("combination_id.resource_ids")
    def _compute_callgest_resource_id(self):
        for booking in self:
            booking.callgest_resource_id = booking.combination_id.resource_ids[:1]

    @api.depends("state")
    def _compute_callgest_color(self):
        colors = {"confirmed": COLOR_CONFIRMED, "canceled": COLOR_CANCELED}
        for booking in self:
            booking.callgest_color = colors.get(booking.state, COLOR_SCHEDULED)

    @api.depends("start", "stop", "callgest_cancelled_start", "callgest_cancelled_stop")
    def _compute_callgest_calendar_span(self):
        for booking in self:
            booking.callgest_calendar_start = (
                booking.start or booking.callgest_cancelled_start
            )
            booking.callgest_calendar_stop = (
                booking.stop or booking.callgest_cancelled_stop
            )

    @api.depends("callgest_calendar_start", "type_id")
    def _compute_callgest_start_local(self):
        for booking in self:
            start = booking.callgest_calendar_start
            booking.callgest_start_local = (
                booking._callgest_format_local(start) if start else ""
            )

    def _callgest_format_local(self, value):
        """``value`` (naive or aware UTC) as the client reads it."""
        tz = self.type_id._callgest_tz()
        return _utc(value).astimezone(tz).strftime("%d/%m/%Y %H:%M")

    # ------------------------------------------------------------------
    # Why a slot cannot be booked
    # ------------------------------------------------------------------
    @api.model
    def _callgest_slot_problem(self, booking_type, resource, start, exclude=None):
        """The reason, in the user's language, why ``resource`` cannot take
        an appointment of ``booking_type`` at ``start`` (aware UTC), or
        ``None`` when he can."""
        when = self._callgest_when(booking_type, start)
        now = _utc(fields.Datetime.now())
        if start < now:
            return _("%s is in the past.", when)
        earliest, latest = booking_type._callgest_window()
        if start < earliest:
            # formatted outside _(): babel cannot extract a call holding an f-string
            hours = f"{booking_type.callgest_min_notice_hours:g}"
            return _(
                "%(when)s is too soon: %(type)s needs %(hours)s hours' notice.",
                when=when,
                type=booking_type.name,
                hours=hours,
            )
        if start > latest:
            return _(
                "%(when)s is too far ahead: %(type)s is booked at most %(days)s "
                "days ahead.",
                when=when,
                type=booking_type.name,
                days=booking_type.callgest_horizon_days,
            )
        if not resource.active:
            return _("%s is archived: no longer bookable.", resource.name)
        if resource not in booking_type.callgest_resource_ids:
            return _(
                "%(professional)s does not give %(type)s.",
                professional=resource.name,
                type=booking_type.name,
            )
        duration = timedelta(hours=booking_type.duration)
        stop = start + duration
        work = booking_type._callgest_work_intervals(resource, start, stop)[resource.id]
        if not slot_tools.is_free(work, [], start, duration):
            return self._callgest_not_working_reason(
                booking_type, resource, start, stop
            )
        buffer = timedelta(minutes=booking_type.callgest_buffer_minutes)
        busy = booking_type._callgest_busy_intervals(
            resource, start - timedelta(days=1), stop + buffer, exclude
        )[resource.id]
        if not slot_tools.is_free(work, busy, start, duration, buffer):
            return _(
                "%(professional)s already has an appointment at %(when)s.",
                professional=resource.name,
                when=when,
            )
        return None

    @api.model
    def _callgest_when(self, booking_type, start):
        tz = booking_type._callgest_tz()
        return start.astimezone(tz).strftime("%d/%m/%Y %H:%M")

    @api.model
    def _callgest_not_working_reason(self, booking_type, resource, start, stop):
        naive_start = start.astimezone(pytz.utc).replace(tzinfo=None)
        naive_stop = stop.astimezone(pytz.utc).replace(tzinfo=None)
        leaves = (
            self.env["resource.calendar.leaves"]
            .sudo()
            .search(
                [
                    ("date_from", "<", naive_stop),
                    ("date_to", ">", naive_start),
                    "|",
                    ("resource_id", "=", resource.id),
                    "&",
                    ("resource_id", "=", False),
                    (
                        "calendar_id",
                        "in",
                        (booking_type.resource_calendar_id | resource.calendar_id).ids,
                    ),
                ],
                limit=1,
                order="resource_id",
            )
        )
        when = self._callgest_when(booking_type, start)
        if leaves.resource_id:
            return _(
                "%(professional)s is absent at %(when)s (%(absence)s).",
                professional=resource.name,
                when=when,
                absence=leaves.name or _("absence"),
            )
        if leaves:
            return _(
                "%(when)s is a holiday for %(client)s: %(holiday)s.",
                when=when,
                client=booking_type.callgest_client_id.name or booking_type.name,
                holiday=leaves.name or _("holiday"),
            )
        return _(
            "%(when)s is outside the working hours of %(professional)s.",
            when=when,
            professional=resource.name,
        )

    @api.model
    def _callgest_next_free_text(self, booking_type, resource, start, exclude=None):
        if start > booking_type._callgest_window()[1]:
            start = None  # beyond the horizon: the first free slot from now
        slots = booking_type.callgest_first_slots(
            limit=1,
            resource=resource,
            start=start,
            days=booking_type.callgest_horizon_days or 14,
            exclude_booking=exclude,
        )
        if not slots:
            return _("There is no free slot in the coming days.")
        return _(
            "Next free slot: %(when)s with %(professional)s.",
            when=self._callgest_when(booking_type, slots[0].start),
            professional=self.env["resource.resource"]
            .browse(slots[0].resource_id)
            .name,
        )

    # ------------------------------------------------------------------
    # Booking
    # ------------------------------------------------------------------
    @api.model
    def _callgest_check_caller(self, client, name, phone, email):
        """``(name, email, phone)`` cleaned: the email normalized, the phone
        in international form; a bad one refused with the reason."""
        name, email, phone = ((value or "").strip() for value in (name, email, phone))
        if not name:
            raise ValidationError(_("Give the caller's name."))
        if email:
            normalized = email_normalize(email)
            if not normalized:
                raise ValidationError(_("%s is not a valid email address.", email))
            email = normalized
        if phone:
            try:
                phone = parse_number(phone, client.country_id.code).international
            except UserError as error:
                raise ValidationError(
                    _(
                        "%(phone)s is not a valid phone number: %(reason)s",
                        phone=phone,
                        reason=error.args[0],
                    )
                ) from error
        return name, email, phone

    @api.model
    def _callgest_caller_partner(self, name, email, phone):
        """The caller's contact, found by email, then phone, among people who
        are not clients; created when new."""
        Partner = self.env["res.partner"].sudo()
        people = [("is_company", "=", False), ("is_callgest_client", "=", False)]
        partner = Partner.browse()
        if email:
            partner = Partner.search(
                [("email_normalized", "=", email), *people], limit=1
            )
        if not partner and phone:
            partner = Partner.search(
                [("phone_sanitized", "=", phone.replace(" ", "")), *people], limit=1
            )
        return partner or Partner.create(
            {"name": name, "email": email or False, "phone": phone or False}
        )

    @api.model
    def callgest_book(
        self,
        type_id,
        start,
        resource_id=False,
        caller_name="",
        caller_phone="",
        caller_email="",
        answers="",
        notify_caller=True,
        source="secretary",
        booking_ip=False,
    ):
        """Book an appointment of type ``type_id`` at ``start`` (UTC, Odoo's
        format or a datetime) with ``resource_id``, or with the first of the
        type's professionals free then. Confirmed at once when a secretary or
        the client books; online bookings wait for the caller's confirmation.

        Refused with the reason, nothing half-booked: a start in the past,
        too soon or too far ahead, outside hours, on a holiday, over an
        absence, an archived professional, a bad email or phone, or a slot
        taken meanwhile (then the reason names the next free slot).

        :return: the new booking's id
        """
        booking_type = self.env["resource.booking.type"].browse(type_id).exists()
        if not booking_type or not booking_type.active:
            raise ValidationError(_("This type of appointment is no longer offered."))
        if source not in ("secretary", "online", "portal"):
            raise ValidationError(_("Unknown booking channel %s.", source))
        start = _utc(fields.Datetime.to_datetime(start))
        start = start.replace(second=0, microsecond=0)
        client = booking_type.callgest_client_id
        caller_name, caller_email, caller_phone = self._callgest_check_caller(
            client, caller_name, caller_phone, caller_email
        )
        if resource_id:
            candidates = self.env["resource.resource"].browse(resource_id).exists()
            if not candidates:
                raise ValidationError(_("This professional does not exist."))
        else:
            candidates = booking_type._callgest_bookable_resources()
            if not candidates:
                raise ValidationError(
                    _(
                        "Nobody gives %s: add its professionals first.",
                        booking_type.name,
                    )
                )
        problem, resource = None, None
        for candidate in candidates:
            problem = self._callgest_slot_problem(booking_type, candidate, start)
            if not problem:
                resource = candidate
                break
        if not resource:
            if len(candidates) > 1:
                problem = _(
                    "Nobody is free for %(type)s at %(when)s.",
                    type=booking_type.name,
                    when=self._callgest_when(booking_type, start),
                )
            raise ValidationError(
                problem
                + "\n"
                + self._callgest_next_free_text(
                    booking_type, resource_id and candidates, start
                )
            )
        partner = self._callgest_caller_partner(caller_name, caller_email, caller_phone)
        vals = {
            "type_id": booking_type.id,
            "combination_id": resource.callgest_combination_id.id,
            "combination_auto_assign": False,
            "start": fields.Datetime.to_string(start.replace(tzinfo=None)),
            "duration": booking_type.duration,
            "partner_ids": [fields.Command.set(partner.ids)],
            "callgest_caller_name": caller_name,
            "callgest_caller_phone": caller_phone or False,
            "callgest_caller_email": caller_email or False,
            "callgest_answers": answers or False,
            "callgest_notify_caller": bool(notify_caller),
            "callgest_source": source,
        }
        booking = self._callgest_guarded(
            lambda: self.create(vals), booking_type, resource, start
        )
        if booking_ip:
            booking.sudo().callgest_booking_ip = booking_ip
        if source != "online":
            booking.action_confirm()
        booking._callgest_notify("booked")
        return booking.id

    @api.model
    def _callgest_guarded(self, write, booking_type, resource, start, exclude=None):
        """Run ``write`` (a create or a move) under the exclusion constraint:
        when another transaction took the slot first, the clear reason and
        the next free slot, read as committed."""
        try:
            with self.env.cr.savepoint():
                result = write()
                self.env.flush_all()
        except psycopg2.errors.ExclusionViolation:
            self.env.invalidate_all()
            raise ValidationError(
                _(
                    "%(professional)s was booked at %(when)s a moment ago by "
                    "someone else.",
                    professional=resource.name,
                    when=self._callgest_when(booking_type, start),
                )
                + "\n"
                + self._callgest_next_free_text_committed(
                    booking_type, resource, start, exclude=exclude
                )
            ) from None
        return result

    def _callgest_next_free_text_committed(
        self, booking_type, resource, start, exclude=None
    ):
        """The next free slot as committed now: this transaction's snapshot
        (repeatable read) does not see the booking that just took the slot."""
        with self.env.registry.cursor() as fresh:
            # this registry, not looked up again (that lookup takes a lock)
            fresh.transaction = api.Transaction(self.env.registry)
            env = self.env(cr=fresh)
            return self.with_env(env)._callgest_next_free_text(
                booking_type.with_env(env),
                resource.with_env(env),
                start,
                exclude.with_env(env) if exclude else None,
            )

    def callgest_reschedule(self, start, resource_id=False):
        """Move this appointment to ``start`` (UTC), with the same or another
        professional; checked as a new booking, notified as a change."""
        self.ensure_one()
        if self.state == "canceled":
            raise ValidationError(_("A cancelled appointment cannot be moved."))
        start = _utc(fields.Datetime.to_datetime(start)).replace(
            second=0, microsecond=0
        )
        resource = (
            self.env["resource.resource"].browse(resource_id).exists()
            if resource_id
            else self.callgest_resource_id
        )
        problem = self._callgest_slot_problem(
            self.type_id, resource, start, exclude=self
        )
        if problem:
            raise ValidationError(
                problem
                + "\n"
                + self._callgest_next_free_text(
                    self.type_id, resource, start, exclude=self
                )
            )
        self._callgest_guarded(
            lambda: self.write(
                {
                    "combination_id": resource.callgest_combination_id.id,
                    "combination_auto_assign": False,
                    "start": fields.Datetime.to_string(start.replace(tzinfo=None)),
                }
            ),
            self.type_id,
            resource,
            start,
            exclude=self,
        )
        self._callgest_notify("changed")
        return True

    def action_cancel(self):
        to_notify = self.filtered(lambda b: b.state != "canceled")
        # resource_booking's cancel clears start and stop: read them first
        times = {booking.id: (booking.start, booking.stop) for booking in to_notify}
        for booking in to_notify.filtered("start"):
            booking.write(
                {
                    "callgest_cancelled_start": booking.start,
                    "callgest_cancelled_stop": booking.stop,
                }
            )
        result = super().action_cancel()
        to_notify._callgest_notify("cancelled", times=times)
        return result

    def _callgest_notify(self, event, times=None):
        """Tell the caller and the client's recipients that an appointment
        was ``booked``, ``confirmed``, ``changed`` or ``cancelled``
        (models/resource_booking_notice.py); ``times`` gives ``{id: (start,
        stop)}`` of bookings that lost theirs (cancelled)."""
        return True

    def _callgest_portal_cancel_problem(self):
        """``None`` when the client may cancel this appointment on his
        portal, else why not: ``cancelled`` or ``past``."""
        self.ensure_one()
        if self.state == "canceled" or not self.active:
            return "cancelled"
        if not self.start or self.start <= fields.Datetime.now():
            return "past"
        return None

    @api.model
    def _callgest_demo_week(self, type_ids):
        """Demo: a week of appointments from tomorrow, two a day per type at
        its first free slots; most confirmed, one waiting for the caller's
        confirmation (booked online), one cancelled."""
        callers = [
            ("Lucía Fernández", "+34 612 345 001", "lucia.fernandez@example.com"),
            ("Marc Puigdomènech", "+34 612 345 002", "marc.puigdomenech@example.com"),
            ("Carmen Ruiz", "+34 612 345 003", ""),
            ("Àlex Serra", "+34 612 345 004", "alex.serra@example.com"),
            ("Nuria Gómez", "+34 612 345 005", "nuria.gomez@example.com"),
            ("Pedro Sánchez Ortiz", "+34 612 345 006", ""),
        ]
        bookings = self.with_context(callgest_agenda_no_notice=True)
        booked = bookings.browse()
        now = fields.Datetime.now()
        for position, booking_type in enumerate(
            bookings.env["resource.booking.type"].browse(type_ids)
        ):
            tz = booking_type._callgest_tz()
            today = _utc(now).astimezone(tz).date()
            for day in range(1, 8):
                midnight = tz.localize(
                    datetime.combine(today + timedelta(days=day), time.min)
                )
                for index in range(2):
                    slots = booking_type.callgest_first_slots(
                        limit=1, start=midnight, days=1
                    )
                    if not slots:
                        break
                    slot = slots[0]
                    name, phone, email = callers[
                        (day + index + position) % len(callers)
                    ]
                    online = len(booked) == 1
                    booking_id = bookings.callgest_book(
                        booking_type.id,
                        slot.start.replace(tzinfo=None),
                        resource_id=slot.resource_id,
                        caller_name=name,
                        caller_phone=phone,
                        caller_email=email,
                        notify_caller=False,
                        source="online" if online else "secretary",
                    )
                    booked |= bookings.browse(booking_id)
        if booked:
            booked.sorted("start")[3].action_cancel()
        return True
