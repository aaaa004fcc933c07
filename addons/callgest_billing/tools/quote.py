"""A prospect's monthly estimate ("¿Cuánto nos costará?"), plain Python.

The quote rates every call with :func:`.rating.rate_call`, the same core that
bills, and the month's fees and minimum with :func:`.rating.rate_count`,
:func:`.rating.minimum_adjustment` and :func:`.rating.round_money`: no price
rule is written here, only how a prospect's call would have been handled by
the answering service.

* :func:`quote_calls`: the prospect's own calls (from its CDR), each one
  handled as we would: inside the opening hours the secretary talks for the
  call's talk time, outside them the robot (IVR or voicemail, the protocol
  ``out_of_hours``) takes the whole call and no secretary is billed. The
  months are the local months of the opening hours' time zone (UTC without
  hours).
* :func:`quote_profile`: the same :class:`Quote` from a few figures
  (calls per day, average duration...), validated.
* :func:`estimate_range`: p10/p50/p90 of a month by resampling days
  (bootstrap, seeded: the same figures give the same range).

Each month is rated as an invoice would be: one rounded amount per usage
(:func:`.rating.round_money`), the DDI fees (the first DDI at ``ddi``, the
extra DDIs of a collective at ``ddi_extra``), the agenda modules (with their
cap) and the minimum top-up (``minimum`` × DDIs), the setup fee apart (once,
outside the minimum).
"""

import math
import random
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import NamedTuple
from zoneinfo import ZoneInfo

from . import rating

ZERO = rating.ZERO
ROBOT = "robot"
VOICEMAIL = "voicemail"
OUT_OF_HOURS_PROTOCOLS = (ROBOT, VOICEMAIL)
DAYS_PER_MONTH = Decimal("21.75")  # working days of an average month
SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}
EXPLAINED_CALLS = 20  # explanations kept on a quote, the others on demand
PROFILE_MONTH = "profile"  # the month of a quote made from a profile
ESTIMATE_MONTH = "estimate"  # the average month of a sample
CALENDAR_MONTH_DAYS = Decimal("30.4375")  # 365.25 / 12

# what a month's invoice would bill, in its order
MONTH_USAGES = (
    rating.SECRETARY_L1,
    rating.SECRETARY_L2,
    rating.ROBOT,
    rating.TRANSFER_FIXED,
    rating.TRANSFER_MOBILE,
    rating.MESSAGE_AUTO,
    rating.MESSAGE_MANUAL,
    rating.DDI,
    rating.DDI_EXTRA,
    rating.AGENDA_MODULE,
)

DEFAULT_LABELS = {
    rating.SECRETARY_L1: "secretary level 1",
    rating.SECRETARY_L2: "secretary level 2",
    rating.ROBOT: "robot",
    rating.TRANSFER_FIXED: "transfer to a fixed line",
    rating.TRANSFER_MOBILE: "transfer to a mobile",
    rating.MESSAGE_AUTO: "automatic message",
    rating.MESSAGE_MANUAL: "message",
}


class QuoteCall(NamedTuple):
    """One call of the prospect, as its CDR tells it.

    ``start``: aware, or naive in UTC; seconds are whole. A call answered
    without any breakdown (no robot, queue nor secretary seconds) is all
    talk: its secretary time is ``seconds_total`` less the transfer.
    ``transfer_destination``: ``"fixed"``, ``"mobile"`` or ``None`` (no
    transfer); ``transfers``: a call put through more than once, each
    transfer as ``(destination, seconds)`` in order (then the two fields
    before are not read); ``messages``: the messages taken for the client."""

    start: datetime
    seconds_total: int
    answered: bool = True
    robot_seconds: int = 0
    queue_seconds: int = 0
    secretary_seconds: int = 0
    transfer_seconds: int = 0
    transfer_destination: str | None = None
    messages: int = 0
    transfers: tuple = ()


def _as_utc(moment):
    if not isinstance(moment, datetime):
        raise TypeError(f"a call's start must be a datetime, not {moment!r}")
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


