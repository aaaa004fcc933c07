"""A prospect's own call records read for a quote, plain Python.

:func:`read_sample` reads what a prospect sends us:

* a CDR export in any format the importer reads (Asterisk ``cdr_csv``,
  FreeSWITCH ``mod_cdr_csv``, a generic CSV with a column mapping), by the
  importer's own parsers (``callgest_voip/tools/cdr_parsers.py``): the same
  consolidation of ring-group legs and duplicates, the same reasons for a
  line it cannot read;
* an Asterisk ``queue_log`` (``callgest_voip/tools/queue_log.py``);
* a plain CSV of when each call started and how long it lasted, as a phone
  bill or a spreadsheet gives it: a date and a time column (or one date and
  time column) and a duration column, with a header in Spanish, Portuguese
  or English or without one, separated by commas, semicolons or tabs;
  dates day first (``31/01/2026``) or ISO (``2026-01-31``), durations in
  seconds, ``mm:ss`` or ``h:mm:ss``, written in ``tz_name``.

Each call becomes a :class:`.quote.QuoteCall`. Calls the prospect's staff
made themselves (from an extension to an outside number) are counted and
left out: the answering service quotes the calls it would answer. Lines
that cannot be read are kept as ``(line number, raw text, reason)``, with
the importer's English reasons (translated where they are shown).
"""

import csv
import re
import unicodedata
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import NamedTuple

import pytz

from odoo.addons.callgest_voip.tools import cdr_parsers, queue_log

from .destinations import outbound_destination
from .quote import QuoteCall

AUTO = "auto"
QUEUE_LOG = "queue_log"
PLAIN = "plain"
CDR_FORMATS = (cdr_parsers.ASTERISK, cdr_parsers.FREESWITCH, cdr_parsers.GENERIC)
FORMATS = (AUTO, *CDR_FORMATS, QUEUE_LOG, PLAIN)

_QUEUE_LOG_LINE = re.compile(r"^\d{9,11}(?:\.\d+)?\|[^|]*\|[^|]*\|[^|]*\|[A-Z_]+")
_DELIMITERS = (";", "\t", ",")
_DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%Y/%m/%d", "%d/%m/%y")
_TIME_FORMATS = ("%H:%M:%S", "%H:%M")

# a plain CSV's header names, accents and case dropped, by what they hold
_DATETIME_NAMES = frozenset(
    {
        "fecha y hora",
        "fecha hora",
        "fecha/hora",
        "fecha_hora",
        "fechahora",
        "data e hora",
        "data hora",
        "data/hora",
        "data_hora",
        "datetime",
        "date time",
        "date/time",
        "date_time",
        "start",
        "start time",
        "inicio",
        "hora de inicio",
        "calldate",
        "timestamp",
    }
)
_DATE_NAMES = frozenset({"fecha", "data", "date", "dia", "day"})
_TIME_NAMES = frozenset({"hora", "time", "hour", "hora inicio"})
_DURATION_NAMES = frozenset(
    {
        "duracion",
        "duracao",
        "duration",
        "segundos",
        "seconds",
        "secs",
        "billsec",
        "dur",
        "tiempo",
        "tempo",
    }
)


class SampleError(ValueError):
    """The sample cannot be read at all: its format, options or header."""


class SampleResult(NamedTuple):
    """What :func:`read_sample` read: ``calls`` (QuoteCall, by start),
    ``fmt`` the format read, ``rows_in`` the data lines, ``bad_rows``
    ``(line number, raw text, reason)``, ``duplicates`` the lines repeating
    another, ``outbound`` the calls the prospect's staff made (left out)."""

    calls: list
    fmt: str
    rows_in: int
    bad_rows: list
    duplicates: int
    outbound: int


def read_sample(data, fmt=AUTO, tz_name="UTC", columns=None, mapping=None, region=None):
    """Read a prospect's call records (``data``: bytes or text).

    :param fmt: one of :data:`FORMATS`; ``"auto"`` tells a queue_log, a plain
        CSV and a CDR export apart, and the CDR's system as the importer does.
    :param tz_name: the time zone the file's dates are written in.
    :param columns: a CDR's custom column order (as the importer's).
    :param mapping: a generic CDR's ``{canonical name: header or index}``.
    :param region: the country of numbers written without their prefix, to
        tell a transfer to a mobile from one to a fixed line (``"ES"``).
    :raise SampleError: the format, the time zone or the header cannot be
        understood. A line that cannot be read never raises: it is a bad row.
    """
    if fmt not in FORMATS:
        raise SampleError(f"Unknown sample format {fmt!r}")
    try:
        zone = pytz.timezone(tz_name or "UTC")
    except pytz.UnknownTimeZoneError:
        raise SampleError(f"Unknown timezone {tz_name!r}") from None
    # many small objects, none of them cyclic: no collection on the way
    with cdr_parsers.gc_paused():
        texts, _latin1 = cdr_parsers.split_lines(data)
        if fmt == AUTO:
            fmt = _detect(texts)
        if fmt == QUEUE_LOG:
            return _read_queue_log(data)
        if fmt == PLAIN:
            return _read_plain(texts, zone)
        return _read_cdr(data, fmt, tz_name, columns, mapping, region)


