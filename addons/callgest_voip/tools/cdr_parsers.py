"""CDR parsers: PBX call-detail-record exports to rows, then to calls.

Plain Python on ``pytz``: no ORM and no ``odoo`` import, so the import wizard,
the PBX bridge and fast unit tests share the same code.

* :func:`parse_cdr` reads an export (bytes or text) line by line. Every data
  line becomes a :class:`CdrRow` or a :class:`BadRow` (line number, raw text,
  reason): nothing is dropped silently.
* :func:`consolidate` turns rows into calls: one call per Asterisk
  ``linkedid`` (ring-group forks, Local channel ``;1``/``;2`` halves), the
  same leg seen twice counted as a duplicate, and
  ``rows_in == rows_in_calls + duplicates + quarantined``; each call splits
  its seconds for billing (robot, wait, secretary, transfer).
* :func:`row_to_dict` / :func:`row_from_dict` store the legs of a call as
  JSON, so a late leg can be consolidated with the legs already imported.

Times: Asterisk ``cdr_csv`` and FreeSWITCH ``mod_cdr_csv`` write the PBX's
**local** wall-clock time; it is converted with ``tz_name`` to a **naive UTC**
datetime, as Odoo stores it.
"""

import contextlib
import csv
import gc
import itertools
import re
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from operator import attrgetter, itemgetter
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
# "SIP/301-0000001a", "Local/ch1@TimeDelay-00000006;1": Asterisk's channel
# name is the device or Local target plus a per-channel hex counter
_CHANNEL_COUNTER = re.compile(r"[0-9a-fA-F]{8,}(?:;[12])?")
# a transfer goes out to a phone number; extensions and DDIs are shorter
_EXTERNAL_NUMBER_DIGITS = 6
_NON_DIGITS = re.compile(r"\D")
# Lines tried to detect a header-less export's layout before giving up
_DETECTION_ATTEMPTS = 20
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
    accountcode: str = ""
    userfield: str = ""
    dcontext: str = ""  # "from-internal-xfer" on FreePBX's transfer legs


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
    """One call: the legs that share a linkedid (or a uniqueid).

    Seconds for billing: ``robot_seconds`` (the PBX itself had the caller:
    menus, messages), ``queue_seconds`` (the caller in a ``Queue``, hearing
    its music, until a person answered or the caller left it),
    ``wait_seconds`` (ringing or queued before a person answered),
    ``secretary_seconds`` (the person's talk) and ``transfer_seconds`` (the
    caller put through to an outside number; ``transfers``: each of those
    legs as ``(number, billsec)``, in the order they started).
    """

    key: str
    system: str
    start: datetime
    answer: datetime | None
    end: datetime
    caller: str
    called: str
    duration: int  # seconds from the first leg's start to the last leg's end
    billsec: int  # talk seconds of the winning leg
    # ring/queue time before a person answered, robot time excluded; None
    # when no person answered
    wait_seconds: int | None
    disposition: str
    main: CdrRow  # the person's leg, else the best leg (see _leg_rank)
    legs: tuple  # every CdrRow of the call, duplicates excluded
    duplicates: tuple  # CdrRows recognised as a repeat of a leg
    # billsec of the PBX's own answered legs before a person answered
    robot_seconds: int = 0
    secretary_seconds: int = 0  # billsec of the person's leg
    transfer_seconds: int = 0  # billsec of the legs put through outside
    transfer_to: str = ""  # dst of the longest of those legs
    agent_channel: str = ""  # "SIP/301": the person's dstchannel, no suffix
    agent_extension: str = ""  # "301"
    accountcode: str = ""  # of the originating leg
    userfield: str = ""  # of the originating leg
    leg_identities: tuple = ()  # leg_identity_key() of each leg
    # the caller in a Queue (music) before a person answered, or until it
    # hung up there: part of wait_seconds when someone answered
    queue_seconds: int = 0
    transfers: tuple = ()  # (called, billsec) of each transfer leg, by start