@dataclass(frozen=True)
class OpeningHours:
    """When the secretaries answer: ``intervals`` by weekday (0 Monday ..
    6 Sunday) as ``(start, end)`` local :class:`~datetime.time` (end
    excluded; ``time(0)`` as the end is midnight), in ``tz``; ``holidays``:
    local dates closed all day."""

    intervals: Mapping[int, tuple[tuple[time, time], ...]]
    tz: str = "Europe/Madrid"
    holidays: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self):
        zone = ZoneInfo(self.tz)  # raises for an unknown zone
        object.__setattr__(self, "_zone", zone)
        normalised = {}
        for weekday, spans in self.intervals.items():
            if weekday not in range(7):
                raise ValueError(f"a weekday is 0 (Monday) to 6, got {weekday!r}")
            for start, end in spans:
                if end != time(0) and end <= start:
                    raise ValueError(
                        f"opening interval {start}-{end} of weekday {weekday} "
                        f"ends before it starts"
                    )
            normalised[weekday] = tuple(spans)
        object.__setattr__(self, "intervals", normalised)
        object.__setattr__(self, "holidays", frozenset(self.holidays))

    @classmethod
    def office(cls, tz="Europe/Madrid", start=time(9), end=time(19), holidays=()):
        """Monday to Friday, ``start`` to ``end``."""
        return cls({day: ((start, end),) for day in range(5)}, tz, holidays)

    def local(self, utc_dt):
        return _as_utc(utc_dt).astimezone(self._zone)

    def is_open(self, utc_dt):
        return self.is_open_local(self.local(utc_dt))

    def is_open_local(self, moment):
        """``is_open`` of a moment already in the hours' time zone."""
        if moment.date() in self.holidays:
            return False
        now = moment.time().replace(tzinfo=None)
        for start, end in self.intervals.get(moment.weekday(), ()):
            if start <= now and (end == time(0) or now < end):
                return True
        return False


@dataclass(frozen=True)
class MonthQuote:
    """One month: ``amounts`` by usage, each rounded as its invoice line;
    ``counted`` what counts toward the minimum, ``minimum`` the month's
    minimum, ``top_up`` what the minimum adds, ``total`` the month."""

    month: str
    calls: Decimal
    amounts: Mapping[str, Decimal]
    counted: Decimal
    minimum: Decimal
    top_up: Decimal
    total: Decimal


@dataclass(frozen=True)
class Quote:
    currency: str
    months: tuple[MonthQuote, ...]
    setup_fee: Decimal
    explanations: tuple[str, ...] = ()
    daily_totals: tuple[Decimal, ...] = ()  # exact call usage per local day
    # the local days of the sample, first to last, and its average month
    first_day: date | None = None
    last_day: date | None = None
    estimate: MonthQuote | None = None
    call_lines: tuple = field(default=(), repr=False, compare=False)
    day_totals: Mapping[date, Decimal] = field(
        default_factory=dict, repr=False, compare=False
    )
    labels: Mapping[str, str] = field(default_factory=dict, repr=False)

    @property
    def sample_days(self):
        """Calendar days from the sample's first local day to its last."""
        if self.first_day is None:
            return 0
        return (self.last_day - self.first_day).days + 1

    @property
    def monthly_average(self):
        if not self.months:
            return ZERO
        return rating.round_money(
            sum((month.total for month in self.months), ZERO) / len(self.months)
        )

    @property
    def total(self):
        return sum((month.total for month in self.months), ZERO)

    def explain(self, index):
        """The explanation of the ``index``-th call, on demand."""
        return explain_lines(self.call_lines[index], self.currency, self.labels)


def explain_lines(lines, currency, labels=None):
    """A call's cost explained by :func:`.rating.explain`, as on the invoice
    (``currency``: a code, written by its symbol when known)."""
    return rating.explain(
        lines, labels or DEFAULT_LABELS, SYMBOLS.get(currency, currency)
    )


