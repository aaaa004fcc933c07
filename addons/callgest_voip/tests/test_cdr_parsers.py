from collections import Counter
from datetime import datetime

import pytz

from odoo.tests import BaseCase

from ..tools import cdr_parsers as cdr
from .common import FREESWITCH, PJSIP, PJSIP_COLUMNS, RINGGROUP, sample

MADRID = "Europe/Madrid"
# our own: menus, voicemail, queues and transfers (21 columns, Madrid time)
IVR_TRANSFER = "asterisk-ivr-queue-transfer.csv"
# one Asterisk row of the default order with uniqueid (17 columns)
ASTERISK_17 = (
    '"","600100200","934000001","from-pstn","""Ana"" <600100200>",'
    '"SIP/trunk-0001","SIP/101-0002","Dial","SIP/101,30",'
    '"{start}","{answer}","{end}",{duration},{billsec},"{disposition}",'
    '"DOCUMENTATION","{uniqueid}"'
)


def asterisk_line(**values):
    fields = {
        "start": "2026-01-15 10:00:00",
        "answer": "2026-01-15 10:00:05",
        "end": "2026-01-15 10:01:05",
        "duration": "65",
        "billsec": "60",
        "disposition": "ANSWERED",
        "uniqueid": "1768467600.1",
    }
    fields.update(values)
    return ASTERISK_17.format(**fields)


class CdrCase(BaseCase):
    def assertCounts(self, result, rows_in, calls, duplicates, quarantined):
        """The counts, and the invariant that ties them together."""
        self.assertEqual(result.rows_in, rows_in)
        self.assertEqual(len(result.calls), calls)
        self.assertEqual(result.duplicates, duplicates)
        self.assertEqual(result.quarantined, quarantined)
        self.assertEqual(
            result.rows_in,
            result.rows_in_calls + result.duplicates + result.quarantined,
        )
        self.assertEqual(
            result.rows_in_calls, sum(len(call.legs) for call in result.calls)
        )


