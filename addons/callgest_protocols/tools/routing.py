"""Routing core of the attendance protocols: time, hours, callers, cascades.

Plain Python on ``pytz`` and ``phonenumbers``: no ORM and no ``odoo`` import,
so the screen pop's lookup runs it as is and its unit tests need no database.

Time conventions (the same as Odoo's):

* a *UTC* datetime is **naive** and means UTC, as stored by ``fields.Datetime``;
* a *local* datetime is **aware**, localized with ``pytz`` in the client's
  timezone; business hours, holidays and greetings read its wall clock.
"""

import bisect
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple

import phonenumbers
import pytz
from phonenumbers import PhoneMetadata

# ---------------------------------------------------------------------------
# When: from what the PBX or a person sends to a UTC instant and a local time
# ---------------------------------------------------------------------------

# Longest gap searched for the first valid minute after a nonexistent local
# time (real gaps are 30 min to 1 h; Samoa skipped a whole day in 2011).
_MAX_GAP = timedelta(hours=48)


def get_timezone(tz_name: str | None):
    """The ``pytz`` timezone called ``tz_name``; empty means UTC.

    :raise ValueError: for an unknown timezone name.
    """
    try:
        return pytz.timezone(tz_name or "UTC")
    except pytz.UnknownTimeZoneError as error:
        raise ValueError(f"Unknown timezone {tz_name!r}") from error


def localize(naive_local: datetime, tz) -> datetime:
    """Localize a naive wall-clock time in ``tz``, never raising on DST changes.

    * a time that does not exist (spring-forward gap, e.g. 02:30 in Madrid on
      2026-03-29) moves forward to the first valid minute after it (03:00 CEST,
      the instant the clocks changed);
    * an ambiguous time (fall-back, e.g. 02:30 in Madrid on 2026-10-25) is
      the **first** occurrence, the one still in summer time (02:30 CEST).
    """
    try:
        return tz.localize(naive_local, is_dst=None)
    except pytz.AmbiguousTimeError:
        candidates = (
            tz.localize(naive_local, is_dst=True),
            tz.localize(naive_local, is_dst=False),
        )
        return min(candidates, key=lambda moment: moment.astimezone(pytz.utc))
    except pytz.NonExistentTimeError:
        candidate = naive_local.replace(second=0, microsecond=0)
        limit = naive_local + _MAX_GAP
        while candidate < limit:
            candidate += timedelta(minutes=1)
            try:
                return tz.localize(candidate, is_dst=None)
            except pytz.NonExistentTimeError:
                continue
            except pytz.AmbiguousTimeError:
                return localize(candidate, tz)
        raise ValueError(f"No valid local time after {naive_local} in {tz}") from None


def _parse_iso(text: str) -> datetime:
    """``datetime.fromisoformat`` that also takes a trailing ``Z``."""
    cleaned = text.strip()
    if not cleaned:
        raise ValueError("Empty date/time: expected ISO-8601, e.g. 2026-03-29T10:30")
    if cleaned[-1] in "zZ":
        cleaned = cleaned[:-1] + "+00:00"
    try:
        return datetime.fromisoformat(cleaned)
    except ValueError as error:
        raise ValueError(
            f"Invalid date/time {text!r}: expected ISO-8601, "
            "e.g. 2026-03-29T10:30 or 2026-03-29T10:30:00+02:00"
        ) from error


