"""The quote core (tools/quote.py), plain Python: no database.

Run by Odoo's test runner with the addon, or alone without Odoo:
``python3 addons/callgest_billing/tests/test_quote_core.py``.
"""

import importlib.util
import math
import sys
import unittest
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path

if __package__:  # in the addon, by Odoo's test runner
    from odoo.tests import BaseCase

    from ..tools import quote, rating
else:  # alone, by file path: the tools package has no Odoo import
    BaseCase = unittest.TestCase
    _TOOLS = Path(__file__).resolve().parent.parent / "tools"
    _spec = importlib.util.spec_from_file_location(
        "callgest_billing_tools",
        _TOOLS / "__init__.py",
        submodule_search_locations=[str(_TOOLS)],
    )
    _package = importlib.util.module_from_spec(_spec)
    sys.modules[_spec.name] = _package
    _spec.loader.exec_module(_package)
    from callgest_billing_tools import quote, rating

try:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
except ImportError:  # hypothesis is in the project's virtualenv
    given = None

D = Decimal
TARIFF = rating.seed_tariff()
HOURS = quote.OpeningHours.office("Europe/Madrid")
# Thursday 15 January 2026, 10:00 in Madrid (09:00 UTC): open
OPEN = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
# the same day, 23:00 in Madrid: closed
CLOSED = datetime(2026, 1, 15, 22, 0, tzinfo=UTC)


def call(start=OPEN, total=183, **values):
    return quote.QuoteCall(start=start, seconds_total=total, **values)


