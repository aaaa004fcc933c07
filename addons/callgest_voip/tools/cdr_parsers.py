"""CDR parsers: PBX call-detail-record exports to rows, then to calls.

Plain Python on ``pytz``: no ORM and no ``odoo`` import, so the import wizard,
the PBX bridge and fast unit tests share the same code.

* :func:`parse_cdr` reads an export (bytes or text) line by line. Every data
  line becomes a :class:`CdrRow` or a :class:`BadRow` (line number, raw text,
  reason): nothing is dropped silently.
* :func:`consolidate` turns rows into calls: one call per Asterisk
  ``linkedid`` (ring-group forks, Local channel ``;1``/``;2`` halves), the
  same leg seen twice counted as a duplicate, and
  ``rows_in == rows_in_calls + duplicates + quarantined``.

Times: Asterisk ``cdr_csv`` and FreeSWITCH ``mod_cdr_csv`` write the PBX's
**local** wall-clock time; it is converted with ``tz_name`` to a **naive UTC**
datetime, as Odoo stores it.
"""

import csv
import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import NamedTuple

import pytz

ANSWERED = "answered"
MISSED = "missed"
BUSY = "busy"
FAILED = "failed"

ASTERISK = "asterisk"
FREESWITCH = "freeswitch"
GENERIC = "generic"

# Asterisk cdr/cdr_csv.c, build_csv_record(): the 16 base columns, then
# [uniqueid] (loguniqueid), [userfield] (loguserfield), then
# [peeraccount, linkedid, sequence] (newcdrcolumns).
ASTERISK_BASE_COLUMNS = (
    "accountcode",
    "src",
    "dst",
    "dcontext",
    "clid",
    "channel",
    "dstchannel",
    "lastapp",
    "lastdata",
    "start",
    "answer",
    "end",
    "duration",
    "billsec",
    "disposition",
    "amaflags",
)
_NEW_COLUMNS = ("peeraccount", "linkedid", "sequence")
# By column count. 17 and 20 are ambiguous (uniqueid or userfield alone):
# loguniqueid is by far the more common option, so uniqueid is assumed.
ASTERISK_LAYOUTS = {
    16: ASTERISK_BASE_COLUMNS,
    17: ASTERISK_BASE_COLUMNS + ("uniqueid",),
    18: ASTERISK_BASE_COLUMNS + ("uniqueid", "userfield"),
    19: ASTERISK_BASE_COLUMNS + _NEW_COLUMNS,
    20: ASTERISK_BASE_COLUMNS + ("uniqueid",) + _NEW_COLUMNS,
    21: ASTERISK_BASE_COLUMNS + ("uniqueid", "userfield") + _NEW_COLUMNS,
}
# FreeSWITCH mod_cdr_csv, conf/vanilla/autoload_configs/cdr_csv.conf.xml,
# template "default", in our canonical names (see FREESWITCH_HEADER_NAMES).
FREESWITCH_DEFAULT_COLUMNS = (
    "clid",
    "src",
    "dst",
    "dcontext",
    "start",
    "answer",
    "end",
    "duration",
    "billsec",
    "disposition",
    "uniqueid",
    "bleg_uuid",
    "accountcode",
    "read_codec",
    "write_codec",
)
# FreeSWITCH variable names in a header line -> canonical names
FREESWITCH_HEADER_NAMES = {
    "caller_id_name": "clid",
    "caller_id_number": "src",
    "destination_number": "dst",
    "context": "dcontext",
    "start_stamp": "start",
    "answer_stamp": "answer",
    "end_stamp": "end",
    "hangup_cause": "disposition",
    "uuid": "uniqueid",
}
KNOWN_COLUMNS = frozenset(
    ASTERISK_BASE_COLUMNS
    + _NEW_COLUMNS
    + FREESWITCH_DEFAULT_COLUMNS
    + ("uniqueid", "userfield")
)
REQUIRED_COLUMNS = ("start", "end", "duration", "billsec", "disposition")

