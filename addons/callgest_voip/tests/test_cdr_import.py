import base64
from datetime import date, datetime

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from ..models.callgest_cdr_importer import (
    CALL_COLUMNS,
    BadLine,
    CallRow,
    QuarantineRow,
)
from .common import (
    FREESWITCH,
    PJSIP,
    PJSIP_COLUMN_ORDER,
    RINGGROUP,
    CallgestVoipCommon,
    sample,
)
from .jobs import perform_jobs, run_stored_job, trap_jobs

# An Asterisk row in the default order with uniqueid (17 columns)
ROW_17 = (
    '"","{src}","{dst}","from-pstn","""Caller"" <{src}>","SIP/trunk-0001",'
    '"SIP/301-0002","Dial","SIP/301,30","{start}","{answer}","{end}",'
    '{duration},{billsec},"{disposition}","DOCUMENTATION","{uniqueid}"'
)


class WorkerKilled(Exception):
    """Stands for a cron worker killed in the middle of a chunk."""


def row_17(**values):
    fields = {
        "src": "600100200",
        "dst": "933906700",
        "start": "2026-01-15 10:00:00",
        "answer": "2026-01-15 10:00:05",
        "end": "2026-01-15 10:01:05",
        "duration": "65",
        "billsec": "60",
        "disposition": "ANSWERED",
        "uniqueid": "1768467600.1",
    }
    fields.update(values)
    return ROW_17.format(**fields)