class TestRingGroupSample(CdrCase):
    """Asterisk Master.csv, 21 columns, ring groups and Local channels."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.parsed = cdr.parse_cdr(sample(RINGGROUP), tz_name=MADRID)
        cls.result = cdr.consolidate(cls.parsed.rows + cls.parsed.bad_rows)
        cls.calls = {call.key: call for call in cls.result.calls}

    def test_detected_and_counts(self):
        self.assertEqual(self.parsed.fmt, cdr.ASTERISK)
        self.assertEqual(self.parsed.columns, cdr.ASTERISK_LAYOUTS[21])
        self.assertEqual(self.parsed.header_line, 0)
        self.assertEqual(self.parsed.bad_rows, [])
        # 84 rows, 36 distinct linkedids: one call each
        self.assertCounts(self.result, 84, 36, 0, 0)
        dispositions = Counter(call.disposition for call in self.result.calls)
        self.assertEqual(dispositions, {"answered": 30, "missed": 5, "busy": 1})

    def test_ring_group_answered_leg_wins(self):
        call = self.calls["1706407446.50"]
        # two Local channels x halves + the bridged SIP leg
        self.assertEqual(len(call.legs), 5)
        self.assertEqual(call.disposition, cdr.ANSWERED)
        self.assertEqual(call.main.line_number, 26)
        self.assertEqual(call.billsec, 17)
        self.assertEqual(call.caller, "89025348783")
        self.assertEqual(call.called, "211553")
        # 2024-01-28 02:04:06 in Madrid (CET, UTC+1)
        self.assertEqual(call.start, datetime(2024, 1, 28, 1, 4, 6))
        self.assertEqual(call.answer, datetime(2024, 1, 28, 1, 4, 12))
        self.assertEqual(call.end, datetime(2024, 1, 28, 1, 4, 29))
        self.assertEqual(call.wait_seconds, 6)
        self.assertEqual(call.duration, 23)

    def test_seconds_split_of_the_ring_group_call(self):
        call = self.calls["1706407446.50"]
        self.assertEqual(call.robot_seconds, 0)
        self.assertEqual(call.wait_seconds, 6)
        self.assertEqual(call.secretary_seconds, 17)
        self.assertEqual((call.transfer_seconds, call.transfer_to), (0, ""))
        self.assertEqual(call.agent_channel, "SIP/301")
        self.assertEqual(call.agent_extension, "301")
        self.assertEqual((call.accountcode, call.userfield), ("", ""))
        self.assertEqual(
            call.leg_identities,
            (
                "1706407446.52|42",
                "1706407446.50|40",
                "1706407446.50|47",
                "1706407446.50|48",
                "1706407446.50|50",
            ),
        )
        trunk = self.calls["mainserverdss-1706445411.103"]
        self.assertEqual(trunk.agent_channel, "SIP/stadionpbx")
        self.assertEqual(trunk.agent_extension, "stadionpbx")
        self.assertEqual((trunk.wait_seconds, trunk.secretary_seconds), (3, 66))

    def test_pbx_only_calls_are_robot_time(self):
        # a lone "Hangup" row, ANSWERED by the PBX: answered as before, but
        # no person: robot time, no wait
        call = self.calls["1706368044.0"]
        self.assertEqual(call.disposition, cdr.ANSWERED)
        self.assertEqual(call.robot_seconds, 27)
        self.assertEqual(call.secretary_seconds, 0)
        self.assertIsNone(call.wait_seconds)
        self.assertEqual(call.agent_channel, "")
        robot = Counter(
            call.robot_seconds for call in self.result.calls if call.robot_seconds
        )
        self.assertEqual(robot, {27: 2, 10: 4})
        # missed after the dials: the PBX's Hangup row lasted 0 s
        missed = self.calls["1706369600.6"]
        self.assertEqual((missed.robot_seconds, missed.secretary_seconds), (0, 0))
        self.assertIsNone(missed.wait_seconds)

    def test_no_one_answered_is_missed(self):
        # two NO ANSWER dial legs, then the PBX's own Hangup row "ANSWERED"
        call = self.calls["1706369600.6"]
        self.assertEqual(len(call.legs), 3)
        self.assertEqual(call.disposition, cdr.MISSED)
        self.assertIsNone(call.answer)
        self.assertIsNone(call.wait_seconds)
        self.assertEqual(call.billsec, 0)
        # Local channel ;1/;2 halves of three ring-group members, none answered
        self.assertEqual(len(self.calls["1706372196.12"].legs), 7)
        self.assertEqual(self.calls["1706372196.12"].disposition, cdr.MISSED)

    def test_single_leg_and_busy(self):
        call = self.calls["1706368044.0"]
        self.assertEqual(len(call.legs), 1)
        self.assertEqual(call.disposition, cdr.ANSWERED)
        self.assertEqual(call.billsec, 27)
        busy = self.calls["mainserverdss-1706443058.100"]
        self.assertEqual(busy.disposition, cdr.BUSY)
        self.assertIsNone(busy.main.answer)  # empty answer, unquoted

    def test_system_name_prefix(self):
        call = self.calls["mainserverdss-1706420300.0"]
        self.assertEqual(call.main.system_name, "mainserverdss")
        self.assertEqual(call.main.unique_key, "mainserverdss-1706420300.0")
        self.assertEqual(self.calls["1706368044.0"].main.system_name, "")

    def test_mojibake_decoded_as_latin1(self):
        latin = [row for row in self.parsed.rows if row.encoding == "latin-1"]
        self.assertEqual(
            [row.line_number for row in latin], [41, 42, 43, 44, 69, 70, 79, 80]
        )
        self.assertEqual(latin[0].caller_name, '"8107924651¥¥b" <81079246516548>')
        utf8 = [row for row in self.parsed.rows if row.encoding == "utf-8"]
        self.assertEqual(len(utf8), 76)


class TestPjsipCustomOrderSample(CdrCase):
    """Asterisk CSV in a custom order: clid first, quoted integers."""

    def test_default_order_is_refused_not_misread(self):
        with self.assertRaisesRegex(cdr.CdrFormatError, "custom order"):
            cdr.parse_cdr(sample(PJSIP), tz_name=MADRID)

    def test_columns_list(self):
        parsed = cdr.parse_cdr(sample(PJSIP), tz_name=MADRID, columns=PJSIP_COLUMNS)
        self.assertEqual(parsed.fmt, cdr.ASTERISK)
        self.assertEqual(parsed.bad_rows, [])
        result = cdr.consolidate(parsed.rows)
        # every uniqueid differs: 14 rows, 14 calls
        self.assertCounts(result, 14, 14, 0, 0)
        first = parsed.rows[0]
        self.assertEqual(first.caller, "client1")
        self.assertEqual(first.called, "6789")
        self.assertEqual(first.caller_name, '"" <client1>')
        self.assertEqual((first.duration, first.billsec), (31, 13))
        self.assertEqual(first.unique_key, "1690325492.2")
        self.assertEqual(first.linked_key, "")
        # 2023-07-26 01:51:32 in Madrid (CEST, UTC+2)
        self.assertEqual(first.start, datetime(2023, 7, 25, 23, 51, 32))
        self.assertEqual(first.answer, datetime(2023, 7, 25, 23, 51, 50))
        missed = parsed.rows[1]
        self.assertIsNone(missed.answer)  # "" answer
        self.assertEqual(missed.disposition, cdr.MISSED)
        dispositions = Counter(call.disposition for call in result.calls)
        self.assertEqual(dispositions, {"answered": 11, "missed": 3})
        call = result.calls[0]
        self.assertEqual(call.agent_channel, "PJSIP/client2")
        self.assertEqual(call.agent_extension, "client2")
        self.assertEqual((call.wait_seconds, call.secretary_seconds), (18, 13))
        self.assertEqual(call.leg_identities, ("1690325492.2|2",))

    def test_header_named_order(self):
        header = ",".join(PJSIP_COLUMNS).encode()
        parsed = cdr.parse_cdr(header + b"\n" + sample(PJSIP), tz_name=MADRID)
        self.assertEqual(parsed.header_line, 1)
        self.assertEqual(len(parsed.rows), 14)
        self.assertEqual(parsed.rows[0].line_number, 2)
        self.assertEqual(parsed.rows[0].unique_key, "1690325492.2")


class TestFreeswitchSample(CdrCase):
    """FreeSWITCH mod_cdr_csv default template."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.parsed = cdr.parse_cdr(sample(FREESWITCH), tz_name=MADRID)
        cls.result = cdr.consolidate(cls.parsed.rows)

    def test_counts_and_duplicates(self):
        self.assertEqual(self.parsed.fmt, cdr.FREESWITCH)
        self.assertEqual(self.parsed.bad_rows, [])
        # uuid 7adced1a... three times: one call, two duplicates
        self.assertCounts(self.result, 10, 8, 2, 0)
        call = next(c for c in self.result.calls if c.key.startswith("7adced1a"))
        self.assertEqual(call.main.line_number, 8)
        self.assertEqual(call.main.disposition_raw, "NORMAL_CLEARING")
        self.assertEqual([row.line_number for row in call.duplicates], [9, 10])
        self.assertEqual(call.billsec, 20)
        # no channels to tell the PBX from a person: an answered leg is a
        # person's
        self.assertEqual((call.secretary_seconds, call.robot_seconds), (20, 0))
        self.assertEqual(call.wait_seconds, 0)
        self.assertEqual(call.agent_channel, "")
        self.assertEqual(call.leg_identities, ("7adced1a-4c7c-11ea-b08c-2bfc2a06d67d",))

    def test_timestamps_without_seconds(self):
        row = self.parsed.rows[0]
        # 2020/2/10 22:41 in Madrid (CET)
        self.assertEqual(row.start, datetime(2020, 2, 10, 21, 41))
        self.assertEqual(row.called, "&")
        self.assertEqual(row.caller, "1002")
        self.assertEqual(row.unique_key, "d80e22e0-4c15-11ea-97a0-9dd79410affb")

    def test_hangup_causes(self):
        by_line = {row.line_number: row for row in self.parsed.rows}
        self.assertEqual(by_line[1].disposition, cdr.ANSWERED)
        self.assertEqual(by_line[3].disposition, cdr.MISSED)  # NO_USER_RESPONSE
        self.assertIsNone(by_line[3].answer)
        self.assertEqual(by_line[7].disposition, cdr.ANSWERED)  # answered, timer
        self.assertEqual(by_line[10].disposition, cdr.BUSY)


