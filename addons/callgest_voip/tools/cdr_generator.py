"""Synthetic Asterisk ``cdr_csv`` Master.csv exports, deterministic by seed.

Plain Python, standard library only (no ``odoo`` import): demo data, tests and
benchmarks share it.

The rows have the 21-column layout of ``cdr_csv`` with ``loguniqueid``,
``loguserfield`` and ``newcdrcolumns`` (accountcode, src, dst, dcontext,
clid, channel, dstchannel, lastapp, lastdata, start, answer, end, duration,
billsec, disposition, amaflags, uniqueid, userfield, peeraccount, linkedid,
sequence) and the PBX's local wall-clock time, like a real Asterisk:

* a **ring group** forks a call into 2-3 legs that share the ``uniqueid`` and
  ``linkedid`` of the caller's channel: ``NO ANSWER`` legs, plus the
  ``ANSWERED`` one bridged to an agent (``SIP/3xx-xxxxxxxx``) if someone
  picked up;
* a **missed** call rings (2-40 s) and nobody answers;
* a **robot** call is answered by the PBX itself (``Playback`` or
  ``BackGround``, no ``dstchannel``);
* callers come from a pool of Spanish mobile and fixed numbers, the first
  ones far more often than the last (Zipf-like), as regular callers do;
* start times follow business hours (weekday mornings and afternoons);
* rows are written in the order their leg ends, as Asterisk writes them, so
  the legs of overlapping calls interleave.

Every row parses with ``cdr_parsers.parse_cdr(data, tz_name=...)`` and the
rows consolidate into exactly :attr:`GeneratorStats.calls` calls. No call
touches a nonexistent local time (the skipped hour of a spring-forward
night). Deliberately bad rows (``bad_row_share``) are for quarantine tests;
there are none by default, and never on line 1, from which the parser
detects the layout.

Use :func:`generate_cdr` for a small export, or :class:`CdrGenerator`'s
:meth:`~CdrGenerator.iter_chunks` to stream a large one in pieces of bytes.
"""

import heapq
import math
from bisect import bisect_left
from dataclasses import dataclass, fields
from datetime import datetime, timedelta, timezone
from itertools import accumulate
from random import Random
from zoneinfo import ZoneInfo

AGENT_EXTENSIONS = tuple(str(extension) for extension in range(301, 331))
ANSWERED_BY_AGENT = "answered"
MISSED = "missed"
ROBOT = "robot"
BAD_ROW_KINDS = ("negative duration", "bad date", "truncated")

_EPOCH = datetime(1970, 1, 1)
_TRUNKS = ("movistar", "vodafone", "orange")
_ROBOT_PROMPTS = (
    ("Playback", "custom/fuera-de-horario"),
    ("Playback", "custom/festivo"),
    ("BackGround", "custom/bienvenida-menu"),
    ("BackGround", "custom/espere-por-favor"),
)
_CALLER_NAMES = (
    "José García",
    "María Fernández",
    "Jordi Puig",
    "Núria Vidal",
    "Carmen Ruiz",
    "Iñaki Etxeberria",
    "Lucía Martín",
    "Pedro Navarro",
)
_FIXED_PREFIXES = ("91", "93", "94", "95", "96", "98")
# Calls per hour, relative, by local hour of day
_WEEKDAY_WEIGHTS = (
    (0.02,) * 8
    + (0.3,)  # 8h
    + (1.0,) * 5  # 9h-13h
    + (0.5, 0.4)  # 14h, 15h
    + (0.8,) * 3  # 16h-18h
    + (0.4, 0.15)  # 19h, 20h
    + (0.05,) * 3
)
_SATURDAY_WEIGHTS = (0.02,) * 9 + (0.25,) * 5 + (0.02,) * 10
_SUNDAY_WEIGHTS = (0.02,) * 24
# A call (rings, talk, robot prompt) never lasts longer than this: the
# period's end is kept free of call starts that would overrun it.
_MAX_CALL_SECONDS = 40 + 400
_RETRIES = 50


