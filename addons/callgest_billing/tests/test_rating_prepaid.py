from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from odoo.tests import BaseCase

from ..tools import rating

D = Decimal
PROPERTIES = settings(max_examples=200, deadline=None, database=None)
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