def handle_call(
    call, *, hours=None, out_of_hours=ROBOT, own_sims=False, cap=600, is_open=None
):
    """The keyword arguments of :func:`.rating.rate_call` for ``call`` as we
    would have handled it (without ``level``). ``is_open``: whether ``hours``
    are open at its start, when the caller knows it already."""
    for name in (
        "seconds_total",
        "robot_seconds",
        "queue_seconds",
        "secretary_seconds",
        "transfer_seconds",
        "messages",
    ):
        value = getattr(call, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"{name} must be a whole number >= 0, got {value!r}")
    if is_open is None:
        is_open = hours is None or hours.is_open(call.start)
    if not is_open:
        if out_of_hours == VOICEMAIL:
            # the voicemail answers the whole call and mails its message
            return {
                "robot_seconds": call.seconds_total,
                "automatic_messages": call.messages,
            }
        return {"robot_seconds": call.seconds_total}
    transfers = call.transfers
    if not transfers and call.transfer_seconds:
        transfers = ((call.transfer_destination, call.transfer_seconds),)
    transferred = 0
    for destination, seconds in transfers:
        if destination not in rating.OUTBOUND_USAGES:
            raise ValueError(
                f"a transfer needs its destination 'fixed' or 'mobile', "
                f"got {destination!r}"
            )
        if isinstance(seconds, bool) or not isinstance(seconds, int) or seconds < 0:
            raise ValueError(
                f"transfer_seconds must be a whole number >= 0, got {seconds!r}"
            )
        transferred += seconds
    secretary = call.secretary_seconds
    if not call.answered:
        secretary = 0
    elif not (call.robot_seconds or call.queue_seconds or secretary):
        secretary = max(call.seconds_total - transferred, 0)
    kwargs = {
        "robot_seconds": call.robot_seconds,
        "queue_seconds": call.queue_seconds,
        "secretary_seconds": secretary,
        "manual_messages": call.messages,
    }
    if transferred:
        split = rating.split_transfers(transfers, cap_seconds=cap, own_sims=own_sims)
        kwargs["transfer_seconds"] = split.fixed
        kwargs["transfer_mobile_seconds"] = split.mobile
    return kwargs


def _check_options(level, out_of_hours, ddis, agenda_modules):
    if level not in rating.SECRETARY_USAGES:
        raise ValueError(f"level: unknown secretary level {level!r}, expected 1 or 2")
    if out_of_hours not in OUT_OF_HOURS_PROTOCOLS:
        raise ValueError(
            f"out_of_hours: expected 'robot' or 'voicemail', got {out_of_hours!r}"
        )
    for name, value in (("ddis", ddis), ("agenda_modules", agenda_modules)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"{name} must be a whole number >= 0, got {value!r}")
    if ddis < 1:
        raise ValueError("ddis: a client has at least one DDI")


def _month(tariff, name, calls, usage, ddis, collective, agenda_modules, rounding):
    """A month as invoiced: ``usage`` {usage: exact amount} of its calls."""
    usage = defaultdict(Decimal, usage)
    first = rating.rate_count(tariff.rate(rating.DDI), 1)
    usage[rating.DDI] += first.amount
    if ddis > 1:
        extra = rating.DDI_EXTRA if collective else rating.DDI
        usage[extra] += rating.rate_count(tariff.rate(extra), ddis - 1).amount
    if agenda_modules:
        line = rating.rate_count(tariff.rate(rating.AGENDA_MODULE), agenda_modules)
        usage[rating.AGENDA_MODULE] += line.amount
    amounts = {
        key: rating.round_money(usage[key], rounding)
        for key in MONTH_USAGES
        if usage.get(key)
    }
    counted = sum(amounts.values(), ZERO)
    minimum = ZERO
    if rating.MINIMUM in tariff.rates:
        minimum = rating.round_money(ddis * tariff.rate(rating.MINIMUM).price, rounding)
    top_up = rating.minimum_adjustment(minimum, counted, ZERO)
    return MonthQuote(
        month=name,
        calls=Decimal(calls),
        amounts=amounts,
        counted=counted,
        minimum=minimum,
        top_up=top_up,
        total=counted + top_up,
    )


def _setup_fee(tariff, rounding):
    if rating.SETUP_FEE not in tariff.rates:
        return ZERO
    line = rating.rate_count(tariff.rate(rating.SETUP_FEE), 1)
    return rating.round_money(line.amount if line else ZERO, rounding)