class TestQuoteCalls(BaseCase):
    def test_issue_example(self):
        """18 s robot + 165 s secretary level 1 at the seed tariff: 2.163 €."""
        result = quote.quote_calls(
            [call(robot_seconds=18, secretary_seconds=165)], TARIFF, hours=HOURS
        )
        self.assertEqual(
            result.explanations[0],
            "18 s robot × 0.001 + 165 s secretary level 1 × 0.013 = 2.163 €",
        )
        self.assertEqual(result.explain(0), result.explanations[0])
        (month,) = result.months
        self.assertEqual(month.month, "2026-01")
        self.assertEqual(month.amounts[rating.ROBOT], D("0.02"))
        self.assertEqual(month.amounts[rating.SECRETARY_L1], D("2.15"))
        self.assertEqual(result.daily_totals, (D("2.163"),))

    def test_level_two(self):
        result = quote.quote_calls(
            [call(secretary_seconds=100)], TARIFF, level=2, hours=HOURS
        )
        self.assertEqual(result.months[0].amounts[rating.SECRETARY_L2], D("1.40"))

    def test_answered_without_breakdown_is_talk(self):
        result = quote.quote_calls([call(total=100)], TARIFF)
        self.assertEqual(result.daily_totals, (D("1.300"),))

    def test_out_of_hours_to_robot(self):
        calls = [call(CLOSED, robot_seconds=18, secretary_seconds=165, messages=1)]
        robot = quote.quote_calls(calls, TARIFF, hours=HOURS)
        self.assertEqual(robot.explanations[0], "183 s robot × 0.001 = 0.183 €")
        voicemail = quote.quote_calls(
            calls, TARIFF, hours=HOURS, out_of_hours="voicemail"
        )
        self.assertEqual(
            voicemail.explanations[0],
            "183 s robot × 0.001 + automatic message 0.15 = 0.333 €",
        )
        # without hours, always open: the secretary
        always = quote.quote_calls(calls, TARIFF)
        self.assertIn("secretary", always.explanations[0])

    def test_opening_hours(self):
        self.assertTrue(HOURS.is_open(OPEN))
        self.assertFalse(HOURS.is_open(CLOSED))
        # Saturday 17 January 2026 at noon in Madrid
        self.assertFalse(HOURS.is_open(datetime(2026, 1, 17, 11, 0)))
        # a naive start is UTC: 08:30 UTC is 09:30 in Madrid, 07:30 is not open
        self.assertTrue(HOURS.is_open(datetime(2026, 1, 15, 8, 30)))
        self.assertFalse(HOURS.is_open(datetime(2026, 1, 15, 7, 30)))
        holiday = quote.OpeningHours.office(holidays={date(2026, 1, 15)})
        self.assertFalse(holiday.is_open(OPEN))
        late = quote.OpeningHours({4: ((time(20), time(0)),)})
        self.assertTrue(late.is_open(CLOSED.replace(day=16)))  # Friday 23:00
        with self.assertRaises(ValueError):
            quote.OpeningHours({7: ((time(9), time(10)),)})
        with self.assertRaises(ValueError):
            quote.OpeningHours({0: ((time(10), time(9)),)})

    def test_local_months(self):
        """A call at 23:30 UTC on 31 January is in February in Madrid."""
        late = datetime(2026, 1, 31, 23, 30, tzinfo=UTC)
        in_madrid = quote.quote_calls([call(late)], TARIFF, hours=HOURS)
        self.assertEqual([m.month for m in in_madrid.months], ["2026-02"])
        in_utc = quote.quote_calls([call(late)], TARIFF)
        self.assertEqual([m.month for m in in_utc.months], ["2026-01"])

    def test_minimum_top_up(self):
        """One call of 2.163 € and the DDI's 9 €: topped up to 60 €."""
        result = quote.quote_calls(
            [call(robot_seconds=18, secretary_seconds=165)], TARIFF
        )
        (month,) = result.months
        self.assertEqual(month.amounts[rating.DDI], D("9.00"))
        self.assertEqual(month.counted, D("9.00") + D("0.02") + D("2.15"))
        self.assertEqual(month.minimum, D("60.00"))
        self.assertEqual(month.top_up, D("60.00") - month.counted)
        self.assertEqual(month.total, D("60.00"))
        self.assertEqual(result.setup_fee, D("95.00"))

    def test_no_top_up_above_minimum(self):
        calls = [call(secretary_seconds=600) for _ in range(10)]  # 78 €
        (month,) = quote.quote_calls(calls, TARIFF).months
        self.assertEqual(month.top_up, 0)
        self.assertEqual(month.total, D("78.00") + D("9.00"))
        self.assertEqual(month.calls, 10)

    def test_ddi_fee_and_agenda(self):
        calls = [call(secretary_seconds=60 * 60) for _ in range(10)]  # 468 €
        (single,) = quote.quote_calls(calls, TARIFF, ddis=3).months
        self.assertEqual(single.amounts[rating.DDI], D("27.00"))
        self.assertEqual(single.minimum, D("180.00"))
        (collective,) = quote.quote_calls(
            calls, TARIFF, ddis=3, collective=True, agenda_modules=12
        ).months
        self.assertEqual(collective.amounts[rating.DDI], D("9.00"))
        self.assertEqual(collective.amounts[rating.DDI_EXTRA], D("12.00"))
        # 12 modules × 9 € capped at 90 €
        self.assertEqual(collective.amounts[rating.AGENDA_MODULE], D("90.00"))
        with self.assertRaises(ValueError):
            quote.quote_calls(calls, TARIFF, ddis=0)

    def test_transfers_by_destination_with_cap(self):
        fixed = call(secretary_seconds=60, transfer_seconds=900)
        fixed = fixed._replace(transfer_destination="fixed")
        mobile = call(secretary_seconds=60, transfer_seconds=120)
        mobile = mobile._replace(transfer_destination="mobile")
        result = quote.quote_calls([fixed, mobile], TARIFF)
        # 600 s (the cap) × 0.002 = 1.20 €; 2 started minutes × 0.30 = 0.60 €
        self.assertIn("600 s transfer to a fixed line × 0.002", result.explain(0))
        self.assertIn("2 min transfer to a mobile × 0.3", result.explain(1))
        month = result.months[0]
        self.assertEqual(month.amounts[rating.TRANSFER_FIXED], D("1.20"))
        self.assertEqual(month.amounts[rating.TRANSFER_MOBILE], D("0.60"))
        no_cap = quote.quote_calls([fixed], TARIFF, transfer_cap=0)
        self.assertEqual(no_cap.months[0].amounts[rating.TRANSFER_FIXED], D("1.80"))
        own = quote.quote_calls([mobile], TARIFF, own_sims=True)
        self.assertEqual(own.months[0].amounts[rating.TRANSFER_FIXED], D("0.24"))
        with self.assertRaises(ValueError):
            quote.quote_calls([call(transfer_seconds=10)], TARIFF)

    def test_bad_options(self):
        with self.assertRaises(ValueError):
            quote.quote_calls([call()], TARIFF, level=3)
        with self.assertRaises(ValueError):
            quote.quote_calls([call()], TARIFF, out_of_hours="hang up")
        with self.assertRaises(ValueError):
            quote.quote_calls([call(total=-1)], TARIFF)


