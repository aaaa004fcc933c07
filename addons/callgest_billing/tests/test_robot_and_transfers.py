"""Issue 11, points 1 and 2, on invoices computed by hand: the time before a
secretary picks up (queue music is robot time, plain ringing is not billed)
and transfers by destination (fixed, mobile, the client's own SIMs, the
transfer cap). The rules are stated in ``tools/rating.py``."""

import csv
import io
from datetime import date
from decimal import Decimal

from odoo.tests import tagged
from odoo.tools import file_open

from .common import CallgestBillingCommon

OCTOBER = "2026-10"

# Master.csv rows of the default Asterisk layout (17 columns): the caller's
# channel is SIP/trunk-1; lastapp "Queue" (music) or "Dial" (ringing)
ROW = (
    '"","600100200","931112201","from-pstn","""Caller"" <600100200>",'
    '"SIP/trunk-1","{dstchannel}","{app}","recepcion","{start}","{answer}",'
    '"{end}",{duration},{billsec},"{disposition}","DOCUMENTATION","{key}"'
)


def usage_lines(move):
    return move.invoice_line_ids.filtered(lambda line: line.display_type == "product")


@tagged("post_install", "-at_install")
class TestRobotTimeBeforePickup(CallgestBillingCommon):
    """Seed 000 "Garantías": menus, announcements and music before the
    secretary answers are robot time (0.001 €/s); ringing is not billed."""

    def import_rows(self, *rows):
        Batch = self.env["callgest.cdr.batch"]
        self.batch_count = getattr(self, "batch_count", 0) + 1
        batch = Batch._create_from_bytes(
            self.pbx, f"Master-{self.batch_count}.csv", "\n".join(rows).encode()
        )
        batch._process()
        return batch

    def row(self, key, app, start, answer, end, billsec, dstchannel="SIP/301-2"):
        duration = (
            int(end[-2:]) - int(start[-2:]) + 60 * (int(end[-5:-3]) - int(start[-5:-3]))
        )
        return ROW.format(
            key=key,
            app=app,
            dstchannel=dstchannel,
            start=f"2026-10-05 {start}",
            answer=f"2026-10-05 {answer}" if answer else "",
            end=f"2026-10-05 {end}",
            duration=duration,
            billsec=billsec,
            disposition="ANSWERED" if answer else "NO ANSWER",
        )

    def call(self, key):
        return self.env["callgest.call"].search(
            [("pbx_id", "=", self.pbx.id), ("call_key", "=", key)]
        )

    def invoice(self):
        return self.env["account.move"].browse(
            self.Invoicing.run_period(OCTOBER, [self.clinic.id])
        )

    def test_queue_music_then_the_secretary(self):
        # queued 10:00:00, the secretary answers at 10:00:20, hangs up 10:02:00
        self.import_rows(
            self.row("1791194400.1", "Queue", "10:00:00", "10:00:20", "10:02:00", 100)
        )
        call = self.call("1791194400.1")
        self.assertRecordValues(
            call,
            [
                {
                    "robot_seconds": 0,
                    "queue_seconds": 20,
                    "wait_seconds": 20,
                    "secretary_seconds": 100,
                }
            ],
        )
        # 20 s of music x 0.001 = 0.02; 100 s of secretary x 0.013 = 1.30;
        # the DDI 9.00; the minimum tops up 60 - 10.32 = 49.68
        move = self.invoice()
        self.assertRecordValues(
            usage_lines(move),
            [
                {"quantity": 20.0, "price_unit": 0.001, "price_subtotal": 0.02},
                {"quantity": 100.0, "price_unit": 0.013, "price_subtotal": 1.30},
                {"quantity": 1.0, "price_unit": 9.0, "price_subtotal": 9.0},
                {"quantity": 1.0, "price_unit": 49.68, "price_subtotal": 49.68},
            ],
        )
        self.assertAlmostEqual(call.cost, 1.32, places=6)  # 0.02 + 1.30
        # the call detail says so, for the client to check: CSV and PDF/HTML
        rows = csv.DictReader(
            io.StringIO(move._get_callgest_call_detail_csv().decode("utf-8-sig"))
        )
        (row,) = [row for row in rows if row["kind"] == "call"]
        self.assertEqual(
            (row["robot_seconds"], row["wait_seconds"], row["secretary_seconds"]),
            ("20", "20", "100"),
        )
        self.assertEqual(Decimal(row["cost"]), Decimal("1.32"))
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("callgest_billing.action_report_call_detail", move.ids)[
                0
            ]
            .decode()
        )
        self.assertIn("Wait (s)", html)
        self.assertIn("o_call_detail_seconds_legend", html)

    def test_plain_ringing_before_the_secretary_is_not_billed(self):
        # a Dial rings the secretary 20 s (ring tone, not our platform's music)
        self.import_rows(
            self.row("1791194400.2", "Dial", "10:00:00", "10:00:20", "10:02:00", 100)
        )
        call = self.call("1791194400.2")
        self.assertEqual((call.wait_seconds, call.queue_seconds), (20, 0))
        # 100 s x 0.013 = 1.30, no robot line
        self.assertEqual(call.usage_ids.mapped("usage"), ["secretary_l1"])
        self.assertAlmostEqual(call.cost, 1.30, places=6)

    def test_abandoned_in_the_queue(self):
        # 45 s in the queue with its music, the caller hangs up: 45 x 0.001
        self.import_rows(
            self.row("1791194400.3", "Queue", "10:00:00", None, "10:00:45", 0)
        )
        call = self.call("1791194400.3")
        self.assertEqual(call.disposition, "missed")
        self.assertEqual(call.queue_seconds, 45)
        self.assertEqual(call.usage_ids.mapped("usage"), ["robot"])
        self.assertAlmostEqual(call.cost, 0.045, places=6)
        # on the invoice, rounded once: 0.045 -> 0.05 (half up); top-up
        # 60 - 0.05 - 9 = 50.95
        move = self.invoice()
        self.assertRecordValues(
            usage_lines(move),
            [
                {"quantity": 45.0, "price_unit": 0.001, "price_subtotal": 0.05},
                {"quantity": 1.0, "price_unit": 9.0, "price_subtotal": 9.0},
                {"quantity": 1.0, "price_unit": 50.95, "price_subtotal": 50.95},
            ],
        )

    def test_plain_unanswered_ring_is_not_billed(self):
        # a Dial rings 30 s and nobody answers: 0
        self.import_rows(
            self.row("1791194400.4", "Dial", "10:00:00", None, "10:00:30", 0)
        )
        call = self.call("1791194400.4")
        self.assertEqual(call.disposition, "missed")
        self.assertFalse(call.usage_ids)
        self.assertEqual(call.cost, 0.0)

    def test_queue_log_after_the_cdr_counts_the_queue_once(self):
        """The queue answered the caller's channel (an ANSWERED Queue leg
        without a member: its billsec is the wait), then the queue_log says
        the caller abandoned after 45 s: 45 s of robot time, not 90."""
        self.import_rows(
            self.row(
                "1791194400.5", "Queue", "10:00:00", "10:00:00", "10:00:45", 45, ""
            )
        )
        call = self.call("1791194400.5")
        self.assertEqual((call.robot_seconds, call.queue_seconds), (0, 45))
        self.assertAlmostEqual(call.cost, 0.045, places=6)
        queue_log = (
            "1791194400|1791194400.5|recepcion|NONE|ENTERQUEUE||600100200|1\n"
            "1791194445|1791194400.5|recepcion|NONE|ABANDON|1|1|45\n"
        )
        self.env["callgest.cdr.batch"]._create_from_bytes(
            self.pbx, "queue_log", queue_log.encode(), file_kind="queue_log"
        )._process()
        call.invalidate_recordset()
        self.assertTrue(call.has_queue_log)
        self.assertEqual(call.disposition, "missed")
        self.assertEqual(call.queue_seconds, 45)
        self.assertAlmostEqual(call.cost, 0.045, places=6)  # 45 x 0.001

    def test_queue_log_wait_arriving_later_is_rated(self):
        """A call answered after a ring group is re-rated when the queue_log
        says it waited in a queue: its 12 s become robot time."""
        self.import_rows(
            self.row("1791194400.6", "Dial", "10:00:00", "10:00:12", "10:01:52", 100)
        )
        call = self.call("1791194400.6")
        self.assertAlmostEqual(call.cost, 1.30, places=6)  # 100 x 0.013
        queue_log = (
            "1791194400|1791194400.6|recepcion|NONE|ENTERQUEUE||600100200|1\n"
            "1791194412|1791194400.6|recepcion|SIP/301|CONNECT|12|1791194401.7|12\n"
            "1791194512|1791194400.6|recepcion|SIP/301|COMPLETECALLER|12|100|1\n"
        )
        self.env["callgest.cdr.batch"]._create_from_bytes(
            self.pbx, "queue_log", queue_log.encode(), file_kind="queue_log"
        )._process()
        call.invalidate_recordset()
        self.assertEqual(call.queue_seconds, 12)
        # 12 x 0.001 + 100 x 0.013 = 0.012 + 1.30 = 1.312
        self.assertAlmostEqual(call.cost, 1.312, places=6)

    def test_menu_queue_and_transfers_of_the_sample_export(self):
        """The IVR/queue/transfer fixture of callgest_voip, rated call by
        call (DDIs 93 400 00 01 and 93 400 00 02)."""
        self.make_ddi("93 400 00 01", self.clinic)
        self.make_ddi("93 400 00 02", self.clinic)
        with file_open(
            "callgest_voip/tests/data/asterisk-ivr-queue-transfer.csv", "rb"
        ) as export:
            data = export.read()
        self.env["callgest.cdr.batch"]._create_from_bytes(
            self.pbx, "asterisk-ivr-queue-transfer.csv", data
        )._process()
        cost = {
            call.call_key: round(call.cost, 6)
            for call in self.env["callgest.call"].search([("pbx_id", "=", self.pbx.id)])
        }
        self.assertEqual(
            cost,
            {
                # menu 12 s + queue 8 s = 20 x 0.001 = 0.020; 95 s x 0.013 =
                # 1.235; 240 s to the mobile +34 600 123 456: 4 started
                # minutes x 0.30 = 1.20; in all 2.455
                "1770714000.10": 2.455,
                # message and voicemail, 35 s x 0.001
                "1770714600.20": 0.035,
                # menu 8 s + 30 s in the queue, abandoned: 38 x 0.001
                "1770715200.30": 0.038,
                # 4 s of ringing not billed; 60 s x 0.013 = 0.78; 30 s to the
                # mobile 600 999 888: 1 started minute x 0.30 = 0.30; 100 s to
                # the fixed 934 555 666 x 0.002 = 0.20; in all 1.28
                "1770715800.40": 1.28,
            },
        )