class Consolidation(NamedTuple):
    """What :func:`consolidate` made of the rows."""

    calls: list
    rows_in: int
    rows_in_calls: int
    duplicates: int
    quarantined: int
    bad_rows: list


@contextlib.contextmanager
def gc_paused():
    """Pause Python's cyclic garbage collector for a bulk job.

    Parsing and consolidating create hundreds of thousands of containers that
    outlive the job (rows, calls, their groups) and are never in a cycle: the
    collector would walk them again and again (a quarter to a third of the
    time, measured).
    Reference counting still frees everything. Used by :func:`parse_cdr`,
    :func:`consolidate` and the queue_log parser.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# ---------------------------------------------------------------------------
# Decoding and field conversion
# ---------------------------------------------------------------------------


def _decode(line: bytes) -> tuple[str, str]:
    """``(text, encoding)``: UTF-8, else Latin-1 (which never fails)."""
    try:
        return line.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return line.decode("latin-1"), "latin-1"


def split_lines(data: bytes | str) -> tuple[list[str], frozenset]:
    """``(texts, latin1)``: the lines, the final newline not a line, and the
    0-based indexes of the lines that were not UTF-8 (decoded as Latin-1).
    """
    latin1 = frozenset()
    if isinstance(data, str):
        texts = data.split("\n")
    else:
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        try:
            # valid as a whole if and only if every line is: a newline byte
            # is never part of a multi-byte UTF-8 sequence
            texts = data.decode("utf-8").split("\n")
        except UnicodeDecodeError:
            decoded = [_decode(chunk) for chunk in data.split(b"\n")]
            texts = [text for text, _encoding in decoded]
            latin1 = frozenset(
                index
                for index, (_text, encoding) in enumerate(decoded)
                if encoding == "latin-1"
            )
    if texts and texts[-1] == "":
        texts.pop()
    if "\r" in data if isinstance(data, str) else b"\r" in data:
        texts = [text.rstrip("\r") for text in texts]
    return texts, latin1


def _csv_records(texts: list[str]):
    """``(index, fields, error)`` for each of ``texts``, in order.

    One ``csv.reader`` reads all the lines, but a record never spans lines:
    CDRs hold no newline, so a quote left open at the end of a line is the
    line's own fault (``error``), and must not swallow the lines after it.
    Reading then restarts on the next line, with a new reader.
    """
    total = len(texts)
    start = 0
    while start < total:
        lines = map(texts.__getitem__, range(start, total))
        # an empty last line, so that a quote left open on the real last
        # line is seen like any other (the reader asks for one more line)
        reader = csv.reader(itertools.chain(lines, ("",)))
        done = 0  # lines of this reader seen, each as one record
        try:
            for fields in reader:
                if reader.line_num != done + 1:
                    error = "unterminated quoted field"
                    break
                if start + done == total:
                    return  # the extra empty line
                yield start + done, fields, None
                done += 1
            else:
                return
        except csv.Error as csv_error:
            error = str(csv_error)
            if reader.line_num != done + 1:
                error = "unterminated quoted field"
        yield start + done, None, error
        start += done + 1


def _to_int(value: str, name: str) -> int:
    try:
        number = int(value)  # int() ignores surrounding whitespace
    except ValueError:
        cleaned = value.strip()
        if not cleaned:
            raise ValueError(f"empty {name}") from None
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
    return local_to_utc(naive, name, tz, value)


def local_to_utc(naive: datetime, name: str, tz, written: str | None = None):
    """A naive wall-clock time of ``tz`` (pytz) as a naive UTC datetime: the
    first occurrence of an ambiguous time, a :class:`ValueError` naming
    ``name`` and what was ``written`` for one that does not exist."""
    try:
        local = tz.localize(naive, is_dst=None)
    except pytz.AmbiguousTimeError:
        local = tz.localize(naive, is_dst=True)
    except pytz.NonExistentTimeError:
        shown = written if written is not None else str(naive)
        raise ValueError(
            f"{name} {shown!r} does not exist in {tz.zone} (DST gap)"
        ) from None
    return local.astimezone(pytz.utc).replace(tzinfo=None)


_SECOND_DELTAS = {f"{second:02d}": timedelta(seconds=second) for second in range(60)}
_MINUTE_DELTAS = {f"{minute:02d}": timedelta(minutes=minute) for minute in range(60)}
_LAST_SECOND_OF_HOUR = timedelta(minutes=59, seconds=59)
_SLOW = object()  # an hour or minute the fast path leaves to _to_utc


class _UtcConverter:
    """:func:`_to_utc`, fast for ``"YYYY-MM-DD HH:MM:SS"``.

    The UTC time of the start of a local hour is computed once per
    ``"YYYY-MM-DD HH"``, that of a minute once per ``"YYYY-MM-DD HH:MM"``,
    and seconds are added from a table. An hour whose two ends do not have
    the same UTC offset, or that is ambiguous (DST fold) or nonexistent (DST
    gap), is left to :func:`_to_utc` value by value, as is every other
    format: the results are the same by construction.
    """

    def __init__(self, tz):
        self.tz = tz
        self.hour_starts = {}  # "YYYY-MM-DD HH" -> naive UTC, or _SLOW
        self.minute_starts = {}  # "YYYY-MM-DD HH:MM" -> naive UTC, or _SLOW

    def to_utc(self, value: str, name: str, optional: bool = False):
        minute_start = self.minute_starts.get(value[:16])
        if minute_start is None:
            minute_start = self.minute_starts[value[:16]] = self._minute_start(
                value[:16]
            )
        if minute_start is not _SLOW and len(value) == 19 and value[16] == ":":
            second = _SECOND_DELTAS.get(value[17:])
            if second is not None:
                return minute_start + second
        return _to_utc(value, name, self.tz, optional)

    def _minute_start(self, minute: str):
        """Naive UTC of ``"YYYY-MM-DD HH:MM"``:00, or _SLOW."""
        if len(minute) != 16 or minute[13] != ":":
            return _SLOW
        delta = _MINUTE_DELTAS.get(minute[14:])
        hour_start = self.hour_starts.get(minute[:13])
        if hour_start is None:
            hour_start = self.hour_starts[minute[:13]] = self._hour_start(minute[:13])
        if delta is None or hour_start is _SLOW:
            return _SLOW
        return hour_start + delta

    def _hour_start(self, hour: str):
        """Naive UTC of ``"YYYY-MM-DD HH"``:00:00, or _SLOW."""
        if not (hour[4] == "-" and hour[7] == "-" and hour[10] == " "):
            return _SLOW
        # isdigit(): int() would also read "+1" or " 1", which strptime refuses
        if not (hour[:4] + hour[5:7] + hour[8:10] + hour[11:13]).isdigit():
            return _SLOW
        try:
            first = datetime(
                int(hour[:4]), int(hour[5:7]), int(hour[8:10]), int(hour[11:13])
            )
            offsets = {
                self.tz.localize(moment, is_dst=None).utcoffset()
                for moment in (first, first + _LAST_SECOND_OF_HOUR)
            }
        except (ValueError, OverflowError, pytz.InvalidTimeError):
            return _SLOW
        if len(offsets) != 1:
            return _SLOW
        return first - offsets.pop()


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
        and fields[columns.index("duration")].strip().lstrip("-").isdigit()
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

# The values _row() reads, in its order; a column the export lacks reads "".
_ROW_COLUMNS = (
    "start",
    "answer",
    "end",
    "duration",
    "billsec",
    "disposition",
    "uniqueid",
    "linkedid",
    "src",
    "clid",
    "dst",
    "channel",
    "dstchannel",
    "lastapp",
    "sequence",
    "accountcode",
    "userfield",
    "dcontext",
)


def _row(line_number, text, encoding, values, system, converter) -> CdrRow:
    """A CdrRow from ``values`` (in _ROW_COLUMNS order); ValueError if bad."""
    (
        start_text,
        answer_text,
        end_text,
        duration_text,
        billsec_text,
        disposition_text,
        uniqueid,
        linkedid,
        src,
        clid,
        dst,
        channel,
        dstchannel,
        lastapp,
        sequence,
        accountcode,
        userfield,
        dcontext,
    ) = values
    to_utc = converter.to_utc
    start = to_utc(start_text, "start")
    answer = to_utc(answer_text, "answer", optional=True)
    end = to_utc(end_text, "end")
    duration = _to_int(duration_text, "duration")
    billsec = _to_int(billsec_text, "billsec")
    if end < start:
        raise ValueError("end before start")
    if answer is not None and not start <= answer <= end:
        raise ValueError("answer outside start..end")
    if billsec > duration:
        raise ValueError(f"billsec {billsec} greater than duration {duration}")
    disposition = ASTERISK_DISPOSITIONS.get(disposition_text) or (
        normalize_disposition(disposition_text, system, answered=answer is not None)
    )
    if answer is None and system == GENERIC and disposition == ANSWERED and billsec:
        # a generic export without an answer time: the talk ended the call
        answer = max(start, end - timedelta(seconds=billsec))
    unique_key = uniqueid.strip()
    match = _SYSTEM_PREFIX.match(unique_key) if "-" in unique_key else None
    return CdrRow(
        line_number,
        text,
        system,
        unique_key,
        linkedid.strip(),
        match.group("system") if match else "",
        start,
        answer,
        end,
        src.strip(),
        clid.strip(),
        dst.strip(),
        duration,
        billsec,
        disposition,
        disposition_text.strip(),
        channel.strip(),
        dstchannel.strip(),
        lastapp.strip(),
        sequence.strip(),
        encoding,
        accountcode.strip(),
        userfield.strip(),
        dcontext.strip(),
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


def _values_getter(positions: dict, expected: int):
    """``fields + [""] -> values in _ROW_COLUMNS order``: absent columns read
    the ``""`` appended at index ``expected``."""
    return itemgetter(*(positions.get(name, expected) for name in _ROW_COLUMNS))


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
        contradict each other. A bad line never raises: it is a BadRow (a
        quote left open at the end of a line, too).
    """
    try:
        tz = pytz.timezone(tz_name or "UTC")
    except pytz.UnknownTimeZoneError as error:
        raise CdrFormatError(f"Unknown timezone {tz_name!r}") from error
    if fmt not in (None, ASTERISK, FREESWITCH, GENERIC):
        raise CdrFormatError(f"Unknown CDR format {fmt!r}")
    if fmt == GENERIC and not mapping:
        raise CdrFormatError("The generic format needs a column mapping")
    with gc_paused():
        return _parse_lines(data, fmt, tz, columns, mapping)