class TestBadRows(CdrCase):
    """Every line that cannot be read is quarantined with its reason."""

    def test_quarantine_reasons(self):
        lines = [
            asterisk_line(),
            asterisk_line(uniqueid="2.2", start="2026-02-30 10:00:00"),
            asterisk_line(uniqueid="3.3", duration="-5"),
            asterisk_line(uniqueid="4.4")[:60],
            "",
            asterisk_line(uniqueid="6.6", disposition="WHATEVER"),
            asterisk_line(uniqueid="7.7", billsec="x"),
            asterisk_line(uniqueid="8.8", end="2026-01-15 09:00:00"),
            asterisk_line(uniqueid="9.9", start="2026-03-29 02:30:00"),
            asterisk_line(uniqueid="10.10", answer=""),
        ]
        data = ("\n".join(lines) + "\n").encode()
        parsed = cdr.parse_cdr(data, tz_name=MADRID)
        self.assertEqual(parsed.fmt, cdr.ASTERISK)
        reasons = {bad.line_number: bad.reason for bad in parsed.bad_rows}
        self.assertEqual(
            reasons,
            {
                2: "bad start date: '2026-02-30 10:00:00'",
                3: "negative duration: -5",
                4: "truncated line: 5 columns, expected 17",
                5: "empty line",
                6: "unknown disposition 'WHATEVER'",
                7: "billsec is not an integer: 'x'",
                8: "end before start",
                9: "start '2026-03-29 02:30:00' does not exist in "
                "Europe/Madrid (DST gap)",
            },
        )
        self.assertEqual(parsed.bad_rows[2].raw, lines[3])
        self.assertEqual([row.line_number for row in parsed.rows], [1, 10])
        result = cdr.consolidate(parsed.rows + parsed.bad_rows)
        self.assertCounts(result, 10, 2, 0, 8)
        self.assertEqual(result.bad_rows, parsed.bad_rows)

    def test_bad_encoding_kept(self):
        line = asterisk_line().replace("Ana", "Jos\xe9").encode("latin-1")
        parsed = cdr.parse_cdr(line, tz_name=MADRID)
        self.assertEqual(parsed.rows[0].encoding, "latin-1")
        self.assertEqual(parsed.rows[0].caller_name, '"José" <600100200>')
        utf8 = cdr.parse_cdr(line.decode("latin-1").encode(), tz_name=MADRID)
        self.assertEqual(utf8.rows[0].encoding, "utf-8")
        self.assertEqual(utf8.rows[0].caller_name, '"José" <600100200>')

    def test_undetectable_format(self):
        with self.assertRaisesRegex(cdr.CdrFormatError, "5 columns"):
            cdr.parse_cdr(b"a,b,c,d,e\n")
        with self.assertRaisesRegex(cdr.CdrFormatError, "freeswitch format"):
            cdr.parse_cdr(asterisk_line(), fmt="freeswitch")
        explicit = cdr.parse_cdr(sample(FREESWITCH), fmt="freeswitch")
        self.assertEqual(len(explicit.rows), 10)
        with self.assertRaisesRegex(cdr.CdrFormatError, "Unknown timezone"):
            cdr.parse_cdr(asterisk_line().encode(), tz_name="Mars/Olympus")