@tagged("post_install", "-at_install")
class TestSampleImports(CallgestVoipCommon):
    def test_ring_group_sample(self):
        batch = self.import_bytes(sample(RINGGROUP))
        self.assertEqual(batch.state, "done")
        self.assertEqual(batch.detected_format, "asterisk")
        # 84 rows, one call per linkedid
        self.assertBatchCounts(
            batch,
            rows_in=84,
            rows_in_calls=84,
            calls_created=36,
            duplicates=0,
            quarantined=0,
        )
        calls = self.Call.search([("batch_id", "=", batch.id)])
        self.assertEqual(len(calls), 36)
        answered = calls.filtered(lambda call: call.call_key == "1706407446.50")
        self.assertEqual(answered.partner_id, self.law_firm)
        self.assertEqual(answered.ddi_id, self.law_ddi)
        self.assertEqual(answered.direction, "inbound")
        self.assertEqual(answered.disposition, "answered")
        # 2024-01-28 02:04:06 in Madrid is 01:04:06 UTC
        self.assertEqual(answered.start_time, datetime(2024, 1, 28, 1, 4, 6))
        self.assertEqual(answered.answer_time, datetime(2024, 1, 28, 1, 4, 12))
        self.assertEqual(answered.wait_seconds, 6)
        self.assertEqual(answered.secretary_seconds, 17)
        self.assertEqual(answered.leg_count, 5)
        self.assertEqual(answered.caller_raw, "89025348783")
        self.assertEqual(answered.local_date, date(2024, 1, 28))
        missed = calls.filtered(lambda call: call.call_key == "1706369600.6")
        self.assertEqual(missed.disposition, "missed")
        self.assertFalse(missed.answer_time)
        self.assertEqual(missed.secretary_seconds, 0)
        single = calls.filtered(lambda call: call.call_key == "1706368044.0")
        self.assertEqual(single.partner_id, self.clinic)

    def test_reimport_creates_nothing(self):
        first = self.import_bytes(sample(RINGGROUP))
        before = self.call_snapshot(self.pbx)
        again = self.import_bytes(sample(RINGGROUP))
        self.assertBatchCounts(
            again,
            rows_in=84,
            calls_created=0,
            calls_updated=0,
            duplicates=84,
            quarantined=0,
        )
        self.assertEqual(self.call_snapshot(self.pbx), before)
        self.assertEqual(
            self.Call.search_count([("pbx_id", "=", self.pbx.id)]),
            first.calls_created,
        )

    def test_pjsip_custom_order(self):
        self.pbx.column_order = PJSIP_COLUMN_ORDER
        for number, ddi in (("6789", self.clinic_ddi), ("1234", self.law_ddi)):
            self.env["callgest.pbx.route"].create(
                {"pbx_id": self.pbx.id, "pbx_number": number, "ddi_id": ddi.id}
            )
        batch = self.import_bytes(sample(PJSIP))
        self.assertBatchCounts(batch, rows_in=14, quarantined=0, duplicates=0)
        calls = self.Call.search([("batch_id", "=", batch.id)])
        self.assertEqual(batch.calls_created, len(calls))
        self.assertEqual(len(calls), 14)
        first = calls.filtered(lambda call: call.call_key == "1690325492.2")
        # quoted integers: 13 s of talk after 18 s of ringing
        self.assertEqual(first.secretary_seconds, 13)
        self.assertEqual(first.wait_seconds, 18)
        self.assertEqual(first.agent_extension, "client2")

    def test_pjsip_without_its_order_is_refused(self):
        with self.assertRaisesRegex(UserError, "custom order"):
            self.env["callgest.cdr.batch"].push_cdr(
                self.pbx.code,
                "Master.csv",
                base64.b64encode(sample(PJSIP)).decode(),
            )

    def test_freeswitch_outbound_and_duplicate_uuid(self):
        self.pbx.system = "freeswitch"
        fs_clients = self.Partner.create(
            [
                {
                    "name": f"FS Client {code}",
                    "is_callgest_client": True,
                    "callgest_client_code": code,
                    "tz": "Europe/Madrid",
                }
                for code in ("1002", "1004")
            ]
        )
        self.env["callgest.pbx.route"].create(
            {"pbx_id": self.pbx.id, "pbx_number": "1002", "ddi_id": self.clinic_ddi.id}
        )
        batch = self.import_bytes(sample(FREESWITCH))
        # 10 rows, 8 uuids: the uuid written three times is one call, not three
        self.assertBatchCounts(
            batch, rows_in=10, calls_created=8, duplicates=2, quarantined=0
        )
        calls = self.Call.search([("batch_id", "=", batch.id)])
        outbound = calls.filtered(lambda call: call.direction == "outbound")
        self.assertEqual(len(outbound), 7)
        self.assertEqual(outbound.partner_id, fs_clients)
        self.assertEqual(set(outbound.mapped("dialed_client_code")), {"1002", "1004"})
        inbound = calls - outbound
        self.assertEqual(inbound.partner_id, self.clinic)
        self.assertEqual(inbound.disposition, "missed")
        # timestamps without seconds, Madrid winter time
        self.assertEqual(
            calls.filtered(
                lambda call: call.call_key == "d80e22e0-4c15-11ea-97a0-9dd79410affb"
            ).start_time,
            datetime(2020, 2, 10, 21, 41),
        )

    def test_freeswitch_unknown_account_is_quarantined(self):
        self.pbx.system = "freeswitch"
        batch = self.import_bytes(sample(FREESWITCH))
        # nothing routes "&" nor knows the account codes: every row is kept
        self.assertBatchCounts(batch, rows_in=10, calls_created=0, quarantined=10)
        self.assertIn("Unknown DDI &", batch.quarantine_ids[0].reason)