def _parse_lines(data, fmt, tz, columns, mapping) -> ParseResult:
    texts, latin1 = split_lines(data)
    converter = _UtcConverter(tz)
    rows, bad_rows, detection_errors = [], [], []
    layout = None  # (system, {name: index}, column count, header line)
    for index, fields, error in _csv_records(texts):
        line_number = index + 1
        if error is not None or len(fields) < 2:
            text = texts[index]
            if not text.strip():
                bad_rows.append(BadRow(line_number, text, "empty line"))
                continue
            if error is not None:
                bad_rows.append(BadRow(line_number, text, f"unreadable CSV: {error}"))
                continue
        if layout is None:
            try:
                layout = _layout(fields, line_number, fmt, columns, mapping)
            except CdrFormatError as error:
                # a bad first line must not hide a readable file: try the
                # next ones, and give up only when none of the first few fits
                detection_errors.append(error)
                if len(detection_errors) >= _DETECTION_ATTEMPTS:
                    raise detection_errors[0] from None
                bad_rows.append(
                    BadRow(line_number, texts[index], f"unrecognised line: {error}")
                )
                continue
            system, positions, expected, header_line = layout
            values_of = _values_getter(positions, expected)
            missing = next(
                (name for name in REQUIRED_COLUMNS if name not in positions), None
            )
            if header_line == line_number:
                continue
        if len(fields) != expected:
            kind = "truncated" if len(fields) < expected else "too long"
            bad_rows.append(
                BadRow(
                    line_number,
                    texts[index],
                    f"{kind} line: {len(fields)} columns, expected {expected}",
                )
            )
            continue
        encoding = "latin-1" if index in latin1 else "utf-8"
        try:
            if missing:
                raise ValueError(f"no {missing} column")
            fields.append("")
            rows.append(
                _row(
                    line_number,
                    texts[index],
                    encoding,
                    values_of(fields),
                    system,
                    converter,
                )
            )
        except ValueError as error:
            bad_rows.append(BadRow(line_number, texts[index], str(error)))
    if layout is None:
        if detection_errors:
            raise detection_errors[0]
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


