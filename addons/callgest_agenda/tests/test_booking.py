from datetime import datetime, timedelta

import pytz

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import TransactionCase

from .common import MADRID, build_agenda, hours_calendar, local_day, utc_string


class TestBooking(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(
            context=dict(cls.env.context, tracking_disable=True, lang="en_US")
        )
        cls.Booking = cls.env["resource.booking"]
        cls.client, cls.hours, cls.type, cls.pros = build_agenda(
            cls.env, "Agenda Test Clinic"
        )
        cls.ana, cls.bruno = cls.pros
        cls.day = local_day(3)

    # ------------------------------------------------------------------
    def counts(self):
        env = self.env(context=dict(self.env.context, active_test=False))
        return (
            env["resource.booking"].search_count([]),
            env["calendar.event"].search_count([]),
            env["callgest.agenda.busy"].search_count([]),
            env["res.partner"].search_count([]),
        )

    def book(self, start, resource=None, **values):
        values.setdefault("caller_name", "Marta Ruiz")
        values.setdefault("caller_phone", "+34 612 345 678")
        values.setdefault("caller_email", "marta.ruiz@example.com")
        return self.Booking.browse(
            self.Booking.callgest_book(
                self.type.id,
                start,
                resource_id=resource.id if resource else False,
                **values,
            )
        )

    def assertRefused(self, reason, start, resource=None, **values):
        """Refused with ``reason`` in the message, nothing created."""
        before = self.counts()
        with self.assertRaises(ValidationError) as caught:
            self.book(start, resource, **values)
        self.assertIn(reason, caught.exception.args[0])
        self.assertEqual(self.counts(), before, "something was created")
        return caught.exception.args[0]

    def busy_rows(self, booking):
        return self.env["callgest.agenda.busy"].search(
            [("booking_id", "=", booking.id)]
        )

    # ------------------------------------------------------------------
    def test_refusals(self):
        now = datetime.now(pytz.utc)
        past = now - timedelta(days=1)
        past_local = past.astimezone(MADRID).strftime("%d/%m/%Y %H:%M")
        self.assertRefused(
            f"{past_local} is in the past.",
            fields.Datetime.to_string(past.replace(tzinfo=None)),
            self.ana,
        )
        soon = now + timedelta(minutes=20)
        self.assertRefused(
            "is too soon: First visit (Agenda Test Clinic) needs 1 hours' notice.",
            fields.Datetime.to_string(soon.replace(tzinfo=None)),
            self.ana,
        )
        far = local_day(40)
        message = self.assertRefused(
            f"{far.strftime('%d/%m/%Y')} 10:00 is too far ahead: First visit "
            "(Agenda Test Clinic) is booked at most 30 days ahead.",
            utc_string(far, 10),
            self.ana,
        )
        self.assertIn("Next free slot:", message)
        when = self.day.strftime("%d/%m/%Y")
        # the professional works from 8:00, the client opens at 9:00
        self.assertRefused(
            f"{when} 08:30 is outside the working hours of {self.ana.name}.",
            utc_string(self.day, 8, 30),
            self.ana,
        )
        self.assertRefused(
            f"{when} 21:00 is outside the working hours of {self.ana.name}.",
            utc_string(self.day, 21),
            self.ana,
        )
        # across the closing time
        self.assertRefused(
            "is outside the working hours", utc_string(self.day, 18, 45), self.ana
        )

    def test_refused_on_a_client_holiday(self):
        holiday = local_day(4)
        self.hours.callgest_add_holidays([(holiday, "Fiesta mayor", "local")])
        message = self.assertRefused(
            f"{holiday.strftime('%d/%m/%Y')} 10:00 is a holiday for Agenda Test "
            "Clinic: Fiesta mayor.",
            utc_string(holiday, 10),
            self.ana,
        )
        # the next free slot is the day after, at opening time
        self.assertIn(
            f"Next free slot: {local_day(5).strftime('%d/%m/%Y')} 09:00", message
        )
        # no slot offered on the holiday
        slots = self.type.callgest_first_slots(
            limit=50, start=fields.Datetime.to_datetime(utc_string(holiday, 0)), days=2
        )
        self.assertEqual(slots[0].start.astimezone(MADRID).date(), local_day(5))
        self.assertFalse(
            [s for s in slots if s.start.astimezone(MADRID).date() == holiday]
        )

    def test_refused_over_an_absence(self):
        day = local_day(5)
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Congress",
                "calendar_id": self.ana.calendar_id.id,
                "resource_id": self.ana.id,
                "date_from": utc_string(day, 9),
                "date_to": utc_string(day, 13),
            }
        )
        self.assertRefused(
            f"{self.ana.name} is absent at {day.strftime('%d/%m/%Y')} 11:00 "
            "(Congress).",
            utc_string(day, 11),
            self.ana,
        )
        # his colleague is not absent: auto-assignment gives him the slot
        booking = self.book(utc_string(day, 11))
        self.assertEqual(booking.callgest_resource_id, self.bruno)
        # Ana's first slots that day start when she is back
        slots = self.type.callgest_first_slots(
            limit=1,
            resource=self.ana,
            start=fields.Datetime.to_datetime(utc_string(day, 9)),
        )
        self.assertEqual(slots[0].start.astimezone(MADRID).strftime("%H:%M"), "13:00")

    def test_refused_professional(self):
        start = utc_string(self.day, 10)
        self.bruno.active = False
        self.assertRefused(
            f"{self.bruno.name} is archived: no longer bookable.", start, self.bruno
        )
        stranger = self.env["resource.resource"].create(
            {
                "name": "Dr. Carla (not of the type)",
                "resource_type": "material",
                "calendar_id": self.ana.calendar_id.id,
                "tz": "Europe/Madrid",
                "callgest_client_id": self.client.id,
            }
        )
        self.assertRefused(
            f"{stranger.name} does not give First visit (Agenda Test Clinic).",
            start,
            stranger,
        )
        self.assertRefused(
            "This professional does not exist.",
            start,
            self.env["resource.resource"].browse(999_999_999),
        )
        # an archived professional is no longer auto-assigned nor offered
        self.assertEqual(
            {s.resource_id for s in self.type.callgest_first_slots(limit=20)},
            {self.ana.id},
        )

    def test_refused_caller(self):
        start = utc_string(self.day, 10)
        self.assertRefused(
            "not-an-email is not a valid email address.",
            start,
            self.ana,
            caller_email="not-an-email",
        )
        self.assertRefused(
            "12 is not a valid phone number:", start, self.ana, caller_phone="12"
        )
        self.assertRefused("Give the caller's name.", start, self.ana, caller_name="  ")
        self.assertRefused(
            "Unknown booking channel fax.", start, self.ana, source="fax"
        )
        archived_type = self.type.copy({"active": False})
        before = self.counts()
        with self.assertRaisesRegex(ValidationError, "no longer offered"):
            self.Booking.callgest_book(archived_type.id, start, caller_name="Marta")
        self.assertEqual(self.counts(), before)

    def test_happy_path_and_caller_reused(self):
        partners = (
            self.env["res.partner"].with_context(active_test=False).search_count([])
        )
        booking = self.book(utc_string(self.day, 10), self.ana, answers="Toothache")
        self.assertEqual(booking.state, "confirmed")
        self.assertEqual(booking.callgest_resource_id, self.ana)
        self.assertEqual(booking.callgest_client_id, self.client)
        self.assertEqual(booking.callgest_source, "secretary")
        self.assertEqual(booking.callgest_caller_phone, "+34 612 34 56 78")
        self.assertEqual(booking.callgest_caller_email, "marta.ruiz@example.com")
        self.assertEqual(
            booking.callgest_start_local, f"{self.day.strftime('%d/%m/%Y')} 10:00"
        )
        self.assertTrue(booking.meeting_id)
        self.assertEqual(booking.meeting_id.start, booking.start)
        self.assertEqual(
            fields.Datetime.to_string(booking.start), utc_string(self.day, 10)
        )
        rows = self.busy_rows(booking)
        self.assertEqual(len(rows), 1)
        self.assertEqual(rows.resource_id, self.ana)
        self.assertEqual(rows.start, booking.start)
        self.assertEqual(rows.stop, booking.stop)
        caller = booking.partner_ids
        self.assertEqual(caller.email_normalized, "marta.ruiz@example.com")
        self.assertEqual(
            self.env["res.partner"].with_context(active_test=False).search_count([]),
            partners + 1,
        )
        # the same caller again (another case, spaces): the same contact
        second = self.book(
            utc_string(self.day, 11), self.ana, caller_email=" Marta.Ruiz@Example.com "
        )
        self.assertEqual(second.partner_ids, caller)
        # by phone, without email
        third = self.book(
            utc_string(self.day, 12),
            self.ana,
            caller_email="",
            caller_phone="612345678",
        )
        self.assertEqual(third.partner_ids, caller)
        self.assertEqual(
            self.env["res.partner"].with_context(active_test=False).search_count([]),
            partners + 1,
        )
        # the slot is no longer offered, and booking it again is refused
        offered = self.type.callgest_first_slots(
            limit=50,
            resource=self.ana,
            start=fields.Datetime.to_datetime(utc_string(self.day, 9)),
        )
        self.assertNotIn(booking.start, [s.start.replace(tzinfo=None) for s in offered])
        self.assertIn(
            fields.Datetime.to_datetime(utc_string(self.day, 9)),
            [s.start.replace(tzinfo=None) for s in offered],
        )
        self.assertRefused(
            f"{self.ana.name} already has an appointment at "
            f"{self.day.strftime('%d/%m/%Y')} 10:00.",
            utc_string(self.day, 10),
            self.ana,
        )
        # an off-grid start overlapping it is refused too
        self.assertRefused(
            "already has an appointment", utc_string(self.day, 10, 15), self.ana
        )

    def test_online_waits_for_confirmation(self):
        booking = self.book(utc_string(self.day, 10), self.ana, source="online")
        self.assertEqual(booking.callgest_source, "online")
        self.assertEqual(booking.state, "scheduled")
        self.assertEqual(len(self.busy_rows(booking)), 1)

    def test_buffer(self):
        self.type.callgest_buffer_minutes = 15
        booking = self.book(utc_string(self.day, 10), self.ana)
        self.assertEqual(
            self.busy_rows(booking).stop, booking.stop + timedelta(minutes=15)
        )
        # 10:30 falls in the buffer; 9:30 would end at 10:00 plus 15 minutes
        self.assertRefused(
            "already has an appointment", utc_string(self.day, 10, 30), self.ana
        )
        self.assertRefused(
            "already has an appointment", utc_string(self.day, 9, 30), self.ana
        )
        offered = [
            s.start.astimezone(MADRID).strftime("%H:%M")
            for s in self.type.callgest_first_slots(
                limit=4,
                resource=self.ana,
                start=fields.Datetime.to_datetime(utc_string(self.day, 9)),
            )
        ]
        self.assertEqual(offered, ["09:00", "11:00", "11:30", "12:00"])

    def test_auto_assignment(self):
        start = utc_string(self.day, 10)
        first = self.book(start)
        second = self.book(start, caller_email="other@example.com", caller_name="Luis")
        self.assertEqual((first | second).callgest_resource_id, self.ana | self.bruno)
        message = self.assertRefused(
            f"Nobody is free for First visit (Agenda Test Clinic) at "
            f"{self.day.strftime('%d/%m/%Y')} 10:00.",
            start,
        )
        self.assertIn(f"Next free slot: {self.day.strftime('%d/%m/%Y')} 10:30", message)

    def test_reschedule(self):
        booking = self.book(utc_string(self.day, 10), self.ana)
        other = self.book(
            utc_string(self.day, 12), self.ana, caller_email="o@example.com"
        )
        meeting = booking.meeting_id
        # to a free time, then over its own old range (it excludes itself)
        booking.callgest_reschedule(utc_string(self.day, 11))
        self.assertEqual(
            fields.Datetime.to_string(booking.start), utc_string(self.day, 11)
        )
        self.assertEqual(booking.meeting_id, meeting)
        self.assertEqual(meeting.start, booking.start)
        self.assertEqual(self.busy_rows(booking).start, booking.start)
        booking.callgest_reschedule(utc_string(self.day, 11, 15))
        self.assertEqual(self.busy_rows(booking).start, booking.start)
        # to another professional
        booking.callgest_reschedule(utc_string(self.day, 12), self.bruno.id)
        self.assertEqual(booking.callgest_resource_id, self.bruno)
        self.assertEqual(self.busy_rows(booking).resource_id, self.bruno)
        self.assertEqual(booking.state, "confirmed")
        # the 10:00 it left is free again
        self.assertTrue(
            self.book(utc_string(self.day, 10), self.ana, caller_email="n@example.com")
        )
        # refusals: taken, outside hours, in the past; nothing moved
        refusals = [
            (utc_string(self.day, 12), self.ana.id, "already has an appointment"),
            (utc_string(self.day, 22), False, "is outside the working hours"),
            (utc_string(local_day(-2), 10), False, "is in the past"),
        ]
        for start, resource_id, reason in refusals:
            with self.assertRaises(ValidationError) as caught:
                booking.callgest_reschedule(start, resource_id)
            self.assertIn(reason, caught.exception.args[0])
            self.assertIn("Next free slot", caught.exception.args[0])
            self.assertEqual(
                fields.Datetime.to_string(booking.start), utc_string(self.day, 12)
            )
            self.assertEqual(booking.callgest_resource_id, self.bruno)
            self.assertEqual(self.busy_rows(booking).start, booking.start)
        other.action_cancel()
        with self.assertRaisesRegex(
            ValidationError, "cancelled appointment cannot be moved"
        ):
            other.callgest_reschedule(utc_string(self.day, 15))

    def test_cancel_frees_the_slot(self):
        start = utc_string(self.day, 10)
        booking = self.book(start, self.ana)
        booked_start = booking.start
        booking.action_cancel()
        self.assertEqual(booking.state, "canceled")
        self.assertFalse(booking.meeting_id)
        self.assertFalse(self.busy_rows(booking))
        offered = self.type.callgest_first_slots(
            limit=1, resource=self.ana, start=fields.Datetime.to_datetime(start)
        )
        self.assertEqual(offered[0].start.replace(tzinfo=None), booked_start)
        again = self.book(start, self.ana, caller_email="again@example.com")
        self.assertEqual(again.state, "confirmed")