@tagged("post_install", "-at_install")
class TestQuarantine(CallgestVoipCommon):
    def test_unknown_ddi_then_reprocessed(self):
        self.route_single.unlink()
        batch = self.import_bytes(sample(RINGGROUP))
        self.assertBatchCounts(batch, rows_in=84, duplicates=0)
        self.assertGreater(batch.quarantined, 0)
        rows = batch.quarantine_ids
        self.assertEqual(len(rows), batch.quarantined)
        self.assertEqual(set(rows.mapped("reason")), {rows[0].reason})
        self.assertIn("Unknown DDI 211474", rows[0].reason)
        self.assertEqual(rows[0].file_name, "Master.csv")
        self.assertTrue(rows[0].raw_line.startswith('"","89245555937","211474"'))
        # the supervisor adds the missing route and re-processes
        self.env["callgest.pbx.route"].create(
            {
                "pbx_id": self.pbx.id,
                "pbx_number": "211474",
                "ddi_id": self.clinic_ddi.id,
            }
        )
        rows.with_user(self.supervisor).action_reprocess()
        self.assertEqual(set(rows.mapped("state")), {"reprocessed"})
        self.assertBatchCounts(
            batch, rows_in=84, rows_in_calls=84, quarantined=0, calls_created=36
        )
        self.assertEqual(rows[0].call_id.partner_id, self.clinic)
        # re-processing did not create the calls twice
        self.assertEqual(self.Call.search_count([("pbx_id", "=", self.pbx.id)]), 36)

    def test_bad_rows_kept_with_reasons(self):
        lines = [
            row_17(uniqueid="1.1"),
            row_17(uniqueid="1.2", start="2026-13-45 10:00:00"),
            row_17(uniqueid="1.3", duration="-5"),
            ",".join(row_17(uniqueid="1.4").split(",")[:10]),
            row_17(uniqueid="1.5", disposition="WHATEVER"),
            row_17(uniqueid="1.6", dst="999000111"),
        ]
        data = (
            "\n".join(lines).encode()
            + b"\n"
            + row_17(uniqueid="1.7", src="600\xe9").encode("latin-1")
        )
        batch = self.import_bytes(data)
        self.assertBatchCounts(
            batch, rows_in=7, rows_in_calls=2, calls_created=2, quarantined=5
        )
        reasons = dict((row.line_number, row.reason) for row in batch.quarantine_ids)
        self.assertIn("bad start date", reasons[2])
        self.assertIn("negative duration", reasons[3])
        self.assertIn("truncated", reasons[4])
        self.assertIn("unknown disposition", reasons[5])
        self.assertIn("Unknown DDI 999000111", reasons[6])
        latin = self.Call.search([("call_key", "=", "1.7")])
        self.assertEqual(latin.caller_raw, "600é")
        # the same file again: nothing new, the bad rows are duplicates
        again = self.import_bytes(data)
        self.assertBatchCounts(again, rows_in=7, calls_created=0, duplicates=7)
        self.assertFalse(again.quarantine_ids)

    def test_released_ddi(self):
        self.clinic_ddi.action_release()
        self.clinic_ddi.release_date = date(2026, 1, 10)
        before = row_17(
            uniqueid="2.1",
            start="2026-01-09 10:00:00",
            answer="2026-01-09 10:00:05",
            end="2026-01-09 10:01:05",
        )
        after = row_17(uniqueid="2.2")
        batch = self.import_bytes(f"{before}\n{after}\n".encode())
        self.assertBatchCounts(batch, rows_in=2, calls_created=1, quarantined=1)
        self.assertEqual(
            self.Call.search([("call_key", "=", "2.1")]).partner_id, self.clinic
        )
        self.assertIn("released on 2026-01-10", batch.quarantine_ids.reason)

    def test_dst_nights_in_madrid(self):
        fold = row_17(
            uniqueid="3.1",
            start="2026-10-25 02:30:00",
            answer="2026-10-25 02:30:10",
            end="2026-10-25 02:31:00",
            duration="60",
            billsec="50",
        )
        gap = row_17(
            uniqueid="3.2",
            start="2026-03-29 02:30:00",
            answer="2026-03-29 02:30:10",
            end="2026-03-29 02:31:00",
            duration="60",
            billsec="50",
        )
        batch = self.import_bytes(f"{fold}\n{gap}\n".encode())
        self.assertBatchCounts(batch, rows_in=2, calls_created=1, quarantined=1)
        call = self.Call.search([("call_key", "=", "3.1")])
        # the repeated hour is read as its first occurrence (CEST, UTC+2)
        self.assertEqual(call.start_time, datetime(2026, 10, 25, 0, 30))
        self.assertIn("DST gap", batch.quarantine_ids.reason)