class TestTimestamps(CdrCase):
    def test_madrid_to_utc_and_dst(self):
        lines = [
            # winter, CET: UTC+1
            asterisk_line(uniqueid="1.1"),
            # summer, CEST: UTC+2; CRLF line ending
            asterisk_line(
                uniqueid="2.2",
                start="2026-07-15 10:00:00",
                answer="2026-07-15 10:00:05",
                end="2026-07-15 10:01:05",
            )
            + "\r",
            # the repeated hour of 2026-10-25: first occurrence (CEST)
            asterisk_line(
                uniqueid="3.3",
                start="2026-10-25 02:30:00",
                answer="2026-10-25 02:30:05",
                end="2026-10-25 02:31:05",
            ),
        ]
        parsed = cdr.parse_cdr("\n".join(lines), tz_name=MADRID)
        self.assertEqual(parsed.bad_rows, [])
        starts = [row.start for row in parsed.rows]
        self.assertEqual(
            starts,
            [
                datetime(2026, 1, 15, 9, 0),
                datetime(2026, 7, 15, 8, 0),
                datetime(2026, 10, 25, 0, 30),
            ],
        )
        self.assertTrue(all(start.tzinfo is None for start in starts))
        utc = cdr.parse_cdr(lines[0])
        self.assertEqual(utc.rows[0].start, datetime(2026, 1, 15, 10, 0))


class TestDispositions(BaseCase):
    def test_mapping(self):
        cases = [
            ("ANSWERED", cdr.ASTERISK, True, cdr.ANSWERED),
            ("NO ANSWER", cdr.ASTERISK, False, cdr.MISSED),
            ("BUSY", cdr.ASTERISK, False, cdr.BUSY),
            ("FAILED", cdr.ASTERISK, False, cdr.FAILED),
            ("CONGESTION", cdr.ASTERISK, False, cdr.FAILED),
            ("NORMAL_CLEARING", cdr.FREESWITCH, True, cdr.ANSWERED),
            ("NORMAL_CLEARING", cdr.FREESWITCH, False, cdr.MISSED),
            ("INCOMPATIBLE_DESTINATION", cdr.FREESWITCH, False, cdr.FAILED),
            ("ORIGINATOR_CANCEL", cdr.FREESWITCH, False, cdr.MISSED),
            ("USER_BUSY", cdr.FREESWITCH, False, cdr.BUSY),
            ("abandoned", cdr.GENERIC, False, cdr.MISSED),
        ]
        for raw, system, answered, expected in cases:
            with self.subTest(raw=raw, answered=answered):
                self.assertEqual(
                    cdr.normalize_disposition(raw, system, answered), expected
                )
        with self.assertRaises(ValueError):
            cdr.normalize_disposition("MAYBE", cdr.ASTERISK, False)


class TestConsolidation(CdrCase):
    def test_local_halves_without_linkedid(self):
        # loguniqueid only (17 columns): the ;2 half joins its dialer
        dialer = asterisk_line(uniqueid="100.1").replace(
            "SIP/101-0002", "Local/101@agents-00000001;1"
        )
        half = (
            asterisk_line(uniqueid="100.2", billsec="58", duration="63")
            .replace("SIP/trunk-0001", "Local/101@agents-00000001;2")
            .replace('"600100200","934000001"', '"600100200","101"')
        )
        result = cdr.consolidate(cdr.parse_cdr(f"{dialer}\n{half}\n").rows)
        self.assertCounts(result, 2, 1, 0, 0)
        call = result.calls[0]
        self.assertEqual(call.key, "100.1")
        self.assertEqual(call.called, "934000001")
        self.assertEqual(call.billsec, 60)

    def test_asterisk_row_written_twice_is_a_duplicate(self):
        line = asterisk_line()
        result = cdr.consolidate(cdr.parse_cdr(f"{line}\n{line}\n").rows)
        self.assertCounts(result, 2, 1, 1, 0)

    def test_freeswitch_duplicate_answered_wins(self):
        rows = cdr.parse_cdr(sample(FREESWITCH), tz_name=MADRID).rows
        # the USER_BUSY copy first: the answered copy still wins
        result = cdr.consolidate(list(reversed(rows)))
        call = next(c for c in result.calls if c.key.startswith("7adced1a"))
        self.assertEqual(call.disposition, cdr.ANSWERED)
        self.assertEqual(call.main.line_number, 8)
        self.assertCounts(result, 10, 8, 2, 0)


