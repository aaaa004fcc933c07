from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odoo.tests import BaseCase
from odoo.tools.float_utils import float_round

from ..tools import rating

D = Decimal
# no example database written into the working directory, no timing flakes
# no health check on generation speed: a loaded machine (a CI running every
# addon alone in parallel) is slow, the 200 examples are checked all the same
PROPERTIES = settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

seconds = st.integers(min_value=0, max_value=100_000)
increments = st.integers(min_value=1, max_value=600)
prices = st.decimals(
    min_value=0, max_value=100, places=4, allow_nan=False, allow_infinity=False
)
roundings = st.sampled_from([D("0.01"), D("0.05"), D("1"), D("0.001"), D("100")])
amounts = st.decimals(
    min_value=-1_000_000,
    max_value=1_000_000,
    places=6,
    allow_nan=False,
    allow_infinity=False,
)


@st.composite
def time_rates(draw, modes=tuple(rating.ROUNDING_MODES)):
    return rating.Rate(
        "usage",
        rating.SECOND,
        draw(prices),
        increment=draw(increments),
        minimum_seconds=draw(st.integers(min_value=0, max_value=300)),
        connect_fee=draw(prices),
        rounding_mode=draw(st.sampled_from(modes)),
    )


@st.composite
def calls(draw):
    outbound = draw(st.booleans())
    destination = draw(st.sampled_from(["fixed", "mobile"])) if outbound else None
    return {
        "secretary_seconds": draw(seconds),
        "level": draw(st.sampled_from([1, 2])),
        "robot_seconds": draw(seconds),
        "queue_seconds": draw(seconds),
        "transfer_seconds": draw(seconds),
        "outbound": outbound,
        "outbound_destination": destination,
        "outbound_seconds": draw(seconds) if outbound else 0,
        "automatic_messages": draw(st.integers(min_value=0, max_value=5)),
        "manual_messages": draw(st.integers(min_value=0, max_value=5)),
    }


