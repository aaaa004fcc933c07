"""Legs of a call that arrive apart from it (issue 11, point 5).

Asterisk writes a transfer leg when the transfer ends, so the PBX bridge
pushes it after the call it belongs to (same ``linkedid``). Alone, the leg is
a call to the transfer destination, an unknown DDI: it must join its call.
"""

import base64

from odoo.tests import tagged

from ..models.callgest_cdr_importer import BadLine, ImportCounts
from .common import RINGGROUP, CallgestVoipCommon, sample

IVR_TRANSFER = "asterisk-ivr-queue-transfer.csv"
# in that sample: line 4 is the transfer leg (240 s to +34 600 123 456) of
# call 1770714000.10, whose menu, queue and secretary legs are lines 1-3
TRANSFER_LINE = 4
TRANSFERRED = "1770714000.10"


@tagged("post_install", "-at_install")
class TestLateLegs(CallgestVoipCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the sample's DDIs, routed to the test clients
        cls.env["callgest.pbx.route"].create(
            [
                {"pbx_id": cls.pbx.id, "pbx_number": number, "ddi_id": ddi.id}
                for number, ddi in (
                    ("934000001", cls.clinic_ddi),
                    ("934000002", cls.law_ddi),
                )
            ]
        )
        cls.lines = cls.Batch._split_lines(sample(IVR_TRANSFER))

    def push(self, lines, first_line, pbx=None, name="Master.csv"):
        """What ``callgest-pbx follow`` sends: lines from ``first_line``."""
        result = self.Batch.push_cdr(
            (pbx or self.pbx).code,
            name,
            base64.b64encode(b"\n".join(lines) + b"\n").decode(),
            first_line,
        )
        return self.Batch.browse(result["batch_id"])

    def pbx_copy(self, code):
        pbx = self.pbx.copy({"code": code})
        for route in self.pbx.route_ids:
            route.copy({"pbx_id": pbx.id})
        return pbx

    def call(self, key, pbx=None):
        return self.Call.search(
            [("pbx_id", "=", (pbx or self.pbx).id), ("call_key", "=", key)]
        )

    def pending(self, pbx):
        rows = self.Quarantine.search(
            [("pbx_id", "=", pbx.id), ("state", "=", "pending")]
        )
        return sorted((row.line_number, row.raw_line, row.reason) for row in rows)

    def snapshot(self, pbx):
        """call_snapshot, with what the transfer changes and the legs."""
        calls = self.Call.search([("pbx_id", "=", pbx.id)])
        extra = sorted(
            (
                call.call_key,
                call.transfer_to,
                call.duration,
                call.leg_keys,
                call.agent_extension,
                call.direction,
            )
            for call in calls
        )
        return self.call_snapshot(pbx), extra

    def test_a_transfer_leg_pushed_later_joins_its_call(self):
        before = self.lines[: TRANSFER_LINE - 1]
        first = self.push(before, 1)
        self.assertBatchCounts(first, rows_in=3, calls_created=1, quarantined=0)
        call = self.call(TRANSFERRED)
        self.assertEqual((call.transfer_seconds, call.leg_count), (0, 3))
        # the transfer ends: Asterisk writes its leg, the bridge pushes it
        late = self.push(self.lines[TRANSFER_LINE - 1 : TRANSFER_LINE], TRANSFER_LINE)
        self.assertBatchCounts(
            late,
            rows_in=1,
            rows_in_calls=1,
            calls_created=0,
            calls_updated=1,
            quarantined=0,
            duplicates=0,
        )
        self.assertFalse(self.Quarantine.search([("pbx_id", "=", self.pbx.id)]))
        call.invalidate_recordset()
        self.assertEqual(call.transfer_seconds, 240)
        self.assertEqual(call.transfer_to, "+34 600 123 456")
        self.assertEqual(call.leg_count, 4)
        # the call is the one of a single push of the four legs
        self.assertEqual((call.secretary_seconds, call.robot_seconds), (95, 12))
        self.assertEqual(call.wait_seconds, 8)
        self.assertEqual(call.agent_extension, "301")
        self.assertEqual(call.direction, "inbound")
        self.assertEqual(call.partner_id, self.clinic)
        one_push = self.pbx_copy("one-push")
        self.push(self.lines[:TRANSFER_LINE], 1, pbx=one_push)
        self.assertEqual(self.snapshot(self.pbx), self.snapshot(one_push))
        # pushed once more (the bridge restarted): a duplicate, nothing else
        again = self.push(self.lines[TRANSFER_LINE - 1 : TRANSFER_LINE], TRANSFER_LINE)
        self.assertBatchCounts(again, rows_in=1, duplicates=1, calls_updated=0)
        self.assertFalse(self.Quarantine.search([("pbx_id", "=", self.pbx.id)]))

    def test_a_leg_quarantined_before_its_call_joins_it(self):
        """The transfer leg first (alone, it is an unknown DDI), its call
        after: the quarantined leg joins the call once it is stored."""
        leg = self.push(self.lines[TRANSFER_LINE - 1 : TRANSFER_LINE], TRANSFER_LINE)
        self.assertBatchCounts(leg, rows_in=1, quarantined=1)
        row = leg.quarantine_ids
        self.assertIn("Unknown DDI +34 600 123 456", row.reason)
        self.assertEqual(row.call_key, TRANSFERRED)
        self.push(self.lines[: TRANSFER_LINE - 1], 1, name="Master.csv.1")
        self.assertEqual(row.state, "reprocessed")
        self.assertEqual(row.call_id.transfer_seconds, 240)
        self.assertEqual(row.call_id.leg_count, 4)
        self.assertBatchCounts(
            leg, rows_in=1, rows_in_calls=1, quarantined=0, calls_updated=1
        )

    def test_chunks_give_what_one_push_gives(self):
        """A real export pushed in chunks of 50 lines (as ``callgest-pbx``
        does with ``--chunk-lines 50``), in one push, or line by line: the
        same calls and the same quarantine.

        The file: the ring-group sample's first 47 lines, the transfer
        sample, the rest of the ring group. Line 51, the first of the second
        chunk, is the transfer leg of call 1770714000.10 (lines 48-50): alone
        in its chunk it is a call to an unknown number. Without the inbound
        route of 211474, the ring group's calls to it are quarantined, in
        every way of pushing alike.
        """
        ring_group = self.Batch._split_lines(sample(RINGGROUP))
        lines = ring_group[:47] + self.lines + ring_group[47:]
        self.assertIn(b'"+34 600 123 456"', lines[50])
        self.route_single.unlink()
        one_push = self.pbx_copy("one-push")
        self.push(lines, 1, pbx=one_push)
        expected_calls = self.snapshot(one_push)
        expected_pending = self.pending(one_push)
        self.assertTrue(expected_pending)
        self.assertFalse([row for row in expected_pending if row[0] == 51])
        self.assertEqual(self.call(TRANSFERRED, one_push).transfer_seconds, 240)
        for size in (50, 3, 1):
            pbx = self.pbx_copy(f"chunks-of-{size}")
            batches = self.Batch
            for start in range(0, len(lines), size):
                batches |= self.push(lines[start : start + size], start + 1, pbx=pbx)
            with self.subTest(chunk_lines=size):
                self.assertEqual(self.snapshot(pbx), expected_calls)
                self.assertEqual(self.pending(pbx), expected_pending)
                self.assertEqual(sum(batches.mapped("rows_in")), len(lines))
                self.assertEqual(
                    sum(batches.mapped("quarantined")), len(expected_pending)
                )
                for batch in batches:
                    self.assertBatchCounts(batch)
        # the same file in one batch processed 50 lines at a time
        pbx = self.pbx_copy("one-batch")
        batch = self.Batch._create_from_bytes(pbx, "Master.csv", b"\n".join(lines))
        batch._process(chunk_lines=50)
        self.assertEqual(self.snapshot(pbx), expected_calls)
        self.assertEqual(self.pending(pbx), expected_pending)
        self.assertBatchCounts(batch, rows_in=len(lines))

    def test_reprocess_places_an_old_quarantined_leg(self):
        """A transfer leg quarantined before legs could join their call
        (what the importer did until now) is placed by Re-process."""
        self.push(self.lines[: TRANSFER_LINE - 1], 1)
        raw = self.lines[TRANSFER_LINE - 1]
        old = self.Batch._create_from_bytes(
            self.pbx, "Master.csv", raw, origin="rpc", first_line=TRANSFER_LINE
        )
        reason = (
            "Unknown DDI +34 600 123 456: no DDI, inbound route or client code "
            "matches the call"
        )
        # as the importer of before stored it
        self.env["callgest.cdr.importer"]._store_quarantine(
            old,
            [BadLine(TRANSFER_LINE, raw.decode(), reason, TRANSFERRED)],
            ImportCounts(),
        )
        old.write(
            {
                "state": "done",
                "lines_done": 1,
                "rows_in": 1,
                "quarantined": 1,
                "detected_format": "asterisk",
            }
        )
        row = old.quarantine_ids
        self.assertEqual((row.state, row.call_id), ("pending", self.call(TRANSFERRED)))
        row.with_user(self.supervisor).action_reprocess()
        self.assertEqual(row.state, "reprocessed")
        call = self.call(TRANSFERRED)
        self.assertEqual((call.transfer_seconds, call.leg_count), (240, 4))
        self.assertBatchCounts(
            old, rows_in=1, rows_in_calls=1, quarantined=0, calls_updated=1
        )
        # the call as one push of its four legs makes it
        one_push = self.pbx_copy("one-push")
        self.push(self.lines[:TRANSFER_LINE], 1, pbx=one_push)
        self.assertEqual(self.snapshot(self.pbx)[0], self.snapshot(one_push)[0])