class TestGeneric(CdrCase):
    def test_mapping_by_header_name(self):
        data = (
            "Fecha;Fin;Origen;Destino;Dur;Fact;Estado;Id\n"
            "15/01/2026 10:00;x;600;934;60;55;answered;a1\n"
        )
        # semicolons: one CSV column, so the header names are not found
        mapping = {
            "start": "Fecha",
            "end": "Fin",
            "duration": "Dur",
            "billsec": "Fact",
            "disposition": "Estado",
        }
        with self.assertRaisesRegex(cdr.CdrFormatError, "no column 'Fecha'"):
            cdr.parse_cdr(data, fmt="generic", mapping=mapping)
        data = (
            "Id,Origen,Destino,Fecha,Contestada,Fin,Dur,Fact,Estado\n"
            "a1,600100200,934000001,2026-01-15 10:00:00,2026-01-15 10:00:10,"
            "2026-01-15 10:01:10,70,60,answered\n"
            "a2,600100201,934000001,2026-01-15 11:00:00,,"
            "2026-01-15 11:00:30,30,0,abandoned\n"
            "a3,600100202,934000001,2026-01-15 12:00:00\n"
        )
        mapping = {
            "uniqueid": "Id",
            "src": "Origen",
            "dst": "Destino",
            "start": "Fecha",
            "answer": "Contestada",
            "end": "Fin",
            "duration": "Dur",
            "billsec": "Fact",
            "disposition": "Estado",
        }
        parsed = cdr.parse_cdr(data, fmt="generic", tz_name=MADRID, mapping=mapping)
        self.assertEqual(parsed.fmt, cdr.GENERIC)
        self.assertEqual(parsed.header_line, 1)
        self.assertEqual(
            parsed.bad_rows,
            [
                cdr.BadRow(
                    4,
                    "a3,600100202,934000001,2026-01-15 12:00:00",
                    "truncated line: 4 columns, expected 9",
                )
            ],
        )
        result = cdr.consolidate(parsed.rows + parsed.bad_rows)
        self.assertCounts(result, 3, 2, 0, 1)
        first, second = result.calls
        self.assertEqual(first.start, datetime(2026, 1, 15, 9, 0))
        self.assertEqual(first.wait_seconds, 10)
        self.assertEqual((first.secretary_seconds, first.robot_seconds), (60, 0))
        self.assertEqual(second.disposition, cdr.MISSED)
        self.assertEqual(first.leg_identities, ("a1|||2026-01-15T09:00:00|",))

    def test_mapping_by_index_and_errors(self):
        line = "2026-01-15 10:00:00,2026-01-15 10:01:00,60,50,ANSWERED"
        mapping = {"start": 0, "end": 1, "duration": 2, "billsec": 3}
        with self.assertRaisesRegex(cdr.CdrFormatError, "lacks disposition"):
            cdr.parse_cdr(line, fmt="generic", mapping=mapping)
        mapping["disposition"] = 4
        parsed = cdr.parse_cdr(line, fmt="generic", mapping=mapping)
        self.assertEqual(parsed.header_line, 0)
        self.assertEqual(len(parsed.rows), 1)
        self.assertEqual(parsed.rows[0].unique_key, "")
        result = cdr.consolidate(parsed.rows)
        self.assertEqual(result.calls[0].key, "line:1")
        with self.assertRaisesRegex(cdr.CdrFormatError, "beyond the 5"):
            cdr.parse_cdr(line, fmt="generic", mapping=dict(mapping, src=7))
        with self.assertRaisesRegex(cdr.CdrFormatError, "needs a column mapping"):
            cdr.parse_cdr(line, fmt="generic")
        with self.assertRaisesRegex(cdr.CdrFormatError, "Unknown CDR format"):
            cdr.parse_cdr(line, fmt="sql")