def resolve_when(
    when: str | datetime | None,
    tz_name: str | None,
    now_utc: datetime | None = None,
) -> tuple[datetime, datetime]:
    """The moment of a call as ``(utc_naive, local_aware)``.

    :param when: ``None`` for now; an ISO-8601 string or a ``datetime``.
        Without an offset it is the client's **local** wall-clock time
        (resolved with :func:`localize`: gaps move forward, ambiguous times
        take the first occurrence); an explicit offset (``+02:00``, ``Z``) or
        an aware datetime is an absolute instant and is honoured.
    :param tz_name: the client's timezone (``Europe/Madrid``); empty means UTC.
    :param now_utc: "now" when ``when`` is ``None`` (naive UTC or aware), for
        deterministic callers and tests; defaults to the system clock.
    :return: the instant as a naive UTC datetime (as Odoo stores it) and the
        same instant as an aware datetime in the client's timezone.
    :raise ValueError: for an unknown timezone or anything that is not a
        date/time.
    """
    tz = get_timezone(tz_name)
    if when is None:
        moment = now_utc if now_utc is not None else datetime.now(pytz.utc)
        if not isinstance(moment, datetime):
            raise ValueError(f"now_utc must be a datetime, not {moment!r}")
        if moment.tzinfo is None:
            moment = pytz.utc.localize(moment)
    elif isinstance(when, datetime):
        moment = when
    elif isinstance(when, str):
        moment = _parse_iso(when)
    else:
        raise ValueError(
            f"Invalid date/time {when!r}: expected None, an ISO-8601 string "
            "or a datetime"
        )
    if moment.tzinfo is None or moment.utcoffset() is None:
        local = localize(moment.replace(tzinfo=None), tz)
    else:
        local = moment.astimezone(tz)
    utc = local.astimezone(pytz.utc).replace(tzinfo=None)
    return utc, local


# ---------------------------------------------------------------------------
# Business hours
# ---------------------------------------------------------------------------

WeeklyHours = Iterable[tuple[int, float, float]]


def _hour_to_minutes(hour: float) -> int:
    """Odoo's float time (``20.5``) in whole minutes of the day (``1230``)."""
    return int(round(float(hour) * 60))


def _intervals_by_weekday(weekly_hours: WeeklyHours) -> dict[int, list]:
    """``{weekday: [(start_minute, end_minute), ...]}``, validated.

    :raise ValueError: for a weekday outside 0..6 or an empty, reversed or
        out-of-day interval (an interval across midnight is two intervals:
        Friday 20-24 and Saturday 0-2).
    """
    by_weekday = {}
    for weekday, start, end in weekly_hours:
        start_minute, end_minute = _hour_to_minutes(start), _hour_to_minutes(end)
        if weekday not in range(7):
            raise ValueError(f"Invalid weekday {weekday!r}: 0 (Monday) to 6")
        if not 0 <= start_minute < end_minute <= 24 * 60:
            raise ValueError(
                f"Invalid hours {start!r}-{end!r}: need 0 <= start < end <= 24"
            )
        by_weekday.setdefault(weekday, []).append((start_minute, end_minute))
    return by_weekday


def _holiday_set(holidays: Iterable[date] | None) -> set[date]:
    return {day.date() if isinstance(day, datetime) else day for day in holidays or ()}


def _is_open(local_dt: datetime, by_weekday: dict, holiday_set: set) -> bool:
    if local_dt.date() in holiday_set:
        return False
    clock = local_dt.time()
    second = clock.hour * 3600 + clock.minute * 60 + clock.second
    moment = second + clock.microsecond / 1_000_000
    return any(
        start * 60 <= moment < end * 60
        for start, end in by_weekday.get(local_dt.weekday(), ())
    )


def is_open(
    local_dt: datetime, weekly_hours: WeeklyHours, holidays: Iterable[date] = ()
) -> bool:
    """Whether the client is open at ``local_dt``, read on its wall clock.

    :param local_dt: the local time (aware, from :func:`resolve_when`, or a
        naive wall-clock time).
    :param weekly_hours: ``(weekday, start, end)`` with weekday 0 = Monday and
        hours as floats like ``resource.calendar.attendance`` (``8.0`` is
        08:00, ``20.5`` is 20:30, ``24.0`` is midnight at the end of the day).
    :param holidays: local dates closed all day.

    Open means ``start <= time < end``: open at 08:00:00, closed at 21:00:00.
    """
    return _is_open(
        local_dt, _intervals_by_weekday(weekly_hours), _holiday_set(holidays)
    )