class TestQuoteProfile(BaseCase):
    def test_profile(self):
        profile = {
            "calls_per_day": 20,
            "average_seconds": 120,
            "share_out_of_hours": 0.25,
            "messages_per_day": 4,
            "transfers_per_day": 2,
            "transfer_destination": "fixed",
            "average_transfer_seconds": 60,
        }
        result = quote.quote_profile(profile, TARIFF)
        (month,) = result.months
        days = D("21.75")
        # 15 calls inside × 120 s × 0.013, 5 outside × 120 s × 0.001
        self.assertEqual(
            month.amounts[rating.SECRETARY_L1],
            rating.round_money(15 * days * D("1.56")),
        )
        self.assertEqual(
            month.amounts[rating.ROBOT], rating.round_money(5 * days * D("0.12"))
        )
        self.assertEqual(
            month.amounts[rating.MESSAGE_MANUAL],
            rating.round_money(4 * days * D("0.30")),
        )
        self.assertEqual(
            month.amounts[rating.TRANSFER_FIXED],
            rating.round_money(2 * days * D("0.12")),
        )
        self.assertEqual(month.calls, 20 * days)
        self.assertEqual(month.top_up, 0)

    def test_small_profile_is_topped_up(self):
        (month,) = quote.quote_profile(
            {"calls_per_day": 1, "average_seconds": 60}, TARIFF
        ).months
        self.assertEqual(month.total, D("60.00"))

    def test_profile_validation(self):
        base = {"calls_per_day": 10, "average_seconds": 60}
        for field, value in (
            ("calls_per_day", -1),
            ("calls_per_day", float("nan")),
            ("calls_per_day", float("inf")),
            ("calls_per_day", 20_001),
            ("calls_per_day", "ten"),
            ("average_seconds", 4 * 3600 + 1),
            ("share_out_of_hours", 1.5),
            ("share_out_of_hours", -0.1),
            ("messages_per_day", -3),
            ("ddis", 0),
            ("ddis", 1.5),
            ("days_per_month", 0),
            ("days_per_month", 40),
        ):
            with self.subTest(field=field, value=value):
                with self.assertRaisesRegex(ValueError, field):
                    quote.quote_profile({**base, field: value}, TARIFF)
        with self.assertRaisesRegex(ValueError, "average_seconds is required"):
            quote.quote_profile({"calls_per_day": 1}, TARIFF)
        with self.assertRaisesRegex(ValueError, "transfer_destination"):
            quote.quote_profile({**base, "transfer_destination": "moon"}, TARIFF)
        with self.assertRaisesRegex(ValueError, "unknown profile fields: colour"):
            quote.quote_profile({**base, "colour": 1}, TARIFF)

    def test_profile_dataclass(self):
        profile = quote.Profile(calls_per_day=10, average_seconds=60)
        self.assertEqual(
            quote.quote_profile(profile, TARIFF).months,
            quote.quote_profile(
                {"calls_per_day": 10, "average_seconds": 60}, TARIFF
            ).months,
        )