class RatingCase(BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tariff = rating.seed_tariff()

    def assertLines(self, lines, expected):
        """``expected``: (usage, quantity, amount) per line, in order."""
        self.assertEqual(
            [(line.usage, line.quantity, line.amount) for line in lines],
            [(usage, D(quantity), D(amount)) for usage, quantity, amount in expected],
        )


class TestSeedTariff(RatingCase):
    def test_issue_example(self):
        """45 s level 1, 8 s robot greeting, one automatic email: 0.743 €."""
        lines = rating.rate_call(
            self.tariff, secretary_seconds=45, robot_seconds=8, automatic_messages=1
        )
        self.assertLines(
            lines,
            [
                ("robot", 8, "0.008"),
                ("secretary_l1", 45, "0.585"),
                ("message_auto", 1, "0.15"),
            ],
        )
        self.assertEqual(rating.total(lines), D("0.743"))
        self.assertEqual(rating.round_money(rating.total(lines)), D("0.74"))
        robot = lines[0]
        self.assertEqual(
            (robot.unit, robot.unit_price, robot.seconds), ("second", D("0.001"), 8)
        )
        self.assertEqual(lines[2].seconds, 0)

    def test_level_2(self):
        lines = rating.rate_call(
            self.tariff, secretary_seconds=100, level=2, robot_seconds=12
        )
        self.assertLines(
            lines, [("robot", 12, "0.012"), ("secretary_l2", 100, "1.400")]
        )
        self.assertEqual(rating.total(lines), D("1.412"))

    def test_transfer(self):
        lines = rating.rate_call(self.tariff, transfer_seconds=120)
        self.assertLines(lines, [("transfer_fixed", 120, "0.24")])

    def test_queue_music_is_robot_time(self):
        """Seed 000 "Garantías": 20 s of queue music, then 100 s with the
        secretary: 20 x 0.001 + 100 x 0.013 = 0.02 + 1.30 = 1.32."""
        lines = rating.rate_call(self.tariff, secretary_seconds=100, queue_seconds=20)
        self.assertLines(
            lines, [("robot", 20, "0.020"), ("secretary_l1", 100, "1.300")]
        )
        self.assertEqual(rating.total(lines), D("1.32"))
        self.assertEqual(lines[0].seconds, 20)

    def test_menu_and_queue_are_one_robot_line(self):
        # 12 s of menu + 8 s of queue = 20 s x 0.001 = 0.020
        lines = rating.rate_call(self.tariff, robot_seconds=12, queue_seconds=8)
        self.assertLines(lines, [("robot", 20, "0.020")])

    def test_abandoned_in_the_queue(self):
        # 45 s of music, the caller hangs up: 45 x 0.001 = 0.045
        lines = rating.rate_call(self.tariff, queue_seconds=45)
        self.assertLines(lines, [("robot", 45, "0.045")])

    def test_plain_ringing_is_not_billed(self):
        # a ring nobody answered is neither robot nor queue time: no line
        self.assertEqual(rating.rate_call(self.tariff), [])
        self.assertEqual(rating.robot_time(0, 0), 0)

    def test_robot_time(self):
        self.assertEqual(rating.robot_time(20, 15), 35)
        self.assertEqual(rating.robot_time(8), 8)
        with self.assertRaises(ValueError):
            rating.robot_time(5, -1)
        with self.assertRaises(TypeError):
            rating.robot_time(5, 1.5)

    def test_transfer_to_a_mobile_per_started_minute(self):
        """No seed price for a transfer to a mobile: as an outbound call to a
        mobile, 0.30 €/min per started minute: 120 s = 2 x 0.30 = 0.60."""
        lines = rating.rate_call(self.tariff, transfer_mobile_seconds=120)
        self.assertLines(lines, [("transfer_mobile", 2, "0.60")])
        lines = rating.rate_call(self.tariff, transfer_mobile_seconds=121)
        self.assertLines(lines, [("transfer_mobile", 3, "0.90")])
        rate = self.tariff.rate(rating.TRANSFER_MOBILE)
        self.assertEqual((rate.unit, rate.increment), (rating.MINUTE, 60))
        self.assertEqual(
            rate,
            rating.Rate(rating.TRANSFER_MOBILE, rating.MINUTE, D("0.30"), increment=60),
        )

    def test_outbound_mobile_per_started_minute(self):
        """The seed bills outbound telephone time per started minute: 61 s are
        2 minutes, plus the setup and the management of the call."""
        lines = rating.rate_call(
            self.tariff,
            secretary_seconds=30,
            outbound=True,
            outbound_destination="mobile",
            outbound_seconds=61,
        )
        self.assertLines(
            lines,
            [
                ("secretary_l1", 30, "0.39"),
                ("outbound_management", 1, "0.30"),
                ("outbound_setup", 1, "0.30"),
                ("outbound_mobile", 2, "0.60"),
            ],
        )
        self.assertEqual(lines[-1].unit, "minute")
        self.assertEqual(lines[-1].seconds, 61)
        self.assertEqual(rating.total(lines), D("1.59"))

    def test_outbound_fixed(self):
        lines = rating.rate_call(
            self.tariff,
            outbound=True,
            outbound_destination="fixed",
            outbound_seconds=180,
        )
        self.assertLines(
            lines,
            [
                ("outbound_management", 1, "0.30"),
                ("outbound_setup", 1, "0.30"),
                ("outbound_fixed", 3, "0.18"),
            ],
        )
        self.assertEqual(rating.total(lines), D("0.78"))

    def test_outbound_not_connected(self):
        """The secretary managed the call but it never connected: no
        telephone cost, and no destination needed."""
        lines = rating.rate_call(self.tariff, outbound=True)
        self.assertLines(lines, [("outbound_management", 1, "0.30")])

    def test_manual_messages(self):
        lines = rating.rate_call(self.tariff, secretary_seconds=60, manual_messages=2)
        self.assertLines(
            lines,
            [("secretary_l1", 60, "0.780"), ("message_manual", 2, "0.60")],
        )
        self.assertEqual(lines[1].unit, "message")
        self.assertEqual(rating.total(lines), D("1.38"))

    def test_nothing_to_bill(self):
        self.assertEqual(rating.rate_call(self.tariff), [])
        self.assertEqual(rating.rate_call(self.tariff, level=2), [])
        self.assertEqual(rating.total([]), D(0))

    def test_invalid_calls(self):
        for keyword in (
            "secretary_seconds",
            "robot_seconds",
            "transfer_seconds",
            "outbound_seconds",
        ):
            with self.subTest(keyword), self.assertRaisesRegex(ValueError, keyword):
                rating.rate_call(
                    self.tariff,
                    outbound=True,
                    outbound_destination="fixed",
                    **{keyword: -1},
                )
        with self.assertRaisesRegex(ValueError, "secretary level 3"):
            rating.rate_call(self.tariff, secretary_seconds=10, level=3)
        with self.assertRaisesRegex(ValueError, "destination 'international'"):
            rating.rate_call(
                self.tariff,
                outbound=True,
                outbound_destination="international",
                outbound_seconds=10,
            )
        with self.assertRaisesRegex(ValueError, "needs its destination"):
            rating.rate_call(self.tariff, outbound=True, outbound_seconds=10)
        with self.assertRaisesRegex(ValueError, "not outbound"):
            rating.rate_call(
                self.tariff, outbound_destination="fixed", outbound_seconds=10
            )
        with self.assertRaises(TypeError):
            rating.rate_call(self.tariff, secretary_seconds=4.5)

    def test_default_usages(self):
        self.assertEqual(set(self.tariff.rates), set(rating.DEFAULT_USAGES))
        self.assertEqual(self.tariff.currency, "EUR")
        expected = {
            "ddi": ("month", "9"),
            "ddi_extra": ("month", "6"),
            "agenda_module": ("month", "9"),
            "setup_fee": ("unit", "95"),
            "minimum": ("month", "60"),
        }
        for usage, (unit, price) in expected.items():
            rate = self.tariff.rate(usage)
            self.assertEqual((rate.unit, rate.price), (unit, D(price)), usage)

    def test_agenda_modules_capped(self):
        agenda = self.tariff.rate("agenda_module")
        self.assertEqual(rating.rate_count(agenda, 4).amount, D(36))
        self.assertEqual(rating.rate_count(agenda, 10).amount, D(90))
        self.assertEqual(rating.rate_count(agenda, 14).amount, D(90))
        self.assertIsNone(rating.rate_count(agenda, 0))

    def test_missing_rate(self):
        tariff = rating.Tariff.from_rates(
            "secretary only", "EUR", [rating.Rate("secretary_l1", "second", "0.01")]
        )
        # usages without a quantity need no rate
        lines = rating.rate_call(tariff, secretary_seconds=10)
        self.assertEqual(rating.total(lines), D("0.10"))
        with self.assertRaisesRegex(KeyError, "'secretary only' has no rate.*robot"):
            rating.rate_call(tariff, secretary_seconds=10, robot_seconds=5)
        with self.assertRaisesRegex(KeyError, "no rate for usage 'nothing'"):
            tariff.rate("nothing")


class TestRate(BaseCase):
    def test_billable_seconds(self):
        cases = [
            # (increment, minimum, mode, seconds, billable)
            (1, 0, "up", 0, 0),
            (1, 0, "up", 45, 45),
            (60, 0, "up", 1, 60),
            (60, 0, "up", 60, 60),
            (60, 0, "up", 61, 120),
            (60, 0, "half_up", 29, 0),
            (60, 0, "half_up", 30, 60),
            (60, 0, "half_up", 89, 60),
            (60, 0, "half_up", 90, 120),
            (60, 0, "down", 119, 60),
            (1, 30, "up", 0, 0),
            (1, 30, "up", 5, 30),
            (1, 30, "up", 31, 31),
            (6, 30, "up", 31, 36),
            (60, 30, "down", 10, 0),
            (60, 60, "down", 10, 60),
        ]
        for increment, minimum, mode, seconds_in, billable in cases:
            rate = rating.Rate(
                "usage",
                "second",
                D("0.01"),
                increment=increment,
                minimum_seconds=minimum,
                rounding_mode=mode,
            )
            with self.subTest(rate=rate, seconds=seconds_in):
                self.assertEqual(rating.billable_seconds(seconds_in, rate), billable)
        with self.assertRaisesRegex(ValueError, "negative"):
            rating.billable_seconds(-1, rate)

    def test_connect_fee_and_minimum(self):
        rate = rating.Rate(
            "usage",
            "second",
            D("0.01"),
            minimum_seconds=30,
            connect_fee=D("0.10"),
        )
        line = rating.rate_seconds(rate, 5)
        self.assertEqual((line.quantity, line.seconds), (D(30), 5))
        self.assertEqual((line.amount, line.connect_fee), (D("0.40"), D("0.10")))
        self.assertIsNone(rating.rate_seconds(rate, 0))  # no time, no connect fee

    def test_per_minute_to_the_second(self):
        rate = rating.Rate("usage", "minute", D("0.06"), increment=6)
        line = rating.rate_seconds(rate, 61)
        self.assertEqual((line.quantity, line.amount), (D("1.1"), D("0.066")))

    def test_values(self):
        rate = rating.Rate("usage", "second", 0.013, connect_fee="0.1")
        self.assertEqual((rate.price, rate.connect_fee), (D("0.013"), D("0.1")))
        self.assertEqual(rating.Rate("usage", "call", 3).price, D(3))

    def test_invalid_rates(self):
        invalid = [
            ({"unit": "hour"}, "unknown unit 'hour'"),
            ({"price": D("-0.01")}, "price cannot be negative"),
            ({"connect_fee": D("-1")}, "connect fee cannot be negative"),
            ({"increment": 0}, "increment must be at least 1"),
            ({"minimum_seconds": -1}, "minimum duration cannot be negative"),
            ({"rounding_mode": "nearest"}, "unknown rounding mode 'nearest'"),
            ({"unit": "call", "increment": 60}, "only apply to time units"),
            ({"unit": "minute", "increment": 1}, "multiple of 3 seconds"),
            ({"usage": ""}, "needs a usage code"),
            ({"price": "NaN"}, "finite"),
        ]
        for changes, message in invalid:
            values = {"usage": "usage", "unit": "second", "price": D("0.01")}
            values.update(changes)
            with self.subTest(changes), self.assertRaisesRegex(ValueError, message):
                rating.Rate(**values)
        with self.assertRaises(TypeError):
            rating.Rate("usage", "second", True)
        with self.assertRaisesRegex(ValueError, "filed under 'robot'"):
            rating.Tariff("t", "EUR", {"robot": rating.Rate("ddi", "month", 9)})

    def test_rate_by_the_wrong_measure(self):
        with self.assertRaisesRegex(ValueError, "not rated by time"):
            rating.rate_seconds(rating.Rate("ddi", "month", 9), 10)
        with self.assertRaisesRegex(ValueError, "is rated by time"):
            rating.rate_count(rating.Rate("robot", "second", "0.001"), 1)
        with self.assertRaisesRegex(ValueError, "count cannot be negative"):
            rating.rate_count(rating.Rate("ddi", "month", 9), -1)


class TestRoundMoney(BaseCase):
    def test_half_up(self):
        cases = [
            ("0.745", "0.01", "0.75"),
            ("0.744", "0.01", "0.74"),
            ("0.743", "0.01", "0.74"),
            ("-0.745", "0.01", "-0.75"),
            ("-0.744", "0.01", "-0.74"),
            ("1234.5", "1", "1235"),
            ("1234.49", "1", "1234"),
            ("-1234.5", "1", "-1235"),
            ("0.725", "0.05", "0.75"),
            ("0.724", "0.05", "0.70"),
            ("-0.001", "0.01", "0.00"),
        ]
        for amount, rounding, expected in cases:
            with self.subTest(amount=amount, rounding=rounding):
                rounded = rating.round_money(D(amount), D(rounding))
                self.assertEqual(rounded, D(expected))
                # the quantum of the currency, not a bare 0.75000
                self.assertEqual(str(rounded), expected)
        self.assertEqual(rating.round_money(D("0.745")), D("0.75"))

    def test_invalid_rounding(self):
        for rounding in (D(0), D("-0.01")):
            with self.assertRaisesRegex(ValueError, "rounding must be positive"):
                rating.round_money(D(1), rounding)


class TestProperties(BaseCase):
    @PROPERTIES
    @given(seconds, time_rates(modes=("up",)))
    def test_billable_seconds_round_up(self, duration, rate):
        billable = rating.billable_seconds(duration, rate)
        if not duration:
            self.assertEqual(billable, 0)
            return
        self.assertGreaterEqual(billable, duration)
        self.assertGreaterEqual(billable, rate.minimum_seconds)
        self.assertEqual(billable % rate.increment, 0)
        self.assertLess(billable, max(duration, rate.minimum_seconds) + rate.increment)

    @PROPERTIES
    @given(seconds, time_rates())
    def test_billable_seconds_any_mode(self, duration, rate):
        billable = rating.billable_seconds(duration, rate)
        self.assertEqual(billable % rate.increment, 0)
        # within one increment of the (minimum-raised) duration
        raised = max(duration, rate.minimum_seconds) if duration else 0
        self.assertLess(abs(billable - raised), rate.increment)
        if rate.rounding_mode == "down":
            self.assertLessEqual(billable, raised)

    @PROPERTIES
    @given(seconds, prices)
    def test_per_second_amount_is_exact(self, duration, price):
        rate = rating.Rate("usage", "second", price)
        line = rating.rate_seconds(rate, duration)
        if duration:
            self.assertEqual(line.amount, duration * price)
            self.assertEqual(line.quantity, duration)
        else:
            self.assertIsNone(line)

    @PROPERTIES
    @given(seconds, time_rates())
    def test_amounts_never_negative(self, duration, rate):
        line = rating.rate_seconds(rate, duration)
        if line is not None:
            self.assertGreaterEqual(line.amount, 0)
            self.assertGreaterEqual(line.amount, rate.connect_fee)

    @PROPERTIES
    @given(calls(), calls())
    def test_total_is_additive(self, call_a, call_b):
        tariff = rating.seed_tariff()
        lines_a = rating.rate_call(tariff, **call_a)
        lines_b = rating.rate_call(tariff, **call_b)
        self.assertEqual(
            rating.total(lines_a + lines_b),
            rating.total(lines_a) + rating.total(lines_b),
        )
        for line in lines_a:
            self.assertGreater(line.amount, 0)
            self.assertGreater(line.quantity, 0)

    @PROPERTIES
    @given(calls())
    def test_per_second_call_total(self, call):
        """Without the outbound minutes, a seed call is exactly its seconds
        times the per-second prices plus its flat fees."""
        call.update(outbound_seconds=0, outbound_destination=None)
        secretary = {1: D("0.013"), 2: D("0.014")}[call["level"]]
        expected = (
            call["secretary_seconds"] * secretary
            + (call["robot_seconds"] + call["queue_seconds"]) * D("0.001")
            + call["transfer_seconds"] * D("0.002")
            + (D("0.30") if call["outbound"] else 0)
            + call["automatic_messages"] * D("0.15")
            + call["manual_messages"] * D("0.30")
        )
        lines = rating.rate_call(rating.seed_tariff(), **call)
        self.assertEqual(rating.total(lines), expected)

    @PROPERTIES
    @given(amounts, roundings)
    def test_round_money(self, amount, rounding):
        rounded = rating.round_money(amount, rounding)
        self.assertEqual(rating.round_money(rounded, rounding), rounded)
        self.assertEqual(rounded % rounding, 0)
        self.assertLessEqual(abs(rounded - amount), rounding / 2)
        if abs(rounded - amount) == rounding / 2:  # a tie: away from zero
            self.assertGreater(abs(rounded), abs(amount))

    @PROPERTIES
    @given(
        st.decimals(min_value=-100_000, max_value=100_000, places=3, allow_nan=False),
        st.sampled_from([D("0.01"), D("1")]),
    )
    def test_round_money_like_odoo(self, amount, rounding):
        odoo_rounded = float_round(float(amount), precision_rounding=float(rounding))
        self.assertEqual(float(rating.round_money(amount, rounding)), odoo_rounded)


class TestMonthlyFees(BaseCase):
    def test_prorated_rounded_once(self):
        # seed DDI fee, 16 days of July: 9 x 16/31 = 4.645... -> 4.65
        self.assertEqual(rating.round_money(rating.prorated(D(9), 16, 31)), D("4.65"))
        # the factor rounded first would give 0.52 x 9 = 4.68
        self.assertNotEqual(D("0.52") * 9, D("4.65"))
        # the minimum of that DDI month: 60 x 16/31 = 30.967... -> 30.97
        self.assertEqual(rating.round_money(rating.prorated(D(60), 16, 31)), D("30.97"))
        self.assertEqual(rating.prorated(D(9), 31, 31), D(9))
        self.assertEqual(rating.prorated(D(9), 0, 30), D(0))

    def test_prorated_refuses_days_outside_the_month(self):
        for days, month in ((32, 31), (-1, 30), (1, 0)):
            with self.assertRaises(ValueError):
                rating.prorated(D(9), days, month)
        with self.assertRaises(TypeError):
            rating.prorated(D(9), 1.5, 31)

    def test_minimum_adjustment(self):
        # usage 10.30 under a minimum of 60: top-up 49.70
        self.assertEqual(rating.minimum_adjustment(60, D("10.30"), 0), D("49.70"))
        # 13.00 more usage after the month was topped up: absorbed
        self.assertEqual(
            rating.minimum_adjustment(60, D("23.30"), D("49.70")), D("-13.00")
        )
        # more late usage than the top-up: the whole top-up given back
        self.assertEqual(
            rating.minimum_adjustment(60, D("74.00"), D("12.00")), D("-12.00")
        )
        self.assertEqual(rating.minimum_adjustment(60, D("80"), 0), 0)
        with self.assertRaises(ValueError):
            rating.minimum_adjustment(-1, 0, 0)

    @PROPERTIES
    @given(
        st.decimals(min_value=0, max_value=1000, places=2),
        st.lists(st.decimals(min_value=-50, max_value=200, places=2), max_size=6),
    )
    def test_minimum_adjustments_add_up_to_the_top_up(self, minimum, arrivals):
        """Usage arriving in any number of invoices: after each, the month
        costs max(minimum, usage) in all."""
        counted = topped_up = D(0)
        for amount in arrivals:
            counted += amount
            topped_up += rating.minimum_adjustment(minimum, counted, topped_up)
            self.assertEqual(counted + topped_up, max(minimum, counted))


class TestTransferSplit(RatingCase):
    """Transfers by destination class, own SIMs and the cap (seed 000 FAQ,
    seed 001 "duración máxima de 10 minutos por llamada")."""

    def test_by_destination(self):
        self.assertEqual(
            rating.split_transfers([("mobile", 120)]),
            rating.TransferSplit(fixed=0, mobile=120, unbilled=0),
        )
        self.assertEqual(
            rating.split_transfers([("fixed", 30), ("mobile", 40), ("fixed", 5)]),
            rating.TransferSplit(fixed=35, mobile=40, unbilled=0),
        )
        self.assertEqual(rating.split_transfers([]), rating.TransferSplit())

    def test_own_sims_are_fixed(self):
        split = rating.split_transfers([("mobile", 120)], own_sims=True)
        self.assertEqual(split, rating.TransferSplit(fixed=120))
        # 120 x 0.002 = 0.24
        lines = rating.rate_call(self.tariff, transfer_seconds=split.fixed)
        self.assertLines(lines, [("transfer_fixed", 120, "0.24")])

    def test_cap_of_ten_minutes(self):
        self.assertEqual(rating.TRANSFER_CAP_SECONDS, 600)
        split = rating.split_transfers([("fixed", 900)])
        self.assertEqual(split, rating.TransferSplit(fixed=600, unbilled=300))
        self.assertTrue(split.capped)
        # 600 x 0.002 = 1.20
        lines = rating.rate_call(self.tariff, transfer_seconds=split.fixed)
        self.assertLines(lines, [("transfer_fixed", 600, "1.200")])
        self.assertFalse(rating.split_transfers([("fixed", 600)]).capped)

    def test_the_earliest_seconds_are_billed_first(self):
        # 500 s to a mobile, then 400 s to a fixed line, cap 600
        split = rating.split_transfers([("mobile", 500), ("fixed", 400)])
        self.assertEqual(
            split, rating.TransferSplit(mobile=500, fixed=100, unbilled=300)
        )

    def test_no_cap(self):
        for cap in (0, None):
            self.assertEqual(
                rating.split_transfers([("fixed", 900)], cap_seconds=cap),
                rating.TransferSplit(fixed=900),
            )

    def test_bad_input(self):
        with self.assertRaisesRegex(ValueError, "unknown transfer destination"):
            rating.split_transfers([("satellite", 10)])
        with self.assertRaises(ValueError):
            rating.split_transfers([("fixed", -1)])
        with self.assertRaises(ValueError):
            rating.split_transfers([("fixed", 1)], cap_seconds=-5)

    @PROPERTIES
    @given(
        st.lists(st.tuples(st.sampled_from(["fixed", "mobile"]), seconds), max_size=5),
        st.integers(min_value=0, max_value=5000),
        st.booleans(),
    )
    def test_every_second_billed_once_or_beyond_the_cap(self, transfers, cap, own):
        split = rating.split_transfers(transfers, cap_seconds=cap, own_sims=own)
        total = sum(s for _destination, s in transfers)
        self.assertEqual(split.fixed + split.mobile + split.unbilled, total)
        if cap:
            self.assertEqual(split.fixed + split.mobile, min(total, cap))
        else:
            self.assertEqual(split.unbilled, 0)
        if own:
            self.assertEqual(split.mobile, 0)
        self.assertEqual(split.capped, split.unbilled > 0)