ASTERISK_DISPOSITIONS = {
    "ANSWERED": ANSWERED,
    "NO ANSWER": MISSED,
    "BUSY": BUSY,
    "FAILED": FAILED,
    "CONGESTION": FAILED,
}
# FreeSWITCH hangup causes (Q.850 names) that are not "answered"
FREESWITCH_CAUSES = {
    "USER_BUSY": BUSY,
    "NO_ANSWER": MISSED,
    "NO_USER_RESPONSE": MISSED,
    "ORIGINATOR_CANCEL": MISSED,
    "ALLOTTED_TIMEOUT": MISSED,
    "CALL_REJECTED": MISSED,
    "LOSE_RACE": MISSED,
    "PICKED_OFF": MISSED,
}
# Our own words, accepted as they are (generic CSV)
GENERIC_DISPOSITIONS = {
    "answered": ANSWERED,
    "missed": MISSED,
    "abandoned": MISSED,
    "no answer": MISSED,
    "busy": BUSY,
    "failed": FAILED,
}
DATETIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
)
_SYSTEM_PREFIX = re.compile(r"^(?P<system>.+)-(?P<epoch>\d+\.\d+)$")
_LOCAL_HALF = re.compile(r"^(?P<base>Local/.+);(?P<half>[12])$")
# Two Local channel halves belong together only if they start this close
_LOCAL_PAIR_SECONDS = 60


class CdrFormatError(ValueError):
    """The export's format cannot be detected or the options are invalid."""


class CdrRow(NamedTuple):
    """One understood CDR line (one leg of a call)."""

    line_number: int
    raw: str
    system: str  # ASTERISK, FREESWITCH or GENERIC
    unique_key: str  # Asterisk uniqueid / FreeSWITCH uuid, as written
    linked_key: str  # Asterisk linkedid, '' when absent
    system_name: str  # the "mainserverdss" of "mainserverdss-1706420300.0"
    start: datetime  # naive UTC
    answer: datetime | None  # naive UTC, None when never answered
    end: datetime  # naive UTC
    caller: str
    caller_name: str  # the clid as written (may be mojibake)
    called: str
    duration: int
    billsec: int
    disposition: str  # ANSWERED, MISSED, BUSY, FAILED
    disposition_raw: str  # "NO ANSWER", "NORMAL_CLEARING", ...
    channel: str
    dstchannel: str
    lastapp: str
    sequence: str
    encoding: str  # "utf-8", or "latin-1" when the line was not UTF-8


class BadRow(NamedTuple):
    """A line that could not be understood, kept with the reason."""

    line_number: int
    raw: str
    reason: str


class ParseResult(NamedTuple):
    """What :func:`parse_cdr` read."""

    fmt: str
    columns: tuple
    header_line: int  # 0 when the export has no header line
    rows: list  # of CdrRow
    bad_rows: list  # of BadRow

    @property
    def rows_in(self) -> int:
        return len(self.rows) + len(self.bad_rows)


class Call(NamedTuple):
    """One call: the legs that share a linkedid (or a uniqueid)."""

    key: str
    system: str
    start: datetime
    answer: datetime | None
    end: datetime
    caller: str
    called: str
    duration: int  # seconds from the first leg's start to the last leg's end
    billsec: int  # talk seconds of the winning leg
    wait_seconds: int | None  # start to answer, None when not answered
    disposition: str
    main: CdrRow  # the winning leg (the answered one when there is one)
    legs: tuple  # every CdrRow of the call, duplicates excluded
    duplicates: tuple  # CdrRows recognised as a repeat of a leg


class Consolidation(NamedTuple):
    """What :func:`consolidate` made of the rows."""

    calls: list
    rows_in: int
    rows_in_calls: int
    duplicates: int
    quarantined: int
    bad_rows: list


# ---------------------------------------------------------------------------
# Decoding and field conversion
# ---------------------------------------------------------------------------


def _decode(line: bytes) -> tuple[str, str]:
    """``(text, encoding)``: UTF-8, else Latin-1 (which never fails)."""
    try:
        return line.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return line.decode("latin-1"), "latin-1"


def _split_lines(data: bytes | str) -> list[tuple[int, str, str]]:
    """``[(line_number, text, encoding)]``, the final newline not a line."""
    if isinstance(data, str):
        chunks = data.split("\n")
        decoded = [(chunk, "utf-8") for chunk in chunks]
    else:
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        decoded = [_decode(chunk) for chunk in data.split(b"\n")]
    if decoded and decoded[-1][0] == "":
        decoded.pop()
    return [
        (number, text.rstrip("\r"), encoding)
        for number, (text, encoding) in enumerate(decoded, start=1)
    ]


