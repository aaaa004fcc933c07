from datetime import date, datetime, timedelta, timezone

import pytz

from odoo.tests import BaseCase

from ..tools import routing

MADRID = "Europe/Madrid"
LISBON = "Europe/Lisbon"
SANTIAGO = "America/Santiago"

# Monday to Friday 08:00-21:00
WEEKDAYS_8_21 = [(weekday, 8.0, 21.0) for weekday in range(5)]


def local(tz_name, *args):
    """The client's local time for a naive wall-clock time."""
    return routing.resolve_when(datetime(*args), tz_name)[1]


def from_utc(tz_name, *args):
    """The client's local time for a UTC instant."""
    return routing.resolve_when(pytz.utc.localize(datetime(*args)), tz_name)[1]


def utc_of(tz_name, *args):
    """The naive UTC instant of a naive wall-clock time of the client."""
    return routing.resolve_when(datetime(*args), tz_name)[0]


class TestResolveWhen(BaseCase):
    """``resolve_when``: None, strings and datetimes, naive or with offset."""

    def assertResolves(self, when, tz_name, utc, wall, offset_hours, **kwargs):
        with self.subTest(when=when, tz=tz_name):
            got_utc, got_local = routing.resolve_when(when, tz_name, **kwargs)
            self.assertEqual(got_utc, utc)
            self.assertIsNone(got_utc.tzinfo)
            self.assertEqual(got_local.replace(tzinfo=None), wall)
            self.assertEqual(got_local.utcoffset(), timedelta(hours=offset_hours))
            self.assertEqual(got_local.tzinfo.zone, tz_name)

    def test_none_is_now_utc_naive(self):
        self.assertResolves(
            None,
            MADRID,
            datetime(2026, 1, 15, 9, 30),
            datetime(2026, 1, 15, 10, 30),
            1,
            now_utc=datetime(2026, 1, 15, 9, 30),
        )

    def test_none_is_now_utc_aware(self):
        self.assertResolves(
            None,
            MADRID,
            datetime(2026, 7, 15, 9, 30),
            datetime(2026, 7, 15, 11, 30),
            2,
            now_utc=pytz.utc.localize(datetime(2026, 7, 15, 9, 30)),
        )

    def test_none_without_now_is_the_clock(self):
        before = datetime.now(timezone.utc).replace(tzinfo=None)
        utc, local_dt = routing.resolve_when(None, SANTIAGO)
        after = datetime.now(timezone.utc).replace(tzinfo=None)
        self.assertTrue(before <= utc <= after)
        self.assertEqual(local_dt.astimezone(pytz.utc).replace(tzinfo=None), utc)

    def test_naive_string_is_local_time(self):
        # winter: Madrid is UTC+1, summer UTC+2
        self.assertResolves(
            "2026-01-15T10:30",
            MADRID,
            datetime(2026, 1, 15, 9, 30),
            datetime(2026, 1, 15, 10, 30),
            1,
        )
        self.assertResolves(
            "2026-07-15 10:30:00",
            MADRID,
            datetime(2026, 7, 15, 8, 30),
            datetime(2026, 7, 15, 10, 30),
            2,
        )
        # Santiago in January (summer) is UTC-3
        self.assertResolves(
            "2026-01-15T10:30",
            SANTIAGO,
            datetime(2026, 1, 15, 13, 30),
            datetime(2026, 1, 15, 10, 30),
            -3,
        )

    def test_date_only_string_is_local_midnight(self):
        self.assertResolves(
            "2026-01-15", LISBON, datetime(2026, 1, 15), datetime(2026, 1, 15), 0
        )

    def test_explicit_offset_is_honoured(self):
        # +02:00 on a winter day in Madrid: 08:30 UTC, 09:30 local
        self.assertResolves(
            "2026-01-15T10:30:00+02:00",
            MADRID,
            datetime(2026, 1, 15, 8, 30),
            datetime(2026, 1, 15, 9, 30),
            1,
        )
        for text in ("2026-01-15T10:30Z", "2026-01-15T10:30:00z"):
            with self.subTest(text=text):
                self.assertResolves(
                    text,
                    MADRID,
                    datetime(2026, 1, 15, 10, 30),
                    datetime(2026, 1, 15, 11, 30),
                    1,
                )

    def test_datetimes_naive_and_aware(self):
        self.assertResolves(
            datetime(2026, 1, 15, 10, 30),
            MADRID,
            datetime(2026, 1, 15, 9, 30),
            datetime(2026, 1, 15, 10, 30),
            1,
        )
        self.assertResolves(
            datetime(2026, 1, 15, 10, 30, tzinfo=timezone(timedelta(hours=-3))),
            MADRID,
            datetime(2026, 1, 15, 13, 30),
            datetime(2026, 1, 15, 14, 30),
            1,
        )
        self.assertResolves(
            pytz.timezone(LISBON).localize(datetime(2026, 7, 1, 9, 0)),
            MADRID,
            datetime(2026, 7, 1, 8, 0),
            datetime(2026, 7, 1, 10, 0),
            2,
        )

    def test_empty_timezone_is_utc(self):
        utc, local_dt = routing.resolve_when("2026-01-15T10:30", False)
        self.assertEqual(utc, datetime(2026, 1, 15, 10, 30))
        self.assertEqual(local_dt.utcoffset(), timedelta(0))

    def test_garbage_raises_value_error(self):
        for bad in (
            "",
            "   ",
            "tomorrow",
            "2026-13-01T10:00",
            "2026-02-30",
            "10:30",
            12345,
            date(2026, 1, 15),
            b"2026-01-15",
        ):
            with self.subTest(when=bad), self.assertRaises(ValueError):
                routing.resolve_when(bad, MADRID)
        with self.assertRaisesRegex(ValueError, "Unknown timezone"):
            routing.resolve_when(None, "Europe/Atlantis")
        with self.assertRaisesRegex(ValueError, "ISO-8601"):
            routing.resolve_when("noon", MADRID)

    def test_madrid_spring_forward_gap(self):
        # 2026-03-29: 02:00 CET -> 03:00 CEST at 01:00 UTC; 02:xx does not exist
        night = (2026, 3, 29)
        self.assertResolves(
            "2026-03-29T01:59",
            MADRID,
            datetime(*night, 0, 59),
            datetime(*night, 1, 59),
            1,
        )
        for wall in ("02:00", "02:30", "02:59:59", "02:30:45.5"):
            with self.subTest(wall=wall):
                self.assertResolves(
                    f"2026-03-29T{wall}",
                    MADRID,
                    datetime(*night, 1, 0),
                    datetime(*night, 3, 0),
                    2,
                )
        self.assertResolves(
            "2026-03-29T03:00",
            MADRID,
            datetime(*night, 1, 0),
            datetime(*night, 3, 0),
            2,
        )
        self.assertResolves(
            "2026-03-29T03:01",
            MADRID,
            datetime(*night, 1, 1),
            datetime(*night, 3, 1),
            2,
        )

    def test_madrid_fall_back_takes_first_occurrence(self):
        # 2026-10-25: 03:00 CEST -> 02:00 CET at 01:00 UTC; 02:xx happens twice
        night = (2026, 10, 25)
        self.assertResolves(
            "2026-10-25T02:00",
            MADRID,
            datetime(*night, 0, 0),
            datetime(*night, 2, 0),
            2,
        )
        self.assertResolves(
            "2026-10-25T02:30",
            MADRID,
            datetime(*night, 0, 30),
            datetime(*night, 2, 30),
            2,
        )
        self.assertResolves(
            "2026-10-25T03:00",
            MADRID,
            datetime(*night, 2, 0),
            datetime(*night, 3, 0),
            1,
        )
        # the second occurrence is reachable with an explicit offset
        self.assertResolves(
            "2026-10-25T02:30+01:00",
            MADRID,
            datetime(*night, 1, 30),
            datetime(*night, 2, 30),
            1,
        )
        self.assertResolves(
            "2026-10-25T01:30Z",
            MADRID,
            datetime(*night, 1, 30),
            datetime(*night, 2, 30),
            1,
        )

    def test_lisbon_daylight_saving_nights(self):
        # 2026-03-29: 01:00 WET -> 02:00 WEST at 01:00 UTC
        self.assertResolves(
            "2026-03-29T01:30",
            LISBON,
            datetime(2026, 3, 29, 1, 0),
            datetime(2026, 3, 29, 2, 0),
            1,
        )
        self.assertResolves(
            "2026-03-29T00:59",
            LISBON,
            datetime(2026, 3, 29, 0, 59),
            datetime(2026, 3, 29, 0, 59),
            0,
        )
        # 2026-10-25: 02:00 WEST -> 01:00 WET at 01:00 UTC; 01:30 is first WEST
        self.assertResolves(
            "2026-10-25T01:30",
            LISBON,
            datetime(2026, 10, 25, 0, 30),
            datetime(2026, 10, 25, 1, 30),
            1,
        )
        self.assertResolves(
            "2026-10-25T01:30:00+00:00",
            LISBON,
            datetime(2026, 10, 25, 1, 30),
            datetime(2026, 10, 25, 1, 30),
            0,
        )

    def test_santiago_daylight_saving_nights(self):
        # 2026-04-05 00:00 -03 -> 2026-04-04 23:00 -04 (03:00 UTC): 23:xx twice
        self.assertResolves(
            "2026-04-04T23:30",
            SANTIAGO,
            datetime(2026, 4, 5, 2, 30),
            datetime(2026, 4, 4, 23, 30),
            -3,
        )
        self.assertResolves(
            "2026-04-04T23:30-04:00",
            SANTIAGO,
            datetime(2026, 4, 5, 3, 30),
            datetime(2026, 4, 4, 23, 30),
            -4,
        )
        self.assertResolves(
            "2026-04-05T00:00",
            SANTIAGO,
            datetime(2026, 4, 5, 4, 0),
            datetime(2026, 4, 5, 0, 0),
            -4,
        )
        # 2026-09-06 00:00 -04 -> 01:00 -03 (04:00 UTC): midnight does not exist
        for when in ("2026-09-06", "2026-09-06T00:00", "2026-09-06T00:30"):
            with self.subTest(when=when):
                self.assertResolves(
                    when,
                    SANTIAGO,
                    datetime(2026, 9, 6, 4, 0),
                    datetime(2026, 9, 6, 1, 0),
                    -3,
                )
        self.assertResolves(
            "2026-09-05T23:59",
            SANTIAGO,
            datetime(2026, 9, 6, 3, 59),
            datetime(2026, 9, 5, 23, 59),
            -4,
        )