@dataclass
class GeneratorStats:
    """What a generation produced (filled while the chunks are produced)."""

    calls: int = 0
    rows: int = 0  # every line written, bad ones included
    good_rows: int = 0
    bad_rows: int = 0
    answered_calls: int = 0  # answered by an agent
    missed_calls: int = 0
    robot_calls: int = 0
    ring_group_calls: int = 0  # calls with 2 or more legs
    # starts drawn again because the call touched a DST gap or overran the
    # period, and calls given up (their budget goes to the next hour)
    redrawn_starts: int = 0
    skipped_calls: int = 0

    def as_dict(self):
        return {field.name: getattr(self, field.name) for field in fields(self)}


@dataclass(frozen=True)
class GeneratedCdr:
    """A whole export and what it holds."""

    data: bytes
    stats: GeneratorStats


class _LocalClock:
    """Local wall-clock seconds (since 1970-01-01 00:00 local) of a timezone:
    formatting, UTC epoch and nonexistent times, cached per hour."""

    def __init__(self, tz_name):
        self.tz = ZoneInfo(tz_name)
        self.minute_texts = {}
        self.hour_offsets = {}  # local hour -> UTC offset seconds, or None

    def text(self, seconds):
        """``"YYYY-MM-DD HH:MM:SS"``."""
        minute, second = divmod(seconds, 60)
        prefix = self.minute_texts.get(minute)
        if prefix is None:
            moment = _EPOCH + timedelta(minutes=minute)
            prefix = self.minute_texts[minute] = moment.strftime("%Y-%m-%d %H:%M")
        return f"{prefix}:{second:02d}"

    def _offset(self, seconds):
        """UTC offset in seconds of a local time, None if it does not exist."""
        naive = _EPOCH + timedelta(seconds=seconds)
        aware = naive.replace(tzinfo=self.tz)
        back = aware.astimezone(timezone.utc).astimezone(self.tz)
        if back.replace(tzinfo=None) != naive:
            return None
        return int(aware.utcoffset().total_seconds())

    def _hour_offset(self, hour):
        """The hour's offset when its first and last seconds share it, else
        None (a DST change inside the hour: check each time on its own)."""
        if hour not in self.hour_offsets:
            first = self._offset(hour * 3600)
            last = self._offset(hour * 3600 + 3599)
            self.hour_offsets[hour] = first if first == last else None
        return self.hour_offsets[hour]

    def exists(self, seconds):
        if self._hour_offset(seconds // 3600) is not None:
            return True
        return self._offset(seconds) is not None

    def utc_epoch(self, seconds):
        offset = self._hour_offset(seconds // 3600)
        if offset is None:
            offset = self._offset(seconds) or 0
        return seconds - offset


def _local_seconds(moment):
    return int((moment - _EPOCH).total_seconds())


def _quoted(text):
    return '"' + text.replace('"', '""') + '"'


class CdrGenerator:
    """A reproducible synthetic Asterisk Master.csv.

    :param ddi_numbers: the DDIs as the PBX writes them in ``dst`` (national
        ``933906701`` or E.164 digits ``34933906701``).
    :param period_start, period_end: naive local datetimes; every call
        starts and ends within ``[period_start, period_end]``.
    :param calls: the number of calls to generate, or
    :param rows: the number of lines to write (bad rows included); the last
        call of a busy hour may lose ring-group legs to fit.
    :param seed: same seed, same arguments: same bytes.
    :param ring_group_share: share of the calls to agents that fork to 2-3
        agents at once.
    :param missed_share: share of all calls nobody answers.
    :param robot_share: share of all calls only the PBX answers.
    :param caller_pool_size: how many distinct callers; default a quarter of
        the calls (at least 20).
    :param caller_zipf_exponent: how strongly the first callers of the pool
        come back (0: all alike).
    :param bad_row_share: share of the lines that are deliberately bad
        (negative duration, bad date, truncated line), spread over the file.
    :param tz_name: the PBX's timezone.
    """

    def __init__(
        self,
        ddi_numbers,
        period_start,
        period_end,
        calls=None,
        rows=None,
        seed=0,
        ring_group_share=0.3,
        missed_share=0.15,
        robot_share=0.1,
        caller_pool_size=None,
        caller_zipf_exponent=1.1,
        bad_row_share=0.0,
        tz_name="Europe/Madrid",
        agent_extensions=AGENT_EXTENSIONS,
    ):
        if (calls is None) == (rows is None):
            raise ValueError("Give either calls or rows")
        if not ddi_numbers:
            raise ValueError("No DDI numbers")
        if period_end <= period_start:
            raise ValueError("The period ends before it starts")
        if not 0 <= bad_row_share < 1:
            raise ValueError("bad_row_share must be in [0, 1)")
        if missed_share + robot_share > 1:
            raise ValueError("missed_share + robot_share exceeds 1")
        self.ddi_numbers = [str(number) for number in ddi_numbers]
        self.period_start = _local_seconds(period_start)
        self.period_end = _local_seconds(period_end)
        self.calls = calls
        self.rows = rows
        self.seed = seed
        self.ring_group_share = ring_group_share
        self.missed_share = missed_share
        self.robot_share = robot_share
        self.caller_pool_size = caller_pool_size
        self.caller_zipf_exponent = caller_zipf_exponent
        self.bad_row_share = bad_row_share
        self.tz_name = tz_name
        self.agent_extensions = tuple(agent_extensions)
        self.stats = GeneratorStats()

    # ------------------------------------------------------------------
    # Planning
    # ------------------------------------------------------------------
    def _mean_legs(self):
        to_agents = 1 - self.robot_share
        return self.robot_share + to_agents * (1 + 1.5 * self.ring_group_share)

    def _budgets(self):
        """``(good budget, bad rows)``: good rows (rows mode) or calls."""
        if self.rows is not None:
            bad = round(self.rows * self.bad_row_share)
            return self.rows - bad, bad
        expected_rows = self.calls * self._mean_legs()
        share = self.bad_row_share
        return self.calls, round(expected_rows * share / (1 - share))

    def _hour_spans(self, clock, total):
        """``[(span start, span end, budget)]`` per local hour of the period,
        the budget spread by business-hour weight, summing to ``total``."""
        spans = []
        weights = []
        hour = self.period_start // 3600
        last_start = max(self.period_start, self.period_end - _MAX_CALL_SECONDS)
        while hour * 3600 < last_start:
            span_start = max(hour * 3600, self.period_start)
            span_end = min(hour * 3600 + 3600, last_start)
            day = _EPOCH + timedelta(hours=hour)
            table = (
                _WEEKDAY_WEIGHTS,
                _WEEKDAY_WEIGHTS,
                _WEEKDAY_WEIGHTS,
                _WEEKDAY_WEIGHTS,
                _WEEKDAY_WEIGHTS,
                _SATURDAY_WEIGHTS,
                _SUNDAY_WEIGHTS,
            )[day.weekday()]
            weight = table[day.hour] * (span_end - span_start) / 3600
            if not (clock.exists(span_start) and clock.exists(span_end - 1)):
                weight = 0.0  # an hour a DST change skips (in part)
            spans.append((span_start, span_end))
            weights.append(weight)
            hour += 1
        if not spans:
            spans, weights = [(self.period_start, self.period_end)], [1.0]
        if not any(weights):
            weights = [1.0] * len(weights)
        cumulative = list(accumulate(weights))
        whole = cumulative[-1]
        budgets, given = [], 0
        for running in cumulative:
            upto = round(total * running / whole)
            budgets.append(upto - given)
            given = upto
        return [
            (start, end, budget)
            for (start, end), budget in zip(spans, budgets, strict=True)
        ]

    def _caller_pool(self, rng):
        size = self.caller_pool_size or max(20, (self.calls or self.rows) // 4)
        numbers = []
        for index in range(size):
            if index % 3 == 2:
                prefix = rng.choice(_FIXED_PREFIXES)
                numbers.append(f"{prefix}{rng.randrange(10**7):07d}")
            else:
                numbers.append(f"6{rng.randrange(10**8):08d}")
        exponent = self.caller_zipf_exponent
        cumulative = list(
            accumulate(1.0 / (rank + 1) ** exponent for rank in range(size))
        )
        return numbers, cumulative

    def _plan_call(self, rng):
        """``(kind, legs)`` of the next call."""
        draw = rng.random()
        if draw < self.robot_share:
            return ROBOT, 1
        kind = MISSED if draw < self.robot_share + self.missed_share else None
        kind = kind or ANSWERED_BY_AGENT
        legs = rng.choice((2, 3)) if rng.random() < self.ring_group_share else 1
        return kind, legs

    # ------------------------------------------------------------------
    # Writing
    # ------------------------------------------------------------------
    def iter_chunks(self, chunk_rows=10000):
        """Yield the export as bytes, ``chunk_rows`` lines at a time.

        :attr:`stats` is reset, then complete once the iteration ends.
        """
        rng = Random(self.seed)
        clock = _LocalClock(self.tz_name)
        stats = self.stats = GeneratorStats()
        good_budget, bad_total = self._budgets()
        spans = self._hour_spans(clock, good_budget)
        callers, caller_weights = self._caller_pool(rng)
        caller_total = caller_weights[-1]
        ddi_weights = list(
            accumulate(
                1.0 / math.sqrt(rank + 1) for rank in range(len(self.ddi_numbers))
            )
        )
        ddis = list(self.ddi_numbers)
        rng.shuffle(ddis)
        counters = {"channel": 0x10, "sequence": 0}
        pending = []  # heap of (end seconds, sequence, line)
        output = []
        good_done = 0
        carry = 0  # budget of starts that found no valid time
        for span_start, span_end, budget in spans:
            budget += carry
            carry = 0
            plans = self._plans_for(rng, budget)
            starts = sorted(rng.randrange(span_start, span_end) for _plan in plans)
            for (kind, legs), start in zip(plans, starts, strict=True):
                while pending and pending[0][0] <= start:
                    output.append(heapq.heappop(pending)[2])
                caller = callers[
                    min(
                        bisect_left(caller_weights, rng.random() * caller_total),
                        len(callers) - 1,
                    )
                ]
                ddi = ddis[
                    min(
                        bisect_left(ddi_weights, rng.random() * ddi_weights[-1]),
                        len(ddis) - 1,
                    )
                ]
                call_rows = self._call_rows(
                    rng,
                    clock,
                    counters,
                    kind,
                    legs,
                    start,
                    span_start,
                    span_end,
                    caller,
                    ddi,
                )
                if call_rows is None:
                    stats.skipped_calls += 1
                    carry += legs if self.rows is not None else 1
                    continue
                for end, sequence, line in call_rows:
                    heapq.heappush(pending, (end, sequence, line))
                self._count_call(stats, kind, len(call_rows))
                good_done += len(call_rows) if self.rows is not None else 1
                due = bad_total * good_done // good_budget if good_budget else 0
                # never on line 1: the parser reads the layout from it
                while stats.bad_rows < due and (output or stats.rows):
                    output.append(self._bad_row(rng, clock, counters, start, ddi))
                    stats.bad_rows += 1
                if len(output) >= chunk_rows:
                    stats.rows += len(output)
                    yield self._encode(output)
                    output = []
        while pending:
            output.append(heapq.heappop(pending)[2])
        while stats.bad_rows < bad_total and (output or stats.rows):
            output.append(
                self._bad_row(rng, clock, counters, self.period_start, ddis[0])
            )
            stats.bad_rows += 1
        if output:
            stats.rows += len(output)
            yield self._encode(output)

    def _plans_for(self, rng, budget):
        """The calls of one hour: ``budget`` calls, or calls of ``budget``
        legs in all (rows mode, the last one trimmed to fit)."""
        if self.rows is None:
            return [self._plan_call(rng) for _index in range(budget)]
        plans = []
        while budget > 0:
            kind, legs = self._plan_call(rng)
            legs = min(legs, budget)
            plans.append((kind, legs))
            budget -= legs
        return plans

    @staticmethod
    def _count_call(stats, kind, legs):
        stats.calls += 1
        stats.good_rows += legs
        if kind == ROBOT:
            stats.robot_calls += 1
        elif kind == MISSED:
            stats.missed_calls += 1
        else:
            stats.answered_calls += 1
        if legs > 1:
            stats.ring_group_calls += 1

    @staticmethod
    def _encode(lines):
        return ("\n".join(lines) + "\n").encode("utf-8")

    def _call_rows(
        self, rng, clock, counters, kind, legs, start, span_start, span_end, caller, ddi
    ):
        """``[(end seconds, sequence, line)]`` of one call, or None when no start in
        the span keeps the call out of a DST gap."""
        ring = rng.randint(2, 40)
        talk = round(rng.triangular(20, 400, 60))
        robot = rng.randint(5, 60)
        length = robot if kind == ROBOT else ring + (talk if kind != MISSED else 0)
        for attempt in range(_RETRIES):
            if attempt:
                self.stats.redrawn_starts += 1
                start = rng.randrange(span_start, span_end)
            if start + length > self.period_end:
                start = max(self.period_start, self.period_end - length)
            if clock.exists(start) and clock.exists(start + length):
                break
        else:
            return None
        channel_number = counters["channel"]
        counters["channel"] += 1 + legs
        uniqueid = f"{clock.utc_epoch(start)}.{channel_number}"
        trunk = rng.choice(_TRUNKS)
        channel = f"SIP/{trunk}-{channel_number:08x}"
        if rng.random() < 0.3:
            name = rng.choice(_CALLER_NAMES)
        else:
            name = caller
        clid = _quoted(f'"{name}" <{caller}>')
        head = f'"","{caller}","{ddi}","from-trunk",{clid},"{channel}",'
        tail = f',"DOCUMENTATION","{uniqueid}","","","{uniqueid}",'
        start_text = clock.text(start)
        if kind == ROBOT:
            app, data = rng.choice(_ROBOT_PROMPTS)
            counters["sequence"] += 1
            line = (
                f'{head}"","{app}","{data}","{start_text}","{start_text}",'
                f'"{clock.text(start + robot)}",{robot},{robot},"ANSWERED"'
                f"{tail}{counters['sequence']}"
            )
            return [(start + robot, counters["sequence"], line)]
        agents = rng.sample(
            self.agent_extensions, min(legs, len(self.agent_extensions))
        )
        dial = "&".join(f"SIP/{agent}" for agent in agents)
        dial_data = _quoted(f"{dial},40,tT")
        answering = rng.randrange(len(agents)) if kind == ANSWERED_BY_AGENT else None
        rows = []
        for position, agent in enumerate(agents):
            dstchannel = f"SIP/{agent}-{channel_number + 1 + position:08x}"
            counters["sequence"] += 1
            if position == answering:
                answer = start + ring
                end = answer + talk
                times = (
                    f'"{start_text}","{clock.text(answer)}","{clock.text(end)}",'
                    f'{ring + talk},{talk},"ANSWERED"'
                )
            else:
                end = start + ring
                times = f'"{start_text}",,"{clock.text(end)}",{ring},0,"NO ANSWER"'
            rows.append(
                (
                    end,
                    counters["sequence"],
                    f'{head}"{dstchannel}","Dial",{dial_data},{times}'
                    f"{tail}{counters['sequence']}",
                )
            )
        return rows

    def _bad_row(self, rng, clock, counters, start, ddi):
        """A line the parser must quarantine, of each kind in turn."""
        kind = BAD_ROW_KINDS[self.stats.bad_rows % len(BAD_ROW_KINDS)]
        counters["sequence"] += 1
        counters["channel"] += 1
        uniqueid = f"{clock.utc_epoch(start)}.{counters['channel']}"
        caller = f"6{rng.randrange(10**8):08d}"
        start_text = clock.text(start)
        end_text = clock.text(start + 30)
        duration = "-30" if kind == "negative duration" else "30"
        if kind == "bad date":
            start_text = start_text[:5] + "13-45 25:61:00"
        line = (
            f'"","{caller}","{ddi}","from-trunk","""{caller}"" <{caller}>",'
            f'"SIP/movistar-{counters["channel"]:08x}","SIP/301-{counters["channel"]:08x}",'
            f'"Dial","SIP/301,40,tT","{start_text}","{start_text}","{end_text}",'
            f'{duration},30,"ANSWERED","DOCUMENTATION","{uniqueid}","","",'
            f'"{uniqueid}",{counters["sequence"]}'
        )
        if kind == "truncated":
            line = line[: line.index(',"Dial"')]
        return line


def generate_cdr(ddi_numbers, period_start, period_end, **options):
    """The whole export at once: :class:`GeneratedCdr` (bytes and counts).

    Same arguments as :class:`CdrGenerator`.
    """
    generator = CdrGenerator(ddi_numbers, period_start, period_end, **options)
    data = b"".join(generator.iter_chunks())
    return GeneratedCdr(data=data, stats=generator.stats)