def _fields(text: str) -> list[str]:
    return next(csv.reader([text]), [])


def _to_int(value: str, name: str) -> int:
    cleaned = value.strip()
    if not cleaned:
        raise ValueError(f"empty {name}")
    try:
        number = int(cleaned)
    except ValueError:
        raise ValueError(f"{name} is not an integer: {value!r}") from None
    if number < 0:
        raise ValueError(f"negative {name}: {number}")
    return number


def _to_utc(value: str, name: str, tz, optional: bool = False) -> datetime | None:
    """A local wall-clock timestamp as a naive UTC datetime.

    An ambiguous local time (the repeated hour of a fall-back night) is taken
    as its first occurrence; a nonexistent one (the skipped hour of a
    spring-forward night) cannot come from a correct PBX clock: an error.
    """
    cleaned = value.strip()
    if not cleaned:
        if optional:
            return None
        raise ValueError(f"empty {name}")
    for fmt in DATETIME_FORMATS:
        try:
            naive = datetime.strptime(cleaned, fmt)
            break
        except ValueError:
            continue
    else:
        raise ValueError(f"bad {name} date: {value!r}")
    try:
        local = tz.localize(naive, is_dst=None)
    except pytz.AmbiguousTimeError:
        local = tz.localize(naive, is_dst=True)
    except pytz.NonExistentTimeError:
        raise ValueError(
            f"{name} {value!r} does not exist in {tz.zone} (DST gap)"
        ) from None
    return local.astimezone(pytz.utc).replace(tzinfo=None)


def normalize_disposition(raw: str, system: str, answered: bool) -> str:
    """answered / missed / busy / failed, from what the PBX wrote.

    :param answered: whether the leg has an answer time (FreeSWITCH's
        ``NORMAL_CLEARING`` ends answered and unanswered calls alike).
    :raise ValueError: for a disposition we do not know.
    """
    word = raw.strip().upper()
    if word in ASTERISK_DISPOSITIONS:
        return ASTERISK_DISPOSITIONS[word]
    if word in FREESWITCH_CAUSES:
        return FREESWITCH_CAUSES[word]
    if system == FREESWITCH and re.fullmatch(r"[A-Z_]+", word):
        if answered:
            return ANSWERED
        return MISSED if word == "NORMAL_CLEARING" else FAILED
    if raw.strip().lower() in GENERIC_DISPOSITIONS:
        return GENERIC_DISPOSITIONS[raw.strip().lower()]
    raise ValueError(f"unknown disposition {raw!r}")


# ---------------------------------------------------------------------------
# Format detection
# ---------------------------------------------------------------------------


def _header_columns(fields: Sequence[str]) -> tuple | None:
    """Canonical column names if ``fields`` is a header line, else None."""
    names = tuple(
        FREESWITCH_HEADER_NAMES.get(name, name)
        for name in (field.strip().lower() for field in fields)
    )
    known = sum(1 for name in names if name in KNOWN_COLUMNS)
    if all(name in names for name in ("start", "disposition")) and known >= 5:
        return names
    return None


def _looks_like_date(value: str) -> bool:
    try:
        _to_utc(value, "start", pytz.utc)
    except ValueError:
        return False
    return True


def _detect(fields: Sequence[str], wanted: str | None = None) -> tuple[str, tuple]:
    """``(fmt, columns)`` of a header-less export from its first line.

    :param wanted: the format the caller asked for, if any: only its default
        layouts are considered.
    """
    count = len(fields)
    if count == len(FREESWITCH_DEFAULT_COLUMNS) and wanted in (None, FREESWITCH):
        fmt, columns = FREESWITCH, FREESWITCH_DEFAULT_COLUMNS
    elif count in ASTERISK_LAYOUTS and wanted in (None, ASTERISK):
        fmt, columns = ASTERISK, ASTERISK_LAYOUTS[count]
    else:
        raise CdrFormatError(
            f"Cannot detect the {wanted or 'CDR'} format of a line with {count} "
            "columns: pass fmt, columns or a mapping"
        )
    if not (
        _looks_like_date(fields[columns.index("start")])
        and _looks_like_date(fields[columns.index("end")])
        and fields[columns.index("duration")].strip().isdigit()
    ):
        raise CdrFormatError(
            f"{count} columns but no start/end dates and duration where the "
            f"default {fmt} order has them: a custom order? "
            "Pass columns=[...] or a header line"
        )
    return fmt, columns


