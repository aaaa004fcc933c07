from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odoo.tests import BaseCase

from ..tools import rating

D = Decimal
# no health check on generation speed: a loaded machine (a CI running every
# addon alone in parallel) is slow, the 200 examples are checked all the same
PROPERTIES = settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
ranks = st.integers(min_value=1, max_value=1000)


class TestPrepaidCallPrice(BaseCase):
    def test_tiers_of_the_offer(self):
        """Under 100 calls 1.5 €, 100-199 1.0 €, from the 200th 0.5 €."""
        expected = {
            1: "1.5",
            99: "1.5",
            100: "1.0",
            150: "1.0",
            199: "1.0",
            200: "0.5",
            299: "0.5",
            5000: "0.5",
        }
        for rank, price in expected.items():
            with self.subTest(rank=rank):
                self.assertEqual(rating.prepaid_call_price(rank), D(price))

    def test_graduated_total(self):
        # 99 × 1.5 + 100 × 1.0 + 1 × 0.5
        self.assertEqual(rating.prepaid_calls_price(1, 200), D("249.0"))
        self.assertEqual(rating.prepaid_calls_price(99, 2), D("2.5"))
        self.assertEqual(rating.prepaid_calls_price(10, 0), D(0))

    def test_bad_input_refused(self):
        with self.assertRaises(ValueError):
            rating.prepaid_call_price(0)
        with self.assertRaises(TypeError):
            rating.prepaid_call_price(1.0)
        with self.assertRaises(ValueError):
            rating.prepaid_calls_price(1, -1)
        with self.assertRaises(ValueError):
            rating.prepaid_call_price(1, ((2, D(1)),))
        with self.assertRaises(ValueError):
            rating.prepaid_call_price(1, ((1, D(1)), (1, D(2))))

    def test_custom_tiers(self):
        tiers = ((1, D("2")), (10, D("0.25")))
        self.assertEqual(rating.prepaid_call_price(9, tiers), D("2"))
        self.assertEqual(rating.prepaid_call_price(10, tiers), D("0.25"))

    @PROPERTIES
    @given(ranks)
    def test_price_never_rises_with_volume(self, rank):
        self.assertGreaterEqual(
            rating.prepaid_call_price(rank), rating.prepaid_call_price(rank + 1)
        )

    @PROPERTIES
    @given(ranks, st.integers(min_value=0, max_value=400), st.integers(0, 400))
    def test_total_is_additive(self, first, count, more):
        """Pricing calls in two imports costs what one import would."""
        self.assertEqual(
            rating.prepaid_calls_price(first, count)
            + rating.prepaid_calls_price(first + count, more),
            rating.prepaid_calls_price(first, count + more),
        )
        self.assertLessEqual(rating.prepaid_calls_price(first, count), D("1.5") * count)


OCT, NOV, DEC = "2026-10", "2026-11", "2026-12"


class TestPrepaidOverage(BaseCase):
    def test_overage_of_a_month_leaves_later_months(self):
        entries = [
            ("adjustment", None, 1.5),
            *[("consumption", OCT, -1.5)] * 3,
            *[("consumption", NOV, -1.5)] * 2,
            ("consumption", DEC, -1.5),
        ]
        # October: 3 calls x 1.5 - 1.5 credited = 3.00 (not November's 3.00
        # nor December's 1.50)
        self.assertEqual(rating.prepaid_overage(entries, OCT), D("3.00"))
        # once invoiced, November owes its own 2 x 1.5 = 3.00
        entries.append(("overage_invoiced", OCT, 3.0))
        self.assertEqual(rating.prepaid_overage(entries, NOV), D("3.00"))
        entries.append(("overage_invoiced", NOV, 3.0))
        self.assertEqual(rating.prepaid_overage(entries, NOV), D(0))
        self.assertEqual(rating.prepaid_overage(entries, DEC), D("1.50"))

    def test_months_invoiced_out_of_order_are_billed_once(self):
        entries = [*[("consumption", OCT, -1.5)] * 2, ("consumption", NOV, -1.0)]
        # November first: 2 x 1.5 + 1.0 = 4.00; then October owes nothing
        self.assertEqual(rating.prepaid_overage(entries, NOV), D("4.00"))
        entries.append(("overage_invoiced", NOV, 4.0))
        self.assertEqual(rating.prepaid_overage(entries, OCT), D(0))

    def test_credits_count_whenever_they_were_made(self):
        # a 20.00 top-up paid in December pays October's 4.50 first
        entries = [*[("consumption", OCT, -1.5)] * 3, ("recharge", DEC, 20.0)]
        self.assertEqual(rating.prepaid_overage(entries, OCT), D(0))
        # a cancelled overage invoice is owed again: 3.00 - 3.00 + 0 = 3.00
        entries = [
            *[("consumption", OCT, -1.5)] * 2,
            ("overage_invoiced", OCT, 3.0),
            ("overage_cancelled", OCT, -3.0),
        ]
        self.assertEqual(rating.prepaid_overage(entries, OCT), D("3.00"))

    def test_rounded_once(self):
        entries = [("consumption", OCT, -0.333)] * 3  # -0.999
        self.assertEqual(rating.prepaid_overage(entries, OCT), D("1.00"))
        self.assertEqual(rating.prepaid_overage(entries, OCT, D("1")), D("1"))