class TestBusinessHours(BaseCase):
    """``is_open`` and ``next_change`` on the client's wall clock."""

    def assertOpen(self, hours, cases, holidays=None):
        """``cases``: ``{moment: open}``, each moment a subtest."""
        for moment, expected in cases.items():
            with self.subTest(moment=moment.isoformat()):
                self.assertIs(routing.is_open(moment, hours, holidays), expected)

    def test_exact_opening_and_closing_minute(self):
        # 2026-01-12 is a Monday
        cases = {
            (7, 59, 59): False,
            (8, 0, 0): True,
            (14, 0, 0): True,
            (20, 59, 59): True,
            (21, 0, 0): False,
        }
        for clock, expected in cases.items():
            with self.subTest(clock=clock):
                moment = local(MADRID, 2026, 1, 12, *clock)
                self.assertEqual(routing.is_open(moment, WEEKDAYS_8_21, []), expected)

    def test_float_hours_like_odoo_attendances(self):
        self.assertOpen(
            [(0, 8.5, 20.5)],  # 08:30-20:30
            {
                local(MADRID, 2026, 1, 12, 8, 29): False,
                local(MADRID, 2026, 1, 12, 8, 30): True,
                local(MADRID, 2026, 1, 12, 20, 29): True,
                local(MADRID, 2026, 1, 12, 20, 30): False,
            },
        )
        # 08:20 is stored by the float_time widget as 8.333333...
        self.assertOpen(
            [(0, 8 + 20 / 60, 12.0)],
            {
                local(MADRID, 2026, 1, 12, 8, 19, 59): False,
                local(MADRID, 2026, 1, 12, 8, 20): True,
            },
        )

    def test_split_shift(self):
        self.assertOpen(
            [(0, 9.0, 14.0), (0, 16.0, 20.0)],
            {
                local(MADRID, 2026, 1, 12, 13, 59): True,
                local(MADRID, 2026, 1, 12, 15, 0): False,
                local(MADRID, 2026, 1, 12, 16, 0): True,
            },
        )

    def test_national_holiday(self):
        # 2026-01-06 (Epiphany, a Tuesday) is a national holiday in Spain
        self.assertOpen(
            WEEKDAYS_8_21,
            {
                local(MADRID, 2026, 1, 6, 10, 0): False,
                local(MADRID, 2026, 1, 7, 10, 0): True,
            },
            holidays=[date(2026, 1, 6), date(2026, 12, 25)],
        )
        # a datetime in the holidays counts as its date
        self.assertFalse(
            routing.is_open(
                local(MADRID, 2026, 1, 6, 10, 0),
                WEEKDAYS_8_21,
                [datetime(2026, 1, 6, 0, 0)],
            )
        )

    def test_holiday_is_the_client_local_date(self):
        # 23:30 UTC on 2026-01-05 is already the 6th in Madrid, not in Santiago
        hours = [(weekday, 0.0, 24.0) for weekday in range(7)]
        holidays = [date(2026, 1, 6)]
        self.assertFalse(
            routing.is_open(from_utc(MADRID, 2026, 1, 5, 23, 30), hours, holidays)
        )
        self.assertTrue(
            routing.is_open(from_utc(SANTIAGO, 2026, 1, 5, 23, 30), hours, holidays)
        )

    def test_sunday_at_23(self):
        # 2026-01-18 is a Sunday
        sunday_23 = local(MADRID, 2026, 1, 18, 23, 0)
        self.assertEqual(sunday_23.weekday(), 6)
        self.assertFalse(routing.is_open(sunday_23, WEEKDAYS_8_21, []))
        self.assertOpen(
            [(6, 0.0, 24.0)],  # all day on Sundays
            {
                sunday_23: True,
                local(MADRID, 2026, 1, 18, 23, 59, 59): True,
                local(MADRID, 2026, 1, 19, 0, 0): False,
            },
        )

    def test_naive_wall_clock_is_accepted(self):
        self.assertTrue(routing.is_open(datetime(2026, 1, 12, 8, 0), WEEKDAYS_8_21))

    def test_invalid_hours(self):
        for bad in (
            [(7, 8.0, 9.0)],
            [(-1, 8.0, 9.0)],
            [(0, 9.0, 9.0)],
            [(0, 20.0, 2.0)],
            [(0, 8.0, 24.5)],
        ):
            with self.subTest(hours=bad), self.assertRaises(ValueError):
                routing.is_open(datetime(2026, 1, 12, 8, 0), bad)

    def test_madrid_opening_at_a_time_that_does_not_exist(self):
        # a night line open on Sundays 02:30-09:00; on 2026-03-29 the clocks
        # jump from 02:00 CET to 03:00 CEST, straight into the open hours
        hours = [(6, 2.5, 9.0)]
        self.assertFalse(routing.is_open(from_utc(MADRID, 2026, 3, 29, 0, 59), hours))
        self.assertTrue(routing.is_open(from_utc(MADRID, 2026, 3, 29, 1, 0), hours))
        saturday_night = local(MADRID, 2026, 3, 28, 23, 0)
        opens = routing.next_change(saturday_night, hours, [])
        self.assertEqual(opens.replace(tzinfo=None), datetime(2026, 3, 29, 3, 0))
        self.assertEqual(opens.utcoffset(), timedelta(hours=2))
        closes = routing.next_change(opens, hours, [])
        self.assertEqual(closes.replace(tzinfo=None), datetime(2026, 3, 29, 9, 0))
        self.assertEqual(
            closes.astimezone(pytz.utc).replace(tzinfo=None),
            datetime(2026, 3, 29, 7, 0),
        )

    def test_madrid_hour_that_does_not_exist_is_never_open(self):
        hours = [(6, 2.0, 3.0)]
        moment = datetime(2026, 3, 28, 23, 0)
        while moment < datetime(2026, 3, 29, 3, 0):
            with self.subTest(utc=moment):
                self.assertFalse(
                    routing.is_open(from_utc(MADRID, *moment.timetuple()[:5]), hours)
                )
            moment += timedelta(minutes=15)
        # so the next opening is a week later
        opens = routing.next_change(local(MADRID, 2026, 3, 29, 0, 0), hours)
        self.assertEqual(opens.replace(tzinfo=None), datetime(2026, 4, 5, 2, 0))

    def test_madrid_fall_back_opens_closes_and_reopens(self):
        # Sundays 02:30-09:00 on 2026-10-25: open at 02:30 CEST, the clocks go
        # back from 03:00 CEST to 02:00 CET (closed again on the wall clock),
        # open again at 02:30 CET, closed at 09:00 CET
        hours = [(6, 2.5, 9.0)]
        moment = local(MADRID, 2026, 10, 25, 0, 0)
        expected_utc = [
            datetime(2026, 10, 25, 0, 30),
            datetime(2026, 10, 25, 1, 0),
            datetime(2026, 10, 25, 1, 30),
            datetime(2026, 10, 25, 8, 0),
        ]
        states = []
        for expected in expected_utc:
            with self.subTest(expected_utc=expected):
                moment = routing.next_change(moment, hours, [])
                self.assertEqual(
                    moment.astimezone(pytz.utc).replace(tzinfo=None), expected
                )
                states.append(routing.is_open(moment, hours))
        self.assertEqual(states, [True, False, True, False])

    def test_lisbon_daylight_saving_nights(self):
        hours = [(weekday, 8.0, 21.0) for weekday in range(7)]
        self.assertOpen(
            hours,
            {
                # 07:00 UTC: 07:00 WET the day before, 08:00 WEST on 2026-03-29
                from_utc(LISBON, 2026, 3, 28, 7, 0): False,
                from_utc(LISBON, 2026, 3, 29, 7, 0): True,
                # and back on 2026-10-25: 07:00 UTC is 07:00 WET, closed
                from_utc(LISBON, 2026, 10, 25, 7, 0): False,
                from_utc(LISBON, 2026, 10, 25, 8, 0): True,
            },
        )
        opens = routing.next_change(from_utc(LISBON, 2026, 3, 28, 21, 0), hours)
        self.assertEqual(
            opens.astimezone(pytz.utc).replace(tzinfo=None), datetime(2026, 3, 29, 7, 0)
        )

    def test_santiago_daylight_saving_nights(self):
        # Saturdays 20:00-24:00. On 2026-04-04 the clocks go back at midnight
        # (00:00 -03 -> 23:00 -04): the evening lasts 5 real hours
        hours = [(5, 20.0, 24.0)]
        opens = routing.next_change(local(SANTIAGO, 2026, 4, 4, 12, 0), hours)
        self.assertEqual(
            opens.astimezone(pytz.utc).replace(tzinfo=None), datetime(2026, 4, 4, 23, 0)
        )
        self.assertTrue(routing.is_open(from_utc(SANTIAGO, 2026, 4, 5, 3, 30), hours))
        closes = routing.next_change(opens, hours)
        self.assertEqual(closes.replace(tzinfo=None), datetime(2026, 4, 5, 0, 0))
        self.assertEqual(
            closes.astimezone(pytz.utc).replace(tzinfo=None), datetime(2026, 4, 5, 4, 0)
        )
        # on 2026-09-05 midnight never comes (23:59:59 -04 -> 01:00 -03):
        # closed at 04:00 UTC, 01:00 local, after 3 real hours
        opens = routing.next_change(local(SANTIAGO, 2026, 9, 5, 12, 0), hours)
        self.assertEqual(
            opens.astimezone(pytz.utc).replace(tzinfo=None), datetime(2026, 9, 6, 0, 0)
        )
        closes = routing.next_change(opens, hours)
        self.assertEqual(closes.replace(tzinfo=None), datetime(2026, 9, 6, 1, 0))
        self.assertEqual(
            closes.astimezone(pytz.utc).replace(tzinfo=None), datetime(2026, 9, 6, 4, 0)
        )
        self.assertTrue(routing.is_open(from_utc(SANTIAGO, 2026, 9, 6, 3, 59), hours))
        self.assertFalse(routing.is_open(from_utc(SANTIAGO, 2026, 9, 6, 4, 0), hours))

    def test_next_change_opens_monday_morning(self):
        # Friday 2026-01-16 at 21:00 -> Monday 08:00
        opens = routing.next_change(local(MADRID, 2026, 1, 16, 21, 0), WEEKDAYS_8_21)
        self.assertEqual(opens.replace(tzinfo=None), datetime(2026, 1, 19, 8, 0))
        self.assertEqual(opens.tzinfo.zone, MADRID)
        # with Monday a holiday -> Tuesday 08:00
        opens = routing.next_change(
            local(MADRID, 2026, 1, 16, 21, 0), WEEKDAYS_8_21, [date(2026, 1, 19)]
        )
        self.assertEqual(opens.replace(tzinfo=None), datetime(2026, 1, 20, 8, 0))

    def test_next_change_from_open_is_the_closing(self):
        for clock in ((8, 0), (10, 15), (20, 59, 59)):
            with self.subTest(clock=clock):
                closes = routing.next_change(
                    local(MADRID, 2026, 1, 12, *clock), WEEKDAYS_8_21
                )
                self.assertEqual(
                    closes.replace(tzinfo=None), datetime(2026, 1, 12, 21, 0)
                )

    def test_next_change_holiday_closes_at_midnight(self):
        hours = [(weekday, 0.0, 24.0) for weekday in range(7)]
        closes = routing.next_change(
            local(MADRID, 2026, 12, 24, 18, 0), hours, [date(2026, 12, 25)]
        )
        self.assertEqual(closes.replace(tzinfo=None), datetime(2026, 12, 25, 0, 0))
        opens = routing.next_change(closes, hours, [date(2026, 12, 25)])
        self.assertEqual(opens.replace(tzinfo=None), datetime(2026, 12, 26, 0, 0))

    def test_next_change_none_within_14_days(self):
        always = [(weekday, 0.0, 24.0) for weekday in range(7)]
        start = local(MADRID, 2026, 3, 20, 12, 0)  # across the DST change
        self.assertIsNone(routing.next_change(start, always, []))
        self.assertIsNone(routing.next_change(start, [], []))
        closed = [date(2026, 3, 20) + timedelta(days=day) for day in range(16)]
        self.assertIsNone(routing.next_change(start, WEEKDAYS_8_21, closed))
        # 13 days of closure: reopens on day 14
        opens = routing.next_change(start, WEEKDAYS_8_21, closed[:13])
        self.assertEqual(opens.replace(tzinfo=None), datetime(2026, 4, 2, 8, 0))

    def test_next_change_needs_an_aware_local_time(self):
        with self.assertRaises(ValueError):
            routing.next_change(datetime(2026, 1, 12, 8, 0), WEEKDAYS_8_21)
        with self.assertRaises(ValueError):
            routing.next_change(
                datetime(2026, 1, 12, 8, 0, tzinfo=timezone.utc), WEEKDAYS_8_21
            )


