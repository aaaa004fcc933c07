"""A prospect's call records read for a quote (tools/quote_sample.py).

Plain Python, no database: run by Odoo's test runner with the addon, or
alone: ``python3 addons/callgest_billing/tests/test_quote_sample.py`` (with
``pytz`` and ``phonenumbers`` importable).
"""

import importlib.util
import sys
import types
import unittest
from datetime import datetime
from decimal import Decimal
from pathlib import Path

ADDONS = Path(__file__).resolve().parents[2]
SAMPLES = ADDONS / "callgest_voip/tests/data"

if __package__:  # in the addon, by Odoo's test runner
    from odoo.tests import BaseCase

    from ..tools import quote, quote_sample, rating
else:  # alone: the tools import the voip parsers as an Odoo addon would

    def _load(name, folder):
        spec = importlib.util.spec_from_file_location(
            name, folder / "__init__.py", submodule_search_locations=[str(folder)]
        )
        package = importlib.util.module_from_spec(spec)
        sys.modules[name] = package
        spec.loader.exec_module(package)
        return package

    BaseCase = unittest.TestCase
    for _name in ("odoo", "odoo.addons", "odoo.addons.callgest_voip"):
        sys.modules.setdefault(_name, types.ModuleType(_name))
    _load("odoo.addons.callgest_voip.tools", ADDONS / "callgest_voip/tools")
    _load("callgest_billing_tools", ADDONS / "callgest_billing/tools")
    from callgest_billing_tools import quote, quote_sample, rating

TARIFF = rating.seed_tariff()
# the PJSIP sample's custom order (as callgest_voip/tests/common.py)
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


def sample(name):
    return (SAMPLES / name).read_bytes()


