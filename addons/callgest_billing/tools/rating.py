"""Call rating: a call's seconds and events plus a tariff, to rated lines.

Plain Python on the standard library: no ORM and no ``odoo`` import, so the
billing models, the invoicing run and fast unit tests share the same code.

A :class:`Tariff` maps usage codes (:data:`DEFAULT_USAGES`) to a
:class:`Rate`. Each rate carries its unit, price per unit, increment, rounding
of a partial increment, connect fee and minimum billable duration.

Time (units ``second`` and ``minute``), see :func:`billable_seconds`:

1. any time at all is raised to the rate's ``minimum_seconds``;
2. the seconds are cut into blocks of ``increment`` seconds, and a partial
   block counts according to ``rounding_mode``: ``up`` (a started block is
   billed), ``half_up`` (billed from its half), ``down`` (never billed).

The quantity of a line is then the billable seconds (``second``) or the
billable minutes (``minute``, billable seconds / 60); counted usages
(``call``, ``message``, ``month``, ``unit``) have a whole quantity.

Amounts: ``amount = quantity * unit_price + connect_fee``, exact
:class:`~decimal.Decimal` arithmetic and **never rounded** on a line; the
connect fee is added once when the quantity is not zero, and a usage with a
zero quantity produces no line. Money is rounded once, on the total, by
:func:`round_money`, the way Odoo's ``float_round``/``currency.round`` do it
(half away from zero, to a multiple of the currency's rounding).

A per-minute price stays exact because a per-minute rate must bill in blocks
of a multiple of 3 seconds (see :class:`Rate`). To bill a per-minute price to
the second, write it per second (0.06 €/min is 0.001 €/s).

:func:`seed_tariff` is the seed tariff of the Spanish answering service;
:func:`rate_call` rates one call against a tariff.
"""

import decimal
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType

SECOND = "second"
MINUTE = "minute"
CALL = "call"
MESSAGE = "message"
MONTH = "month"
UNIT = "unit"
TIME_UNITS = frozenset({SECOND, MINUTE})
COUNT_UNITS = frozenset({CALL, MESSAGE, MONTH, UNIT})
UNITS = TIME_UNITS | COUNT_UNITS

UP = "up"
HALF_UP = "half_up"
DOWN = "down"
ROUNDING_MODES = frozenset({UP, HALF_UP, DOWN})

# per call
SECRETARY_L1 = "secretary_l1"
SECRETARY_L2 = "secretary_l2"
ROBOT = "robot"
TRANSFER_FIXED = "transfer_fixed"
OUTBOUND_MANAGEMENT = "outbound_management"
OUTBOUND_SETUP = "outbound_setup"
OUTBOUND_FIXED = "outbound_fixed"
OUTBOUND_MOBILE = "outbound_mobile"
MESSAGE_AUTO = "message_auto"
MESSAGE_MANUAL = "message_manual"
# per month or once, for invoicing
DDI = "ddi"
DDI_EXTRA = "ddi_extra"
AGENDA_MODULE = "agenda_module"
SETUP_FEE = "setup_fee"
MINIMUM = "minimum"

CALL_USAGES = (
    ROBOT,
    SECRETARY_L1,
    SECRETARY_L2,
    TRANSFER_FIXED,
    OUTBOUND_MANAGEMENT,
    OUTBOUND_SETUP,
    OUTBOUND_FIXED,
    OUTBOUND_MOBILE,
    MESSAGE_AUTO,
    MESSAGE_MANUAL,
)
PERIODIC_USAGES = (DDI, DDI_EXTRA, AGENDA_MODULE, SETUP_FEE, MINIMUM)
DEFAULT_USAGES = CALL_USAGES + PERIODIC_USAGES

SECRETARY_USAGES = {1: SECRETARY_L1, 2: SECRETARY_L2}
OUTBOUND_FIXED_DESTINATION = "fixed"
OUTBOUND_MOBILE_DESTINATION = "mobile"
OUTBOUND_USAGES = {
    OUTBOUND_FIXED_DESTINATION: OUTBOUND_FIXED,
    OUTBOUND_MOBILE_DESTINATION: OUTBOUND_MOBILE,
}

