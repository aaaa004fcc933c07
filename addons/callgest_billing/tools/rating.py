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

Monthly fees and the monthly minimum (seed ``000_…``, "Nuestros Costes"):

* a DDI in service part of a month costs its fee × days in service / days of
  the month, exact, and is rounded once: 16 days of July are
  9 € × 16/31 = 4.645… → 4.65 € (:func:`prorated`); the minimum of that DDI's
  month is prorated the same way (60 € × 16/31 = 30.97 €);
* a month never costs more than its minimum or its usage: for every client
  and month, billed = max(minimum, what counts toward it) + what the minimum
  excludes (the setup fee), whatever the order in which the month's usage
  arrives and the months are invoiced. Usage of a month billed later (a late
  CDR, a month invoiced after the next one) counts toward that month's
  minimum; when the month was topped up, the late usage is first absorbed by
  the top-up (a negative line on the next invoice) and only the rest is
  billed (:func:`minimum_adjustment`).

Time before a secretary picks up (seed ``000_…``, "Garantías": "el tiempo
previo de emisión de menús, avisos previos y música … se cobra a la tarifa
mínima de llamada robotizada"), see :func:`robot_time`:

* every second the caller spent on our platform before a secretary answered
  is robot time: the PBX's own legs (IVR menus, announcements, messages,
  voicemail) *and* the time in a queue, where the caller hears music (a
  ``Queue`` leg of the CDR, or the ``queue_log`` hold/wait time), also when
  the caller hangs up in the queue;
* plain ringing is not billed: a ``Dial`` to a secretary's phone or a ring
  group that rings (the caller hears the ring tone, the call is not answered
  by our platform), whether someone answers afterwards or nobody does.
  E.g. 20 s of music in the queue, then 100 s with the secretary:
  20 × 0.001 + 100 × 0.013 = 1.32 €; 45 s in the queue, the caller hangs up:
  45 × 0.001 = 0.045 €; 30 s of ringing nobody answered: 0 €.

Transfers (seed ``000_…`` FAQ on costs, ``001_…`` "Transferencias"), see
:func:`split_transfers`:

* a transfer to a fixed line costs 0.002 €/s; a transfer to a mobile is
  priced by the destination's class (the same phonenumbers classification as
  an outbound call) at the tariff's ``transfer_mobile`` rate. The seed gives
  no price of its own for a transfer to a mobile: the seed tariff bills it as
  the seed's outbound call to a mobile, 0.30 €/min per started minute
  (120 s: 2 × 0.30 = 0.60 €);
* a client that supplied its own SIMs of a corporate mobile group has its
  transfers to mobiles billed at the fixed rate (the operator bills the
  mobile call to the client): 120 s at 0.002 = 0.24 €;
* the transfer time of a call is capped at the client's cap (seed ``001``:
  "una duración máxima de 10 minutos por llamada", 600 s by default, 0 for
  no cap): the seconds beyond it are not billed, the earliest transfer
  seconds are billed first, and the call is flagged (quality report):
  900 s to a fixed line: 600 × 0.002 = 1.20 €, 300 s not billed.
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
TRANSFER_MOBILE = "transfer_mobile"
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
    TRANSFER_MOBILE,
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