class TestCdrSamples(BaseCase):
    def test_ring_group_sample(self):
        """84 legs of a ring group are 36 calls: the forks and Local halves
        of one linkedid are one call, the robot's own legs robot time."""
        read = quote_sample.read_sample(sample("asterisk-ringgroup-linkedid.csv"))
        self.assertEqual(read.fmt, "asterisk")
        self.assertEqual(read.rows_in, 84)
        self.assertEqual(len(read.calls), 36)
        self.assertEqual((read.bad_rows, read.duplicates, read.outbound), ([], 0, 0))
        self.assertEqual(sum(call.secretary_seconds for call in read.calls), 790)
        self.assertEqual(sum(call.robot_seconds for call in read.calls), 94)
        self.assertEqual(sum(not call.answered for call in read.calls), 6)
        self.assertEqual(read.calls, sorted(read.calls, key=lambda call: call.start))
        # the PBX wrote local time: 2024-01-27 15:07:24 in Vladivostok
        vladivostok = quote_sample.read_sample(
            sample("asterisk-ringgroup-linkedid.csv"), tz_name="Asia/Vladivostok"
        )
        self.assertEqual(vladivostok.calls[0].start, datetime(2024, 1, 27, 5, 7, 24))

    def test_ring_group_quote_by_hand(self):
        """The sample always open at the seed tariff: 94 s robot × 0.001 and
        790 s secretary level 1 × 0.013 over two days, brought to an average
        month of 30.4375 days, plus the DDI."""
        read = quote_sample.read_sample(sample("asterisk-ringgroup-linkedid.csv"))
        result = quote.quote_calls(read.calls, TARIFF)
        scale = Decimal("30.4375") / 2
        robot = (94 * Decimal("0.001") * scale).quantize(Decimal("0.01"))
        secretary = (790 * Decimal("0.013") * scale).quantize(Decimal("0.01"))
        self.assertEqual((robot, secretary), (Decimal("1.43"), Decimal("156.30")))
        self.assertEqual(result.estimate.amounts[rating.ROBOT], robot)
        self.assertEqual(result.estimate.amounts[rating.SECRETARY_L1], secretary)
        self.assertEqual(result.estimate.top_up, 0)
        self.assertEqual(result.estimate.total, robot + secretary + Decimal("9.00"))

    def test_freeswitch_duplicates_not_counted_twice(self):
        read = quote_sample.read_sample(sample("freeswitch-default-template.csv"))
        self.assertEqual(read.fmt, "freeswitch")
        self.assertGreater(read.duplicates, 0)
        self.assertEqual(
            read.rows_in, len(read.bad_rows) + read.duplicates + len(read.calls)
        )

    def test_custom_order_needs_its_columns(self):
        """A custom column order is the importer's message until the columns
        are given, as on the importer."""
        data = sample("asterisk-pjsip-custom-order.csv")
        with self.assertRaisesRegex(quote_sample.SampleError, "custom order"):
            quote_sample.read_sample(data)
        read = quote_sample.read_sample(data, columns=PJSIP_COLUMNS)
        self.assertEqual(read.fmt, "asterisk")
        self.assertTrue(read.calls)
        self.assertEqual(read.bad_rows, [])

    def test_unreadable_rows_kept_with_reason(self):
        good = sample("asterisk-ringgroup-linkedid.csv").splitlines()[0]
        data = b"\n".join([good, b'"half a line,"2024', b"garbage"])
        read = quote_sample.read_sample(data, fmt="asterisk")
        self.assertEqual(len(read.calls), 1)
        self.assertEqual([row[0] for row in read.bad_rows], [2, 3])
        self.assertEqual(read.bad_rows[1][1], "garbage")
        self.assertTrue(read.bad_rows[1][2].startswith("truncated line"))

    def test_outbound_calls_left_out(self):
        legs = [
            '"","301","600111222","from-internal","""Ana"" <301>","SIP/301-01",'
            '"SIP/trunk-02","Dial","SIP/trunk/600111222","2026-01-15 10:00:00",'
            '"2026-01-15 10:00:05","2026-01-15 10:01:05",65,60,"ANSWERED",'
            '"DOCUMENTATION","1.1","","","1.1",1',
            '"","600111222","211553","from-pstn","""X"" <600111222>","SIP/trunk-03",'
            '"SIP/301-04","Dial","SIP/301","2026-01-15 11:00:00",'
            '"2026-01-15 11:00:05","2026-01-15 11:01:05",65,60,"ANSWERED",'
            '"DOCUMENTATION","2.1","","","2.1",2',
        ]
        read = quote_sample.read_sample("\n".join(legs).encode())
        self.assertEqual(read.outbound, 1)
        self.assertEqual(len(read.calls), 1)
        self.assertEqual(read.calls[0].secretary_seconds, 60)

    def test_transfer_to_a_mobile(self):
        """The secretary's leg then a leg to a Spanish mobile: its seconds
        are a transfer at the mobile rate."""
        common = '"DOCUMENTATION","9.1","","","9.1"'
        legs = [
            '"","934000000","211553","from-pstn","""C"" <934000000>","SIP/trunk-01",'
            '"SIP/301-02","Dial","SIP/301","2026-01-15 10:00:00",'
            f'"2026-01-15 10:00:02","2026-01-15 10:01:02",62,60,"ANSWERED",{common},1',
            '"","934000000","612345678","from-internal-xfer","""C"" <934000000>",'
            '"SIP/301-03","SIP/trunk-04","Dial","SIP/trunk/612345678",'
            '"2026-01-15 10:01:00","2026-01-15 10:01:03","2026-01-15 10:03:03",'
            f'123,120,"ANSWERED",{common},2',
        ]
        read = quote_sample.read_sample("\n".join(legs).encode(), region="ES")
        (call,) = read.calls
        self.assertEqual(call.transfers, (("mobile", 120),))
        kwargs = quote.handle_call(call)
        self.assertEqual(kwargs["transfer_mobile_seconds"], 120)
        self.assertEqual(kwargs.get("transfer_seconds"), 0)