class TestEstimateRange(BaseCase):
    DAYS = [D("1.5"), D("3"), D("0"), D("12.25"), D("7"), D("2.5"), D("30")]

    def test_ordering_and_determinism(self):
        p10, p50, p90 = quote.estimate_range(self.DAYS, 21.75, samples=500, seed=7)
        self.assertLessEqual(p10, p50)
        self.assertLessEqual(p50, p90)
        self.assertLess(p10, p90)
        self.assertEqual(
            (p10, p50, p90),
            quote.estimate_range(self.DAYS, 21.75, samples=500, seed=7),
        )
        # the mean month is within the range
        mean = sum(self.DAYS) / len(self.DAYS) * D("21.75")
        self.assertTrue(p10 <= mean <= p90)

    def test_constant_days(self):
        self.assertEqual(
            quote.estimate_range([D("2")], 20, samples=10), (D("40.00"),) * 3
        )

    def test_minimum_and_fixed(self):
        low = quote.estimate_range([D("1")], 20, minimum=60, monthly_fixed=9)
        self.assertEqual(low, (D("60.00"),) * 3)
        high = quote.estimate_range([D("3")], 20, minimum=60, monthly_fixed=9)
        self.assertEqual(high, (D("69.00"),) * 3)

    def test_from_a_quote(self):
        calls = [
            call(datetime(2026, 1, day, 9, 0), secretary_seconds=60 * day)
            for day in range(1, 29)
        ]
        result = quote.quote_calls(calls, TARIFF)
        self.assertEqual(len(result.daily_totals), 28)
        p10, p50, p90 = quote.estimate_range(result.daily_totals, 21.75)
        self.assertTrue(p10 <= p50 <= p90)

    def test_estimate_scales_the_sample_to_a_calendar_month(self):
        """Ten days with one 100 s call each (1.30 € a day at level 1): a
        calendar month of 30.4375 days is 39.57 € of secretary time, 9 € of
        DDI, topped up to the 60 € minimum."""
        calls = [call(datetime(2026, 3, day, 9, 0), total=100) for day in range(2, 12)]
        result = quote.quote_calls(calls, TARIFF)
        self.assertEqual(result.sample_days, 10)
        month = result.estimate
        self.assertEqual(month.month, quote.ESTIMATE_MONTH)
        self.assertEqual(month.amounts[rating.SECRETARY_L1], D("39.57"))
        self.assertEqual(month.amounts[rating.DDI], D("9.00"))
        self.assertEqual(month.top_up, D("11.43"))
        self.assertEqual(month.total, D("60.00"))

    def test_estimate_counts_quiet_days_of_the_span(self):
        """Two calls a week apart: the estimate spreads them over 8 days."""
        calls = [
            call(datetime(2026, 3, 2, 9, 0), total=800),
            call(datetime(2026, 3, 9, 9, 0), total=800),
        ]
        result = quote.quote_calls(calls, TARIFF)
        self.assertEqual(result.sample_days, 8)
        # 20.80 € in 8 days, a month of 30.4375 days: 79.14 €
        self.assertEqual(result.estimate.amounts[rating.SECRETARY_L1], D("79.14"))
        p10, p50, p90 = quote.sample_range(result, samples=400, seed=3)
        self.assertTrue(D("60.00") <= p10 <= p50 <= p90)
        self.assertEqual(
            quote.sample_range(result, samples=400, seed=3), (p10, p50, p90)
        )

    def test_sample_range_of_a_steady_sample_is_its_estimate(self):
        calls = [call(datetime(2026, 3, day, 9, 0), total=1000) for day in range(1, 31)]
        result = quote.quote_calls(calls, TARIFF)
        p10, p50, p90 = quote.sample_range(result, samples=50)
        # 13 € a day, 30.4375 days, plus the DDI: no variation
        self.assertEqual((p10, p50, p90), (D("404.69"),) * 3)
        self.assertEqual(result.estimate.total, D("404.69"))

    def test_profile_range(self):
        profile = {"calls_per_day": 40, "average_seconds": 120}
        result = quote.quote_profile(profile, TARIFF)
        self.assertIs(result.estimate, result.months[0])
        p10, p50, p90 = quote.profile_range(result, samples=1000, seed=1)
        self.assertTrue(p10 < result.estimate.total < p90)
        self.assertTrue(p10 < p50 < p90)
        quiet = quote.quote_profile({"calls_per_day": 0, "average_seconds": 0}, TARIFF)
        self.assertEqual(quote.profile_range(quiet), (D("60.00"),) * 3)

    def test_empty_sample(self):
        with self.assertRaisesRegex(ValueError, "at least one day"):
            quote.estimate_range([], 21.75)
        with self.assertRaises(ValueError):
            quote.estimate_range([D(1)], 0)
        with self.assertRaises(ValueError):
            quote.estimate_range([D(1)], 20, samples=0)
        self.assertTrue(math.isfinite(float(quote.DAYS_PER_MONTH)))


if given is not None:
    seconds = st.integers(min_value=0, max_value=5_000)
    quote_calls_strategy = st.lists(
        st.builds(
            quote.QuoteCall,
            start=st.datetimes(
                min_value=datetime(2025, 12, 1),
                max_value=datetime(2026, 3, 1),
            ),
            seconds_total=seconds,
            answered=st.booleans(),
            robot_seconds=seconds,
            queue_seconds=seconds,
            secretary_seconds=seconds,
            transfer_seconds=st.just(0),
            messages=st.integers(min_value=0, max_value=3),
        ),
        max_size=30,
    )

    class TestQuoteProperties(BaseCase):
        @settings(
            max_examples=100,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow],
        )
        @given(quote_calls_strategy, st.sampled_from([1, 2]))
        def test_months_are_the_rating_core(self, calls, level):
            """A quote's months add up what rating.rate_call rates of the
            handled calls: the quote has no price rule of its own."""
            result = quote.quote_calls(calls, TARIFF, level=level, hours=HOURS)
            exact = D(0)
            for call_ in calls:
                exact += rating.total(
                    rating.rate_call(
                        TARIFF, level=level, **quote.handle_call(call_, hours=HOURS)
                    )
                )
            self.assertEqual(sum(result.daily_totals, D(0)), exact)
            for month in result.months:
                self.assertGreaterEqual(month.total, month.minimum)
                self.assertEqual(month.total, max(month.minimum, month.counted))
            self.assertEqual(sum(m.calls for m in result.months), len(calls))


if __name__ == "__main__":
    unittest.main()