def _detect(texts):
    first = next((text for text in texts if text.strip()), "")
    if _QUEUE_LOG_LINE.match(first):
        return QUEUE_LOG
    delimiter = _delimiter(first)
    fields = next(csv.reader([first], delimiter=delimiter), [])
    if len(fields) <= 4 and (any(map(_column_kind, fields)) or _plain_data(fields)):
        return PLAIN
    return AUTO  # a CDR export: its system detected by the importer's parser


# ----------------------------------------------------------------------
# CDR exports and queue_log: the importer's parsers
# ----------------------------------------------------------------------
def _is_outbound(call, external):
    """Made by the prospect's staff: from an extension to an outside number
    (``external``: a memo of ``is_external_number``, callers repeat)."""
    for number in (call.caller, call.called):
        if number not in external:
            external[number] = cdr_parsers.is_external_number(number)
    return not external[call.caller] and external[call.called]


def _read_cdr(data, fmt, tz_name, columns, mapping, region):
    try:
        parsed = cdr_parsers.parse_cdr(
            data,
            None if fmt == AUTO else fmt,
            tz_name=tz_name,
            columns=columns,
            mapping=mapping,
        )
    except cdr_parsers.CdrFormatError as error:
        raise SampleError(str(error)) from error
    consolidated = cdr_parsers.consolidate(parsed.rows + parsed.bad_rows)
    calls, outbound = [], 0
    destinations, external = {}, {}
    for call in consolidated.calls:
        if _is_outbound(call, external):
            outbound += 1
            continue
        transfers = []
        for number, seconds in call.transfers:
            destination = destinations.get(number)
            if destination is None:
                destination = destinations[number] = outbound_destination(
                    number, region
                )
            transfers.append((destination, seconds))
        calls.append(
            QuoteCall(
                start=call.start,
                seconds_total=call.duration,
                answered=call.disposition == cdr_parsers.ANSWERED,
                robot_seconds=call.robot_seconds,
                queue_seconds=call.queue_seconds,
                secretary_seconds=call.secretary_seconds,
                transfers=tuple(transfers),
            )
        )
    return SampleResult(
        calls=calls,
        fmt=parsed.fmt,
        rows_in=consolidated.rows_in,
        bad_rows=[tuple(row) for row in consolidated.bad_rows],
        duplicates=consolidated.duplicates,
        outbound=outbound,
    )


def _read_queue_log(data):
    parsed = queue_log.parse_queue_log(data)
    calls = []
    bad_rows = [tuple(row) for row in parsed.bad_rows]
    for call in parsed.calls:
        start = call.enter or call.connect
        if call.end is None or start is None:
            line = call.line_numbers[0] if call.line_numbers else 0
            bad_rows.append((line, call.key, "unfinished call: no end in the file"))
            continue
        answered = call.outcome == queue_log.ANSWERED
        calls.append(
            QuoteCall(
                start=start,
                seconds_total=max(int((call.end - start).total_seconds()), 0),
                answered=answered,
                queue_seconds=call.wait_seconds or 0,
                secretary_seconds=call.talk_seconds if answered else 0,
            )
        )
    calls.sort(key=lambda quote_call: quote_call.start)
    bad_rows.sort(key=lambda row: row[0])
    return SampleResult(
        calls=calls,
        fmt=QUEUE_LOG,
        rows_in=parsed.rows_in,
        bad_rows=bad_rows,
        duplicates=parsed.duplicates,
        outbound=0,
    )