def leg_identity_key(row: CdrRow) -> str:
    """The leg's identity as text, the same from one import to the next.

    ``"uuid"`` (FreeSWITCH), ``"uniqueid|sequence"``, else
    ``"uniqueid|channel|dstchannel|start in ISO UTC|lastapp"``.
    """
    if row.system != FREESWITCH and row.sequence:
        return f"{row.unique_key}|{row.sequence}"
    return "|".join(
        part.isoformat() if isinstance(part, datetime) else part
        for part in _leg_identity(row)
    )


def _leg_rank(row: CdrRow) -> tuple:
    """Higher is better: answered, bridged to someone, longest talk, first."""
    return (
        row.disposition == ANSWERED,
        bool(row.dstchannel),
        row.billsec,
        -row.line_number,
    )


_start_order = attrgetter("start", "line_number")
_by_line = attrgetter("line_number")
_by_billsec = attrgetter("billsec")


class _Groups:
    """Union-find over call keys; a key never joined is its own root."""

    def __init__(self):
        self.parent = {}  # only keys that were joined to another

    def find(self, key):
        parent = self.parent
        while key in parent:
            key = parent[key]
        return key

    def union(self, first, second):
        root_first, root_second = self.find(first), self.find(second)
        if root_first != root_second:
            self.parent[root_second] = root_first