@tagged("post_install", "-at_install")
class TestBatches(CallgestVoipCommon):
    def test_chunks_and_resume_after_kill(self):
        """A run killed midway, run again, is exactly one clean run."""
        clean_pbx = self.pbx.copy({"code": "clean"})
        for route in self.pbx.route_ids:
            route.copy({"pbx_id": clean_pbx.id})
        clean = self.import_bytes(sample(RINGGROUP), pbx=clean_pbx)
        batch = self.Batch._create_from_bytes(self.pbx, "Master.csv", sample(RINGGROUP))
        batch._process(chunk_lines=10, max_chunks=3)
        self.assertEqual(batch.state, "running")
        self.assertEqual(batch.lines_done, 30)
        self.assertAlmostEqual(batch.progress, 100.0 * 30 / 84)
        # killed in the middle of the 4th chunk: its work is rolled back
        with self.assertRaises(WorkerKilled), self.env.cr.savepoint():
            batch._lock()
            batch._process_chunk(self.Batch._split_lines(sample(RINGGROUP)), 10)
            raise WorkerKilled  # before the chunk's commit
        batch.invalidate_recordset()
        self.assertEqual(batch.lines_done, 30)
        with trap_jobs() as trap:
            self.Batch._cron_process_queued()
            trap.assert_jobs_count(1)
            perform_jobs(trap)
        self.assertEqual(batch.state, "done")
        self.assertEqual(self.call_snapshot(self.pbx), self.call_snapshot(clean_pbx))
        self.assertBatchCounts(batch, rows_in=84, quarantined=0, duplicates=0)
        self.assertEqual(
            batch.calls_created + batch.calls_updated,
            clean.calls_created + batch.calls_updated,
        )

    def test_large_file_goes_to_background(self):
        self.env["ir.config_parameter"].set_param("callgest_voip.sync_import_lines", 10)
        wizard = self.env["callgest.cdr.import.wizard"].with_user(self.supervisor)
        wizard = wizard.create(
            {
                "pbx_id": self.pbx.id,
                "data_file": base64.b64encode(sample(RINGGROUP)),
                "file_name": "Master.csv",
            }
        )
        wizard.action_preview()
        self.assertEqual(wizard.step, "preview")
        self.assertIn("36 calls", wizard.preview_html)
        action = wizard.action_import()
        batch = self.Batch.browse(action["res_id"])
        self.assertEqual(batch.state, "queued")
        self.assertEqual(batch.progress, 0)
        job = self.env["queue.job"].search([("callgest_cdr_batch_id", "=", batch.id)])
        self.assertEqual(job.state, "pending")
        self.assertEqual(job.channel, "root.callgest.cdr")
        self.assertEqual(batch.job_count, 1)
        with trap_jobs() as trap:
            # the import queued its job: the cron queues no second one
            self.Batch._cron_process_queued()
            trap.assert_jobs_count(0)
        run_stored_job(self.env, job)
        self.assertEqual(job.state, "done")
        self.assertEqual(batch.state, "done")
        self.assertEqual(batch.progress, 100)
        self.assertBatchCounts(batch, rows_in=84, calls_created=36)

    def test_wizard_preview_names_problems(self):
        self.route_single.unlink()
        wizard = self.env["callgest.cdr.import.wizard"].create(
            {
                "pbx_id": self.pbx.id,
                "data_file": base64.b64encode(sample(RINGGROUP)),
                "file_name": "Master.csv",
            }
        )
        wizard.action_preview()
        self.assertIn("Unknown DDI 211474", wizard.preview_html)
        self.assertFalse(self.Batch.search([("pbx_id", "=", self.pbx.id)]))
        with self.assertRaisesRegex(UserError, "custom order"):
            wizard.data_file = base64.b64encode(sample(PJSIP))
            wizard.action_preview()

    def test_late_legs_join_their_call(self):
        """A leg pushed after its call was stored joins that call."""
        clean_pbx = self.pbx.copy({"code": "clean"})
        for route in self.pbx.route_ids:
            route.copy({"pbx_id": clean_pbx.id})
        self.import_bytes(sample(RINGGROUP), pbx=clean_pbx)
        lines = self.Batch._split_lines(sample(RINGGROUP))
        # line 26 is the answered leg of 1706407446.50: it comes later
        first = self.import_bytes(b"\n".join(lines[:25] + lines[26:]))
        self.assertEqual(first.calls_created, 36)
        call = self.Call.search(
            [("pbx_id", "=", self.pbx.id), ("call_key", "=", "1706407446.50")]
        )
        self.assertEqual(call.leg_count, 4)
        second = self.Batch._create_from_bytes(
            self.pbx, "Master.csv", lines[25], first_line=26
        )
        second._process()
        self.assertBatchCounts(
            second, rows_in=1, rows_in_calls=1, calls_updated=1, calls_created=0
        )
        call.invalidate_recordset()
        self.assertEqual(call.disposition, "answered")
        self.assertEqual(call.secretary_seconds, 17)
        self.assertEqual(call.leg_count, 5)
        self.assertEqual(self.call_snapshot(self.pbx), self.call_snapshot(clean_pbx))


