"""The pure core of the free slots (tools/slots.py), without a database:
examples, a property test against a minute-by-minute oracle, and the nights
the clocks change in Europe/Madrid."""

from datetime import datetime, timedelta

import pytz
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odoo.tests import BaseCase

from ..tools import slots

PROPERTIES = settings(
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
UTC = pytz.utc
MADRID = pytz.timezone("Europe/Madrid")
BASE = UTC.localize(datetime(2027, 1, 4, 8, 0))  # a Monday
M = timedelta(minutes=1)


def at(minutes):
    """BASE plus ``minutes``."""
    return BASE + minutes * M


def span(start, stop):
    return (at(start), at(stop))


def local(year, month, day, hour, minute=0, is_dst=None):
    return MADRID.localize(datetime(year, month, day, hour, minute), is_dst=is_dst)


class TestMergeIntersect(BaseCase):
    def test_merge(self):
        self.assertEqual(slots.merge([]), [])
        self.assertEqual(
            slots.merge([span(60, 90), span(0, 30), span(20, 40)]),
            [span(0, 40), span(60, 90)],
        )
        # touching intervals are joined; empty and reversed ones dropped
        self.assertEqual(
            slots.merge([span(0, 30), span(30, 60), span(70, 70), span(90, 80)]),
            [span(0, 60)],
        )
        # one inside another
        self.assertEqual(slots.merge([span(0, 100), span(10, 20)]), [span(0, 100)])

    def test_intersect(self):
        work = [span(0, 240), span(300, 540)]
        client = [span(60, 360), span(480, 600)]
        self.assertEqual(
            slots.intersect(work, client),
            [span(60, 240), span(300, 360), span(480, 540)],
        )
        self.assertEqual(slots.intersect(work, []), [])
        self.assertEqual(slots.intersect([span(0, 10)], [span(10, 20)]), [])
        # unsorted, overlapping inputs are merged first
        self.assertEqual(
            slots.intersect([span(50, 80), span(0, 60)], [span(10, 70)]),
            [span(10, 70)],
        )


class TestResourceSlots(BaseCase):
    def starts(self, *args, **kwargs):
        return [
            (slot.start - BASE) // M
            for slot in slots.resource_slots(7, *args, **kwargs)
        ]

    def test_grid_from_the_interval_start(self):
        thirty = 30 * M
        # 8:00-10:00 and 11:10-12:00: the grid of each starts at its own start
        got = self.starts(
            [span(0, 120), span(190, 240)], [], duration=thirty, step=thirty
        )
        self.assertEqual(got, [0, 30, 60, 90, 190])
        result = list(slots.resource_slots(7, [span(0, 60)], [], thirty, thirty))
        self.assertEqual(result[0], slots.Slot(at(0), at(30), 7))

    def test_busy_and_buffer(self):
        thirty = 30 * M
        busy = [span(60, 90)]  # 9:00-9:30 taken
        self.assertEqual(
            self.starts([span(0, 180)], busy, duration=thirty, step=thirty),
            [0, 30, 90, 120, 150],
        )
        # 10 minutes' buffer after each appointment: 8:30 (ends 9:00, buffer to
        # 9:10) no longer fits before the 9:00 appointment
        self.assertEqual(
            self.starts(
                [span(0, 180)], busy, duration=thirty, step=thirty, buffer=10 * M
            ),
            [0, 90, 120, 150],
        )
        # a booking off the grid still blocks what it meets
        self.assertEqual(
            self.starts([span(0, 120)], [span(45, 50)], duration=thirty, step=thirty),
            [0, 60, 90],
        )

    def test_duration_longer_than_step(self):
        self.assertEqual(
            self.starts([span(0, 120)], [], duration=60 * M, step=15 * M),
            [0, 15, 30, 45, 60],
        )

    def test_notice_and_horizon(self):
        thirty = 30 * M
        # earliest 8:40: the next grid point is 9:00, not 8:40
        self.assertEqual(
            self.starts(
                [span(0, 240)], [], duration=thirty, step=thirty, earliest=at(40)
            ),
            [60, 90, 120, 150, 180, 210],
        )
        # earliest on a grid point is kept
        self.assertEqual(
            self.starts(
                [span(0, 120)], [], duration=thirty, step=thirty, earliest=at(60)
            ),
            [60, 90],
        )
        # latest is the last possible start, included
        self.assertEqual(
            self.starts(
                [span(0, 240), span(300, 400)],
                [],
                duration=thirty,
                step=thirty,
                latest=at(90),
            ),
            [0, 30, 60, 90],
        )
        # earliest after the interval: nothing from it
        self.assertEqual(
            self.starts(
                [span(0, 60), span(120, 180)],
                [],
                duration=thirty,
                step=thirty,
                earliest=at(100),
            ),
            [120, 150],
        )

    def test_bad_arguments(self):
        with self.assertRaises(ValueError):
            list(slots.resource_slots(1, [span(0, 60)], [], timedelta(0), 30 * M))
        with self.assertRaises(ValueError):
            list(slots.resource_slots(1, [span(0, 60)], [], 30 * M, -M))


class TestFirstSlots(BaseCase):
    def test_ordering_across_resources_and_limit(self):
        thirty = 30 * M
        per_resource = [
            (1, [span(60, 180)], [span(60, 90)]),  # free 9:30, 10:00, 10:30
            (2, [span(0, 120)], []),  # free 8:00 ... 9:30
            (3, [span(90, 150)], []),  # free 9:30, 10:00
        ]
        got = slots.first_slots(per_resource, thirty, thirty, limit=6)
        self.assertEqual(
            [((s.start - BASE) // M, s.resource_id) for s in got],
            # ties at 9:30 in the order of per_resource
            [(0, 2), (30, 2), (60, 2), (90, 1), (90, 2), (90, 3)],
        )
        self.assertEqual(
            len(slots.first_slots(per_resource, thirty, thirty, limit=2)), 2
        )
        self.assertEqual(
            len(slots.first_slots(per_resource, thirty, thirty, limit=50)), 9
        )
        self.assertEqual(slots.first_slots([], thirty, thirty), [])
        self.assertEqual(slots.first_slots(per_resource, thirty, thirty, limit=0), [])

    def test_notice_and_horizon_for_all(self):
        thirty = 30 * M
        per_resource = [(1, [span(0, 240)], []), (2, [span(0, 240)], [])]
        got = slots.first_slots(
            per_resource, thirty, thirty, earliest=at(100), latest=at(150), limit=10
        )
        self.assertEqual(
            [((s.start - BASE) // M, s.resource_id) for s in got],
            [(120, 1), (120, 2), (150, 1), (150, 2)],
        )


class TestIsFree(BaseCase):
    def test_is_free(self):
        thirty = 30 * M
        work = [span(0, 120)]
        busy = [span(60, 90)]
        self.assertTrue(slots.is_free(work, busy, at(0), thirty))
        self.assertTrue(slots.is_free(work, busy, at(7), thirty))  # off the grid
        self.assertTrue(slots.is_free(work, busy, at(30), thirty))
        self.assertFalse(slots.is_free(work, busy, at(31), thirty))  # meets 9:00
        self.assertFalse(slots.is_free(work, busy, at(30), thirty, 1 * M))  # buffer
        self.assertFalse(slots.is_free(work, busy, at(60), thirty))
        self.assertTrue(slots.is_free(work, busy, at(90), thirty))
        self.assertFalse(slots.is_free(work, busy, at(100), thirty))  # past 10:00
        self.assertFalse(slots.is_free(work, busy, at(-10), thirty))  # before 8:00
        # touching work intervals are one: 9:50 to 10:20 fits across them
        self.assertTrue(
            slots.is_free([span(0, 120), span(120, 200)], [], at(110), thirty)
        )
        self.assertFalse(slots.is_free([], [], at(0), thirty))


# ---------------------------------------------------------------------------
# Property: the same slots as a brute-force, minute-by-minute oracle
# ---------------------------------------------------------------------------
HORIZON = 600  # minutes


def minute_set(intervals):
    return {m for start, stop in intervals for m in range(start, stop)}


def runs(minutes):
    """Maximal runs ``(start, stop)`` of a set of minutes (touching joined)."""
    result = []
    for minute in sorted(minutes):
        if result and result[-1][1] == minute:
            result[-1][1] = minute + 1
        else:
            result.append([minute, minute + 1])
    return [tuple(run) for run in result]


def oracle_starts(work, busy, duration, step, buffer, earliest, latest):
    working, taken = minute_set(work), minute_set(busy)
    starts = []
    for run_start, run_stop in runs(working):
        for start in range(run_start, run_stop - duration + 1):
            if (start - run_start) % step:
                continue
            if earliest is not None and start < earliest:
                continue
            if latest is not None and start > latest:
                continue
            if taken & set(range(start, start + duration + buffer)):
                continue
            starts.append(start)
    return starts


pairs = st.tuples(
    st.integers(min_value=0, max_value=HORIZON), st.integers(min_value=1, max_value=240)
).map(lambda pair: (pair[0], pair[0] + pair[1]))
interval_lists = st.lists(pairs, max_size=6)
durations = st.integers(min_value=5, max_value=120)
steps = st.integers(min_value=5, max_value=90)
buffers = st.integers(min_value=0, max_value=30)
bounds = st.one_of(st.none(), st.integers(min_value=-30, max_value=HORIZON + 60))


def to_times(intervals):
    return [span(start, stop) for start, stop in intervals]


class TestSlotsProperties(BaseCase):
    @PROPERTIES
    @given(interval_lists, interval_lists, durations, steps, buffers, bounds, bounds)
    def test_resource_slots_as_the_oracle(
        self, work, busy, duration, step, buffer, earliest, latest
    ):
        got = [
            (slot.start - BASE) // M
            for slot in slots.resource_slots(
                3,
                to_times(work),
                to_times(busy),
                duration * M,
                step * M,
                buffer * M,
                None if earliest is None else at(earliest),
                None if latest is None else at(latest),
            )
        ]
        self.assertEqual(
            got, oracle_starts(work, busy, duration, step, buffer, earliest, latest)
        )

    @PROPERTIES
    @given(
        st.lists(st.tuples(interval_lists, interval_lists), min_size=1, max_size=4),
        durations,
        steps,
        buffers,
        bounds,
        st.integers(min_value=0, max_value=15),
    )
    def test_first_slots_as_the_oracle(
        self, resources, duration, step, buffer, earliest, limit
    ):
        expected = sorted(
            (start, order)
            for order, (work, busy) in enumerate(resources)
            for start in oracle_starts(
                work, busy, duration, step, buffer, earliest, None
            )
        )[:limit]
        got = slots.first_slots(
            [
                (100 + order, to_times(work), to_times(busy))
                for order, (work, busy) in enumerate(resources)
            ],
            duration * M,
            step * M,
            buffer * M,
            None if earliest is None else at(earliest),
            limit=limit,
        )
        self.assertEqual(
            [((slot.start - BASE) // M, slot.resource_id - 100) for slot in got],
            expected,
        )
        for slot in got:
            self.assertEqual(slot.stop - slot.start, duration * M)

    @PROPERTIES
    @given(
        interval_lists,
        interval_lists,
        st.integers(min_value=-30, max_value=HORIZON + 30),
        durations,
        buffers,
    )
    def test_is_free_as_the_oracle(self, work, busy, start, duration, buffer):
        working, taken = minute_set(work), minute_set(busy)
        expected = set(range(start, start + duration)) <= working and not (
            taken & set(range(start, start + duration + buffer))
        )
        self.assertEqual(
            slots.is_free(
                to_times(work), to_times(busy), at(start), duration * M, buffer * M
            ),
            expected,
        )


# ---------------------------------------------------------------------------
# The nights the clocks change
# ---------------------------------------------------------------------------
class TestDaylightSaving(BaseCase):
    def test_spring_forward_never_offers_two_o_clock(self):
        # 2027-03-28: at 02:00 CET the clocks jump to 03:00 CEST
        work = [
            (
                local(2027, 3, 28, 0).astimezone(UTC),
                local(2027, 3, 28, 6).astimezone(UTC),
            )
        ]
        self.assertEqual(work[0][1] - work[0][0], timedelta(hours=5))
        found = list(slots.resource_slots(1, work, [], 30 * M, 30 * M))
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
        self.assertFalse([t for t in local_times if t.startswith("02:")])
        # each slot lasts 30 real minutes, 01:30 CET ends at 03:00 CEST
        self.assertEqual(found[3].stop.astimezone(MADRID).strftime("%H:%M"), "03:00")

    def test_fall_back_offers_both_two_o_clocks(self):
        # 2027-10-31: at 03:00 CEST the clocks go back to 02:00 CET
        start = local(2027, 10, 31, 0).astimezone(UTC)
        stop = local(2027, 10, 31, 6).astimezone(UTC)
        self.assertEqual(stop - start, timedelta(hours=7))
        found = list(slots.resource_slots(1, [(start, stop)], [], 60 * M, 60 * M))
        self.assertEqual(len(found), 7)
        self.assertEqual(len({s.start for s in found}), 7)
        labels = [s.start.astimezone(MADRID).strftime("%H:%M %Z") for s in found]
        self.assertEqual(
            labels,
            [
                "00:00 CEST",
                "01:00 CEST",
                "02:00 CEST",
                "02:00 CET",
                "03:00 CET",
                "04:00 CET",
                "05:00 CET",
            ],
        )
        # the first 02:00 booked: the second is still free, and vice versa
        first_two = found[2]
        rest = [
            s.start
            for s in slots.resource_slots(
                1, [(start, stop)], [(first_two.start, first_two.stop)], 60 * M, 60 * M
            )
        ]
        self.assertNotIn(first_two.start, rest)
        self.assertIn(found[3].start, rest)