ZERO = Decimal(0)
SECONDS_PER_MINUTE = 60


def as_decimal(value, what="value"):
    """``value`` as a finite Decimal: Decimal, int or str as written; a float
    through its shortest repr (an Odoo Float field holding 0.013 gives
    ``Decimal("0.013")``, not the binary 0.01299999...)."""
    if isinstance(value, bool):
        raise TypeError(f"{what} must be a number, not {value!r}")
    if isinstance(value, float):
        value = repr(value)
    try:
        result = Decimal(value)
    except (TypeError, decimal.InvalidOperation):
        raise TypeError(f"{what} must be a number, not {value!r}") from None
    if not result.is_finite():
        raise ValueError(f"{what} must be a finite number, not {value!r}")
    return result


def _check_seconds(seconds, what="seconds"):
    if isinstance(seconds, bool) or not isinstance(seconds, int):
        raise TypeError(f"{what} must be a whole number of seconds, not {seconds!r}")
    if seconds < 0:
        raise ValueError(f"{what} cannot be negative, got {seconds}")
    return seconds


@dataclass(frozen=True)
class Rate:
    """The price of one usage.

    ``increment``, ``minimum_seconds`` and ``rounding_mode`` only apply to time
    units (``second``, ``minute``); ``maximum_amount`` caps a line's amount
    (the agenda modules of a month), ``None`` for no cap.
    """

    usage: str
    unit: str
    price: Decimal
    increment: int = 1
    minimum_seconds: int = 0
    connect_fee: Decimal = ZERO
    rounding_mode: str = UP
    maximum_amount: Decimal | None = None

    def __post_init__(self):
        # frozen: normalise through object.__setattr__
        set_field = object.__setattr__
        set_field(self, "price", as_decimal(self.price, f"{self.usage}: price"))
        set_field(
            self,
            "connect_fee",
            as_decimal(self.connect_fee, f"{self.usage}: connect fee"),
        )
        if self.maximum_amount is not None:
            set_field(
                self,
                "maximum_amount",
                as_decimal(self.maximum_amount, f"{self.usage}: maximum amount"),
            )
        self._validate()

    def _validate(self):
        usage = self.usage
        if not usage or not isinstance(usage, str):
            raise ValueError(f"a rate needs a usage code, got {usage!r}")
        if self.unit not in UNITS:
            raise ValueError(
                f"{usage}: unknown unit {self.unit!r}, "
                f"expected one of {', '.join(sorted(UNITS))}"
            )
        if self.price < 0:
            raise ValueError(f"{usage}: the price cannot be negative ({self.price})")
        if self.connect_fee < 0:
            raise ValueError(
                f"{usage}: the connect fee cannot be negative ({self.connect_fee})"
            )
        if self.maximum_amount is not None and self.maximum_amount < 0:
            raise ValueError(
                f"{usage}: the maximum amount cannot be negative "
                f"({self.maximum_amount})"
            )
        if self.rounding_mode not in ROUNDING_MODES:
            raise ValueError(
                f"{usage}: unknown rounding mode {self.rounding_mode!r}, "
                f"expected one of {', '.join(sorted(ROUNDING_MODES))}"
            )
        for name in ("increment", "minimum_seconds"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"{usage}: {name} must be a whole number of seconds")
        if self.increment < 1:
            raise ValueError(
                f"{usage}: the increment must be at least 1 second, "
                f"got {self.increment}"
            )
        if self.minimum_seconds < 0:
            raise ValueError(
                f"{usage}: the minimum duration cannot be negative, "
                f"got {self.minimum_seconds}"
            )
        if self.unit in COUNT_UNITS and (
            self.increment != 1 or self.minimum_seconds or self.rounding_mode != UP
        ):
            raise ValueError(
                f"{usage}: increment, minimum duration and rounding mode only "
                f"apply to time units, not to {self.unit!r}"
            )
        # billable seconds are a multiple of the increment; divided by 60 they
        # are an exact decimal only if that multiple is one of 3 (61/60 is not)
        if self.unit == MINUTE and self.increment % 3:
            raise ValueError(
                f"{usage}: a per-minute rate needs an increment that is a "
                f"multiple of 3 seconds for exact minutes, got {self.increment}; "
                f"to bill to the second, give the price per second"
            )

    @property
    def is_time(self):
        return self.unit in TIME_UNITS