class TestBookingDaylightSaving(TransactionCase):
    """The night the clocks go forward in Madrid, on a professional who works
    round the clock that Sunday."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(
            context=dict(cls.env.context, tracking_disable=True, lang="en_US")
        )
        cls.client, _hours, cls.type, cls.pros = build_agenda(
            cls.env,
            "Agenda DST Clinic",
            professionals=("Dr. Night",),
            callgest_horizon_days=3650,
        )
        # 2027-03-28 is a Sunday (dayofweek 6)
        round_the_clock = hours_calendar(
            cls.env, "Round the clock", 0.0, 24.0, days=[6]
        )
        cls.type.resource_calendar_id = round_the_clock
        cls.pros.calendar_id = round_the_clock

    def test_spring_forward(self):
        midnight = MADRID.localize(datetime(2027, 3, 28, 0, 0)).astimezone(pytz.utc)
        found = self.type.callgest_first_slots(limit=10, start=midnight, days=1)
        local_times = [s.start.astimezone(MADRID).strftime("%H:%M") for s in found]
        self.assertEqual(
            local_times,
            [
                "00:00",
                "00:30",
                "01:00",
                "01:30",
                "03:00",
                "03:30",
                "04:00",
                "04:30",
                "05:00",
                "05:30",
            ],
        )
        self.assertNotIn("02:30", local_times)
        booking = self.env["resource.booking"].browse(
            self.env["resource.booking"].callgest_book(
                self.type.id, "2027-03-28 01:30:00", caller_name="Noctambulo"
            )
        )
        self.assertEqual(booking.state, "confirmed")
        self.assertEqual(booking.callgest_resource_id, self.pros)
        self.assertEqual(booking.callgest_start_local, "28/03/2027 03:30")
        self.assertEqual(
            booking.start, fields.Datetime.to_datetime("2027-03-28 01:30:00")
        )
        after = self.type.callgest_first_slots(limit=10, start=midnight, days=1)
        self.assertNotIn(
            "03:30", [s.start.astimezone(MADRID).strftime("%H:%M") for s in after]
        )
        # 02:30 local does not exist: the nearest real instant given as 02:30
        # CET (01:30 UTC) is 03:30 CEST, already taken
        with self.assertRaisesRegex(ValidationError, "already has an appointment"):
            self.env["resource.booking"].callgest_book(
                self.type.id, "2027-03-28 01:30:00", caller_name="Otro"
            )