def _call_key(row: CdrRow) -> str:
    return row.linked_key or row.unique_key or f"line:{row.line_number}"


def _join_local_halves(legs: Iterable, groups: _Groups) -> None:
    """Without a linkedid, a Local ``;2`` half joins the leg that dialed ``;1``."""
    dialers, halves = {}, []
    for row in legs:
        if ";" in row.dstchannel:
            match = _LOCAL_HALF.match(row.dstchannel)
            if match and match.group("half") == "1":
                dialers.setdefault(match.group("base"), []).append(row)
        if ";" in row.channel:
            halves.append(row)
    if not dialers:
        return
    for row in halves:
        match = _LOCAL_HALF.match(row.channel)
        if not match or match.group("half") != "2":
            continue
        for dialer in dialers.get(match.group("base"), ()):
            gap = abs((row.start - dialer.start).total_seconds())
            if gap <= _LOCAL_PAIR_SECONDS:
                groups.union(_call_key(dialer), _call_key(row))
                break


def _call_disposition(dispositions: set, dialed_dispositions: set) -> str:
    """A call is answered when a person answered it.

    When the call dialed someone (legs with a ``dstchannel``: their
    dispositions are ``dialed_dispositions``), only those legs count: an
    ``ANSWERED`` row without a ``dstchannel`` after failed dials is the PBX
    itself answering (``Hangup``, a message), a missed call.
    """
    found = dialed_dispositions or dispositions
    for disposition in (ANSWERED, BUSY, MISSED, FAILED):
        if disposition in found:
            return disposition
    return FAILED


def _person_leg(candidates: list, caller_channel: str) -> CdrRow:
    """The leg on which a person answered, among ``candidates`` (answered
    legs bridged to someone, or for rows without channels any answered leg):
    the best (see :func:`_leg_rank`) that is not a transfer (see
    :func:`_is_transfer`) made after someone else answered.
    """
    if len(candidates) == 1:
        return candidates[0]
    first_answer = min(row.answer for row in candidates)
    return max(
        (
            row
            for row in candidates
            if row.answer == first_answer
            or not _is_transfer(row, first_answer, caller_channel)
        ),
        key=_leg_rank,
    )