@dataclass(frozen=True)
class Tariff:
    """A named set of rates in one currency, by usage code."""

    name: str
    currency: str
    rates: Mapping[str, Rate] = field(default_factory=dict)

    def __post_init__(self):
        for usage, rate in self.rates.items():
            if rate.usage != usage:
                raise ValueError(
                    f"tariff {self.name!r}: the rate filed under {usage!r} "
                    f"is for {rate.usage!r}"
                )
        object.__setattr__(self, "rates", MappingProxyType(dict(self.rates)))

    def rate(self, usage):
        try:
            return self.rates[usage]
        except KeyError:
            raise KeyError(
                f"tariff {self.name!r} has no rate for usage {usage!r}"
            ) from None

    @classmethod
    def from_rates(cls, name, currency, rates: Iterable[Rate]):
        return cls(name, currency, {rate.usage: rate for rate in rates})


@dataclass(frozen=True)
class RatedLine:
    """One usage of one call (or one period), rated.

    ``seconds`` are the raw seconds before the billing rules (0 for counted
    usages); ``quantity`` is in ``unit``; ``amount`` is exact, not rounded:
    ``quantity * unit_price + connect_fee``, capped at the rate's maximum.
    """

    usage: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    amount: Decimal
    seconds: int = 0
    connect_fee: Decimal = ZERO