def _offset_changes(start_utc: datetime, end_utc: datetime, tz) -> list[datetime]:
    """The UTC instants (naive, whole seconds) in ``[start_utc, end_utc]``
    where the UTC offset of ``tz`` changes, by hourly probes and bisection."""

    def offset(moment):
        return pytz.utc.localize(moment).astimezone(tz).utcoffset()

    changes = []
    probe = start_utc.replace(microsecond=0)
    probe_offset = offset(probe)
    while probe < end_utc:
        following = probe + timedelta(hours=1)
        following_offset = offset(following)
        if following_offset != probe_offset:
            # offset(low) is the old offset, offset(high) the new one
            low, high = probe, following
            while high - low > timedelta(seconds=1):
                middle = low + timedelta(seconds=(high - low).total_seconds() // 2)
                if offset(middle) == probe_offset:
                    low = middle
                else:
                    high = middle
            changes.append(high)
        probe, probe_offset = following, following_offset
    return changes


def _offset_transitions(start_utc: datetime, end_utc: datetime, tz) -> list[datetime]:
    """The UTC instants (naive) in ``[start_utc, end_utc]`` where the UTC
    offset of ``tz`` changes, sorted: read from the transition table of a
    ``pytz`` timezone (a bisection, no probing); other timezones are probed
    (:func:`_offset_changes`). A transition that changes only the name or
    the DST flag of the zone, not its offset, is none."""
    times = getattr(tz, "_utc_transition_times", None)
    infos = getattr(tz, "_transition_info", None)
    if times is None or infos is None:
        if isinstance(tz, pytz.tzinfo.StaticTzInfo) or tz is pytz.utc:
            return []
        return _offset_changes(start_utc, end_utc, tz)
    changes = []
    index = max(bisect.bisect_left(times, start_utc), 1)
    while index < len(times) and times[index] <= end_utc:
        if infos[index][0] != infos[index - 1][0]:
            changes.append(times[index])
        index += 1
    return changes


def next_change(
    local_dt: datetime,
    weekly_hours: WeeklyHours,
    holidays: Iterable[date] = (),
    horizon_days: int = 14,
) -> datetime | None:
    """The next local time, strictly after ``local_dt``, when the client opens
    or closes ("opens Monday 08:00"); ``None`` if nothing changes within
    ``horizon_days`` (always open, or closed for the whole period).

    Computed on real time, so daylight-saving changes are exact: an opening at
    a wall-clock time that does not exist happens at the first valid minute
    (the clocks jump into the open hours), and when the clocks go back the
    state can flip at the change itself and again at a repeated wall time.

    :param local_dt: an aware datetime in the client's ``pytz`` timezone, as
        returned by :func:`resolve_when`.
    :return: an aware datetime in the same timezone, or ``None``.
    :raise ValueError: if ``local_dt`` is naive or not in a ``pytz`` timezone.
    """
    zone = getattr(local_dt.tzinfo, "zone", None)
    if local_dt.tzinfo is None or not zone:
        raise ValueError(
            "next_change needs an aware local datetime in a pytz timezone "
            "(use resolve_when)"
        )
    tz = pytz.timezone(zone)
    by_weekday = _intervals_by_weekday(weekly_hours)
    holiday_set = _holiday_set(holidays)
    start_utc = local_dt.astimezone(pytz.utc).replace(tzinfo=None)
    end_utc = start_utc + timedelta(days=horizon_days)
    current = _is_open(local_dt, by_weekday, holiday_set)

    def utc_of(moment):
        return moment.astimezone(pytz.utc).replace(tzinfo=None)

    # Every instant where the state can flip: wall-clock boundaries (interval
    # starts and ends, midnights for holidays), each occurrence of an
    # ambiguous one, and the offset changes themselves. They are generated
    # day by day and checked in time order as soon as no later day can give
    # an earlier one: every boundary of a later day comes at or after that
    # day's midnight (``localize`` is monotonic), so the usual answer, within
    # a day or two, is found without computing the other two weeks.
    # Away from an offset change (most days), a wall-clock time is its UTC
    # instant minus the day's offset: pytz's localize, costly, is kept for
    # the days around a change. Offsets are under a day, so no change from
    # two days before a day to three days after it means one offset for
    # every wall time of the day and the next midnight.
    margin_before, margin_after = timedelta(days=2), timedelta(days=3)
    nearby = _offset_transitions(start_utc - margin_before, end_utc + margin_after, tz)
    transitions = [moment for moment in nearby if start_utc <= moment <= end_utc]

    def quiet_offset(wall):
        """The offset of every wall time of ``wall``'s day and the next
        midnight, or ``None`` near an offset change."""
        index = bisect.bisect_left(nearby, wall - margin_before)
        if index < len(nearby) and nearby[index] <= wall + margin_after:
            return None
        return pytz.utc.localize(wall).astimezone(tz).utcoffset()

    pending = set()
    first_day = local_dt.date() - timedelta(days=1)
    days = horizon_days + 3
    for day_index in range(days):
        day = first_day + timedelta(days=day_index)
        midnight = datetime.combine(day, time())
        offset = quiet_offset(midnight)
        minutes = {0}
        for start, end in by_weekday.get(day.weekday(), ()):
            minutes.update((start, end))
        for minute in minutes:
            wall = midnight + timedelta(minutes=minute)
            if offset is not None:
                pending.add(wall - offset)
                continue
            pending.add(utc_of(localize(wall, tz)))
            pending.add(utc_of(_second_occurrence(wall, tz)))
        if day_index + 1 < days:
            following = midnight + timedelta(days=1)
            if offset is not None:
                bound = following - offset
            else:
                bound = utc_of(localize(following, tz))
        else:
            bound = None  # the last day: everything left is checked
        while transitions and (bound is None or transitions[0] < bound):
            pending.add(transitions.pop(0))
        ready = sorted(moment for moment in pending if bound is None or moment < bound)
        pending.difference_update(ready)
        for moment in ready:
            if not start_utc < moment <= end_utc:
                continue
            local = pytz.utc.localize(moment).astimezone(tz)
            if _is_open(local, by_weekday, holiday_set) != current:
                return local
        if bound is not None and bound > end_utc:
            return None
    return None


def _second_occurrence(naive_local: datetime, tz) -> datetime:
    """Like :func:`localize` but the **last** occurrence of an ambiguous time."""
    try:
        return tz.localize(naive_local, is_dst=None)
    except pytz.AmbiguousTimeError:
        candidates = (
            tz.localize(naive_local, is_dst=True),
            tz.localize(naive_local, is_dst=False),
        )
        return max(candidates, key=lambda moment: moment.astimezone(pytz.utc))
    except pytz.NonExistentTimeError:
        return localize(naive_local, tz)


# ---------------------------------------------------------------------------
# Caller lists: VIP, whitelist, blacklist
# ---------------------------------------------------------------------------

CATEGORIES = ("vip", "whitelist", "blacklist")
# On patterns of equal specificity, the higher rank wins.
_CATEGORY_RANK = {"whitelist": 0, "vip": 1, "blacklist": 2}
_URI_SCHEME = re.compile(r"^(?:tel|sip|sips):", re.IGNORECASE)
_NON_DIGITS = re.compile(r"\D")


def _national_prefix(country_code: str) -> str:
    """The trunk prefix dialed before national numbers (``0`` in the UK, none
    in Spain, Portugal, Chile or Italy)."""
    region = phonenumbers.region_code_for_country_code(int(country_code))
    metadata = PhoneMetadata.metadata_for_region(region) if region else None
    return (metadata.national_prefix or "") if metadata else ""


def _split_written(raw: str | None) -> tuple[str, bool]:
    """``(digits, international)`` of a number as written or sent by a PBX."""
    text = _URI_SCHEME.sub("", (raw or "").strip())
    text = text.split("@", 1)[0].split(";", 1)[0].strip()
    digits = _NON_DIGITS.sub("", text)
    if text.startswith("+"):
        return digits, True
    if digits.startswith("00"):
        return digits[2:], True
    return digits, False


def _from_national(digits: str, default_country_code: str) -> str:
    trunk = _national_prefix(default_country_code)
    if trunk and digits.startswith(trunk):
        digits = digits[len(trunk) :]
    return default_country_code + digits


def _check_country_code(default_country_code: str) -> str:
    code = str(default_country_code or "").lstrip("+")
    if not code.isdigit():
        raise ValueError(f"Invalid country calling code {default_country_code!r}")
    return code


def normalize_number(raw: str | None, default_country_code: str = "34") -> str:
    """E.164 digits (no ``+``) of a complete number in any written form.

    ``"+34 600 12 34 56"``, ``"0034600123456"``, ``"600123456"`` (national,
    in the country of ``default_country_code``) and ``"34600123456"`` (what
    many PBXs send: not a valid national number but a valid international
    one) all give ``"34600123456"``. A trunk prefix is dropped from national
    forms (``020 7946 0000`` with ``"44"`` gives ``442079460000``). Empty or
    anonymous gives ``""``.
    """
    code = _check_country_code(default_country_code)
    digits, international = _split_written(raw)
    if not digits or international:
        return digits
    region = phonenumbers.region_code_for_country_code(int(code))
    for text, region_code in ((digits, region), ("+" + digits, None)):
        try:
            number = phonenumbers.parse(text, region_code)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(
                number, phonenumbers.PhoneNumberFormat.E164
            )[1:]
    return _from_national(digits, code)


def normalize_pattern(
    pattern: str, default_country_code: str = "34"
) -> tuple[str, bool]:
    """``(e164_digits, is_prefix)`` of a caller-list pattern.

    A pattern is a complete number in any written form (normalized as
    :func:`normalize_number`) or a prefix ending in ``*``: ``"+34600*"`` and
    ``"0034 600*"`` are international; ``"600*"`` is national in the country of
    ``default_country_code`` (write ``+`` or ``00`` for a foreign prefix).

    :raise ValueError: for a pattern without digits (a lone ``*`` included).
    """
    code = _check_country_code(default_country_code)
    text = (pattern or "").strip()
    if text.endswith("*"):
        digits, international = _split_written(text[:-1])
        if digits and not international:
            digits = _from_national(digits, code)
        is_prefix = True
    else:
        digits, is_prefix = normalize_number(text, code), False
    if not digits:
        raise ValueError(f"Invalid caller pattern {pattern!r}: it has no digits")
    return digits, is_prefix


def caller_category(
    caller: str | None,
    entries: Iterable[tuple[str, str, Any]],
    default_country_code: str = "34",
) -> tuple[str, Any] | tuple[None, None]:
    """The category of a caller in a client's lists, with its reason.

    :param caller: the caller's number as the PBX sends it, in any form
        (:func:`normalize_number`); empty or withheld matches nothing.
    :param entries: ``(pattern, category, reason)`` with ``category`` in
        :data:`CATEGORIES` and a pattern as in :func:`normalize_pattern`.
    :return: ``(category, reason)`` of the most specific match: the longest
        pattern (in E.164 digits, an exact number or a prefix alike); at
        equal length blacklist > vip > whitelist, then the first entry.
        ``(None, None)`` when nothing matches.
    :raise ValueError: for an invalid pattern or category (validate them when
        they are saved, with :func:`normalize_pattern`).
    """
    digits = normalize_number(caller, default_country_code)
    best_key, best = None, (None, None)
    for pattern, category, reason in entries:
        if category not in _CATEGORY_RANK:
            raise ValueError(f"Invalid caller category {category!r}: {CATEGORIES}")
        pattern_digits, is_prefix = normalize_pattern(pattern, default_country_code)
        if not digits:
            continue
        if is_prefix:
            matches = digits.startswith(pattern_digits)
        else:
            matches = digits == pattern_digits
        if not matches:
            continue
        key = (len(pattern_digits), _CATEGORY_RANK[category])
        if best_key is None or key > best_key:
            best_key, best = key, (category, reason)
    return best


# ---------------------------------------------------------------------------
# Greetings
# ---------------------------------------------------------------------------

# Per language: (wall-clock hour before which the greeting applies, greeting),
# then the greeting for the rest of the day.
# (hour before which, greeting) in order, then the greeting for the rest of the
# day. A night answering service says "good night" until 06:00.
GREETINGS = {
    "es": (
        [(6, "Buenas noches"), (14, "Buenos días"), (21, "Buenas tardes")],
        "Buenas noches",
    ),
    "pt": ([(6, "Boa noite"), (12, "Bom dia"), (20, "Boa tarde")], "Boa noite"),
    "en": (
        [(6, "Good evening"), (12, "Good morning"), (18, "Good afternoon")],
        "Good evening",
    ),
}


def _language(lang: str | None) -> str:
    """``es_ES``, ``es-CL``, ``ES`` → ``es``; unknown or empty → ``en``."""
    code = re.split(r"[_\-@.]", (lang or "").strip().lower(), maxsplit=1)[0]
    return code if code in GREETINGS else "en"


def time_of_day_greeting(local_dt: datetime, lang: str | None) -> str:
    """ "Buenos días", "Boa tarde", "Good evening"... for the local wall clock.

    Night until 06:00; then Spanish: before 14:00, before 21:00, then night;
    Portuguese: 12:00, 20:00; English: 12:00, 18:00. A boundary minute
    belongs to the later greeting (14:00 is "Buenas tardes"). Unknown
    languages get English.
    """
    before, rest = GREETINGS[_language(lang)]
    for hour, greeting in before:
        if local_dt.hour < hour:
            return greeting
    return rest


_PLACEHOLDER = re.compile(r"\{(client|secretary|greeting)\}")


def render_greeting(
    template: str | None,
    client_name: str | None,
    secretary_first_name: str | None,
    local_dt: datetime,
    lang: str | None,
) -> str:
    """Fill a protocol's greeting text.

    ``{client}``, ``{secretary}`` and ``{greeting}`` (see
    :func:`time_of_day_greeting`) are replaced; anything else, unknown
    placeholders, stray or doubled braces included, is left as written, so a
    protocol text never makes the screen pop fail. Example::

        "{greeting}, {client}, le atiende {secretary}, ¿en qué puedo ayudarle?"
    """
    values = {
        "client": client_name or "",
        "secretary": secretary_first_name or "",
        "greeting": time_of_day_greeting(local_dt, lang),
    }
    return _PLACEHOLDER.sub(lambda match: values[match.group(1)], template or "")


# ---------------------------------------------------------------------------
# On-call rotations
# ---------------------------------------------------------------------------


def _as_utc_naive(moment: datetime) -> datetime:
    if moment.tzinfo is not None and moment.utcoffset() is not None:
        return moment.astimezone(pytz.utc).replace(tzinfo=None)
    return moment


def on_call_at(utc_dt: datetime, shifts: Iterable[tuple[datetime, datetime, Any]]):
    """Who is on call at ``utc_dt``, or ``None``.

    :param utc_dt: the instant, naive UTC (or aware, converted).
    :param shifts: ``(start_utc, end_utc, person)``, half-open
        ``[start, end)``, naive UTC (or aware). Shifts are stored in UTC so a
        night shift across a DST change lasts its real duration.
    :return: the person of the shift covering ``utc_dt``; when several
        overlap, the one that started last (a replacement); at equal starts,
        the last one listed.
    :raise ValueError: for a shift that ends before it starts.
    """
    moment = _as_utc_naive(utc_dt)
    best_start, best_person = None, None
    for start, end, person in shifts:
        start, end = _as_utc_naive(start), _as_utc_naive(end)
        if end < start:
            raise ValueError(f"Shift of {person!r} ends ({end}) before it starts")
        if start <= moment < end and (best_start is None or start >= best_start):
            best_start, best_person = start, person
    return best_person


# ---------------------------------------------------------------------------
# Transfer cascades
# ---------------------------------------------------------------------------

DEFAULT_MAX_TRANSFER_SECONDS = 600

REASON_CUT = "cut: the maximum transfer time is reached while it rings"
REASON_LEFT_OUT = "left out: the maximum transfer time is reached before it"


class CascadeStep(NamedTuple):
    """One target of a transfer cascade plan."""

    sequence: int  # 1-based position in the cascade
    target: Any  # the number or contact, as given
    start_offset: int  # seconds after the transfer starts when it rings
    ring_seconds: int  # how long it rings (0 when left out)
    requested_seconds: int  # the ring time configured
    included: bool  # False: never dialed
    reason: str | None  # why ring_seconds differs from requested_seconds


def _ring_seconds(value, position: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(
            f"Target {position} of the cascade: ring time must be a positive "
            f"number of seconds, not {value!r}"
        )
    return value


def _target_pair(target, position: int) -> tuple[Any, Any]:
    if isinstance(target, dict):
        if "target" not in target or "ring_seconds" not in target:
            raise ValueError(
                f"Target {position} of the cascade: expected keys 'target' "
                f"and 'ring_seconds', got {sorted(target)}"
            )
        return target["target"], target["ring_seconds"]
    if isinstance(target, Sequence) and not isinstance(target, str):
        if len(target) == 2:
            return target[0], target[1]
    raise ValueError(
        f"Target {position} of the cascade: expected (target, ring_seconds) "
        f"or a dict, got {target!r}"
    )


def plan_cascade(
    targets: Iterable, max_total_seconds: int = DEFAULT_MAX_TRANSFER_SECONDS
) -> list[CascadeStep]:
    """The ordered plan of a transfer cascade within its maximum time.

    :param targets: in order, ``(number_or_contact, ring_seconds)`` or dicts
        ``{"target": ..., "ring_seconds": ...}``.
    :param max_total_seconds: the maximum transfer time (600 s in the seeds).
    :return: one :class:`CascadeStep` per target, none dropped: each rings
        from the cumulative ``start_offset`` of those before; the target that
        would ring past the maximum is cut to what is left, and those after
        it are kept with ``included=False``, ``ring_seconds=0`` and a reason.
    :raise ValueError: for a non-positive ring time or maximum, or a
        malformed target (all targets are checked, even those left out).
    """
    if (
        isinstance(max_total_seconds, bool)
        or not isinstance(max_total_seconds, int)
        or max_total_seconds <= 0
    ):
        raise ValueError(
            f"The maximum transfer time must be a positive number of seconds, "
            f"not {max_total_seconds!r}"
        )
    pairs = []
    for position, item in enumerate(targets, 1):
        target, ring = _target_pair(item, position)
        pairs.append((target, _ring_seconds(ring, position)))
    plan, offset = [], 0
    for sequence, (target, requested) in enumerate(pairs, 1):
        left = max_total_seconds - offset
        if left <= 0:
            step = CascadeStep(
                sequence, target, offset, 0, requested, False, REASON_LEFT_OUT
            )
        elif requested > left:
            step = CascadeStep(
                sequence, target, offset, left, requested, True, REASON_CUT
            )
        else:
            step = CascadeStep(
                sequence, target, offset, requested, requested, True, None
            )
        plan.append(step)
        offset += step.ring_seconds
    return plan


# ---------------------------------------------------------------------------
# Holidays stored as UTC leaves
# ---------------------------------------------------------------------------


def whole_local_days(
    start_utc: datetime, end_utc: datetime, tz_name: str | None
) -> list[date]:
    """The local dates a leave ``[start_utc, end_utc]`` covers entirely.

    Leaves are stored in naive UTC, often ending one second before local
    midnight (``23:59:59``); a local day counts as covered when the leave
    starts at or before its midnight and ends at most one second before the
    next one. Partial days are not returned.
    """
    tz = get_timezone(tz_name)
    start = pytz.utc.localize(_as_utc_naive(start_utc)).astimezone(tz)
    end = pytz.utc.localize(_as_utc_naive(end_utc)).astimezone(tz)
    days, day = [], start.date()
    while day <= end.date():
        day_start = localize(datetime.combine(day, time()), tz)
        day_end = localize(datetime.combine(day + timedelta(days=1), time()), tz)
        if start <= day_start and end >= day_end - timedelta(seconds=1):
            days.append(day)
        day += timedelta(days=1)
    return days
