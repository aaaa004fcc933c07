import os
from collections import Counter
from datetime import datetime

from odoo.tests import BaseCase

from ..tools import cdr_parsers as cdr

MADRID = "Europe/Madrid"
DATA = os.path.join(os.path.dirname(__file__), "data")
RINGGROUP = "asterisk-ringgroup-linkedid.csv"
PJSIP = "asterisk-pjsip-custom-order.csv"
FREESWITCH = "freeswitch-default-template.csv"
# the custom order of the PJSIP sample: clid first, accountcode after amaflags
PJSIP_COLUMNS = [
    "clid",
    "src",
    "dst",
    "dcontext",
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
    "accountcode",
    "uniqueid",
    "userfield",
    "sequence",
]
# one Asterisk row of the default order with uniqueid (17 columns)
ASTERISK_17 = (
    '"","600100200","934000001","from-pstn","""Ana"" <600100200>",'
    '"SIP/trunk-0001","SIP/101-0002","Dial","SIP/101,30",'
    '"{start}","{answer}","{end}",{duration},{billsec},"{disposition}",'
    '"DOCUMENTATION","{uniqueid}"'
)


def sample(name):
    with open(os.path.join(DATA, name), "rb") as handle:
        return handle.read()


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
        self.assertEqual(second.disposition, cdr.MISSED)

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