def reference_next_change(local_dt, weekly_hours, holidays=(), horizon_days=14):
    """The first ``next_change``: every candidate of the two weeks, sorted,
    with the offset changes found by hourly probes. Slow and plain, the
    reference the fast one must match."""
    tz = pytz.timezone(local_dt.tzinfo.zone)
    by_weekday = routing._intervals_by_weekday(weekly_hours)
    holiday_set = routing._holiday_set(holidays)
    start_utc = local_dt.astimezone(pytz.utc).replace(tzinfo=None)
    end_utc = start_utc + timedelta(days=horizon_days)
    candidates = set(routing._offset_changes(start_utc, end_utc, tz))
    first_day = local_dt.date() - timedelta(days=1)
    for day_index in range(horizon_days + 3):
        day = first_day + timedelta(days=day_index)
        minutes = {0}
        for start, end in by_weekday.get(day.weekday(), ()):
            minutes.update((start, end))
        for minute in minutes:
            wall = datetime.combine(day, datetime.min.time()) + timedelta(
                minutes=minute
            )
            for moment in (
                routing.localize(wall, tz),
                routing._second_occurrence(wall, tz),
            ):
                candidates.add(moment.astimezone(pytz.utc).replace(tzinfo=None))
    current = routing._is_open(local_dt, by_weekday, holiday_set)
    for moment in sorted(c for c in candidates if start_utc < c <= end_utc):
        local_moment = pytz.utc.localize(moment).astimezone(tz)
        if routing._is_open(local_moment, by_weekday, holiday_set) != current:
            return local_moment
    return None