@tagged("post_install", "-at_install")
class TestTransfersByDestination(CallgestBillingCommon):
    """Transfers to fixed lines 0.002 €/s (seed 000 FAQ), to mobiles at the
    tariff's mobile rate (0.30 €/min per started minute, as the seed's
    outbound calls to mobiles), at the fixed rate for a client with its own
    SIMs; capped at the client's cap (seed 001: 10 minutes)."""

    def transfer_call(self, client, *transfers):
        """A call of 60 s of secretary put through to ``transfers``
        (number, seconds), stored as the importer stores it, then rated."""
        seconds = sum(s for _number, s in transfers)
        call = self.make_call(
            client, self.at(date(2026, 10, 5)), 60, transfer=seconds, rate=False
        )
        call.write(
            {
                "transfer_to": transfers[0][0],
                "transfer_legs": "\n".join(f"{n}\t{s}" for n, s in transfers),
            }
        )
        self.Usage._rate_calls(call)
        return call

    def usages(self, call):
        return {u.usage: round(u.amount, 6) for u in call.usage_ids}

    def invoice(self, client):
        return self.env["account.move"].browse(
            self.Invoicing.run_period(OCTOBER, [client.id])
        )

    def test_transfer_to_a_spanish_mobile(self):
        call = self.transfer_call(self.clinic, ("+34612345678", 120))
        # 60 s x 0.013 = 0.78; 120 s to a mobile: 2 minutes x 0.30 = 0.60
        self.assertEqual(
            self.usages(call), {"secretary_l1": 0.78, "transfer_mobile": 0.60}
        )
        move = self.invoice(self.clinic)
        lines = {line.product_id.default_code: line for line in usage_lines(move)}
        self.assertRecordValues(
            lines["CG-XFERMOB"],
            [{"quantity": 2.0, "price_unit": 0.30, "price_subtotal": 0.60}],
        )
        # 0.78 + 0.60 + 9 (DDI) = 10.38, topped up to 60
        self.assertEqual(move.amount_untaxed, 60.0)
        self.assertEqual(call.transfer_unbilled_seconds, 0)

    def test_transfer_to_a_fixed_line(self):
        call = self.transfer_call(self.clinic, ("+34931234567", 120))
        # 120 s x 0.002 = 0.24
        self.assertEqual(
            self.usages(call), {"secretary_l1": 0.78, "transfer_fixed": 0.24}
        )

    def test_own_sims_are_billed_at_the_fixed_rate(self):
        self.clinic.callgest_own_sims = True
        call = self.transfer_call(self.clinic, ("+34612345678", 120))
        # the client's SIMs of its corporate group: 120 s x 0.002 = 0.24
        self.assertEqual(
            self.usages(call), {"secretary_l1": 0.78, "transfer_fixed": 0.24}
        )
        move = self.invoice(self.clinic)
        lines = {line.product_id.default_code: line for line in usage_lines(move)}
        self.assertRecordValues(
            lines["CG-XFER"],
            [{"quantity": 120.0, "price_unit": 0.002, "price_subtotal": 0.24}],
        )
        self.assertNotIn("CG-XFERMOB", lines)

    def test_a_national_number_is_classified_with_the_pbx_country(self):
        # as a Spanish PBX writes it, without +34
        call = self.transfer_call(self.clinic, ("612 345 678", 61))
        # 61 s: 2 started minutes x 0.30 = 0.60
        self.assertEqual(self.usages(call)["transfer_mobile"], 0.60)

    def test_transfer_capped_at_ten_minutes_and_flagged(self):
        call = self.transfer_call(self.clinic, ("+34931234567", 900))
        # 600 s billed x 0.002 = 1.20; the 300 s beyond the cap are not
        self.assertEqual(
            self.usages(call), {"secretary_l1": 0.78, "transfer_fixed": 1.20}
        )
        self.assertEqual(call.transfer_unbilled_seconds, 300)
        report = self.env["callgest.call.quality.report"].search(
            [("partner_id", "=", self.clinic.id)]
        )
        self.assertEqual(report.capped_transfers, 1)
        move = self.invoice(self.clinic)
        lines = {line.product_id.default_code: line for line in usage_lines(move)}
        self.assertRecordValues(
            lines["CG-XFER"],
            [{"quantity": 600.0, "price_unit": 0.002, "price_subtotal": 1.20}],
        )
        # the call detail shows the seconds billed and why
        detail = self.env["report.callgest_billing.report_call_detail"]._call_detail(
            move
        )
        (line,) = detail["clients"][0]["professionals"][0]["calls"]
        self.assertEqual(line["transfer_seconds"], 600)
        self.assertIn("300", line["description"])

    def test_the_cap_is_a_client_setting(self):
        self.clinic.callgest_transfer_cap_seconds = 0  # no cap
        call = self.transfer_call(self.clinic, ("+34931234567", 900))
        # 900 x 0.002 = 1.80
        self.assertEqual(self.usages(call)["transfer_fixed"], 1.80)
        self.assertEqual(call.transfer_unbilled_seconds, 0)
        self.collective.callgest_transfer_cap_seconds = 300
        # a mobile first: 200 s (4 minutes x 0.30 = 1.20), then a fixed line
        # 200 s of which 100 s within the cap (100 x 0.002 = 0.20); the
        # collective is level 2: 60 x 0.014 = 0.84
        call = self.transfer_call(
            self.collective, ("+34612345678", 200), ("+34931234567", 200)
        )
        self.assertEqual(
            self.usages(call),
            {"secretary_l2": 0.84, "transfer_mobile": 1.20, "transfer_fixed": 0.20},
        )
        self.assertEqual(call.transfer_unbilled_seconds, 100)

    def test_a_new_client_has_the_seed_cap(self):
        self.assertEqual(self.clinic.callgest_transfer_cap_seconds, 600)
        self.assertFalse(self.clinic.callgest_own_sims)