def billable_seconds(seconds, rate):
    """The seconds billed for ``seconds`` of ``rate``'s usage: the minimum
    duration first (only when there is any time), then whole increments."""
    _check_seconds(seconds)
    if seconds == 0:
        return 0
    seconds = max(seconds, rate.minimum_seconds)
    increment = rate.increment
    if rate.rounding_mode == UP:
        blocks = -(-seconds // increment)
    elif rate.rounding_mode == HALF_UP:
        blocks = (2 * seconds + increment) // (2 * increment)
    else:
        blocks = seconds // increment
    return blocks * increment


def _line(rate, quantity, seconds):
    if not quantity:
        return None
    amount = quantity * rate.price + rate.connect_fee
    if rate.maximum_amount is not None:
        amount = min(amount, rate.maximum_amount)
    return RatedLine(
        usage=rate.usage,
        quantity=quantity,
        unit=rate.unit,
        unit_price=rate.price,
        amount=amount,
        seconds=seconds,
        connect_fee=rate.connect_fee,
    )


def rate_seconds(rate, seconds):
    """A time usage rated: a :class:`RatedLine`, or ``None`` when nothing is
    billable."""
    if not rate.is_time:
        raise ValueError(f"{rate.usage}: a {rate.unit!r} rate is not rated by time")
    billable = Decimal(billable_seconds(seconds, rate))
    if rate.unit == MINUTE:
        billable /= SECONDS_PER_MINUTE  # exact: the increment is a multiple of 3
    return _line(rate, billable, seconds)


def rate_count(rate, count):
    """A counted usage (calls, messages, months, units) rated: a
    :class:`RatedLine`, or ``None`` for a count of 0."""
    if rate.is_time:
        raise ValueError(f"{rate.usage}: a {rate.unit!r} rate is rated by time")
    if isinstance(count, bool) or not isinstance(count, int):
        raise TypeError(
            f"{rate.usage}: the count must be a whole number, not {count!r}"
        )
    if count < 0:
        raise ValueError(f"{rate.usage}: the count cannot be negative, got {count}")
    return _line(rate, Decimal(count), 0)


def rate_call(
    tariff,
    *,
    secretary_seconds=0,
    level=1,
    robot_seconds=0,
    transfer_seconds=0,
    outbound=False,
    outbound_destination=None,
    outbound_seconds=0,
    automatic_messages=0,
    manual_messages=0,
):
    """The rated lines of one call, in a stable order: robot, secretary,
    transfer, outbound (management, setup, telephone time), messages.

    ``level`` (1 or 2) picks the secretary rate. ``outbound`` is a call the
    secretary placed for the client: its management is billed per call, and
    once it connected (``outbound_seconds``), the telephone cost: a setup per
    call plus the time at the rate of ``outbound_destination`` (``"fixed"`` or
    ``"mobile"``, classified elsewhere). Only usages with a quantity make a
    line; a missing rate for one of them raises :class:`KeyError`.
    """
    for name, value in (
        ("secretary_seconds", secretary_seconds),
        ("robot_seconds", robot_seconds),
        ("transfer_seconds", transfer_seconds),
        ("outbound_seconds", outbound_seconds),
    ):
        _check_seconds(value, name)
    if level not in SECRETARY_USAGES:
        raise ValueError(f"unknown secretary level {level!r}, expected 1 or 2")
    if outbound_destination is not None and outbound_destination not in (
        OUTBOUND_USAGES
    ):
        raise ValueError(
            f"unknown outbound destination {outbound_destination!r}, "
            f"expected 'fixed', 'mobile' or None"
        )
    if outbound_seconds and not outbound:
        raise ValueError("outbound_seconds given for a call that is not outbound")
    if outbound_seconds and outbound_destination is None:
        raise ValueError(
            "an outbound call with telephone time needs its destination "
            "('fixed' or 'mobile') to be priced"
        )

    lines = [
        _time_line(tariff, ROBOT, robot_seconds),
        _time_line(tariff, SECRETARY_USAGES[level], secretary_seconds),
        _time_line(tariff, TRANSFER_FIXED, transfer_seconds),
    ]
    if outbound:
        lines.append(rate_count(tariff.rate(OUTBOUND_MANAGEMENT), 1))
        if outbound_seconds:
            lines.append(rate_count(tariff.rate(OUTBOUND_SETUP), 1))
            lines.append(
                _time_line(
                    tariff, OUTBOUND_USAGES[outbound_destination], outbound_seconds
                )
            )
    lines.append(_count_line(tariff, MESSAGE_AUTO, automatic_messages))
    lines.append(_count_line(tariff, MESSAGE_MANUAL, manual_messages))
    return [line for line in lines if line is not None]


def _time_line(tariff, usage, seconds):
    # no time, no rate needed: a tariff without transfers rates calls without
    return rate_seconds(tariff.rate(usage), seconds) if seconds else None


def _count_line(tariff, usage, count):
    return rate_count(tariff.rate(usage), count) if count else None


def total(lines):
    """The exact sum of the lines' amounts (``Decimal(0)`` for none)."""
    return sum((line.amount for line in lines), ZERO)


def round_money(amount, rounding=Decimal("0.01")):
    """``amount`` rounded to a multiple of ``rounding`` (a currency's
    rounding: 0.01 for EUR, 1 for CLP, 0.05 for CHF cash), half away from
    zero, as Odoo's ``float_round`` (HALF-UP) and ``res.currency.round``."""
    amount = as_decimal(amount, "amount")
    rounding = as_decimal(rounding, "rounding")
    if rounding <= 0:
        raise ValueError(f"the rounding must be positive, got {rounding}")
    # enough digits for an exact integer quotient and remainder
    with decimal.localcontext() as context:
        context.prec = max(
            context.prec,
            amount.adjusted() - rounding.adjusted() + 3,
            len(amount.as_tuple().digits) + len(rounding.as_tuple().digits) + 3,
        )
        steps, remainder = divmod(amount, rounding)  # towards zero
        if 2 * abs(remainder) >= rounding:
            steps += 1 if amount > 0 else -1
        result = steps * rounding
    return result.copy_abs() if not result else result  # no "-0.00"


def seed_tariff():
    """The seed tariff (EUR) of the Spanish answering service.

    Secretary, robot and transfer time are billed per second. The outbound
    telephone cost is billed per started minute (increment 60, ``up``) plus
    a setup per call, as telephone operators charge it; the management of an
    outbound call is a flat fee per call. The monthly rates are for
    invoicing: ``agenda_module`` is per weekly half-day module with its
    90 €/month cap; ``minimum`` is a floor of 60 € per DDI and month, not a
    charge added to the rest.
    """

    def per_second(usage, price):
        return Rate(usage, SECOND, Decimal(price))

    def flat(usage, unit, price, **options):
        return Rate(usage, unit, Decimal(price), **options)

    def per_started_minute(usage, price):
        return Rate(usage, MINUTE, Decimal(price), increment=60, rounding_mode=UP)

    return Tariff.from_rates(
        "CallGest seed tariff",
        "EUR",
        [
            per_second(SECRETARY_L1, "0.013"),
            per_second(SECRETARY_L2, "0.014"),
            per_second(ROBOT, "0.001"),
            per_second(TRANSFER_FIXED, "0.002"),
            flat(OUTBOUND_MANAGEMENT, CALL, "0.30"),
            flat(OUTBOUND_SETUP, CALL, "0.30"),
            per_started_minute(OUTBOUND_FIXED, "0.06"),
            per_started_minute(OUTBOUND_MOBILE, "0.30"),
            flat(MESSAGE_AUTO, MESSAGE, "0.15"),
            flat(MESSAGE_MANUAL, MESSAGE, "0.30"),
            flat(DDI, MONTH, "9"),
            flat(DDI_EXTRA, MONTH, "6"),
            flat(AGENDA_MODULE, MONTH, "9", maximum_amount=Decimal("90")),
            flat(SETUP_FEE, UNIT, "95"),
            flat(MINIMUM, MONTH, "60"),
        ],
    )


# ----------------------------------------------------------------------
# Prepaid clients: a price per answered call, tiered by monthly volume
# ----------------------------------------------------------------------
PrepaidTier = tuple[int, Decimal]

# (first rank of the tier in the client's month, price per call): the price
# of a call depends on its own rank (graduated), the last tier is open-ended
PREPAID_CALL_TIERS: tuple[PrepaidTier, ...] = (
    (1, Decimal("1.5")),
    (100, Decimal("1.0")),
    (200, Decimal("0.5")),
)


def _check_prepaid_tiers(tiers):
    ranks = [first for first, _price in tiers]
    if not tiers or ranks[0] != 1:
        raise ValueError("prepaid call tiers must start at rank 1")
    if ranks != sorted(set(ranks)):
        raise ValueError(f"prepaid call tiers must be in rising rank order: {ranks}")
    for _first, price in tiers:
        if as_decimal(price, "tier price") < 0:
            raise ValueError(f"a prepaid call price cannot be negative ({price})")


def prepaid_call_price(rank, tiers=PREPAID_CALL_TIERS):
    """The price of the ``rank``-th call (1 for the first) of a client's month."""
    if isinstance(rank, bool) or not isinstance(rank, int):
        raise TypeError(f"the rank must be a whole number, not {rank!r}")
    if rank < 1:
        raise ValueError(f"the rank of a call starts at 1, got {rank}")
    _check_prepaid_tiers(tiers)
    price = tiers[0][1]
    for first, tier_price in tiers:
        if rank < first:
            break
        price = tier_price
    return as_decimal(price, "tier price")


def prepaid_calls_price(first_rank, count, tiers=PREPAID_CALL_TIERS):
    """The exact price of ``count`` calls whose ranks in the month start at
    ``first_rank``."""
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise ValueError(f"the count must be a whole number >= 0, got {count!r}")
    return sum(
        (
            prepaid_call_price(rank, tiers)
            for rank in range(first_rank, first_rank + count)
        ),
        ZERO,
    )