class TestNextChangeMatchesTheReference(BaseCase):
    """The fast ``next_change`` (day by day, transitions read from the
    timezone) gives what the full scan gives, DST changes included."""

    ZONES = (MADRID, LISBON, SANTIAGO, "Australia/Lord_Howe", "UTC", "Asia/Kolkata")

    def test_offset_transitions_are_the_probed_changes(self):
        for zone in self.ZONES:
            tz = pytz.timezone(zone)
            for start in (datetime(2026, 1, 1), datetime(2026, 3, 20, 13, 17, 5)):
                end = start + timedelta(days=400)
                with self.subTest(zone=zone, start=start):
                    self.assertEqual(
                        routing._offset_transitions(start, end, tz),
                        routing._offset_changes(start, end, tz),
                    )
        # bounds are inclusive, and a range without change has none
        madrid = pytz.timezone(MADRID)
        change = datetime(2026, 3, 29, 1, 0)
        self.assertEqual(routing._offset_transitions(change, change, madrid), [change])
        self.assertEqual(
            routing._offset_transitions(
                datetime(2026, 5, 1), datetime(2026, 6, 1), madrid
            ),
            [],
        )

    def test_random_schedules_around_dst_changes(self):
        import random

        rng = random.Random(20261203)
        starts = [
            datetime(2026, 3, 27),  # Madrid, Lisbon spring forward
            datetime(2026, 10, 23),  # and back
            datetime(2026, 4, 3),  # Santiago back at midnight
            datetime(2026, 9, 4),  # Santiago forward at midnight
            datetime(2026, 12, 20),
        ]
        for case in range(150):
            weekly = []
            for weekday in range(7):
                if rng.random() < 0.3:
                    continue
                hours = sorted(rng.sample(range(0, 49), 2))
                weekly.append((weekday, hours[0] / 2, hours[1] / 2))
            start = rng.choice(starts) + timedelta(minutes=rng.randrange(4 * 24 * 60))
            holidays = [
                start.date() + timedelta(days=rng.randrange(-1, 16))
                for _ in range(rng.randrange(4))
            ]
            zone = rng.choice(self.ZONES)
            moment = local(zone, *start.timetuple()[:5])
            for _step in range(3):
                with self.subTest(case=case, zone=zone, moment=moment, hours=weekly):
                    expected = reference_next_change(moment, weekly, holidays)
                    found = routing.next_change(moment, weekly, holidays)
                    self.assertEqual(found, expected)
                    if expected is not None:
                        self.assertEqual(found.utcoffset(), expected.utcoffset())
                if found is None:
                    break
                moment = found


