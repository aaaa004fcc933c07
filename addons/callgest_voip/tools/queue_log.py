"""Asterisk ``queue_log``: queue events to one record per queued call.

Plain Python, like :mod:`.cdr_parsers` (no ORM, no ``odoo`` import).

A line is ``epoch|callid|queuename|agent|event|data1|data2|...``: ``epoch`` is
UTC seconds (a fraction allowed), ``callid`` the caller channel's uniqueid
(the CDR's uniqueid / linkedid), ``agent`` the member as named in the queue
(``SIP/301``, ``Local/301@from-queue/n``, ``Agent/1001``), ``NONE`` when the
event concerns no member. Call events and their data fields (app_queue.c):

==================  ========================================================
ENTERQUEUE          url|callerid|position (position since Asterisk 1.6)
CONNECT             holdtime|bridged uniqueid|ringtime
COMPLETECALLER      holdtime|calltime|origposition (also COMPLETEAGENT)
ABANDON             position|origposition|waittime
EXITWITHTIMEOUT     position|origposition|waittime
EXITWITHKEY         key|position|origposition|waittime
EXITEMPTY           position|origposition|waittime
BLINDTRANSFER       extension|context|holdtime|calltime|origposition
ATTENDEDTRANSFER    method|data|holdtime|calltime|origposition; method BRIDGE
                    (data: the bridge), APP (data: the application) or LINK
                    (data: two channel names, so one field more)
RINGNOANSWER        ringtime in milliseconds (also RINGCANCELED, Asterisk 16+)
==================  ========================================================

Member and system events (QUEUESTART, ADDMEMBER, PAUSE, AGENTLOGIN...) are
counted, not kept. Every other line is a :class:`~.cdr_parsers.BadRow`, and
``rows_in == rows_in_calls + duplicates + quarantined + non_call_events``.

One callid that enters a queue again (a real second ENTERQUEUE: transferred to
another queue, or sent back by the dialplan; a RINGNOANSWER only rings the
next member) stays **one** :class:`QueueCall`: its queue, outcome and end are
those of the last entry, its agent and connect those of the last CONNECT,
and its wait, ring and talk seconds the sums over the entries.
"""

from datetime import datetime, timedelta
from typing import NamedTuple

from .cdr_parsers import BadRow, channel_extension, gc_paused, split_lines

ANSWERED = "answered"
ABANDONED = "abandoned"
TIMEOUT = "timeout"
EXIT_KEY = "exit_key"
EXIT_EMPTY = "exit_empty"
UNFINISHED = "unfinished"

# call event -> data fields it must have (the later ones are optional)
CALL_EVENTS = {
    "ENTERQUEUE": 2,
    "CONNECT": 1,
    "COMPLETECALLER": 2,
    "COMPLETEAGENT": 2,
    "ABANDON": 3,
    "EXITWITHTIMEOUT": 3,
    "EXITWITHKEY": 2,
    "EXITEMPTY": 3,
    "BLINDTRANSFER": 4,
    "ATTENDEDTRANSFER": 4,
    "RINGNOANSWER": 1,
    "RINGCANCELED": 1,
}
NON_CALL_EVENTS = frozenset(
    (
        "QUEUESTART",
        "ADDMEMBER",
        "REMOVEMEMBER",
        "PAUSE",
        "UNPAUSE",
        "PAUSEALL",
        "UNPAUSEALL",
        "AGENTLOGIN",
        "AGENTLOGOFF",
        "CONFIGRELOAD",
        "PENALTY",
    )
)
# exits of the queue without an agent: event -> outcome
_EXITS = {
    "ABANDON": ABANDONED,
    "EXITWITHTIMEOUT": TIMEOUT,
    "EXITWITHKEY": EXIT_KEY,
    "EXITEMPTY": EXIT_EMPTY,
}
# the numbers we read: event -> ((data index, name), ...)
_NUMBERS = {
    "CONNECT": ((0, "holdtime"), (2, "ringtime")),
    "COMPLETECALLER": ((0, "holdtime"), (1, "calltime")),
    "COMPLETEAGENT": ((0, "holdtime"), (1, "calltime")),
    "ABANDON": ((2, "waittime"),),
    "EXITWITHTIMEOUT": ((2, "waittime"),),
    "EXITWITHKEY": ((3, "waittime"),),
    "EXITEMPTY": ((2, "waittime"),),
    "BLINDTRANSFER": ((2, "holdtime"), (3, "calltime")),
    "ATTENDEDTRANSFER": ((2, "holdtime"), (3, "calltime")),
    "RINGNOANSWER": ((0, "ringtime"),),
    "RINGCANCELED": ((0, "ringtime"),),
}
_NO_CALL = ("", "NONE")
_EPOCH = datetime(1970, 1, 1)