# seed 001: "Las transferencias tienen una duración máxima de 10 minutos por
# llamada" (a client setting, 0 for no cap)
TRANSFER_CAP_SECONDS = 600

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
    queue_seconds=0,
    transfer_seconds=0,
    transfer_mobile_seconds=0,
    outbound=False,
    outbound_destination=None,
    outbound_seconds=0,
    automatic_messages=0,
    manual_messages=0,
):
    """The rated lines of one call, in a stable order: robot, secretary,
    transfer, outbound (management, setup, telephone time), messages.

    ``level`` (1 or 2) picks the secretary rate. ``robot_seconds`` (the
    PBX's own legs) and ``queue_seconds`` (music in a queue) before the
    secretary answered are one robot line (:func:`robot_time`).
    ``transfer_seconds`` are billed at the fixed transfer rate,
    ``transfer_mobile_seconds`` at the mobile one (see
    :func:`split_transfers` for the class, the own SIMs and the cap).
    ``outbound`` is a call the
    secretary placed for the client: its management is billed per call, and
    once it connected (``outbound_seconds``), the telephone cost: a setup per
    call plus the time at the rate of ``outbound_destination`` (``"fixed"`` or
    ``"mobile"``, classified elsewhere). Only usages with a quantity make a
    line; a missing rate for one of them raises :class:`KeyError`.
    """
    for name, value in (
        ("secretary_seconds", secretary_seconds),
        ("robot_seconds", robot_seconds),
        ("queue_seconds", queue_seconds),
        ("transfer_seconds", transfer_seconds),
        ("transfer_mobile_seconds", transfer_mobile_seconds),
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
        _time_line(tariff, ROBOT, robot_time(robot_seconds, queue_seconds)),
        _time_line(tariff, SECRETARY_USAGES[level], secretary_seconds),
        _time_line(tariff, TRANSFER_FIXED, transfer_seconds),
        _time_line(tariff, TRANSFER_MOBILE, transfer_mobile_seconds),
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


def robot_time(pbx_seconds, queue_seconds=0):
    """The robot seconds of a call: every second on our platform before a
    secretary answered. ``pbx_seconds``: the PBX's own legs (menus,
    announcements, messages); ``queue_seconds``: the time in a queue with its
    music, answered or abandoned. Plain ringing is in neither: not billed.
    20 s of menu and 15 s of queue music are 35 s at the robot rate."""
    _check_seconds(pbx_seconds, "pbx_seconds")
    _check_seconds(queue_seconds, "queue_seconds")
    return pbx_seconds + queue_seconds


@dataclass(frozen=True)
class TransferSplit:
    """The transfer seconds of a call as billed: ``fixed`` at the fixed
    transfer rate, ``mobile`` at the mobile one, ``unbilled`` beyond the
    cap (the call is then ``capped``)."""

    fixed: int = 0
    mobile: int = 0
    unbilled: int = 0

    @property
    def capped(self):
        return self.unbilled > 0


def split_transfers(transfers, cap_seconds=TRANSFER_CAP_SECONDS, own_sims=False):
    """The billed seconds of a call's transfers, a :class:`TransferSplit`.

    ``transfers``: ``(destination, seconds)`` in the order they happened,
    ``destination`` ``"fixed"`` or ``"mobile"`` (the class of the number,
    as an outbound call's). ``own_sims``: the client supplied SIMs of its
    corporate mobile group, its transfers to mobiles are billed as fixed.
    ``cap_seconds``: the most transfer time billed per call (0 or ``None``:
    no cap); the earliest seconds are billed first, the rest is ``unbilled``.

    E.g. 500 s to a mobile then 400 s to a fixed line, cap 600: 500 s mobile,
    100 s fixed, 300 s not billed.
    """
    if cap_seconds is not None:
        _check_seconds(cap_seconds, "cap_seconds")
    left = cap_seconds or None
    billed = {OUTBOUND_FIXED_DESTINATION: 0, OUTBOUND_MOBILE_DESTINATION: 0}
    unbilled = 0
    for destination, seconds in transfers:
        _check_seconds(seconds, "transfer seconds")
        if destination not in billed:
            raise ValueError(
                f"unknown transfer destination {destination!r}, "
                f"expected 'fixed' or 'mobile'"
            )
        if own_sims:
            destination = OUTBOUND_FIXED_DESTINATION
        if left is not None:
            kept = min(seconds, left)
            left -= kept
            unbilled += seconds - kept
            seconds = kept
        billed[destination] += seconds
    return TransferSplit(
        fixed=billed[OUTBOUND_FIXED_DESTINATION],
        mobile=billed[OUTBOUND_MOBILE_DESTINATION],
        unbilled=unbilled,
    )


def _time_line(tariff, usage, seconds):
    # no time, no rate needed: a tariff without transfers rates calls without
    return rate_seconds(tariff.rate(usage), seconds) if seconds else None


def _count_line(tariff, usage, count):
    return rate_count(tariff.rate(usage), count) if count else None


def total(lines):
    """The exact sum of the lines' amounts (``Decimal(0)`` for none)."""
    return sum((line.amount for line in lines), ZERO)


def number_text(value, min_decimals=0):
    """``value`` (a Decimal) written exactly, without exponent nor trailing
    zeros beyond ``min_decimals``: 0.0010 is "0.001", 165.0 is "165"."""
    value = as_decimal(value).normalize()
    decimals = max(min_decimals, -value.as_tuple().exponent, 0)
    return f"{value:.{decimals}f}"


def explain(lines, labels, currency, min_decimals=2):
    """The text that explains a cost from its rated lines, the same on the
    client's portal and on the invoice's call detail, e.g.
    ``18 s robot × 0.001 + 165 s secretary level 1 × 0.013 = 2.163 €``.

    ``lines``: :class:`RatedLine` (or any object with their ``usage``,
    ``quantity``, ``unit``, ``unit_price``, ``amount`` and ``connect_fee``),
    in the order to write them; ``labels``: ``{usage: name}`` (a usage
    without one is written by its code); ``currency``: its symbol or code.
    Time is written in its unit (``s``, ``min``), a count with ``×``; a
    connect fee is added to its line; a line whose amount is not its
    quantity × price (a capped monthly fee) says its amount. The total is
    exact, with at least ``min_decimals`` decimals. No line: ``""``."""
    terms = []
    amount = ZERO
    for line in lines:
        label = labels.get(line.usage, line.usage)
        quantity = number_text(line.quantity)
        price = number_text(line.unit_price)
        if line.unit == SECOND:
            term = f"{quantity} s {label} × {price}"
        elif line.unit == MINUTE:
            term = f"{quantity} min {label} × {price}"
        elif as_decimal(line.quantity) == 1:
            term = f"{label} {price}"
        else:
            term = f"{quantity} {label} × {price}"
        connect_fee = as_decimal(line.connect_fee or ZERO)
        if connect_fee:
            term = f"{term} + {number_text(connect_fee)}"
        line_amount = as_decimal(line.amount)
        if line_amount != as_decimal(line.quantity) * as_decimal(line.unit_price) + (
            connect_fee if line.quantity else ZERO
        ):
            term = f"{term} ({number_text(line_amount)})"
        terms.append(term)
        amount += line_amount
    if not terms:
        return ""
    return f"{' + '.join(terms)} = {number_text(amount, min_decimals)} {currency}"


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

    Secretary, robot and transfer time to fixed lines are billed per second.
    The outbound telephone cost is billed per started minute (increment 60,
    ``up``) plus a setup per call, as telephone operators charge it; a
    transfer to a mobile, which the seed does not price, as the outbound call
    to a mobile (0.30 €/min per started minute); the management of an
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
            per_started_minute(TRANSFER_MOBILE, "0.30"),
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


# ----------------------------------------------------------------------
# Monthly fees and the monthly minimum
# ----------------------------------------------------------------------
def prorated(price, days, days_in_month):
    """``price`` for ``days`` of a month of ``days_in_month`` days: exact
    (not rounded: the invoice line rounds it once)."""
    for name, value in (("days", days), ("days_in_month", days_in_month)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{name} must be a whole number, not {value!r}")
    if not 0 <= days <= days_in_month or days_in_month < 1:
        raise ValueError(f"{days} days is not part of a month of {days_in_month}")
    price = as_decimal(price, "price")
    if days == days_in_month:
        return price
    return price * days / days_in_month


def minimum_adjustment(minimum, counted, topped_up):
    """The minimum line a month needs on the invoice being made.

    ``minimum``: the month's minimum, rounded; ``counted``: what counts toward
    it, billed so far and on this invoice (each invoice line rounded);
    ``topped_up``: the top-ups (and absorptions) already billed for the month.
    Positive: a top-up; negative: usage that arrived after the month was
    topped up, absorbed by that top-up; 0: nothing to add. After it, the
    month's top-ups add up to ``max(minimum - counted, 0)``."""
    minimum, counted, topped_up = (
        as_decimal(minimum, "minimum"),
        as_decimal(counted, "counted"),
        as_decimal(topped_up, "topped up"),
    )
    if minimum < 0:
        raise ValueError(f"a minimum cannot be negative ({minimum})")
    return max(minimum - counted, ZERO) - topped_up


# Prepaid accounts: the overage invoice, recharges taken back, the warning
# ----------------------------------------------------------------------
# the kind of a prepaid account entry that is a call or a message consumed;
# every other kind (recharge, bundle, adjustment, overage invoiced...) is a
# credit or a correction of the account
PREPAID_CONSUMPTION = "consumption"
# the warning thresholds of a new client (the company's settings)
PREPAID_WARNING_CALLS = 10
PREPAID_WARNING_AMOUNT = Decimal("10")


def prepaid_overage(entries, period, rounding=Decimal("0.01")):
    """What the overage invoice of ``period`` (``"YYYY-MM"``) bills a
    prepaid client served beyond its balance.

    ``entries``: ``(kind, entry period or None, amount)`` of the client's
    account. The balance is counted with every entry that is not consumption
    (recharges, bundles, adjustments, the overage already invoiced, or
    cancelled, of any month), whenever it was made, but with the consumption
    of the months up to ``period`` only: an invoice "up to 2026-11" never
    bills a call of December. The overage is what that balance owes, rounded
    once; 0 when it owes nothing.

    E.g. 1.50 € credited, three calls of October at 1.50 € and two of
    November: the overage of 2026-10 is 3 × 1.50 - 1.50 = 3.00 €, and once
    it is invoiced (+3.00 €), the overage of 2026-11 is 2 × 1.50 = 3.00 €.
    """
    balance = ZERO
    for kind, entry_period, amount in entries:
        if kind == PREPAID_CONSUMPTION and entry_period and entry_period > period:
            continue
        balance += as_decimal(amount, "amount")
    owed = round_money(-balance, rounding)
    return owed if owed > 0 else ZERO


def prepaid_recharge_change(held, target, calls_left, call_value, rounding="0.01"):
    """The entry ``(calls, amount)`` that brings what a recharge invoice holds
    in the prepaid account (``held``) to what it is worth now (``target``).

    ``held`` and ``target`` are ``(calls, amount)``: a paid invoice is worth
    its bundle calls and its untaxed top-ups, less what posted credit notes
    of it credit; cancelled, reset to draft or no longer paid, nothing. Only
    the difference is added, so a recharge is credited once and taken back
    once, whoever asks and however often.

    A plan taken back takes back its calls still left (``calls_left``, the
    client's); those of its calls already used are charged to the balance
    at the plan's price per call (``call_value``, e.g. 96 € / 192 calls =
    0.50 €): 192 calls credited, 50 used, the plan cancelled: -142 calls and
    -25.00 €. Such an entry leaves the invoice's worth, calls at their price
    plus money, at the target: asked again, nothing changes; paid again, the
    calls and the money are given back (+142 calls, +25.00 €).
    """
    held_calls, held_amount = held[0], as_decimal(held[1], "amount")
    target_calls, target_amount = target[0], as_decimal(target[1], "amount")
    call_value = as_decimal(call_value or 0, "price per call")

    def worth(calls, amount):
        return round_money(calls * call_value, rounding) + amount

    calls = target_calls - held_calls
    amount = target_amount - held_amount
    if not calls and not round_money(amount, rounding):
        return 0, ZERO
    if calls < 0 and worth(held_calls, held_amount) == worth(
        target_calls, target_amount
    ):
        return 0, ZERO  # the used calls were already charged at their price
    if calls < 0:
        covered = min(-calls, max(calls_left, 0))
        used = -calls - covered
        calls = -covered
        amount -= round_money(used * call_value, rounding)
    return calls, round_money(amount, rounding)


def prepaid_running_low(calls_left, balance, calls_threshold, amount_threshold):
    """A prepaid account runs low when it has at most ``calls_threshold``
    bundle calls left *and* at most ``amount_threshold`` of balance: the
    client is warned then, while calls remain (10 calls left of a plan with
    nothing on the balance), not with the call that uses the last one. It
    is warned once per crossing: again only after the account went back
    above a threshold (a recharge) and dropped below it again."""
    return calls_left <= calls_threshold and as_decimal(
        balance, "balance"
    ) <= as_decimal(amount_threshold, "threshold")