def _mapping_columns(mapping: dict, header: Sequence[str] | None) -> dict:
    """``{canonical name: column index}`` of a generic mapping."""
    positions = {}
    for name, column in mapping.items():
        if isinstance(column, int):
            positions[name] = column
        elif header is not None and column in header:
            positions[name] = list(header).index(column)
        else:
            raise CdrFormatError(f"Mapping of {name!r}: no column {column!r}")
    missing = [name for name in REQUIRED_COLUMNS if name not in positions]
    if missing:
        raise CdrFormatError(f"Mapping lacks {', '.join(missing)}")
    return positions


# ---------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------


def _row(line_number, text, encoding, record, system, tz) -> CdrRow:
    """A CdrRow from ``record`` (canonical name -> value); ValueError if bad."""
    for name in REQUIRED_COLUMNS:
        if name not in record:
            raise ValueError(f"no {name} column")
    start = _to_utc(record["start"], "start", tz)
    answer = _to_utc(record.get("answer", ""), "answer", tz, optional=True)
    end = _to_utc(record["end"], "end", tz)
    duration = _to_int(record["duration"], "duration")
    billsec = _to_int(record["billsec"], "billsec")
    if end < start:
        raise ValueError("end before start")
    if answer is not None and not start <= answer <= end:
        raise ValueError("answer outside start..end")
    if billsec > duration:
        raise ValueError(f"billsec {billsec} greater than duration {duration}")
    disposition = normalize_disposition(
        record["disposition"], system, answered=answer is not None
    )
    unique_key = record.get("uniqueid", "").strip()
    match = _SYSTEM_PREFIX.match(unique_key)
    return CdrRow(
        line_number=line_number,
        raw=text,
        system=system,
        unique_key=unique_key,
        linked_key=record.get("linkedid", "").strip(),
        system_name=match.group("system") if match else "",
        start=start,
        answer=answer,
        end=end,
        caller=record.get("src", "").strip(),
        caller_name=record.get("clid", "").strip(),
        called=record.get("dst", "").strip(),
        duration=duration,
        billsec=billsec,
        disposition=disposition,
        disposition_raw=record["disposition"].strip(),
        channel=record.get("channel", "").strip(),
        dstchannel=record.get("dstchannel", "").strip(),
        lastapp=record.get("lastapp", "").strip(),
        sequence=record.get("sequence", "").strip(),
        encoding=encoding,
    )


def _layout(fields, line_number, fmt, columns, mapping) -> tuple:
    """``(system, {name: index}, column count, header line)`` from line one."""
    header = _header_columns(fields)
    if mapping:
        named = any(isinstance(column, str) for column in mapping.values())
        header_line = line_number if named else 0
        names = [field.strip() for field in fields] if named else None
        positions = _mapping_columns(mapping, names)
        if max(positions.values()) >= len(fields) or min(positions.values()) < 0:
            raise CdrFormatError(
                f"The mapping names a column beyond the {len(fields)} of line "
                f"{line_number}"
            )
        return fmt or GENERIC, positions, len(fields), header_line
    header_line = line_number if header is not None else 0
    if columns is not None:
        chosen = tuple(FREESWITCH_HEADER_NAMES.get(name, name) for name in columns)
    elif header is not None:
        chosen = header
    else:
        detected, chosen = _detect(fields, fmt)
        return detected, _positions(chosen), len(chosen), 0
    system = fmt or (FREESWITCH if "bleg_uuid" in chosen else ASTERISK)
    return system, _positions(chosen), len(chosen), header_line


def _positions(names: Sequence[str]) -> dict:
    return {name: index for index, name in enumerate(names)}