class QueueCall(NamedTuple):
    """One queued call: the events of one callid."""

    key: str  # the callid: the caller channel's uniqueid
    queue: str  # the (last) queue
    caller: str  # ENTERQUEUE's callerid
    enter: datetime  # naive UTC: the first ENTERQUEUE (else the first event)
    connect: datetime | None  # naive UTC: the last CONNECT
    end: datetime | None  # naive UTC: the last entry's end, None if going on
    agent: str  # as written: "SIP/301", "Local/301@from-queue/n", "Agent/1001"
    agent_extension: str  # "301", "1001"
    wait_seconds: int | None  # CONNECT holdtime, or the exit's waittime
    ring_seconds: int  # agents' phones ringing (RINGNOANSWER + CONNECT)
    talk_seconds: int  # COMPLETE* or *TRANSFER calltime
    outcome: str  # answered, abandoned, timeout, exit_key, exit_empty, unfinished
    transfer_to: str  # BLINDTRANSFER extension or ATTENDEDTRANSFER data
    line_numbers: tuple  # the lines of its events


class QueueLogResult(NamedTuple):
    """What :func:`parse_queue_log` read."""

    calls: list  # of QueueCall, by enter time
    bad_rows: list  # of BadRow
    rows_in: int
    rows_in_calls: int
    duplicates: int
    quarantined: int
    non_call_events: int


class _Event(NamedTuple):
    line_number: int
    time: datetime
    callid: str
    queue: str
    agent: str
    name: str
    data: list
    numbers: dict  # "holdtime", "calltime", "waittime", "ringtime" -> int


def _to_utc(epoch: str) -> datetime:
    """``"1770714000"`` or ``"1770714000.25"`` (UTC seconds) -> naive UTC."""
    seconds, _dot, fraction = epoch.partition(".")
    if not (seconds.isascii() and seconds.isdigit()) or not (
        fraction.isascii() and (fraction.isdigit() or not fraction)
    ):
        raise ValueError(f"bad epoch: {epoch!r}")
    if _dot and not fraction:
        raise ValueError(f"bad epoch: {epoch!r}")
    micro = int((fraction + "000000")[:6])
    try:
        return _EPOCH + timedelta(seconds=int(seconds), microseconds=micro)
    except OverflowError:
        raise ValueError(f"bad epoch: {epoch!r}") from None


def _read_line(line_number: int, text: str) -> _Event | str:
    """The line's call event, or ``"non-call"`` for a member or system
    event; ValueError (the reason) for a line we cannot use."""
    fields = text.split("|")
    if len(fields) < 5:
        raise ValueError(f"truncated line: {len(fields)} fields, expected 5 or more")
    epoch, callid, queue, agent, name, *data = (field.strip() for field in fields)
    time = _to_utc(epoch)
    if name in NON_CALL_EVENTS:
        return "non-call"
    required = CALL_EVENTS.get(name)
    if required is None:
        raise ValueError(f"unknown event {name!r}")
    if callid in _NO_CALL:
        raise ValueError(f"{name} without a callid")
    if name == "ATTENDEDTRANSFER" and data and data[0] == "LINK":
        required += 1
    if len(data) < required:
        raise ValueError(
            f"missing fields for {name}: {len(data)} data fields, expected {required}"
        )
    # LINK names two channels where the others name one thing
    shift = required - CALL_EVENTS[name]
    numbers = {}
    for index, number_name in _NUMBERS.get(name, ()):
        if index + shift >= len(data):
            continue  # an optional field this Asterisk version does not write
        value = data[index + shift]
        if not (value.isascii() and value.isdigit()):
            raise ValueError(f"{name} {number_name} is not an integer: {value!r}")
        numbers[number_name] = int(value)
    return _Event(line_number, time, callid, queue, agent, name, data, numbers)