class TestPlainCsv(BaseCase):
    def test_spanish_header_semicolons_mm_ss(self):
        data = (
            "Fecha;Hora;Duración\n"
            "15/01/2026;10:00:00;02:05\n"
            "15/01/2026;10:30;65\n"
            "\n"
            "16/01/2026;09:00:00;1:00:00\n"
        ).encode()
        read = quote_sample.read_sample(data, tz_name="Europe/Madrid")
        self.assertEqual(read.fmt, "plain")
        self.assertEqual(read.rows_in, 3)
        self.assertEqual([call.seconds_total for call in read.calls], [125, 65, 3600])
        # 10:00 in Madrid in winter is 09:00 UTC
        self.assertEqual(read.calls[0].start, datetime(2026, 1, 15, 9, 0))

    def test_portuguese_header_one_column(self):
        data = "Data e hora,Duração (s)\n2026-07-01 12:00:00,30\n".encode()
        read = quote_sample.read_sample(data, tz_name="Europe/Lisbon")
        self.assertEqual(read.calls[0].start, datetime(2026, 7, 1, 11, 0))
        self.assertEqual(read.calls[0].seconds_total, 30)

    def test_without_header(self):
        read = quote_sample.read_sample(b"2026-01-15 10:00:00,60\n2026-01-15T11:00,7")
        self.assertEqual(read.fmt, "plain")
        self.assertEqual([call.seconds_total for call in read.calls], [60, 7])

    def test_bad_rows_with_reasons(self):
        data = (
            b"fecha;hora;duracion\n"
            b"15/01/2026;10:00;-5\n"
            b"31/02/2026;10:00;60\n"
            b"15/01/2026;10:00;abc\n"
            b"15/01/2026\n"
            b";10:00;60\n"
            b"29/03/2026;02:30;60\n"
            b"15/01/2026;10:00;60\n"
        )
        read = quote_sample.read_sample(data, tz_name="Europe/Madrid")
        self.assertEqual(len(read.calls), 1)
        reasons = [row[2] for row in read.bad_rows]
        self.assertEqual([row[0] for row in read.bad_rows], [2, 3, 4, 5, 6, 7])
        self.assertTrue(reasons[0].startswith("negative duration"))
        self.assertTrue(reasons[1].startswith("bad start date"))
        self.assertTrue(reasons[2].startswith("duration is not an integer"))
        self.assertTrue(reasons[3].startswith("truncated line"))
        self.assertEqual(reasons[4], "empty start")
        self.assertIn("DST gap", reasons[5])
        self.assertEqual(read.rows_in, 7)

    def test_header_without_duration(self):
        with self.assertRaisesRegex(quote_sample.SampleError, "no duration column"):
            quote_sample.read_sample(b"fecha;hora;cliente\n15/01/2026;10:00;x\n")

    def test_unknown_format_and_zone(self):
        with self.assertRaises(quote_sample.SampleError):
            quote_sample.read_sample(b"x", fmt="excel")
        with self.assertRaisesRegex(quote_sample.SampleError, "Unknown timezone"):
            quote_sample.read_sample(b"x", tz_name="Mars/Olympus")


class TestQueueLog(BaseCase):
    def test_answered_and_abandoned(self):
        data = "\n".join(
            [
                "1768467600|1.1|sales|NONE|ENTERQUEUE||600111222|1",
                "1768467612|1.1|sales|SIP/301|CONNECT|12|1.2|3",
                "1768467712|1.1|sales|SIP/301|COMPLETECALLER|12|100|1",
                "1768467800|2.1|sales|NONE|ENTERQUEUE||600333444|1",
                "1768467830|2.1|sales|NONE|ABANDON|1|1|30",
                "1768467900|3.1|sales|NONE|ENTERQUEUE||600555666|1",
            ]
        ).encode()
        read = quote_sample.read_sample(data)
        self.assertEqual(read.fmt, "queue_log")
        answered, abandoned = read.calls
        self.assertEqual(
            (answered.queue_seconds, answered.secretary_seconds, answered.answered),
            (12, 100, True),
        )
        self.assertEqual((abandoned.queue_seconds, abandoned.answered), (30, False))
        (unfinished,) = read.bad_rows
        self.assertEqual(unfinished[0], 6)
        self.assertEqual(unfinished[2], "unfinished call: no end in the file")


if __name__ == "__main__":
    unittest.main()