def quote_calls(
    calls: Iterable[QuoteCall],
    tariff,
    *,
    level=1,
    hours=None,
    out_of_hours=ROBOT,
    ddis=1,
    collective=False,
    agenda_modules=0,
    own_sims=False,
    transfer_cap=rating.TRANSFER_CAP_SECONDS,
    rounding=Decimal("0.01"),
    explained=EXPLAINED_CALLS,
    labels=None,
):
    """The :class:`Quote` of the prospect's ``calls`` at ``tariff``: one
    :class:`MonthQuote` per local month with calls, in order."""
    _check_options(level, out_of_hours, ddis, agenda_modules)
    zone = hours._zone if hours is not None else UTC
    by_month = defaultdict(lambda: defaultdict(Decimal))
    calls_by_month = defaultdict(int)
    by_day = defaultdict(Decimal)
    call_lines = []
    # the rating core is a pure function of a handled call: many calls of a
    # sample handled alike (missed, a robot's message, the same seconds)
    # are rated once, with the same lines
    rated = {}
    for call in calls:
        local = _as_utc(call.start).astimezone(zone)
        kwargs = handle_call(
            call,
            out_of_hours=out_of_hours,
            own_sims=own_sims,
            cap=transfer_cap,
            is_open=hours is None or hours.is_open_local(local),
        )
        key = tuple(kwargs.items())
        lines = rated.get(key)
        if lines is None:
            lines = rated[key] = tuple(rating.rate_call(tariff, level=level, **kwargs))
        call_lines.append(lines)
        key = (local.year, local.month)
        month = by_month[key]
        calls_by_month[key] += 1
        for line in lines:
            month[line.usage] += line.amount
        by_day[local.date()] += rating.total(lines)
    months = tuple(
        _month(
            tariff,
            f"{name[0]:04d}-{name[1]:02d}",
            calls_by_month[name],
            by_month[name],
            ddis,
            collective,
            agenda_modules,
            rounding,
        )
        for name in sorted(by_month)
    )
    labels = labels or DEFAULT_LABELS
    days = sorted(by_day)
    estimate = None
    if days:
        # the sample's usage brought to an average calendar month, then
        # rated as a month is (fees, minimum)
        scale = CALENDAR_MONTH_DAYS / ((days[-1] - days[0]).days + 1)
        usage = defaultdict(Decimal)
        for month in by_month.values():
            for key, amount in month.items():
                usage[key] += amount
        estimate = _month(
            tariff,
            ESTIMATE_MONTH,
            sum(calls_by_month.values()) * scale,
            {key: amount * scale for key, amount in usage.items()},
            ddis,
            collective,
            agenda_modules,
            rounding,
        )
    return Quote(
        currency=tariff.currency,
        months=months,
        setup_fee=_setup_fee(tariff, rounding),
        explanations=tuple(
            explain_lines(lines, tariff.currency, labels)
            for lines in call_lines[:explained]
        ),
        daily_totals=tuple(by_day[day] for day in days),
        first_day=days[0] if days else None,
        last_day=days[-1] if days else None,
        estimate=estimate,
        day_totals=dict(by_day),
        call_lines=tuple(call_lines),
        labels=labels,
    )


# ----------------------------------------------------------------------
# A profile: a few figures instead of a CDR
# ----------------------------------------------------------------------
@dataclass(frozen=True)
class Profile:
    calls_per_day: float
    average_seconds: float
    share_out_of_hours: float = 0
    messages_per_day: float = 0
    transfers_per_day: float = 0
    transfer_destination: str = "fixed"
    average_transfer_seconds: float = 0
    professionals: int = 1
    ddis: int = 1
    agenda_modules: int = 0
    days_per_month: float = DAYS_PER_MONTH


# field: (largest sensible value, what it is): beyond it is a typo
PROFILE_LIMITS = {
    "calls_per_day": (20_000, "calls per day"),
    "average_seconds": (4 * 3600, "seconds (4 hours) per call"),
    "share_out_of_hours": (1, "(a share between 0 and 1)"),
    "messages_per_day": (20_000, "messages per day"),
    "transfers_per_day": (20_000, "transfers per day"),
    "average_transfer_seconds": (4 * 3600, "seconds (4 hours) per transfer"),
    "professionals": (1_000, "professionals"),
    "ddis": (1_000, "DDIs"),
    "agenda_modules": (1_000, "agenda modules"),
    "days_per_month": (31, "days in a month"),
}
WHOLE_FIELDS = ("professionals", "ddis", "agenda_modules")


def _profile_number(name, value):
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a number, got {value!r}")
    try:
        number = rating.as_decimal(value, name)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a finite number, got {value!r}") from None
    if number < 0:
        raise ValueError(f"{name} cannot be negative, got {value!r}")
    limit, what = PROFILE_LIMITS[name]
    if number > limit:
        raise ValueError(f"{name} is too large: {value!r}, at most {limit} {what}")
    if name in WHOLE_FIELDS and number != number.to_integral_value():
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    return number


