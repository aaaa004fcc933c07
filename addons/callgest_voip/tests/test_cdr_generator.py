import csv
import io
from collections import Counter
from datetime import datetime

from odoo.tests import BaseCase

from ..tools import cdr_generator as generator
from ..tools import cdr_parsers as cdr

MADRID = "Europe/Madrid"
DDIS = ["933906701", "910600100", "34910600101", "963000201"]
# a fortnight of weekdays and weekends, DST starting on the night of the 29th
MARCH_START = datetime(2026, 3, 20)
MARCH_END = datetime(2026, 4, 3)
ASTERISK_21 = cdr.ASTERISK_LAYOUTS[21]


def fields_of(data):
    """The Master.csv lines as dicts of the 21 Asterisk columns."""
    reader = csv.reader(io.StringIO(data.decode("utf-8")))
    return [dict(zip(ASTERISK_21, line, strict=True)) for line in reader]


class TestCdrGenerator(BaseCase):
    """The synthetic Master.csv: the parser must read all of it, as calls."""

    def parse(self, data):
        parsed = cdr.parse_cdr(data, tz_name=MADRID)
        return parsed, cdr.consolidate(parsed.rows + parsed.bad_rows)

    def test_calls_mode_exact_counts(self):
        result = generator.generate_cdr(
            DDIS, MARCH_START, MARCH_END, calls=200, seed=42
        )
        stats = result.stats
        parsed, consolidation = self.parse(result.data)
        self.assertEqual(stats.calls, 200)
        self.assertEqual(parsed.fmt, cdr.ASTERISK)
        self.assertEqual(parsed.columns, ASTERISK_21)
        self.assertEqual(parsed.bad_rows, [])
        self.assertEqual(len(parsed.rows), stats.rows)
        self.assertEqual(result.data.count(b"\n"), stats.rows)
        self.assertEqual(len(consolidation.calls), 200)
        self.assertEqual(consolidation.duplicates, 0)
        self.assertEqual(consolidation.rows_in_calls, stats.rows)
        self.assertEqual(
            stats.answered_calls + stats.missed_calls + stats.robot_calls, 200
        )
        dispositions = Counter(call.disposition for call in consolidation.calls)
        self.assertEqual(dispositions[cdr.MISSED], stats.missed_calls)
        self.assertEqual(
            dispositions[cdr.ANSWERED], stats.answered_calls + stats.robot_calls
        )
        robots = [call for call in consolidation.calls if not call.main.dstchannel]
        self.assertEqual(len(robots), stats.robot_calls)
        self.assertTrue(
            all(call.main.lastapp in ("Playback", "BackGround") for call in robots)
        )
        forks = [call for call in consolidation.calls if len(call.legs) > 1]
        self.assertEqual(len(forks), stats.ring_group_calls)
        self.assertTrue(all(len(call.legs) in (2, 3) for call in forks))
        # pinned: a change of these figures is a change of every seeded export
        self.assertEqual(
            (stats.rows, stats.answered_calls, stats.missed_calls, stats.robot_calls),
            (284, 155, 28, 17),
        )

    def test_rows_mode_writes_exactly_the_rows(self):
        for rows in (1, 2, 3, 997):
            result = generator.generate_cdr(
                DDIS, MARCH_START, MARCH_END, rows=rows, seed=rows
            )
            parsed, consolidation = self.parse(result.data)
            self.assertEqual(result.stats.rows, rows)
            self.assertEqual(len(parsed.rows), rows)
            self.assertEqual(parsed.bad_rows, [])
            self.assertEqual(len(consolidation.calls), result.stats.calls)

    def test_ring_group_legs(self):
        result = generator.generate_cdr(
            DDIS,
            MARCH_START,
            MARCH_END,
            calls=300,
            seed=5,
            ring_group_share=1.0,
            robot_share=0.0,
            missed_share=0.2,
        )
        _parsed, consolidation = self.parse(result.data)
        self.assertEqual(len(consolidation.calls), 300)
        for call in consolidation.calls:
            self.assertIn(len(call.legs), (2, 3))
            self.assertEqual({leg.linked_key for leg in call.legs}, {call.key})
            answered = [leg for leg in call.legs if leg.disposition == cdr.ANSWERED]
            self.assertLessEqual(len(answered), 1)
            for leg in call.legs:
                extension = leg.dstchannel.split("/")[1].split("-")[0]
                self.assertIn(extension, generator.AGENT_EXTENSIONS)
                if leg.disposition != cdr.ANSWERED:
                    self.assertIsNone(leg.answer)
                    self.assertEqual(leg.billsec, 0)
                    self.assertTrue(2 <= leg.duration <= 40)
            if answered:
                self.assertTrue(20 <= answered[0].billsec <= 400)

    def test_deterministic_and_chunked(self):
        options = {"calls": 400, "seed": 9}
        first = generator.generate_cdr(DDIS, MARCH_START, MARCH_END, **options)
        again = generator.generate_cdr(DDIS, MARCH_START, MARCH_END, **options)
        other = generator.generate_cdr(DDIS, MARCH_START, MARCH_END, calls=400, seed=10)
        self.assertEqual(first.data, again.data)
        self.assertEqual(first.stats, again.stats)
        self.assertNotEqual(first.data, other.data)
        chunked = generator.CdrGenerator(DDIS, MARCH_START, MARCH_END, **options)
        chunks = list(chunked.iter_chunks(chunk_rows=50))
        self.assertGreater(len(chunks), 5)
        self.assertTrue(all(chunk.endswith(b"\n") for chunk in chunks))
        self.assertEqual(b"".join(chunks), first.data)
        self.assertEqual(chunked.stats, first.stats)

    def test_bad_rows_are_quarantined_exactly(self):
        result = generator.generate_cdr(
            DDIS, MARCH_START, MARCH_END, rows=1000, seed=3, bad_row_share=0.05
        )
        parsed, consolidation = self.parse(result.data)
        self.assertEqual(result.stats.bad_rows, 50)
        self.assertEqual(result.stats.rows, 1000)
        self.assertEqual(len(parsed.bad_rows), 50)
        self.assertEqual(consolidation.quarantined, 50)
        self.assertEqual(len(consolidation.calls), result.stats.calls)
        self.assertEqual(
            consolidation.rows_in,
            consolidation.rows_in_calls
            + consolidation.duplicates
            + consolidation.quarantined,
        )
        self.assertNotIn(1, [row.line_number for row in parsed.bad_rows])
        reasons = Counter(row.reason.split(":")[0] for row in parsed.bad_rows)
        self.assertEqual(
            set(reasons), {"negative duration", "bad start date", "truncated line"}
        )

    def test_bad_rows_in_calls_mode(self):
        result = generator.generate_cdr(
            DDIS, MARCH_START, MARCH_END, calls=300, seed=4, bad_row_share=0.1
        )
        parsed, consolidation = self.parse(result.data)
        self.assertGreater(result.stats.bad_rows, 0)
        self.assertEqual(consolidation.quarantined, result.stats.bad_rows)
        self.assertEqual(len(consolidation.calls), 300)

    def test_no_call_in_the_dst_gap(self):
        # 2026-03-29: Madrid skips from 02:00 to 03:00
        result = generator.generate_cdr(
            DDIS,
            datetime(2026, 3, 29, 1, 50),
            datetime(2026, 3, 29, 3, 10),
            calls=300,
            seed=1,
        )
        parsed, consolidation = self.parse(result.data)
        self.assertEqual(parsed.bad_rows, [])
        self.assertEqual(len(consolidation.calls), 300)
        self.assertGreater(result.stats.redrawn_starts, 0)
        for line in fields_of(result.data):
            for name in ("start", "answer", "end"):
                self.assertFalse(line[name].startswith("2026-03-29 02:"), line)

    def test_period_callers_and_business_hours(self):
        period_end = datetime(2026, 4, 2, 12, 0)
        result = generator.generate_cdr(
            DDIS, MARCH_START, period_end, calls=2000, seed=11
        )
        lines = fields_of(result.data)
        starts = [datetime.fromisoformat(line["start"]) for line in lines]
        ends = [datetime.fromisoformat(line["end"]) for line in lines]
        self.assertGreaterEqual(min(starts), MARCH_START)
        self.assertLessEqual(max(ends), period_end)
        self.assertEqual({line["dst"] for line in lines}, set(DDIS))
        first_leg_of_call = {line["linkedid"]: line for line in lines}
        callers = Counter(line["src"] for line in first_leg_of_call.values())
        self.assertTrue(all(len(number) == 9 for number in callers))
        self.assertTrue(all(number[0] in "69" for number in callers))
        self.assertLess(len(callers), 2000 * 0.6, "callers come back")
        self.assertGreater(callers.most_common(1)[0][1], 20)
        business = [
            start for start in starts if start.weekday() < 5 and 9 <= start.hour < 19
        ]
        self.assertGreater(len(business), 0.7 * len(starts))

    def test_arguments_are_checked(self):
        with self.assertRaises(ValueError):
            generator.CdrGenerator(DDIS, MARCH_START, MARCH_END)
        with self.assertRaises(ValueError):
            generator.CdrGenerator(DDIS, MARCH_START, MARCH_END, calls=1, rows=1)
        with self.assertRaises(ValueError):
            generator.CdrGenerator([], MARCH_START, MARCH_END, calls=1)
        with self.assertRaises(ValueError):
            generator.CdrGenerator(DDIS, MARCH_END, MARCH_START, calls=1)