@tagged("post_install", "-at_install")
class TestPushRpc(CallgestVoipCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pbx_user = new_test_user(
            cls.env, login="test_pbx_cdr", groups="callgest_base.group_callgest_pbx"
        )

    def test_push_is_idempotent(self):
        content = base64.b64encode(sample(RINGGROUP)).decode()
        Batch = self.Batch.with_user(self.pbx_user)
        first = Batch.push_cdr("test-asterisk", "Master.csv", content)
        self.assertEqual(first["calls_created"], 36)
        self.assertEqual(first["state"], "done")
        again = Batch.push_cdr("test-asterisk", "Master.csv", content)
        self.assertEqual(again["calls_created"], 0)
        self.assertEqual(again["duplicates"], 84)
        # the PBX user pushes, it does not read calls
        with self.assertRaises(AccessError):
            self.Call.with_user(self.pbx_user).search([])

    def test_push_arguments_are_checked(self):
        """Bad RPC input: a clean UserError naming the argument, nothing stored."""
        content = base64.b64encode(sample(RINGGROUP)).decode()
        Batch = self.Batch.with_user(self.pbx_user)
        batches = self.Batch.search_count([])
        for kwargs, message in (
            ({"file_kind": ["cdr"]}, "file_kind must be one of cdr, queue_log"),
            ({"file_kind": "cdrs"}, "file_kind must be one of"),
            ({"first_line": "abc"}, "first_line must be a whole number"),
            ({"first_line": 0}, "first_line must be a whole number"),
            ({"first_line": True}, "first_line must be a whole number"),
            ({"header_line": ["a,b"]}, "header_line must be given as text"),
        ):
            with (
                self.subTest(kwargs=kwargs),
                self.assertRaisesRegex(UserError, message),
            ):
                Batch.push_cdr("test-asterisk", "Master.csv", content, **kwargs)
        with self.assertRaisesRegex(UserError, "pbx_code must be given as text"):
            Batch.push_cdr(["test-asterisk"], "Master.csv", content)
        with self.assertRaisesRegex(UserError, "content_b64 must be given as text"):
            Batch.push_cdr("test-asterisk", "Master.csv", 12345)
        self.assertEqual(self.Batch.search_count([]), batches)

    def test_push_in_parts_with_header_line(self):
        header = "start,end,duration,billsec,disposition,dst,src,uniqueid\n"
        self.pbx.write(
            {
                "system": "generic",
                "column_ids": [
                    (0, 0, {"field_name": name, "source_column": name})
                    for name in (
                        "start",
                        "end",
                        "duration",
                        "billsec",
                        "disposition",
                        "dst",
                        "src",
                        "uniqueid",
                    )
                ],
            }
        )
        part = (
            "2026-01-15 10:00:00,2026-01-15 10:01:00,60,50,answered,"
            "933906700,600100200,g.1\n"
        )
        Batch = self.Batch.with_user(self.pbx_user)
        Batch.push_cdr(
            "test-asterisk", "cdr.csv", base64.b64encode(header.encode()).decode()
        )
        result = Batch.push_cdr(
            "test-asterisk",
            "cdr.csv",
            base64.b64encode(part.encode()).decode(),
            2,
            header.strip(),
        )
        self.assertEqual(result["calls_created"], 1)
        call = self.Call.search([("call_key", "=", "g.1")])
        self.assertEqual(call.partner_id, self.clinic)
        self.assertEqual(call.secretary_seconds, 50)

    def test_push_refusals(self):
        with self.assertRaises(AccessError):
            self.Batch.with_user(self.secretary).push_cdr(
                "test-asterisk", "x.csv", base64.b64encode(b"x").decode()
            )
        Batch = self.Batch.with_user(self.pbx_user)
        with self.assertRaisesRegex(UserError, "base64"):
            Batch.push_cdr("test-asterisk", "x.csv", "not base64 !!")
        with self.assertRaisesRegex(ValidationError, "no active PBX"):
            Batch.push_cdr("nope", "x.csv", base64.b64encode(b"x").decode())
        with self.assertRaisesRegex(UserError, "empty"):
            Batch.push_cdr("test-asterisk", "x.csv", "")


QUEUE_LOG = (
    "1706407446|1706407446.50|ferrer|NONE|ENTERQUEUE||89025348783|1\n"
    "1706407452|1706407446.50|ferrer|SIP/301|CONNECT|6|1706407452.60|4\n"
    "1706407469|1706407446.50|ferrer|SIP/301|COMPLETECALLER|6|17|1\n"
    "1706369600|1706369600.6|ferrer|NONE|ENTERQUEUE||89245555937|1\n"
    "1706369660|1706369600.6|ferrer|NONE|ABANDON|1|1|60\n"
    "1706409999|NONE|ferrer|SIP/301|PAUSE|\n"
)


@tagged("post_install", "-at_install")
class TestQueueLogImport(CallgestVoipCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["callgest.pbx.extension"].create(
            {"pbx_id": cls.pbx.id, "extension": "301", "user_id": cls.secretary.id}
        )
        cls.env["callgest.pbx.route"].create(
            {"pbx_id": cls.pbx.id, "pbx_number": "ferrer", "ddi_id": cls.law_ddi.id}
        )

    def import_queue_log(self, text):
        return self.import_bytes(text.encode(), name="queue_log", file_kind="queue_log")

    def test_queue_log_after_the_cdr(self):
        self.import_bytes(sample(RINGGROUP))
        batch = self.import_queue_log(QUEUE_LOG)
        self.assertBatchCounts(
            batch,
            rows_in=6,
            rows_in_calls=5,
            calls_updated=2,
            calls_created=0,
            non_call_events=1,
            quarantined=0,
        )
        answered = self.Call.search([("call_key", "=", "1706407446.50")])
        self.assertTrue(answered.has_queue_log)
        self.assertEqual(answered.queue_name, "ferrer")
        self.assertEqual(answered.wait_seconds, 6)
        self.assertEqual(answered.agent_id, self.secretary)
        abandoned = self.Call.search([("call_key", "=", "1706369600.6")])
        self.assertEqual(abandoned.disposition, "missed")
        self.assertEqual(abandoned.wait_seconds, 60)
        again = self.import_queue_log(QUEUE_LOG)
        self.assertBatchCounts(again, rows_in=6, calls_updated=0, duplicates=5)

    def test_queue_log_before_the_cdr(self):
        batch = self.import_queue_log(QUEUE_LOG)
        self.assertBatchCounts(batch, rows_in=6, calls_created=2, non_call_events=1)
        call = self.Call.search([("call_key", "=", "1706407446.50")])
        self.assertFalse(call.has_cdr)
        self.assertEqual(call.partner_id, self.law_firm)
        self.assertEqual(call.secretary_seconds, 17)
        cdr = self.import_bytes(sample(RINGGROUP))
        self.assertBatchCounts(
            cdr, rows_in=84, rows_in_calls=84, calls_created=34, calls_updated=2
        )
        call.invalidate_recordset()
        self.assertTrue(call.has_cdr)
        self.assertTrue(call.has_queue_log)
        self.assertEqual(call.leg_count, 5)
        self.assertEqual(call.queue_name, "ferrer")
        self.assertEqual(call.agent_id, self.secretary)

    def test_bad_queue_log_lines_are_quarantined(self):
        batch = self.import_queue_log(
            "notanepoch|1.1|ferrer|NONE|ENTERQUEUE||600100200|1\n"
            "1706407446|1.2|ferrer|NONE|DANCE|1\n"
        )
        self.assertBatchCounts(batch, rows_in=2, quarantined=2)
        self.assertEqual(len(batch.quarantine_ids), 2)
        self.assertTrue(all(row.reason for row in batch.quarantine_ids))


@tagged("post_install", "-at_install")
class TestReasonsInTheReadersLanguage(CallgestVoipCommon):
    def test_quarantine_explains_in_spanish(self):
        self.env["res.lang"]._activate_lang("es_ES")
        self.env["ir.module.module"]._load_module_terms(
            ["callgest_voip"], ["es_ES"], overwrite=True
        )
        released = self.create_ddi("93 390 67 98", self.spain, self.clinic)
        released.action_release()
        released.release_date = date(2026, 1, 1)
        lines = [
            row_17(uniqueid="5.1", duration="-5"),
            row_17(uniqueid="5.2", start="2026-03-29 02:30:00"),
            ",".join(row_17(uniqueid="5.3").split(",")[:10]),
            row_17(uniqueid="5.4", dst="955000111"),
            "",
            row_17(uniqueid="5.5", dst="933906798"),
        ]
        batch = self.import_bytes("\n".join(lines).encode() + b"\n")
        self.assertBatchCounts(batch, rows_in=6, quarantined=6)
        rows = batch.quarantine_ids.with_context(lang="es_ES")
        said = {row.line_number: row.reason_display for row in rows}
        self.assertEqual(said[1], "duration negativo: -5")
        self.assertIn("no existe en Europe/Madrid", said[2])
        self.assertEqual(said[3], "Línea truncada: 9 columnas; se esperaban 17")
        self.assertIn("DDI desconocido 955000111", said[4])
        self.assertEqual(said[5], "Línea vacía")
        self.assertIn("se liberó el 2026-01-01", said[6])
        # the stored reason stays as written, for searching and grouping
        self.assertEqual(
            rows.filtered(lambda r: r.line_number == 5).reason, "empty line"
        )


@tagged("post_install", "-at_install")
class TestTypedRows(CallgestVoipCommon):
    """The importer's rows are named by the columns they write."""

    def test_row_types_name_stored_columns(self):
        for model, row_type in (
            ("callgest.call", CallRow),
            ("callgest.cdr.quarantine", QuarantineRow),
        ):
            fields_ = self.env[model]._fields
            for column in row_type._fields:
                with self.subTest(model=model, column=column):
                    self.assertTrue(fields_[column].store)
        self.assertEqual(CALL_COLUMNS, CallRow._fields)

    def test_a_call_row_is_built_by_name(self):
        batch = self.Batch._create_from_bytes(self.pbx, "Master.csv", sample(RINGGROUP))
        importer = self.env["callgest.cdr.importer"]
        read = importer._cdr_reader(batch)
        prepared = read(batch._file_lines(), 1)
        self.assertTrue(prepared.new_calls)
        for call, row in prepared.new_calls.values():
            self.assertIsInstance(row, CallRow)
            self.assertEqual(row.call_key, call.key)
            self.assertEqual(row.leg_count, len(call.legs))
            self.assertEqual(row.pbx_id, self.pbx.id)
            self.assertIs(row.has_cdr, True)
        for line in prepared.quarantine:
            self.assertIsInstance(line, BadLine)