def validate_profile(profile):
    """``profile`` (a :class:`Profile` or a mapping of its fields) checked:
    a dict of exact Decimals (ints for whole fields), or :class:`ValueError`
    naming the field."""
    if isinstance(profile, Profile):
        profile = {name: getattr(profile, name) for name in Profile.__annotations__}
    unknown = set(profile) - set(Profile.__annotations__)
    if unknown:
        raise ValueError(f"unknown profile fields: {', '.join(sorted(unknown))}")
    values = {}
    for name in PROFILE_LIMITS:
        default = getattr(Profile, name, None)
        if name not in profile and default is None:
            raise ValueError(f"{name} is required")
        number = _profile_number(name, profile.get(name, default))
        values[name] = int(number) if name in WHOLE_FIELDS else number
    destination = profile.get("transfer_destination", "fixed")
    if destination not in rating.OUTBOUND_USAGES:
        raise ValueError(
            f"transfer_destination must be 'fixed' or 'mobile', got {destination!r}"
        )
    values["transfer_destination"] = destination
    if values["ddis"] < 1:
        raise ValueError("ddis: a client has at least one DDI")
    if values["days_per_month"] == 0:
        raise ValueError("days_per_month must be more than 0")
    return values


def _whole_seconds(seconds):
    return int(seconds.to_integral_value(rounding="ROUND_HALF_UP"))


def quote_profile(
    profile,
    tariff,
    *,
    level=1,
    out_of_hours=ROBOT,
    collective=False,
    own_sims=False,
    transfer_cap=rating.TRANSFER_CAP_SECONDS,
    rounding=Decimal("0.01"),
    labels=None,
):
    """The :class:`Quote` of an average month of ``profile``: a typical call
    inside the hours, one outside and a typical transfer, each rated by
    :func:`.rating.rate_call` and multiplied by its count in the month."""
    values = validate_profile(profile)
    _check_options(level, out_of_hours, values["ddis"], values["agenda_modules"])
    days = values["days_per_month"]
    calls = values["calls_per_day"] * days
    outside = calls * values["share_out_of_hours"]
    inside = calls - outside
    seconds = _whole_seconds(values["average_seconds"])
    typical = [
        (inside, {"secretary_seconds": seconds}),
        (outside, {"robot_seconds": seconds}),
    ]
    messages = values["messages_per_day"] * days
    if messages:
        typical.append((messages, {"manual_messages": 1}))
    transfers = values["transfers_per_day"] * days
    transfer_seconds = _whole_seconds(values["average_transfer_seconds"])
    if transfers and transfer_seconds:
        split = rating.split_transfers(
            [(values["transfer_destination"], transfer_seconds)],
            cap_seconds=transfer_cap,
            own_sims=own_sims,
        )
        typical.append(
            (
                transfers,
                {
                    "transfer_seconds": split.fixed,
                    "transfer_mobile_seconds": split.mobile,
                },
            )
        )
    usage = defaultdict(Decimal)
    daily = ZERO
    call_lines = []
    for count, kwargs in typical:
        if not count:
            continue  # no such call: nothing to rate nor to explain
        lines = rating.rate_call(tariff, level=level, **kwargs)
        call_lines.append(lines)
        for line in lines:
            usage[line.usage] += line.amount * count
            daily += line.amount * count / days
    month = _month(
        tariff,
        PROFILE_MONTH,
        calls,
        usage,
        values["ddis"],
        collective,
        values["agenda_modules"],
        rounding,
    )
    labels = labels or DEFAULT_LABELS
    return Quote(
        currency=tariff.currency,
        months=(month,),
        estimate=month,
        setup_fee=_setup_fee(tariff, rounding),
        explanations=tuple(
            explain_lines(lines, tariff.currency, labels) for lines in call_lines
        ),
        daily_totals=(daily,),
        call_lines=tuple(call_lines),
        labels=labels,
    )


