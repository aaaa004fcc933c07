from collections import defaultdict
from datetime import datetime, timedelta

import pytz

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..tools import slots as slot_tools


def _utc(value):
    """An aware UTC datetime from Odoo's naive UTC datetime (or an aware one)."""
    if value.tzinfo is None:
        return pytz.utc.localize(value)
    return value.astimezone(pytz.utc)


def _work_interval(start, stop):
    """A calendar's work interval, aware UTC. ``resource.calendar`` ends an
    attendance until 24:00 at 23:59:59.999999 (``time.max``): that end is
    midnight, so that the next day's hours join it and an appointment from
    23:00 to 00:00 fits."""
    stop = _utc(stop)
    if stop.microsecond == 999999:
        stop += timedelta(microseconds=1)
    return _utc(start), stop


class ResourceBookingType(models.Model):
    """An appointment type of one client (a first visit, a cleaning...)."""

    _inherit = "resource.booking.type"

    callgest_client_id = fields.Many2one(
        "res.partner",
        string="Client",
        index="btree_not_null",
        domain=[("is_callgest_client", "=", True)],
        help="The client whose agenda offers this type of appointment.",
    )
    callgest_resource_ids = fields.Many2many(
        "resource.resource",
        string="Professionals",
        compute="_compute_callgest_resource_ids",
        inverse="_inverse_callgest_resource_ids",
        domain="[('callgest_client_id', '=', callgest_client_id)]",
        help="Who gives this type of appointment.",
    )
    callgest_buffer_minutes = fields.Integer(
        string="Buffer (minutes)",
        help="Time kept free after each appointment of this type.",
    )
    callgest_min_notice_hours = fields.Float(
        string="Minimum notice (hours)",
        default=1.0,
        help="No appointment can be booked sooner than this from now.",
    )
    callgest_horizon_days = fields.Integer(
        string="Horizon (days)",
        default=60,
        help="No appointment can be booked further ahead than this.",
    )
    callgest_question_ids = fields.One2many(
        "callgest.agenda.question", "type_id", string="Questions to ask"
    )
    callgest_online = fields.Boolean(
        string="Bookable online",
        default=True,
        help="Offered on the client's public booking page.",
    )
    color = fields.Integer()
    callgest_reminder_hours = fields.Float(
        string="Reminder (hours before)",
        default=24.0,
        help="The caller is reminded of the appointment this many hours "
        "before it; 0 sends no reminder.",
    )
    callgest_reminder_channel = fields.Selection(
        [("email", "Email"), ("sms", "SMS")],
        string="Reminder by",
        default="email",
        required=True,
    )

    _sql_constraints = [
        (
            "callgest_buffer_positive",
            "CHECK(callgest_buffer_minutes >= 0)",
            "The buffer cannot be negative.",
        ),
        (
            "callgest_reminder_positive",
            "CHECK(callgest_reminder_hours >= 0)",
            "The reminder cannot be negative.",
        ),
        (
            "callgest_horizon_positive",
            "CHECK(callgest_horizon_days >= 0)",
            "The horizon cannot be negative.",
        ),
    ]

    @api.depends("combination_rel_ids.combination_id.resource_ids")
    def _compute_callgest_resource_ids(self):
        for booking_type in self:
            booking_type.callgest_resource_ids = (
                booking_type.combination_rel_ids.combination_id.resource_ids
            )

    def _inverse_callgest_resource_ids(self):
        for booking_type in self:
            wanted = booking_type.callgest_resource_ids
            wanted._callgest_ensure_combination()
            rels = booking_type.combination_rel_ids
            rels.filtered(
                lambda rel, wanted=wanted: (
                    not (rel.combination_id.resource_ids & wanted)
                )
            ).unlink()
            present = rels.exists().combination_id.resource_ids
            booking_type.combination_rel_ids = [
                fields.Command.create(
                    {"combination_id": resource.callgest_combination_id.id}
                )
                for resource in wanted - present
            ]

    @api.onchange("callgest_client_id")
    def _onchange_callgest_client_id(self):
        client = self.callgest_client_id
        if client.callgest_calendar_id:
            self.resource_calendar_id = client.callgest_calendar_id
        if client.contact_address and not self.location:
            self.location = ", ".join(
                filter(None, [client.street, client.zip, client.city])
            )

    @api.constrains("duration", "slot_duration")
    def _check_callgest_durations(self):
        for booking_type in self:
            if booking_type.duration <= 0 or booking_type.slot_duration <= 0:
                raise ValidationError(
                    _(
                        "The duration and the slot step of %s must be longer "
                        "than zero.",
                        booking_type.name,
                    )
                )

    # ------------------------------------------------------------------
    # Free slots
    # ------------------------------------------------------------------
    def _callgest_tz(self):
        self.ensure_one()
        return pytz.timezone(
            self.callgest_client_id.tz or self.resource_calendar_id.tz or "UTC"
        )

    def _callgest_bookable_resources(self, resource=None):
        self.ensure_one()
        resources = self.callgest_resource_ids.filtered("active")
        if resource:
            resources &= resource
        return resources

    def _callgest_window(self, now=None):
        """``(earliest, latest)`` starts allowed now, aware UTC."""
        self.ensure_one()
        now = _utc(now or fields.Datetime.now())
        earliest = now + timedelta(hours=self.callgest_min_notice_hours)
        latest = now + timedelta(days=self.callgest_horizon_days)
        return earliest, latest

    def _callgest_work_intervals(self, resources, start, stop):
        """``{resource_id: [(start, stop), ...]}`` (aware UTC): each
        professional's hours, minus his absences and minus the client's
        holidays (the type's calendar, which is the client's)."""
        self.ensure_one()
        type_calendar = self.resource_calendar_id
        client_hours = None
        if type_calendar:
            client_intervals = type_calendar._work_intervals_batch(start, stop)
            client_hours = [
                _work_interval(s, e) for s, e, _rec in client_intervals[False]
            ]
        result = {}
        by_calendar = defaultdict(lambda: self.env["resource.resource"])
        for resource in resources:
            by_calendar[resource.calendar_id or type_calendar] |= resource
        for calendar, calendar_resources in by_calendar.items():
            intervals = calendar._work_intervals_batch(
                start, stop, resources=calendar_resources
            )
            for resource in calendar_resources:
                work = [_work_interval(s, e) for s, e, _rec in intervals[resource.id]]
                if client_hours is not None:
                    work = slot_tools.intersect(work, client_hours)
                result[resource.id] = work
        return result

    def _callgest_busy_intervals(self, resources, start, stop, exclude_booking=None):
        """``{resource_id: [(start, stop), ...]}`` (aware UTC, buffers
        included, sorted, touching ones joined), read in one query of the
        table PostgreSQL guards; ``range_agg`` merges the back-to-back
        appointments of a full agenda in the database, so that Python gets a
        few runs instead of every appointment."""
        busy = defaultdict(list)
        if not resources:
            return busy
        self.env["resource.booking"].flush_model()
        self.env.cr.execute(
            """
            SELECT resource_id, lower(run), upper(run)
              FROM (SELECT resource_id,
                           unnest(range_agg(tsrange(start, stop))) AS run
                      FROM callgest_agenda_busy
                     WHERE resource_id = ANY(%(resources)s)
                       AND start < %(stop)s AND stop > %(start)s
                       AND booking_id != %(exclude)s
                     GROUP BY resource_id) AS merged
            """,
            {
                "resources": resources.ids,
                "start": start.astimezone(pytz.utc).replace(tzinfo=None),
                "stop": stop.astimezone(pytz.utc).replace(tzinfo=None),
                "exclude": exclude_booking.id if exclude_booking else 0,
            },
        )
        utc = pytz.utc
        for resource_id, run_start, run_stop in self.env.cr.fetchall():
            busy[resource_id].append(
                (run_start.replace(tzinfo=utc), run_stop.replace(tzinfo=utc))
            )
        return busy

    def callgest_first_slots(
        self, limit=10, resource=None, start=None, days=14, exclude_booking=None
    ):
        """The first free slots of this type across its professionals (or
        one of them), earliest first, from ``start`` (default: now) over
        ``days`` days at most, within the notice and the horizon.

        :rtype: list of ``slots.Slot`` (aware UTC starts and stops)
        """
        self.ensure_one()
        resources = self._callgest_bookable_resources(resource)
        earliest, latest = self._callgest_window()
        window_start = max(earliest, _utc(start) if start else earliest)
        window_stop = min(latest, window_start + timedelta(days=days)) + timedelta(
            hours=self.duration
        )
        if not resources or window_start >= window_stop:
            return []
        # resource.calendar needs aware datetimes; whole local days, so that
        # each work interval (hence its grid) starts where it really starts
        tz = self._callgest_tz()
        day_start = tz.localize(
            datetime.combine(window_start.astimezone(tz).date(), datetime.min.time())
        )
        work = self._callgest_work_intervals(resources, day_start, window_stop)
        buffer = timedelta(minutes=self.callgest_buffer_minutes)
        busy = self._callgest_busy_intervals(
            resources, day_start, window_stop + buffer, exclude_booking
        )
        return slot_tools.first_slots(
            [(res.id, work.get(res.id, []), busy.get(res.id, [])) for res in resources],
            duration=timedelta(hours=self.duration),
            step=timedelta(hours=self.slot_duration),
            buffer=buffer,
            earliest=window_start,
            latest=latest,
            limit=limit,
        )

    def callgest_slots_for_display(
        self, limit=10, resource_id=None, start=None, days=14
    ):
        """Free slots as plain dicts for the console and the booking page:
        the start in UTC (Odoo's format) and as the client reads it."""
        self.ensure_one()
        resource = self.env["resource.resource"].browse(resource_id or [])
        tz = self._callgest_tz()
        names = {r.id: r.name for r in self.callgest_resource_ids}
        return [
            {
                "start": fields.Datetime.to_string(slot.start.replace(tzinfo=None)),
                "local": slot.start.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
                "resource_id": slot.resource_id,
                "resource_name": names.get(slot.resource_id, ""),
            }
            for slot in self.callgest_first_slots(
                limit=limit, resource=resource or None, start=start, days=days
            )
        ]