def parse_cdr(
    data: bytes | str,
    fmt: str | None = None,
    tz_name: str = "UTC",
    columns: Sequence[str] | None = None,
    mapping: dict | None = None,
) -> ParseResult:
    """Parse a CDR export into rows and bad rows.

    :param data: the export, bytes (each line decoded as UTF-8, else Latin-1,
        recorded in ``CdrRow.encoding``) or text.
    :param fmt: ``"asterisk"``, ``"freeswitch"`` or ``"generic"``; ``None``
        detects it from a header line or the column count.
    :param tz_name: the PBX's timezone, in which its timestamps are written.
    :param columns: a custom column order (canonical names such as ``src``,
        ``start``, ``uniqueid``, or FreeSWITCH variable names).
    :param mapping: for ``"generic"``, ``{canonical name: header name or
        0-based index}``.
    :raise CdrFormatError: when the format cannot be detected, or options
        contradict each other. A bad line never raises: it is a BadRow.
    """
    try:
        tz = pytz.timezone(tz_name or "UTC")
    except pytz.UnknownTimeZoneError as error:
        raise CdrFormatError(f"Unknown timezone {tz_name!r}") from error
    if fmt not in (None, ASTERISK, FREESWITCH, GENERIC):
        raise CdrFormatError(f"Unknown CDR format {fmt!r}")
    if fmt == GENERIC and not mapping:
        raise CdrFormatError("The generic format needs a column mapping")
    lines = _split_lines(data)
    rows, bad_rows = [], []
    layout = None  # (system, {name: index}, column count, header line)
    for line_number, text, encoding in lines:
        if not text.strip():
            bad_rows.append(BadRow(line_number, text, "empty line"))
            continue
        try:
            fields = _fields(text)
        except csv.Error as error:
            bad_rows.append(BadRow(line_number, text, f"unreadable CSV: {error}"))
            continue
        if layout is None:
            layout = _layout(fields, line_number, fmt, columns, mapping)
            if layout[3] == line_number:
                continue
        system, positions, expected, header_line = layout
        if len(fields) != expected:
            kind = "truncated" if len(fields) < expected else "too long"
            bad_rows.append(
                BadRow(
                    line_number,
                    text,
                    f"{kind} line: {len(fields)} columns, expected {expected}",
                )
            )
            continue
        record = {name: fields[index] for name, index in positions.items()}
        try:
            rows.append(_row(line_number, text, encoding, record, system, tz))
        except ValueError as error:
            bad_rows.append(BadRow(line_number, text, str(error)))
    if layout is None:
        layout = (fmt or ASTERISK, {}, 0, 0)
    system, positions, _expected, header_line = layout
    return ParseResult(
        fmt=system,
        columns=tuple(sorted(positions, key=positions.get)) if positions else (),
        header_line=header_line,
        rows=rows,
        bad_rows=bad_rows,
    )


# ---------------------------------------------------------------------------
# Consolidation
# ---------------------------------------------------------------------------


def _leg_identity(row: CdrRow) -> tuple:
    """Two rows with the same identity are the same leg written twice."""
    if row.system == FREESWITCH:
        return (row.unique_key,)
    if row.sequence:
        return (row.unique_key, row.sequence)
    return (row.unique_key, row.channel, row.dstchannel, row.start, row.lastapp)


def _leg_rank(row: CdrRow) -> tuple:
    """Higher is better: answered, bridged to someone, longest talk, first."""
    return (
        row.disposition == ANSWERED,
        bool(row.dstchannel),
        row.billsec,
        -row.line_number,
    )


class _Groups:
    """Union-find over call keys."""

    def __init__(self):
        self.parent = {}

    def find(self, key):
        self.parent.setdefault(key, key)
        while self.parent[key] != key:
            self.parent[key] = self.parent[self.parent[key]]
            key = self.parent[key]
        return key

    def union(self, first, second):
        root_first, root_second = self.find(first), self.find(second)
        if root_first != root_second:
            self.parent[root_second] = root_first


def _call_key(row: CdrRow) -> str:
    return row.linked_key or row.unique_key or f"line:{row.line_number}"