class TestCallerCategory(BaseCase):
    """VIP, white and black lists by number or prefix, in any written form."""

    ENTRIES = [
        ("+34 600*", "whitelist", "Mobiles 600"),
        ("0034 600 12 34 56", "vip", "Dr. García"),
        ("600123457", "blacklist", "Insurance spam"),
        ("+34 93*", "whitelist", "Barcelona"),
        ("0034 933*", "blacklist", "Call centre range"),
    ]

    def assertCategories(self, entries, cases, country_code=None):
        """``cases``: ``{caller: (category, reason)}``, each caller a subtest."""
        args = (country_code,) if country_code else ()
        for caller, expected in cases.items():
            with self.subTest(caller=caller):
                self.assertEqual(
                    routing.caller_category(caller, entries, *args), expected
                )

    def test_national_and_international_forms_of_the_same_caller(self):
        for caller in (
            "+34600123456",
            "+34 600 12 34 56",
            "0034600123456",
            "600123456",
            "600 12 34 56",
            "34600123456",
            "sip:+34600123456@pbx.local",
        ):
            with self.subTest(caller=caller):
                self.assertEqual(
                    routing.caller_category(caller, self.ENTRIES),
                    ("vip", "Dr. García"),
                )

    def test_longest_match_wins(self):
        self.assertCategories(
            self.ENTRIES,
            {
                "600999999": ("whitelist", "Mobiles 600"),
                "+34600123457": ("blacklist", "Insurance spam"),
                "932 000 000": ("whitelist", "Barcelona"),
                "933 000 000": ("blacklist", "Call centre range"),
            },
        )

    def test_equal_length_precedence(self):
        # the same 5 digits (34611) written three ways
        entries = [
            ("611*", "whitelist", "w"),
            ("+34611*", "vip", "v"),
            ("0034 611*", "blacklist", "b"),
        ]
        for listed, expected in (
            (entries, ("blacklist", "b")),
            (entries[:2], ("vip", "v")),
            (entries[::2], ("blacklist", "b")),
        ):
            with self.subTest(entries=listed):
                self.assertEqual(routing.caller_category("611000000", listed), expected)
        # exact numbers: blacklist beats vip
        entries = [("611000000", "vip", "v"), ("+34611000000", "blacklist", "b")]
        self.assertEqual(
            routing.caller_category("611000000", entries), ("blacklist", "b")
        )
        # same category and length: the first entry
        entries = [("+34611*", "vip", "first"), ("611*", "vip", "second")]
        self.assertEqual(
            routing.caller_category("611000000", entries), ("vip", "first")
        )

    def test_no_match(self):
        for caller in ("+351 912 345 678", "", None, "anonymous", "911111111"):
            with self.subTest(caller=caller):
                self.assertEqual(
                    routing.caller_category(caller, self.ENTRIES), (None, None)
                )
        self.assertEqual(routing.caller_category("600123456", []), (None, None))

    def test_other_default_country(self):
        entries = [("912345678", "vip", "PT mobile"), ("+34 600*", "blacklist", "ES")]
        self.assertCategories(
            entries,
            {
                "+351912345678": ("vip", "PT mobile"),
                "00351 912 345 678": ("vip", "PT mobile"),
                "0034600123456": ("blacklist", "ES"),
            },
            country_code="351",
        )
        # with the Spanish default, the national pattern is a Madrid number
        self.assertCategories(
            entries,
            {
                "+351912345678": (None, None),
                "+34912345678": ("vip", "PT mobile"),
            },
        )

    def test_normalize_number_and_pattern(self):
        for function, args, expected in (
            (routing.normalize_number, ("+34 600 12 34 56",), "34600123456"),
            (routing.normalize_number, ("0034600123456",), "34600123456"),
            (routing.normalize_number, ("600123456",), "34600123456"),
            (routing.normalize_number, ("34600123456",), "34600123456"),
            (routing.normalize_number, ("912345678", "+351"), "351912345678"),
            # a trunk prefix is dropped from national forms
            (routing.normalize_number, ("020 7946 0000", "44"), "442079460000"),
            (routing.normalize_number, ("anonymous",), ""),
            (routing.normalize_pattern, ("+34600*",), ("34600", True)),
            (routing.normalize_pattern, ("0034 93*",), ("3493", True)),
            (routing.normalize_pattern, ("600*",), ("34600", True)),
            (routing.normalize_pattern, ("020*", "44"), ("4420", True)),
            (routing.normalize_pattern, (" 600 12 34 56 ",), ("34600123456", False)),
        ):
            with self.subTest(function=function.__name__, args=args):
                self.assertEqual(function(*args), expected)

    def test_invalid_patterns_and_categories(self):
        for pattern in ("*", "+*", "", "abc", None):
            with self.subTest(pattern=pattern), self.assertRaises(ValueError):
                routing.normalize_pattern(pattern)
        with self.assertRaisesRegex(ValueError, "category"):
            routing.caller_category("600123456", [("600*", "gold", "")])
        with self.assertRaises(ValueError):
            routing.caller_category("600123456", [("*", "blacklist", "all")])
        with self.assertRaises(ValueError):
            routing.normalize_number("600123456", "ES")