class TestPrepaidRechargeChange(BaseCase):
    def test_top_up_credited_then_taken_back_once(self):
        # paid: +20.00
        self.assertEqual(
            rating.prepaid_recharge_change((0, 0), (0, D(20)), 0, 0), (0, D("20.00"))
        )
        # asked again: nothing
        self.assertEqual(
            rating.prepaid_recharge_change((0, 20.0), (0, D(20)), 0, 0), (0, D(0))
        )
        # cancelled: -20.00, then nothing
        self.assertEqual(
            rating.prepaid_recharge_change((0, 20.0), (0, D(0)), 0, 0),
            (0, D("-20.00")),
        )
        self.assertEqual(
            rating.prepaid_recharge_change((0, 0.0), (0, D(0)), 0, 0), (0, D(0))
        )

    def test_plan_taken_back_charges_its_used_calls(self):
        value = D(96) / 192  # 0.50 a call of the 6-month plan
        # 192 credited, 50 used, 142 left: -142 calls, 50 x 0.50 = -25.00
        change = rating.prepaid_recharge_change((192, 0), (0, D(0)), 142, value)
        self.assertEqual(change, (-142, D("-25.00")))
        # asked again with nothing left: nothing more
        self.assertEqual(
            rating.prepaid_recharge_change((50, -25.0), (0, D(0)), 0, value),
            (0, D(0)),
        )
        # paid again: 192 - 50 = +142 calls and the 25.00 back
        self.assertEqual(
            rating.prepaid_recharge_change((50, -25.0), (192, D(0)), 0, value),
            (142, D("25.00")),
        )

    @PROPERTIES
    @given(
        st.integers(1, 400),
        st.integers(0, 400),
        st.sampled_from([D("0.5"), D(100) / 3, D("0.25")]),
    )
    def test_cancelled_plan_worth_nothing_and_paid_again_worth_its_calls(
        self, calls, used, value
    ):
        used = min(used, calls)
        left = calls - used
        taken_calls, taken_amount = rating.prepaid_recharge_change(
            (calls, 0), (0, D(0)), left, value
        )
        held = (calls + taken_calls, taken_amount)
        self.assertEqual(held[0], used)
        self.assertEqual(-taken_amount, rating.round_money(used * value))
        self.assertEqual(
            rating.prepaid_recharge_change(held, (0, D(0)), 0, value), (0, D(0))
        )
        again_calls, again_amount = rating.prepaid_recharge_change(
            held, (calls, D(0)), 0, value
        )
        self.assertEqual((held[0] + again_calls, held[1] + again_amount), (calls, 0))


class TestPrepaidRunningLow(BaseCase):
    def test_low_while_calls_remain(self):
        # 10 calls left of the plan, nothing on the balance: warned now
        self.assertTrue(rating.prepaid_running_low(10, D(0), 10, D(10)))
        self.assertFalse(rating.prepaid_running_low(11, D(0), 10, D(10)))
        # plenty of balance: not low, whatever the calls
        self.assertFalse(rating.prepaid_running_low(0, D("10.01"), 10, D(10)))
        self.assertTrue(rating.prepaid_running_low(0, D("-3"), 10, D(10)))
        # a calls threshold of 0: only once the plan is used up
        self.assertFalse(rating.prepaid_running_low(1, D(0), 0, D(10)))
        self.assertTrue(rating.prepaid_running_low(0, D(0), 0, D(10)))