class TestSecondsSplit(CdrCase):
    """Robot, wait, secretary and transfer seconds, on our own fixture."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.parsed = cdr.parse_cdr(sample(IVR_TRANSFER), tz_name=MADRID)
        cls.result = cdr.consolidate(cls.parsed.rows)
        cls.calls = {call.key: call for call in cls.result.calls}

    def test_counts(self):
        self.assertEqual(self.parsed.bad_rows, [])
        self.assertCounts(self.result, 13, 4, 0, 0)
        self.assertEqual(self.parsed.rows[0].accountcode, "cliente42")
        self.assertEqual(self.parsed.rows[0].userfield, "rec-0001")

    def test_menu_queue_and_transfer(self):
        call = self.calls["1770714000.10"]
        self.assertEqual(call.disposition, cdr.ANSWERED)
        self.assertEqual(call.robot_seconds, 12)  # the menu, before the queue
        # queued 10:00:12, answered 10:00:20 (the call began at 10:00:00)
        self.assertEqual(call.wait_seconds, 8)
        # those 8 s were in the Queue, with its music (robot time for billing)
        self.assertEqual(call.queue_seconds, 8)
        self.assertEqual(call.transfers, (("+34 600 123 456", 240),))
        self.assertEqual(call.secretary_seconds, 95)
        self.assertEqual(call.transfer_seconds, 240)
        self.assertEqual(call.transfer_to, "+34 600 123 456")
        self.assertEqual(call.agent_channel, "SIP/301")
        self.assertEqual(call.agent_extension, "301")
        # the person's leg is the main one, not the longer transfer leg
        self.assertEqual(call.main.line_number, 3)
        self.assertEqual(call.billsec, 95)
        self.assertEqual(call.answer, datetime(2026, 2, 10, 9, 0, 20))
        self.assertEqual(call.duration, 355)
        self.assertEqual((call.accountcode, call.userfield), ("cliente42", "rec-0001"))
        self.assertEqual(
            call.leg_identities,
            (
                "1770714000.10|10",
                "1770714000.10|11",
                "1770714000.10|12",
                "1770714110.13|13",
            ),
        )

    def test_message_and_voicemail_without_person(self):
        call = self.calls["1770714600.20"]
        # as before: no dial, the PBX's ANSWERED legs make an answered call
        self.assertEqual(call.disposition, cdr.ANSWERED)
        self.assertEqual(call.robot_seconds, 35)
        self.assertEqual(call.queue_seconds, 0)
        self.assertEqual(call.secretary_seconds, 0)
        self.assertIsNone(call.wait_seconds)
        self.assertEqual((call.agent_channel, call.agent_extension), ("", ""))
        self.assertEqual((call.transfer_seconds, call.transfer_to), (0, ""))

    def test_menu_then_caller_hung_up_in_the_queue(self):
        call = self.calls["1770715200.30"]
        self.assertEqual(call.disposition, cdr.MISSED)
        self.assertEqual(call.robot_seconds, 8)
        # 10:20:08 to 10:20:38 in the queue (music), then the caller hung up
        self.assertEqual(call.queue_seconds, 30)
        self.assertEqual(call.secretary_seconds, 0)
        self.assertIsNone(call.wait_seconds)
        self.assertEqual(call.agent_channel, "")
        self.assertEqual(call.accountcode, "cliente7")

    def test_two_transfers_a_consultation_and_a_later_message(self):
        call = self.calls["1770715800.40"]
        self.assertEqual(call.main.line_number, 9)
        self.assertEqual(call.secretary_seconds, 60)
        self.assertEqual(call.wait_seconds, 4)
        # the "please hold" message comes after the answer: not robot time
        self.assertEqual(call.robot_seconds, 0)
        # mobile 30 s + office 100 s; the consultation of extension 302 is
        # not a transfer outside
        self.assertEqual(call.transfer_seconds, 130)
        self.assertEqual(call.transfer_to, "934 555 666")
        # each transfer with its destination, in order (priced by its class)
        self.assertEqual(call.transfers, (("600999888", 30), ("934 555 666", 100)))
        # the 4 s before the answer are a Dial ringing: not queue time
        self.assertEqual(call.queue_seconds, 0)
        self.assertEqual(call.agent_channel, "SIP/301")

    def test_queue_answering_the_caller_is_counted_once(self):
        """A Queue that answered the caller's channel writes an ANSWERED leg
        without a member, its billsec the wait: queue time, not robot time as
        well (billing adds both)."""
        line = asterisk_line(
            answer="2026-01-15 10:00:00",
            end="2026-01-15 10:00:45",
            duration="45",
            billsec="45",
        ).replace('"SIP/101-0002","Dial"', '"","Queue"')
        (call,) = cdr.consolidate(cdr.parse_cdr(line, tz_name=MADRID).rows).calls
        self.assertEqual((call.robot_seconds, call.queue_seconds), (0, 45))
        self.assertEqual(call.secretary_seconds, 0)

    def test_ringing_is_not_queue_time(self):
        line = asterisk_line(answer="", billsec="0", disposition="NO ANSWER")
        (call,) = cdr.consolidate(cdr.parse_cdr(line, tz_name=MADRID).rows).calls
        self.assertEqual(call.disposition, cdr.MISSED)
        self.assertEqual((call.robot_seconds, call.queue_seconds), (0, 0))
        (answered,) = cdr.consolidate(
            cdr.parse_cdr(asterisk_line(), tz_name=MADRID).rows
        ).calls
        # 5 s of a Dial ringing: wait, not queue time
        self.assertEqual((answered.wait_seconds, answered.queue_seconds), (5, 0))

    def test_helpers(self):
        self.assertTrue(cdr.is_external_number("+34 600 123 456"))
        self.assertTrue(cdr.is_external_number("211553"))
        self.assertFalse(cdr.is_external_number("30155"))
        self.assertFalse(cdr.is_external_number("ch1"))
        self.assertEqual(cdr.channel_device("SIP/301-0000001a"), "SIP/301")
        self.assertEqual(
            cdr.channel_device("Local/ch1@TimeDelay-00000006;1"), "Local/ch1@TimeDelay"
        )
        self.assertEqual(cdr.channel_device("PJSIP/client-2"), "PJSIP/client-2")
        self.assertEqual(cdr.channel_extension("Local/301@from-queue/n"), "301")
        self.assertEqual(cdr.channel_extension("Agent/1001"), "1001")
        self.assertEqual(cdr.channel_extension("PJSIP/client2"), "client2")


class TestStoredLegs(CdrCase):
    """Legs of a stored call, consolidated again when a late leg arrives."""

    def test_late_leg_joins_its_call(self):
        lines = sample(RINGGROUP).split(b"\n")
        # the first import had 4 legs of call 1706407446.50 (lines 1 to 4 of
        # its file), the last leg comes alone: line 1 of another file
        first = cdr.parse_cdr(b"\n".join(lines[21:25]), tz_name=MADRID)
        stored = list(cdr.consolidate(first.rows).calls[0].legs)
        self.assertEqual(len(stored), 4)
        late = cdr.parse_cdr(lines[25], tz_name=MADRID).rows
        self.assertEqual(late[0].line_number, 1)
        result = cdr.consolidate(stored + late)
        self.assertCounts(result, 5, 1, 0, 0)
        call = result.calls[0]
        self.assertEqual(call.key, "1706407446.50")
        self.assertEqual(call.main.raw, lines[25].decode())
        self.assertEqual((call.billsec, call.wait_seconds), (17, 6))
        # the same leg sent once more (line 1 of a third file): a duplicate
        again = cdr.parse_cdr(lines[21], tz_name=MADRID).rows
        result = cdr.consolidate(stored + late + again)
        self.assertCounts(result, 6, 1, 1, 0)
        self.assertEqual(result.calls[0].duplicates, tuple(again))
        self.assertIn(cdr.leg_identity_key(again[0]), result.calls[0].leg_identities)


class TestFastTimestamps(CdrCase):
    """The "YYYY-MM-DD HH:MM:SS" fast path against the strptime formats."""

    def parse_starts(self, stamps, tz_name=MADRID):
        lines = [
            asterisk_line(
                uniqueid=f"{number}.1", start=stamp, answer="", end=stamp, billsec="0"
            )
            for number, stamp in enumerate(stamps, start=1)
        ]
        parsed = cdr.parse_cdr("\n".join(lines), tz_name=tz_name)
        starts = {row.line_number: row.start for row in parsed.rows}
        reasons = {bad.line_number: bad.reason for bad in parsed.bad_rows}
        return [
            starts.get(number) or reasons[number] for number in range(1, len(lines) + 1)
        ]

    def test_spring_forward_gap(self):
        # Madrid 2026-03-29: 02:00 CET becomes 03:00 CEST
        starts = self.parse_starts(
            [
                "2026-03-29 01:59:59",
                "2026-03-29 02:00:00",
                "2026-03-29 02:59:59",
                "2026-03-29 03:00:00",
                "2026-03-29 01:00:00",
            ]
        )
        gap = "start '2026-03-29 {}' does not exist in Europe/Madrid (DST gap)"
        self.assertEqual(
            starts,
            [
                datetime(2026, 3, 29, 0, 59, 59),
                gap.format("02:00:00"),
                gap.format("02:59:59"),
                datetime(2026, 3, 29, 1, 0, 0),
                datetime(2026, 3, 29, 0, 0, 0),
            ],
        )

    def test_fall_back_fold(self):
        # Madrid 2026-10-25: 03:00 CEST becomes 02:00 CET; the repeated hour
        # is taken as its first occurrence (CEST)
        starts = self.parse_starts(
            [
                "2026-10-25 01:59:59",
                "2026-10-25 02:00:00",
                "2026-10-25 02:30:00",
                "2026-10-25 02:59:59",
                "2026-10-25 03:00:00",
                "2026-10-25 02:00:00",
            ]
        )
        self.assertEqual(
            starts,
            [
                datetime(2026, 10, 24, 23, 59, 59),
                datetime(2026, 10, 25, 0, 0, 0),
                datetime(2026, 10, 25, 0, 30, 0),
                datetime(2026, 10, 25, 0, 59, 59),
                datetime(2026, 10, 25, 2, 0, 0),
                datetime(2026, 10, 25, 0, 0, 0),
            ],
        )

    def test_fast_and_slow_formats_agree(self):
        stamps = [
            f"2026-{month:02d}-{day:02d} {hour:02d}:{minute:02d}:{second:02d}"
            for month, day in ((1, 15), (3, 28), (3, 29), (3, 30), (10, 25), (12, 31))
            for hour in range(24)
            for minute, second in ((0, 0), (29, 30), (59, 59))
        ] + [
            "2024-02-29 12:00:00",  # leap day
            "2026-02-29 12:00:00",  # not a date
            "2026-13-01 12:00:00",
            "2026-01-15 24:00:00",
            "2026-01-15 10:60:00",
            "2026-01-15 10:00:60",
            "2026-01-15 10:00:+1",
            "2026-01-15 1:00:00",
            " 2026-01-15 10:00:00 ",
        ]
        for tz_name in (MADRID, "UTC", "America/New_York", "Australia/Lord_Howe"):
            tz = pytz.timezone(tz_name)
            converter = cdr._UtcConverter(tz)
            for stamp in stamps:
                with self.subTest(tz=tz_name, stamp=stamp):
                    expected = self.slow(stamp, tz)
                    self.assertEqual(self.fast(converter, stamp), expected)
                    if isinstance(expected, datetime):
                        # the same time in the other formats, via strptime
                        for other in (
                            stamp.strip().replace(" ", "T"),
                            stamp.strip().replace("-", "/"),
                        ):
                            self.assertEqual(cdr._to_utc(other, "start", tz), expected)
        # and through parse_cdr, a row at a time or with the hour cached
        self.assertEqual(
            self.parse_starts(stamps[:100]),
            [self.slow(stamp, pytz.timezone(MADRID)) for stamp in stamps[:100]],
        )

    @staticmethod
    def slow(stamp, tz):
        try:
            return cdr._to_utc(stamp, "start", tz)
        except ValueError as error:
            return str(error)

    @staticmethod
    def fast(converter, stamp):
        try:
            return converter.to_utc(stamp, "start")
        except ValueError as error:
            return str(error)


class TestOneReader(CdrCase):
    """One csv.reader reads the export; a broken line stays one BadRow."""

    def test_open_quote_does_not_swallow_the_next_lines(self):
        lines = [
            asterisk_line(uniqueid="1.1"),
            # the uniqueid's quote never closes: read alone, the line would
            # look whole; read on, it would swallow the next lines
            asterisk_line(uniqueid="2.2")[:-1],
            asterisk_line(uniqueid="3.3"),
            "",
            asterisk_line(uniqueid="5.5"),
            'x,"y',  # the last line, open too
        ]
        parsed = cdr.parse_cdr("\n".join(lines) + "\n", tz_name=MADRID)
        self.assertEqual([row.line_number for row in parsed.rows], [1, 3, 5])
        self.assertEqual([row.unique_key for row in parsed.rows], ["1.1", "3.3", "5.5"])
        self.assertEqual(
            parsed.bad_rows,
            [
                cdr.BadRow(2, lines[1], "unreadable CSV: unterminated quoted field"),
                cdr.BadRow(4, "", "empty line"),
                cdr.BadRow(6, 'x,"y', "unreadable CSV: unterminated quoted field"),
            ],
        )

    def test_line_numbers_encodings_and_line_ends(self):
        lines = [
            asterisk_line(uniqueid="1.1").encode(),
            asterisk_line(uniqueid="2.2").replace("Ana", "Jos\xe9").encode("latin-1"),
            asterisk_line(uniqueid="3.3")[:60].encode(),
            asterisk_line(uniqueid="4.4").replace("Ana", "Zoë").encode(),
        ]
        data = b"\xef\xbb\xbf" + b"\r\n".join(lines) + b"\r\n"
        parsed = cdr.parse_cdr(data, tz_name=MADRID)
        rows = {row.line_number: row for row in parsed.rows}
        self.assertEqual(sorted(rows), [1, 2, 4])
        self.assertEqual(
            [rows[number].encoding for number in (1, 2, 4)],
            ["utf-8", "latin-1", "utf-8"],
        )
        self.assertEqual(rows[2].caller_name, '"José" <600100200>')
        self.assertEqual(rows[4].caller_name, '"Zoë" <600100200>')
        self.assertEqual(rows[4].raw, lines[3].decode())
        self.assertEqual(
            parsed.bad_rows,
            [
                cdr.BadRow(
                    3, lines[2].decode(), "truncated line: 5 columns, expected 17"
                )
            ],
        )