class TestGreetings(BaseCase):
    """Time-of-day greetings and protocol texts."""

    def assertGreetings(self, lang, cases):
        for clock, expected in cases.items():
            with self.subTest(lang=lang, clock=clock):
                moment = local(MADRID, 2026, 1, 12, *clock)
                self.assertEqual(routing.time_of_day_greeting(moment, lang), expected)

    def test_spanish_boundaries(self):
        self.assertGreetings(
            "es_ES",
            {
                (0, 30): "Buenas noches",
                (5, 59, 59): "Buenas noches",
                (6, 0): "Buenos días",
                (8, 0): "Buenos días",
                (13, 59, 59): "Buenos días",
                (14, 0): "Buenas tardes",
                (20, 59, 59): "Buenas tardes",
                (21, 0): "Buenas noches",
                (23, 59): "Buenas noches",
            },
        )

    def test_portuguese_boundaries(self):
        self.assertGreetings(
            "pt_PT",
            {
                (5, 59): "Boa noite",
                (6, 0): "Bom dia",
                (11, 59, 59): "Bom dia",
                (12, 0): "Boa tarde",
                (19, 59, 59): "Boa tarde",
                (20, 0): "Boa noite",
            },
        )

    def test_english_boundaries(self):
        self.assertGreetings(
            "en_US",
            {
                (3, 0): "Good evening",
                (6, 0): "Good morning",
                (11, 59, 59): "Good morning",
                (12, 0): "Good afternoon",
                (17, 59, 59): "Good afternoon",
                (18, 0): "Good evening",
            },
        )

    def test_language_codes(self):
        moment = local(MADRID, 2026, 1, 12, 15, 0)
        cases = {
            "es": "Buenas tardes",
            "ES": "Buenas tardes",
            "es-CL": "Buenas tardes",
            "pt": "Boa tarde",
            "pt_BR": "Boa tarde",
            "en": "Good afternoon",
            "fr_FR": "Good afternoon",
            "": "Good afternoon",
            None: "Good afternoon",
        }
        for lang, expected in cases.items():
            with self.subTest(lang=lang):
                self.assertEqual(routing.time_of_day_greeting(moment, lang), expected)

    def test_greeting_reads_the_client_wall_clock(self):
        # 12:30 UTC in winter: 13:30 in Madrid, 09:30 in Santiago
        for moment, lang, expected in (
            (from_utc(MADRID, 2026, 1, 12, 12, 30), "es", "Buenos días"),
            (from_utc(MADRID, 2026, 1, 12, 13, 0), "es", "Buenas tardes"),
            (from_utc(SANTIAGO, 2026, 1, 12, 12, 30), "en", "Good morning"),
        ):
            with self.subTest(moment=moment.isoformat()):
                self.assertEqual(routing.time_of_day_greeting(moment, lang), expected)

    def test_render_greeting(self):
        template = (
            "{greeting}, {client}, le atiende {secretary}, ¿en qué puedo ayudarle?"
        )
        self.assertEqual(
            routing.render_greeting(
                template,
                "Clínica Dental Diagonal",
                "Ana",
                local(MADRID, 2026, 1, 12, 21, 0),
                "es_ES",
            ),
            "Buenas noches, Clínica Dental Diagonal, le atiende Ana, "
            "¿en qué puedo ayudarle?",
        )
        self.assertEqual(
            routing.render_greeting(
                "{greeting}, {client}. {greeting}!",
                "Advocacia Lda",
                "Rita",
                local(LISBON, 2026, 1, 12, 11, 0),
                "pt_PT",
            ),
            "Bom dia, Advocacia Lda. Bom dia!",
        )

    def test_render_greeting_never_raises(self):
        moment = local(MADRID, 2026, 1, 12, 10, 0)
        cases = {
            "{client} {unknown}": "ACME {unknown}",
            "{0} {} {client.name} {client:>10}": "{0} {} {client.name} {client:>10}",
            "{ client } {Client}": "{ client } {Client}",
            "{{client}}": "{ACME}",
            "{client": "{client",
            "}{secretary}{": "}Ana{",
            "100% {greeting}": "100% Buenos días",
            "": "",
        }
        for template, expected in cases.items():
            with self.subTest(template=template):
                self.assertEqual(
                    routing.render_greeting(template, "ACME", "Ana", moment, "es"),
                    expected,
                )
        # values are not substituted again, None renders empty
        self.assertEqual(
            routing.render_greeting(
                "{client}|{secretary}", "{secretary}", None, moment, "es"
            ),
            "{secretary}|",
        )
        self.assertEqual(routing.render_greeting(None, "ACME", "Ana", moment, "es"), "")