class _Entry:
    """One stay of the call in a queue: from ENTERQUEUE to its exit."""

    def __init__(self, queue: str, enter: datetime | None):
        self.queue = queue
        self.enter = enter
        self.wait = None
        self.ring_ms = 0
        self.talk = 0
        self.outcome = UNFINISHED
        self.end = None


def _queue_call(callid: str, events: list) -> QueueCall:
    """The QueueCall of one callid's events, in time order."""
    events.sort(key=lambda event: (event.time, event.line_number))
    entries = []
    caller = agent = transfer_to = ""
    connect = None
    for event in events:
        name, data = event.name, event.data
        if name == "ENTERQUEUE":
            if entries and entries[-1].enter is None:
                entries[-1].enter, entries[-1].queue = event.time, event.queue
            else:
                entries.append(_Entry(event.queue, event.time))
            caller = caller or data[1]
            continue
        if not entries:  # the log began after the ENTERQUEUE
            entries.append(_Entry(event.queue, None))
        entry = entries[-1]
        numbers = event.numbers
        if name == "CONNECT":
            entry.wait = numbers["holdtime"]
            entry.ring_ms += numbers.get("ringtime", 0) * 1000
            connect, agent = event.time, event.agent
        elif name in ("RINGNOANSWER", "RINGCANCELED"):
            entry.ring_ms += numbers["ringtime"]
        elif name in _EXITS:
            entry.wait = numbers.get("waittime", entry.wait)
            entry.outcome, entry.end = _EXITS[name], event.time
        else:  # COMPLETE* and *TRANSFER: the agent had the call
            entry.talk = numbers["calltime"]
            if entry.wait is None:
                entry.wait = numbers["holdtime"]
            entry.outcome, entry.end = ANSWERED, event.time
            agent = agent or event.agent
            if name == "BLINDTRANSFER":
                transfer_to = data[0]
            elif name == "ATTENDEDTRANSFER":
                # BRIDGE|bridge, APP|application, LINK|channel|channel
                transfer_to = data[2] if data[0] == "LINK" else data[1]
    last = entries[-1]
    waits = [entry.wait for entry in entries if entry.wait is not None]
    return QueueCall(
        key=callid,
        queue=last.queue,
        caller=caller,
        enter=entries[0].enter or events[0].time,
        connect=connect,
        end=last.end,
        agent=agent,
        agent_extension=channel_extension(agent) if agent else "",
        wait_seconds=sum(waits) if waits else None,
        ring_seconds=round(sum(entry.ring_ms for entry in entries) / 1000),
        talk_seconds=sum(entry.talk for entry in entries),
        outcome=last.outcome,
        transfer_to=transfer_to,
        line_numbers=tuple(sorted(event.line_number for event in events)),
    )


def parse_queue_log(data: bytes | str) -> QueueLogResult:
    """Parse a queue_log into queued calls, bad rows and counts.

    :param data: the file, bytes (each line UTF-8, else Latin-1) or text.
    A bad line never raises: it is a BadRow. A line seen before, text for
    text, is a duplicate.
    """
    with gc_paused():
        return _parse(data)


def _parse(data: bytes | str) -> QueueLogResult:
    texts, _latin1 = split_lines(data)
    seen = set()
    bad_rows = []
    duplicates = non_call_events = 0
    by_callid = {}
    for index, text in enumerate(texts):
        line_number = index + 1
        if not text.strip():
            bad_rows.append(BadRow(line_number, text, "empty line"))
            continue
        if text in seen:
            duplicates += 1
            continue
        seen.add(text)
        try:
            event = _read_line(line_number, text)
        except ValueError as error:
            bad_rows.append(BadRow(line_number, text, str(error)))
            continue
        if event == "non-call":
            non_call_events += 1
            continue
        by_callid.setdefault(event.callid, []).append(event)
    calls = [_queue_call(callid, events) for callid, events in by_callid.items()]
    calls.sort(key=lambda call: (call.enter, call.key))
    rows_in_calls = sum(len(call.line_numbers) for call in calls)
    result = QueueLogResult(
        calls=calls,
        bad_rows=bad_rows,
        rows_in=len(texts),
        rows_in_calls=rows_in_calls,
        duplicates=duplicates,
        quarantined=len(bad_rows),
        non_call_events=non_call_events,
    )
    assert result.rows_in == (
        rows_in_calls + duplicates + len(bad_rows) + non_call_events
    )
    return result