# ----------------------------------------------------------------------
# A plain CSV of start and duration
# ----------------------------------------------------------------------
def _delimiter(line):
    counts = {delimiter: line.count(delimiter) for delimiter in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def _header_name(value):
    name = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    name = re.sub(r"\(.*?\)|\[.*?\]", " ", name.lower())
    return " ".join(name.replace("_", " ").split()).strip(" .:")


def _column_kind(value):
    name = _header_name(value)
    for kind, names in (
        ("datetime", _DATETIME_NAMES),
        ("date", _DATE_NAMES),
        ("time", _TIME_NAMES),
        ("duration", _DURATION_NAMES),
    ):
        if name in names or name.replace(" ", "_") in names:
            return kind
    if name.startswith(("durac", "duration")):
        return "duration"
    return None


def _plain_header(fields):
    """``{kind: index}`` of a plain CSV's header line, or ``None``."""
    kinds = {}
    for index, value in enumerate(fields):
        kind = _column_kind(value)
        if kind is not None:
            kinds.setdefault(kind, index)
    has_start = "datetime" in kinds or "date" in kinds
    return kinds if has_start and "duration" in kinds else None


def _plain_data(fields):
    """A plain CSV without a header: ``date time; duration`` or
    ``date; time; duration``."""
    values = [value.strip() for value in fields]
    if len(values) == 2:
        return _parse_start(values[0], None, pytz.utc) is not None
    if len(values) == 3:
        return _parse_date(values[0]) is not None and _parse_time(values[1])
    return False


def _parse_date(value):
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    return None


def _parse_time(value):
    for pattern in _TIME_FORMATS:
        try:
            return datetime.strptime(value, pattern).time()
        except ValueError:
            continue
    return None


def _parse_start(date_text, time_text, zone):
    """A naive UTC datetime, ``None`` when unreadable; the importer's
    :class:`ValueError` in a daylight-saving gap."""
    if time_text is None:
        text = date_text.replace("T", " ").strip()
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            moment = None
        if moment is None:
            date_part, _sep, time_part = text.partition(" ")
            day = _parse_date(date_part)
            at = _parse_time(time_part.strip()) if time_part else None
            if day is None or at is None:
                return None
            moment = datetime.combine(day, at)
        elif moment.tzinfo is not None:
            return moment.astimezone(UTC).replace(tzinfo=None)
        written = date_text
    else:
        day, at = _parse_date(date_text), _parse_time(time_text)
        if day is None or at is None:
            return None
        moment = datetime.combine(day, at)
        written = f"{date_text} {time_text}"
    return cdr_parsers.local_to_utc(moment, "start", zone, written)


def _parse_duration(value):
    """Whole seconds of ``"125"``, ``"125,4"``, ``"2:05"`` or ``"0:02:05"``."""
    if ":" in value:
        parts = value.split(":")
        if len(parts) > 3 or not all(part.isdigit() for part in parts):
            raise ValueError(f"duration is not an integer: {value!r}")
        seconds = 0
        for part in parts:
            seconds = seconds * 60 + int(part)
        return seconds
    try:
        number = Decimal(value.replace(",", "."))
    except InvalidOperation:
        raise ValueError(f"duration is not an integer: {value!r}") from None
    if not number.is_finite():
        raise ValueError(f"duration is not an integer: {value!r}")
    if number < 0:
        raise ValueError(f"negative duration: {value!r}")
    return int(number.quantize(Decimal(1), ROUND_HALF_UP))


def _read_plain(texts, zone):
    records = list(enumerate(texts, start=1))
    while records and not records[0][1].strip():
        records.pop(0)
    if not records:
        return SampleResult([], PLAIN, 0, [], 0, 0)
    delimiter = _delimiter(records[0][1])
    first_fields = next(csv.reader([records[0][1]], delimiter=delimiter), [])
    kinds = _plain_header(first_fields)
    if kinds is not None:
        records.pop(0)
    elif any(_column_kind(value) for value in first_fields):
        found = {_column_kind(value) for value in first_fields}
        raise SampleError(f"no {'start' if 'duration' in found else 'duration'} column")
    elif len(first_fields) == 3:
        kinds = {"date": 0, "time": 1, "duration": 2}
    else:
        kinds = {"datetime": 0, "duration": 1}
    start_index = kinds.get("datetime", kinds.get("date"))
    time_index = kinds.get("time") if "datetime" not in kinds else None
    wanted = max(start_index, kinds["duration"], time_index or 0) + 1
    calls, bad_rows, rows_in = [], [], 0
    for line_number, text in records:
        if not text.strip(delimiter + " "):
            continue
        rows_in += 1
        try:
            fields = next(csv.reader([text], delimiter=delimiter))
        except csv.Error as error:
            bad_rows.append((line_number, text, f"unreadable CSV: {error}"))
            continue
        if len(fields) < wanted:
            bad_rows.append(
                (
                    line_number,
                    text,
                    f"truncated line: {len(fields)} columns, expected {wanted}",
                )
            )
            continue
        start_text = fields[start_index].strip()
        time_text = None if time_index is None else fields[time_index].strip()
        duration_text = fields[kinds["duration"]].strip()
        if not start_text:
            bad_rows.append((line_number, text, "empty start"))
            continue
        if not duration_text:
            bad_rows.append((line_number, text, "empty duration"))
            continue
        try:
            start = _parse_start(start_text, time_text, zone)
            if start is None:
                shown = start_text if time_text is None else f"{start_text} {time_text}"
                raise ValueError(f"bad start date: {shown!r}")
            seconds = _parse_duration(duration_text)
        except ValueError as error:
            bad_rows.append((line_number, text, str(error)))
            continue
        calls.append(
            QuoteCall(
                start=start,
                seconds_total=seconds,
                answered=seconds > 0,
            )
        )
    calls.sort(key=lambda quote_call: quote_call.start)
    return SampleResult(calls, PLAIN, rows_in, bad_rows, 0, 0)