class TestOnCall(BaseCase):
    """The person on call from shifts in UTC."""

    def assertOnCall(self, shifts, cases):
        """``cases``: ``{moment: person or None}``, each moment a subtest."""
        for moment, expected in cases.items():
            with self.subTest(moment=moment.isoformat()):
                self.assertEqual(routing.on_call_at(moment, shifts), expected)

    def test_half_open_shifts(self):
        shifts = [
            (datetime(2026, 1, 12, 8), datetime(2026, 1, 12, 20), "day"),
            (datetime(2026, 1, 12, 20), datetime(2026, 1, 13, 8), "night"),
        ]
        self.assertOnCall(
            shifts,
            {
                datetime(2026, 1, 12, 7, 59): None,
                datetime(2026, 1, 12, 8): "day",
                datetime(2026, 1, 12, 20): "night",
                datetime(2026, 1, 13, 7, 59, 59): "night",
                datetime(2026, 1, 13, 8): None,
            },
        )
        self.assertIsNone(routing.on_call_at(datetime(2026, 1, 12, 12), []))

    def test_replacement_shift_wins(self):
        shifts = [
            (datetime(2026, 1, 12, 20), datetime(2026, 1, 13, 8), "night"),
            (datetime(2026, 1, 12, 23), datetime(2026, 1, 13, 2), "replacement"),
            (datetime(2026, 1, 12, 18), datetime(2026, 1, 13, 9), "backup"),
        ]
        self.assertOnCall(
            shifts,
            {
                datetime(2026, 1, 12, 19): "backup",
                datetime(2026, 1, 12, 22): "night",
                datetime(2026, 1, 13, 1): "replacement",
                datetime(2026, 1, 13, 2): "night",
                datetime(2026, 1, 13, 8): "backup",
            },
        )
        # equal starts: the last one listed
        shifts = [
            (datetime(2026, 1, 12, 8), datetime(2026, 1, 12, 20), "planned"),
            (datetime(2026, 1, 12, 8), datetime(2026, 1, 12, 12), "swap"),
        ]
        self.assertOnCall(
            shifts,
            {datetime(2026, 1, 12, 9): "swap", datetime(2026, 1, 12, 13): "planned"},
        )

    def test_aware_datetimes_and_invalid_shift(self):
        madrid = pytz.timezone(MADRID)
        shifts = [
            (
                madrid.localize(datetime(2026, 1, 12, 8)),
                madrid.localize(datetime(2026, 1, 12, 20)),
                "day",
            )
        ]
        self.assertOnCall(
            shifts,
            {
                datetime(2026, 1, 12, 7): "day",
                datetime(2026, 1, 12, 19): None,
                madrid.localize(datetime(2026, 1, 12, 19, 59)): "day",
            },
        )
        with self.assertRaises(ValueError):
            routing.on_call_at(
                datetime(2026, 1, 12, 9),
                [(datetime(2026, 1, 12, 10), datetime(2026, 1, 12, 8), "x")],
            )

    def test_madrid_spring_forward_night(self):
        # Saturday 22:00 to Sunday 08:00 local: 9 real hours on 2026-03-29
        night_start = utc_of(MADRID, 2026, 3, 28, 22, 0)
        night_end = utc_of(MADRID, 2026, 3, 29, 8, 0)
        self.assertEqual(night_start, datetime(2026, 3, 28, 21, 0))
        self.assertEqual(night_end, datetime(2026, 3, 29, 6, 0))
        self.assertEqual(night_end - night_start, timedelta(hours=9))
        day_end = utc_of(MADRID, 2026, 3, 29, 20, 0)
        shifts = [
            (night_start, night_end, "Marta"),
            (night_end, day_end, "Jordi"),
        ]
        self.assertOnCall(
            shifts,
            {
                # 07:30 CEST is 05:30 UTC (a CET reading would say 06:30 UTC)
                utc_of(MADRID, 2026, 3, 29, 7, 30): "Marta",
                utc_of(MADRID, 2026, 3, 29, 8, 0): "Jordi",
                # the nonexistent 02:30 resolves to 03:00 CEST, still Marta's night
                routing.resolve_when("2026-03-29T02:30", MADRID)[0]: "Marta",
            },
        )

    def test_madrid_fall_back_night(self):
        # Saturday 22:00 to Sunday 08:00 local: 11 real hours on 2026-10-25
        night_start = utc_of(MADRID, 2026, 10, 24, 22, 0)
        night_end = utc_of(MADRID, 2026, 10, 25, 8, 0)
        self.assertEqual(night_end - night_start, timedelta(hours=11))
        # a replacement covers 01:00-04:00 local, i.e. both 02:xx hours
        cover_start = utc_of(MADRID, 2026, 10, 25, 1, 0)
        cover_end = utc_of(MADRID, 2026, 10, 25, 4, 0)
        self.assertEqual(cover_end - cover_start, timedelta(hours=4))
        shifts = [
            (night_start, night_end, "Marta"),
            (cover_start, cover_end, "Luis"),
        ]
        for utc_moment, person in (
            (datetime(2026, 10, 24, 22, 59), "Marta"),  # 00:59 CEST
            (datetime(2026, 10, 24, 23, 0), "Luis"),  # 01:00 CEST
            (datetime(2026, 10, 25, 0, 30), "Luis"),  # 02:30 CEST
            (datetime(2026, 10, 25, 1, 30), "Luis"),  # 02:30 CET
            (datetime(2026, 10, 25, 2, 59), "Luis"),  # 03:59 CET
            (datetime(2026, 10, 25, 3, 0), "Marta"),  # 04:00 CET
            (datetime(2026, 10, 25, 6, 59), "Marta"),  # 07:59 CET
            (datetime(2026, 10, 25, 7, 0), None),  # 08:00 CET
        ):
            with self.subTest(utc=utc_moment):
                self.assertEqual(routing.on_call_at(utc_moment, shifts), person)


