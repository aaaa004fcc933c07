import os
from datetime import datetime

from odoo.tests import BaseCase

from ..tools import queue_log as ql
from ..tools.cdr_parsers import BadRow

DATA = os.path.join(os.path.dirname(__file__), "data")
SAMPLE = "queue_log-sample.txt"


def sample(name):
    with open(os.path.join(DATA, name), "rb") as handle:
        return handle.read()


class QueueLogCase(BaseCase):
    def assertCounts(self, result, rows_in, calls, duplicates, quarantined, non_call):
        """The counts, and the invariant that ties them together."""
        self.assertEqual(result.rows_in, rows_in)
        self.assertEqual(len(result.calls), calls)
        self.assertEqual(result.duplicates, duplicates)
        self.assertEqual(result.quarantined, quarantined)
        self.assertEqual(result.non_call_events, non_call)
        self.assertEqual(
            result.rows_in,
            result.rows_in_calls
            + result.duplicates
            + result.quarantined
            + result.non_call_events,
        )
        self.assertEqual(
            result.rows_in_calls, sum(len(call.line_numbers) for call in result.calls)
        )


class TestQueueLogSample(QueueLogCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.result = ql.parse_queue_log(sample(SAMPLE))
        cls.calls = {call.key: call for call in cls.result.calls}

    def test_counts(self):
        # 47 lines: 27 in 9 calls, 1 duplicate, 7 bad, 12 member/system events
        self.assertCounts(self.result, 47, 9, 1, 7, 12)
        self.assertEqual(self.result.rows_in_calls, 27)
        self.assertEqual(
            [call.key for call in self.result.calls],
            [
                "1770714100.1",
                "1770714300.2",
                "1770714400.3",
                "1770714500.4",
                "1770714600.5",
                "1770714800.6",
                "1770714900.7",
                "1770715000.8",
                "1770715300.15",
            ],
        )

    def test_bad_rows(self):
        reasons = {bad.line_number: bad.reason for bad in self.result.bad_rows}
        self.assertEqual(
            reasons,
            {
                32: "bad epoch: '17707x5100'",
                33: "unknown event 'FOOBAR'",
                34: "missing fields for ABANDON: 2 data fields, expected 3",
                35: "truncated line: 3 fields, expected 5 or more",
                36: "empty line",
                37: "ENTERQUEUE without a callid",
                38: "CONNECT holdtime is not an integer: 'x'",
            },
        )
        self.assertEqual(
            self.result.bad_rows[3],
            BadRow(35, "1770715103|1770715103.12|recep", reasons[35]),
        )

    def test_answered(self):
        call = self.calls["1770714100.1"]
        self.assertEqual(
            call,
            ql.QueueCall(
                key="1770714100.1",
                queue="recepcion",
                caller="600111222",
                enter=datetime(2026, 2, 10, 9, 1, 40),
                connect=datetime(2026, 2, 10, 9, 2, 0),
                end=datetime(2026, 2, 10, 9, 3, 35),
                agent="SIP/301",
                agent_extension="301",
                wait_seconds=20,
                ring_seconds=20,  # 12 s at 302 (RINGNOANSWER), 8 s at 301
                talk_seconds=95,
                outcome=ql.ANSWERED,
                transfer_to="",
                # line 22, the same COMPLETECALLER again, is a duplicate
                line_numbers=(6, 7, 8, 9),
            ),
        )

    def test_abandoned_with_fractions(self):
        call = self.calls["1770714300.2"]
        self.assertEqual(call.outcome, ql.ABANDONED)
        self.assertEqual(call.enter, datetime(2026, 2, 10, 9, 5, 0, 250000))
        self.assertEqual(call.end, datetime(2026, 2, 10, 9, 5, 45, 750000))
        self.assertIsNone(call.connect)
        self.assertEqual((call.wait_seconds, call.ring_seconds), (45, 0))
        self.assertEqual((call.agent, call.agent_extension), ("", ""))
        self.assertEqual(call.line_numbers, (10, 11))

    def test_timeout_empty_and_unfinished(self):
        timeout = self.calls["1770714400.3"]
        self.assertEqual(timeout.outcome, ql.TIMEOUT)
        self.assertEqual(timeout.queue, "soporte")
        self.assertEqual((timeout.wait_seconds, timeout.ring_seconds), (60, 15))
        self.assertEqual(timeout.agent, "")  # rang, never connected
        self.assertEqual(timeout.end, datetime(2026, 2, 10, 9, 7, 40))
        empty = self.calls["1770714900.7"]
        self.assertEqual((empty.outcome, empty.wait_seconds), (ql.EXIT_EMPTY, 2))
        going_on = self.calls["1770715000.8"]
        self.assertEqual(going_on.outcome, ql.UNFINISHED)
        self.assertIsNone(going_on.end)
        self.assertEqual(going_on.connect, datetime(2026, 2, 10, 9, 16, 49))
        self.assertEqual((going_on.agent, going_on.agent_extension), ("SIP/302", "302"))
        self.assertEqual((going_on.wait_seconds, going_on.talk_seconds), (9, 0))

    def test_blind_transfer(self):
        call = self.calls["1770714500.4"]
        self.assertEqual(call.outcome, ql.ANSWERED)
        self.assertEqual(call.agent, "Local/303@from-queue/n")
        self.assertEqual(call.agent_extension, "303")
        self.assertEqual((call.wait_seconds, call.ring_seconds), (5, 3))
        self.assertEqual(call.talk_seconds, 60)
        self.assertEqual(call.transfer_to, "600999888")
        self.assertEqual(call.end, datetime(2026, 2, 10, 9, 9, 25))

    def test_attended_transfers(self):
        bridge = self.calls["1770714600.5"]
        self.assertEqual((bridge.agent, bridge.agent_extension), ("Agent/1001", "1001"))
        self.assertEqual(bridge.transfer_to, "5f2a9c1e-bridge")
        self.assertEqual((bridge.wait_seconds, bridge.talk_seconds), (4, 96))
        link = self.calls["1770715300.15"]
        # LINK|channel|channel: one field more before holdtime and calltime
        self.assertEqual(link.transfer_to, "SIP/trunk-00000021")
        self.assertEqual((link.wait_seconds, link.talk_seconds), (3, 97))
        self.assertEqual(link.outcome, ql.ANSWERED)

    def test_second_queue_is_the_same_call(self):
        call = self.calls["1770714800.6"]
        # answered in recepcion, sent to ventas, then the caller left with a key
        self.assertEqual(call.queue, "ventas")
        self.assertEqual(call.outcome, ql.EXIT_KEY)
        self.assertEqual(call.caller, "611222333")
        self.assertEqual(call.enter, datetime(2026, 2, 10, 9, 13, 20))
        self.assertEqual(call.connect, datetime(2026, 2, 10, 9, 13, 30))
        self.assertEqual(call.end, datetime(2026, 2, 10, 9, 14, 31))
        self.assertEqual(call.agent, "SIP/301")
        self.assertEqual(call.wait_seconds, 40)  # 10 s + 30 s
        self.assertEqual((call.ring_seconds, call.talk_seconds), (5, 30))
        self.assertEqual(call.transfer_to, "ventas")
        self.assertEqual(call.line_numbers, (23, 24, 25, 26, 27))


class TestQueueLogLines(QueueLogCase):
    def test_text_duplicates_and_a_log_begun_mid_call(self):
        data = (
            "1770714120|1770714100.1|recepcion|SIP/301|CONNECT|20|1770714112.5|8\n"
            "1770714215|1770714100.1|recepcion|SIP/301|COMPLETEAGENT|20|95\n"
            "1770714215|1770714100.1|recepcion|SIP/301|COMPLETEAGENT|20|95\n"
            "1770714215|1770714100.1|recepcion|SIP/301|COMPLETEAGENT|20|95\n"
        )
        result = ql.parse_queue_log(data)
        self.assertCounts(result, 4, 1, 2, 0, 0)
        call = result.calls[0]
        # no ENTERQUEUE: entered at the first event known, caller unknown
        self.assertEqual(call.enter, datetime(2026, 2, 10, 9, 2, 0))
        self.assertEqual(call.caller, "")
        self.assertEqual(
            (call.outcome, call.wait_seconds, call.talk_seconds), ("answered", 20, 95)
        )

    def test_older_asterisk_fields_and_ring_cancel(self):
        data = (
            # no position, CONNECT without ringtime, EXITWITHKEY without waittime
            "1770714100|1.1|q|NONE|ENTERQUEUE||600111222\n"
            "1770714103|1.1|q|SIP/301|RINGCANCELED|2500\n"
            "1770714104|1.1|q|NONE|EXITWITHKEY|5|1\n"
            "1770714200|2.2|q|NONE|ENTERQUEUE||600111223\n"
            "1770714210|2.2|q|SIP/301|CONNECT|10|2.3\n"
            "1770714230|2.2|q|SIP/301|ATTENDEDTRANSFER|APP|Dial|10|20|1\n"
        )
        result = ql.parse_queue_log(data.encode())
        self.assertCounts(result, 6, 2, 0, 0, 0)
        first, second = result.calls
        self.assertEqual((first.outcome, first.wait_seconds), (ql.EXIT_KEY, None))
        self.assertEqual(first.ring_seconds, 2)  # 2.5 s, rounded half to even
        self.assertEqual((second.ring_seconds, second.transfer_to), (0, "Dial"))

    def test_empty(self):
        result = ql.parse_queue_log(b"")
        self.assertCounts(result, 0, 0, 0, 0, 0)