# ----------------------------------------------------------------------
# The range of a month
# ----------------------------------------------------------------------
def estimate_range(
    daily_totals,
    days_per_month=DAYS_PER_MONTH,
    samples=2000,
    seed=0,
    *,
    monthly_fixed=0,
    minimum=0,
    rounding=Decimal("0.01"),
):
    """``(p10, p50, p90)`` of a month's total: ``samples`` months of
    ``days_per_month`` days drawn with replacement from ``daily_totals``
    (the usage of each day of the sample) by a ``random.Random(seed)``; a
    month is ``max(minimum, usage + monthly_fixed)``, rounded once."""
    days = [rating.as_decimal(day, "a day's total") for day in daily_totals]
    if not days:
        raise ValueError("estimate_range needs at least one day of calls")
    days_per_month = rating.as_decimal(days_per_month, "days_per_month")
    if not 0 < days_per_month <= 31:
        raise ValueError(
            f"days_per_month must be more than 0 and at most 31, got {days_per_month}"
        )
    if isinstance(samples, bool) or not isinstance(samples, int) or samples < 1:
        raise ValueError(f"samples must be a whole number >= 1, got {samples!r}")
    fixed = rating.as_decimal(monthly_fixed, "monthly_fixed")
    floor = rating.as_decimal(minimum, "minimum")
    whole = int(days_per_month)
    fraction = days_per_month - whole
    rng = random.Random(seed)
    months = []
    for _sample in range(samples):
        usage = sum((rng.choice(days) for _day in range(whole)), ZERO)
        if fraction:
            usage += rng.choice(days) * fraction
        months.append(max(floor, usage + fixed))
    return _percentiles(months, rounding)


def sample_range(quote, samples=2000, seed=0, rounding=Decimal("0.01")):
    """``(p10, p50, p90)`` of a calendar month of the prospect: months of
    :data:`CALENDAR_MONTH_DAYS` days drawn from every day of the sample,
    first to last, days without calls included (a sample of weekdays and
    quiet weekends keeps its weekends); the month's fees and minimum as in
    ``quote.estimate``."""
    if quote.estimate is None or quote.first_day is None:
        raise ValueError("the sample has no calls")
    day_totals = quote.day_totals
    days = [
        day_totals.get(date.fromordinal(ordinal), ZERO)
        for ordinal in range(
            quote.first_day.toordinal(), quote.last_day.toordinal() + 1
        )
    ]
    return estimate_range(
        days,
        CALENDAR_MONTH_DAYS,
        samples,
        seed,
        monthly_fixed=_monthly_fixed(quote.estimate),
        minimum=quote.estimate.minimum,
        rounding=rounding,
    )


def _monthly_fixed(month):
    return sum(
        (
            month.amounts.get(key, ZERO)
            for key in (rating.DDI, rating.DDI_EXTRA, rating.AGENDA_MODULE)
        ),
        ZERO,
    )


def profile_range(quote, samples=2000, seed=0, rounding=Decimal("0.01")):
    """``(p10, p50, p90)`` of a month of a profile's quote: the number of
    calls of a month varies as a Poisson count around the month's calls,
    each call costing the profile's average (a profile has no days to
    resample)."""
    month = quote.estimate
    if month is None:
        raise ValueError("the quote has no month")
    mean = Decimal(month.calls)
    usage = month.counted - _monthly_fixed(month)
    if not mean or not usage:
        total = rating.round_money(month.total, rounding)
        return (total, total, total)
    if isinstance(samples, bool) or not isinstance(samples, int) or samples < 1:
        raise ValueError(f"samples must be a whole number >= 1, got {samples!r}")
    rng = random.Random(seed)
    fixed = _monthly_fixed(month)
    lam = float(mean)
    months = []
    for _sample in range(samples):
        count = _poisson(rng, lam)
        months.append(max(month.minimum, usage * Decimal(count) / mean + fixed))
    return _percentiles(months, rounding)


def _poisson(rng, lam):
    if lam > 60:
        # normal approximation, exact enough for a range
        return max(round(rng.gauss(lam, math.sqrt(lam))), 0)
    limit, count, product = math.exp(-lam), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _percentiles(months, rounding):
    """p10, p50 and p90 of ``months`` by nearest rank, each rounded once."""
    months = sorted(months)

    def percentile(share):
        rank = max(math.ceil(share * len(months)), 1)
        return rating.round_money(months[rank - 1], rounding)

    return (
        percentile(Decimal("0.1")),
        percentile(Decimal("0.5")),
        percentile(Decimal("0.9")),
    )