class TestCascade(BaseCase):
    """Transfer cascades within the maximum transfer time."""

    def test_plan_within_the_maximum(self):
        plan = routing.plan_cascade([("+34600111111", 60), ("Dr. García", 120)])
        self.assertEqual(
            [(s.sequence, s.target, s.start_offset, s.ring_seconds) for s in plan],
            [(1, "+34600111111", 0, 60), (2, "Dr. García", 60, 120)],
        )
        self.assertTrue(all(s.included and s.reason is None for s in plan))

    def test_cut_at_600_seconds(self):
        plan = routing.plan_cascade(
            [("A", 120), ("B", 300), ("C", 240), ("D", 60)], max_total_seconds=600
        )
        self.assertEqual(
            [
                (
                    s.target,
                    s.start_offset,
                    s.ring_seconds,
                    s.requested_seconds,
                    s.included,
                )
                for s in plan
            ],
            [
                ("A", 0, 120, 120, True),
                ("B", 120, 300, 300, True),
                ("C", 420, 180, 240, True),
                ("D", 600, 0, 60, False),
            ],
        )
        self.assertEqual(plan[2].reason, routing.REASON_CUT)
        self.assertEqual(plan[3].reason, routing.REASON_LEFT_OUT)
        self.assertIsNone(plan[1].reason)
        # the default maximum is 600 s
        self.assertEqual(
            routing.plan_cascade([("A", 120), ("B", 300), ("C", 240), ("D", 60)]), plan
        )
        self.assertEqual(sum(s.ring_seconds for s in plan), 600)

    def test_exactly_the_maximum(self):
        plan = routing.plan_cascade([("A", 300), ("B", 300), ("C", 30), ("E", 5)])
        self.assertEqual([s.ring_seconds for s in plan], [300, 300, 0, 0])
        self.assertIsNone(plan[1].reason)
        self.assertEqual([s.included for s in plan], [True, True, False, False])
        self.assertEqual([s.start_offset for s in plan[2:]], [600, 600])

    def test_first_target_longer_than_the_maximum(self):
        plan = routing.plan_cascade([("A", 900), ("B", 30)], max_total_seconds=600)
        self.assertEqual(plan[0].ring_seconds, 600)
        self.assertEqual(plan[0].reason, routing.REASON_CUT)
        self.assertFalse(plan[1].included)

    def test_dict_targets_and_empty(self):
        plan = routing.plan_cascade(
            [{"target": 7, "ring_seconds": 30}, {"target": 8, "ring_seconds": 45}],
            max_total_seconds=60,
        )
        self.assertEqual(
            [(s.target, s.start_offset, s.ring_seconds) for s in plan],
            [(7, 0, 30), (8, 30, 30)],
        )
        self.assertEqual(routing.plan_cascade([]), [])
        self.assertEqual(plan[0]._asdict()["start_offset"], 0)

    def test_invalid_ring_times_raise(self):
        for ring in (0, -5, None, "30", True, 1.5):
            with self.subTest(ring=ring), self.assertRaises(ValueError):
                routing.plan_cascade([("A", 30), ("B", ring)])
        # even for a target that would be left out
        with self.assertRaises(ValueError):
            routing.plan_cascade([("A", 600), ("B", 0)])
        for bad in (("A",), "A30", {"target": "A"}, ("A", 30, 1)):
            with self.subTest(target=bad), self.assertRaises(ValueError):
                routing.plan_cascade([bad])
        for maximum in (0, -1, None, True):
            with self.subTest(maximum=maximum), self.assertRaises(ValueError):
                routing.plan_cascade([("A", 30)], max_total_seconds=maximum)


class TestWholeLocalDays(BaseCase):
    def test_leave_stored_in_utc_covers_the_local_day(self):
        # 8 December in Madrid, stored as callgest_base stores holidays
        start, end = datetime(2026, 12, 7, 23, 0), datetime(2026, 12, 8, 22, 59, 59)
        self.assertEqual(
            routing.whole_local_days(start, end, MADRID), [date(2026, 12, 8)]
        )
        # read in UTC, the same leave covers no whole day
        self.assertEqual(routing.whole_local_days(start, end, "UTC"), [])

    def test_partial_and_multi_day_leaves(self):
        self.assertEqual(
            routing.whole_local_days(
                datetime(2026, 8, 3, 10, 0), datetime(2026, 8, 6, 12, 0), MADRID
            ),
            [date(2026, 8, 4), date(2026, 8, 5)],
        )
        # a day of 23 hours (spring forward) is covered too
        self.assertEqual(
            routing.whole_local_days(
                datetime(2026, 3, 28, 23, 0), datetime(2026, 3, 29, 21, 59, 59), MADRID
            ),
            [date(2026, 3, 29)],
        )