def _is_transfer(row: CdrRow, person_answer: datetime, caller_channel: str) -> bool:
    """An answered leg from another channel than the caller's to an outside
    number, from the person's answer on: the person putting the caller
    through to the client's mobile or office."""
    return (
        row.disposition == ANSWERED
        and row.start >= person_answer
        and row.channel != caller_channel
        and is_external_number(row.called)
    )


def is_external_number(number: str) -> bool:
    """At least six digits once ``+`` and separators are dropped: a phone
    number, not an extension or a short code."""
    return len(_NON_DIGITS.sub("", number)) >= _EXTERNAL_NUMBER_DIGITS


def channel_device(channel: str) -> str:
    """``"SIP/301-0000001a"`` -> ``"SIP/301"``: the channel name without
    Asterisk's per-channel counter (and Local ``;1``/``;2`` half)."""
    device, dash, counter = channel.rpartition("-")
    return device if dash and _CHANNEL_COUNTER.fullmatch(counter) else channel


def channel_extension(device: str) -> str:
    """``"SIP/301"``, ``"Local/301@from-queue/n"``, ``"Agent/1001"`` ->
    ``"301"``, ``"301"``, ``"1001"``: the last path part before ``@``."""
    return device.split("@", 1)[0].rsplit("/", 1)[-1]


def _make_call(key: str, legs: list, duplicates: list) -> Call:
    if len(legs) > 1:
        legs.sort(key=_start_order)
    start, end = legs[0].start, legs[0].end
    origin = None  # the leg whose uniqueid is the linkedid, else the first
    dispositions, dialed_dispositions = set(), set()
    # answered legs: bridged to someone (or without channels to tell) and
    # with an answer time, else the PBX's own (Playback, Queue waiting...)
    person_candidates, pbx_legs = [], []
    for row in legs:
        if row.end > end:
            end = row.end
        if origin is None and row.unique_key == key:
            origin = row
        dispositions.add(row.disposition)
        if row.dstchannel:
            dialed_dispositions.add(row.disposition)
        if row.disposition == ANSWERED:
            if row.dstchannel or not row.channel:
                if row.answer is not None:
                    person_candidates.append(row)
            else:
                pbx_legs.append(row)
    origin = origin or legs[0]
    disposition = _call_disposition(dispositions, dialed_dispositions)
    person = None
    if disposition == ANSWERED and person_candidates:
        person = _person_leg(person_candidates, origin.channel)
    if person is not None:
        main = person
    else:
        main = legs[0] if len(legs) == 1 else max(legs, key=_leg_rank)
    # the PBX's legs before a person answered (all of them when no one did);
    # a queue's own leg is queue time, not counted twice
    robot_seconds = sum(
        row.billsec
        for row in pbx_legs
        if (person is None or row.start < person.answer) and not _is_queue(row)
    )
    queue_seconds = _queue_seconds(legs, person)
    wait_seconds = None
    transfer_seconds, transfer_to, agent_channel = 0, "", ""
    transfers = ()
    if person is not None:
        wait_seconds = max(
            0, int((person.answer - start).total_seconds()) - robot_seconds
        )
        queue_seconds = min(queue_seconds, wait_seconds)
        if len(legs) > 1:
            transfer_legs = [
                row
                for row in legs
                if row is not person
                and _is_transfer(row, person.answer, origin.channel)
            ]
            if transfer_legs:
                transfer_seconds = sum(row.billsec for row in transfer_legs)
                transfer_to = max(transfer_legs, key=_by_billsec).called
                transfers = tuple((row.called, row.billsec) for row in transfer_legs)
        agent_channel = channel_device(person.dstchannel)
    return Call(
        key=key,
        system=main.system,
        start=start,
        answer=main.answer if disposition == ANSWERED else None,
        end=end,
        caller=origin.caller,
        called=origin.called,
        duration=int((end - start).total_seconds()),
        billsec=main.billsec if disposition == ANSWERED else 0,
        wait_seconds=wait_seconds,
        disposition=disposition,
        main=main,
        legs=tuple(legs),
        duplicates=tuple(sorted(duplicates, key=_by_line)) if duplicates else (),
        robot_seconds=robot_seconds,
        secretary_seconds=person.billsec if person is not None else 0,
        transfer_seconds=transfer_seconds,
        transfer_to=transfer_to,
        agent_channel=agent_channel,
        agent_extension=channel_extension(agent_channel) if agent_channel else "",
        accountcode=origin.accountcode,
        userfield=origin.userfield,
        leg_identities=tuple([leg_identity_key(row) for row in legs]),
        queue_seconds=queue_seconds,
        transfers=transfers,
    )