def _join_local_halves(legs: list, groups: _Groups) -> None:
    """Without a linkedid, a Local ``;2`` half joins the leg that dialed ``;1``."""
    dialers = {}
    for row in legs:
        match = _LOCAL_HALF.match(row.dstchannel)
        if match and match.group("half") == "1":
            dialers.setdefault(match.group("base"), []).append(row)
    for row in legs:
        match = _LOCAL_HALF.match(row.channel)
        if not match or match.group("half") != "2":
            continue
        for dialer in dialers.get(match.group("base"), ()):
            gap = abs((row.start - dialer.start).total_seconds())
            if gap <= _LOCAL_PAIR_SECONDS:
                groups.union(_call_key(dialer), _call_key(row))
                break


def _call_disposition(legs: Sequence[CdrRow]) -> str:
    """A call is answered when a person answered it.

    When the call dialed someone (legs with a ``dstchannel``), only those
    legs count: an ``ANSWERED`` row without a ``dstchannel`` after failed
    dials is the PBX itself answering (``Hangup``, a message), a missed call.
    """
    dialed = [row for row in legs if row.dstchannel]
    considered = dialed or list(legs)
    found = {row.disposition for row in considered}
    for disposition in (ANSWERED, BUSY, MISSED, FAILED):
        if disposition in found:
            return disposition
    return FAILED


def _make_call(key: str, legs: list, duplicates: list) -> Call:
    legs.sort(key=lambda row: (row.start, row.line_number))
    disposition = _call_disposition(legs)
    main = max(legs, key=_leg_rank)
    # the originating leg: the one whose uniqueid is the linkedid, else first
    origin = next((row for row in legs if row.unique_key == key), legs[0])
    start = min(row.start for row in legs)
    end = max(row.end for row in legs)
    answer = main.answer if disposition == ANSWERED else None
    return Call(
        key=key,
        system=main.system,
        start=start,
        answer=answer,
        end=end,
        caller=origin.caller,
        called=origin.called,
        duration=int((end - start).total_seconds()),
        billsec=main.billsec if disposition == ANSWERED else 0,
        wait_seconds=(
            int((answer - start).total_seconds()) if answer is not None else None
        ),
        disposition=disposition,
        main=main,
        legs=tuple(legs),
        duplicates=tuple(sorted(duplicates, key=lambda row: row.line_number)),
    )


def consolidate(rows: Iterable) -> Consolidation:
    """Rows (CdrRow and BadRow, in any mix) to calls and counts.

    * rows with the same leg identity (FreeSWITCH ``uuid``; Asterisk
      ``uniqueid`` + ``sequence``) are one leg: the best of them is kept (the
      answered one), the others are duplicates;
    * legs sharing a ``linkedid`` (or, without one, a ``uniqueid``, or the two
      halves of a Local channel) are one call.

    ``rows_in == rows_in_calls + duplicates + quarantined`` always holds.
    """
    good, bad = [], []
    for row in rows:
        (bad if isinstance(row, BadRow) else good).append(row)
    by_identity = {}
    for row in good:
        by_identity.setdefault(_leg_identity(row), []).append(row)
    legs, duplicates_of = [], {}
    for same in by_identity.values():
        best = max(same, key=_leg_rank)
        legs.append(best)
        duplicates_of[best.line_number] = [row for row in same if row is not best]
    groups = _Groups()
    for row in legs:
        groups.find(_call_key(row))
    _join_local_halves(legs, groups)
    by_call = {}
    for row in legs:
        by_call.setdefault(groups.find(_call_key(row)), []).append(row)
    calls = []
    for key, members in by_call.items():
        dups = [dup for row in members for dup in duplicates_of[row.line_number]]
        calls.append(_make_call(key, members, dups))
    calls.sort(key=lambda call: (call.start, call.legs[0].line_number))
    duplicates = sum(len(call.duplicates) for call in calls)
    rows_in_calls = sum(len(call.legs) for call in calls)
    result = Consolidation(
        calls=calls,
        rows_in=len(good) + len(bad),
        rows_in_calls=rows_in_calls,
        duplicates=duplicates,
        quarantined=len(bad),
        bad_rows=sorted(bad, key=lambda row: row.line_number),
    )
    assert result.rows_in == rows_in_calls + duplicates + len(bad)
    return result