def _is_queue(row: CdrRow) -> bool:
    """A leg of Asterisk's ``Queue`` application: the caller hears the
    queue's music while its members ring (``Dial`` rings: a ring tone)."""
    return row.lastapp.lower() == "queue"


def _queue_seconds(legs: list, person: CdrRow | None) -> int:
    """The seconds the caller spent in a queue: from its first ``Queue`` leg's
    start to the end of the queue legs (the caller hung up, the queue timed
    out), or to the person's answer if it came first."""
    queue_legs = [
        row
        for row in legs
        if _is_queue(row) and (person is None or row.start < person.answer)
    ]
    if not queue_legs:
        return 0
    entered = min(row.start for row in queue_legs)
    left = max(row.end for row in queue_legs)
    if person is not None:
        left = min(left, person.answer)
    return max(0, int((left - entered).total_seconds()))


def consolidate(rows: Iterable) -> Consolidation:
    """Rows (CdrRow and BadRow, in any mix) to calls and counts.

    * rows with the same leg identity (FreeSWITCH ``uuid``; Asterisk
      ``uniqueid`` + ``sequence``) are one leg: the best of them is kept (the
      answered one), the others are duplicates;
    * legs sharing a ``linkedid`` (or, without one, a ``uniqueid``, or the two
      halves of a Local channel) are one call.

    The rows may come from several imports (the stored legs of a call, see
    :func:`row_from_dict`, and a late leg): line numbers may repeat.

    ``rows_in == rows_in_calls + duplicates + quarantined`` always holds.
    """
    with gc_paused():
        return _consolidate(rows)


def _consolidate(rows: Iterable) -> Consolidation:
    good, bad = [], []
    for row in rows:
        (bad if isinstance(row, BadRow) else good).append(row)
    kept = {}  # leg identity -> the row kept for that leg
    repeated = {}  # leg identity -> every row of it, when there are several
    for row in good:
        identity = _leg_identity(row)
        first = kept.setdefault(identity, row)
        if first is not row:
            repeated.setdefault(identity, [first]).append(row)
    duplicates_of = {}  # leg identity -> the rows that are not kept
    for identity, same in repeated.items():
        best = kept[identity] = max(same, key=_leg_rank)
        duplicates_of[identity] = [row for row in same if row is not best]
    legs = kept.values()
    groups = _Groups()
    _join_local_halves(legs, groups)
    by_call = {}
    find = groups.find if groups.parent else None
    for row in legs:
        key = _call_key(row)
        if find is not None:
            key = find(key)
        members = by_call.get(key)
        if members is None:
            by_call[key] = [row]
        else:
            members.append(row)
    calls = []
    for key, members in by_call.items():
        dups = []
        if duplicates_of:
            for row in members:
                dups.extend(duplicates_of.get(_leg_identity(row), ()))
        calls.append(_make_call(key, members, dups))
    calls.sort(key=lambda call: (call.start, call.legs[0].line_number))
    duplicates = len(good) - len(kept)
    result = Consolidation(
        calls=calls,
        rows_in=len(good) + len(bad),
        rows_in_calls=len(kept),
        duplicates=duplicates,
        quarantined=len(bad),
        bad_rows=sorted(bad, key=_by_line),
    )
    assert result.rows_in == result.rows_in_calls + duplicates + len(bad)
    assert sum(len(call.legs) for call in calls) == result.rows_in_calls
    return result
