import os
import shutil
import tempfile
from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .jobs import trap_jobs
from .test_quality_report import CallgestCallsCommon

NOW = datetime(2024, 6, 30, 2, 30)


@tagged("post_install", "-at_install")
class TestRecordingRetention(CallgestCallsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Log = cls.env["callgest.recording.purge.log"]
        cls.company.callgest_recording_retention_days = 30
        cls.law_firm.callgest_recording_retention_days = 10

    def setUp(self):
        super().setUp()
        self.recording_dir = tempfile.mkdtemp(prefix="callgest-recordings-")
        self.elsewhere = tempfile.mkdtemp(prefix="callgest-elsewhere-")
        self.addCleanup(shutil.rmtree, self.recording_dir, True)
        self.addCleanup(shutil.rmtree, self.elsewhere, True)
        self.env["ir.config_parameter"].set_param(
            "callgest_voip.recording_dir", self.recording_dir
        )

    def recording_file(self, name, directory=None):
        path = os.path.join(directory or self.recording_dir, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as handle:
            handle.write(b"RIFF")
        return path

    def call(self, client, days_old, ref):
        return self.make_call(
            client, NOW - timedelta(days=days_old), 5, recording_ref=ref
        )

    def test_purge(self):
        in_dir = self.recording_file("2024/05/in-dir.wav")
        relative = self.recording_file("2024/05/relative.wav")
        outside = self.recording_file("outside.wav", self.elsewhere)
        kept_file = self.recording_file("2024/06/recent.wav")
        clinic_old_url = self.call(self.clinic, 40, "https://pbx.example.com/r/1.wav")
        clinic_file = self.call(self.clinic, 35, in_dir)
        clinic_relative = self.call(self.clinic, 31, "2024/05/relative.wav")
        clinic_outside = self.call(self.clinic, 50, f"file://{outside}")
        clinic_recent = self.call(self.clinic, 20, kept_file)
        clinic_no_recording = self.call(self.clinic, 60, False)
        law_old = self.call(self.law_firm, 15, "https://pbx.example.com/r/2.wav")
        law_recent = self.call(self.law_firm, 5, "https://pbx.example.com/r/3.wav")

        logs = self.Log._purge_recordings(now=NOW, batch_size=2)

        self.assertEqual(len(logs), 2)
        clinic_log = logs.filtered(lambda log: log.partner_id == self.clinic)
        self.assertEqual(clinic_log.retention_days, 30)
        self.assertEqual(clinic_log.purged_count, 4)
        self.assertEqual(clinic_log.files_deleted, 2)
        self.assertEqual(clinic_log.file_errors, 0)
        self.assertEqual(clinic_log.oldest_call, NOW - timedelta(days=50))
        self.assertEqual(clinic_log.newest_call, NOW - timedelta(days=31))
        self.assertEqual(clinic_log.cutoff, NOW - timedelta(days=30))
        self.assertEqual(clinic_log.date, NOW)
        self.assertEqual(clinic_log.company_id, self.company)
        law_log = logs.filtered(lambda log: log.partner_id == self.law_firm)
        self.assertEqual(law_log.retention_days, 10)
        self.assertEqual(law_log.purged_count, 1)
        self.assertEqual(law_log.files_deleted, 0)
        self.assertEqual(law_log.oldest_call, NOW - timedelta(days=15))
        self.assertEqual(law_log.newest_call, NOW - timedelta(days=15))

        for call in (clinic_old_url, clinic_file, clinic_relative, clinic_outside):
            self.assertFalse(call.recording_ref)
            self.assertEqual(call.recording_purged_on, NOW)
        self.assertFalse(law_old.recording_ref)
        # files in the recordings directory are gone, the one elsewhere stays
        self.assertFalse(os.path.exists(in_dir))
        self.assertFalse(os.path.exists(relative))
        self.assertTrue(os.path.exists(outside))
        # younger than the retention: untouched
        self.assertEqual(clinic_recent.recording_ref, kept_file)
        self.assertFalse(clinic_recent.recording_purged_on)
        self.assertTrue(os.path.exists(kept_file))
        self.assertEqual(law_recent.recording_ref, "https://pbx.example.com/r/3.wav")
        self.assertFalse(law_recent.recording_purged_on)
        self.assertFalse(clinic_no_recording.recording_purged_on)

        # nothing left to purge: no log
        self.assertFalse(self.Log._purge_recordings(now=NOW))

    def test_client_retention_overrides_company(self):
        self.company.callgest_recording_retention_days = 60
        self.clinic.callgest_recording_retention_days = 0  # the company's
        clinic_call = self.call(self.clinic, 40, "https://pbx.example.com/r/4.wav")
        law_call = self.call(self.law_firm, 40, "https://pbx.example.com/r/5.wav")
        logs = self.Log._purge_recordings(now=NOW)
        self.assertEqual(logs.partner_id, self.law_firm)
        self.assertEqual(logs.purged_count, 1)
        self.assertEqual(clinic_call.recording_ref, "https://pbx.example.com/r/4.wav")
        self.assertFalse(law_call.recording_ref)
        # a client keeping them longer than the company
        self.clinic.callgest_recording_retention_days = 90
        self.company.callgest_recording_retention_days = 30
        self.assertFalse(self.Log._purge_recordings(now=NOW))
        self.assertEqual(clinic_call.recording_ref, "https://pbx.example.com/r/4.wav")

    def test_without_directory_files_are_kept(self):
        self.env["ir.config_parameter"].set_param("callgest_voip.recording_dir", "")
        path = self.recording_file("kept.wav")
        call = self.call(self.clinic, 45, path)
        log = self.Log._purge_recordings(now=NOW)
        self.assertEqual(log.purged_count, 1)
        self.assertEqual(log.files_deleted, 0)
        self.assertFalse(call.recording_ref)
        self.assertTrue(os.path.exists(path))

    def test_other_company_has_its_own_retention(self):
        other = self.env["res.company"].create(
            {"name": "Other answering service", "callgest_recording_retention_days": 90}
        )
        other_pbx = self.env["callgest.pbx"].create(
            {
                "name": "Other PBX",
                "code": "test-retention-other",
                "system": "asterisk",
                "timezone": "Europe/Madrid",
                "company_id": other.id,
            }
        )
        client = self.Partner.create(
            {"name": "Other client", "is_callgest_client": True, "tz": "Europe/Madrid"}
        )
        kept = self.make_call(
            client,
            NOW - timedelta(days=45),
            5,
            pbx=other_pbx,
            recording_ref="https://pbx.example.com/r/6.wav",
        )
        purged = self.call(client, 45, "https://pbx.example.com/r/7.wav")
        logs = self.Log._purge_recordings(now=NOW)
        self.assertEqual(logs.company_id, self.company)
        self.assertEqual(logs.purged_count, 1)
        self.assertFalse(purged.recording_ref)
        self.assertEqual(kept.recording_ref, "https://pbx.example.com/r/6.wav")

    def test_settings(self):
        settings = self.env["res.config.settings"].create(
            {"callgest_recording_retention_days": 45}
        )
        settings.execute()
        self.assertEqual(self.company.callgest_recording_retention_days, 45)
        with self.assertRaises(ValidationError):
            self.law_firm.callgest_recording_retention_days = -1
        with self.assertRaises(ValidationError):
            self.company.callgest_recording_retention_days = 0

    def test_cron_queues_one_job_per_client(self):
        """The daily cron queues one purge job per client and company (channel
        root.callgest.recording); each job queues the deletion of its files."""
        in_dir = self.recording_file("2024/05/in-dir.wav")
        kept_file = self.recording_file("2024/06/recent.wav")
        clinic_file = self.call(self.clinic, 35, in_dir)
        clinic_url = self.call(self.clinic, 40, "https://pbx.example.com/r/1.wav")
        clinic_recent = self.call(self.clinic, 20, kept_file)
        law_old = self.call(self.law_firm, 15, "https://pbx.example.com/r/2.wav")
        Log = self.Log
        with trap_jobs() as trap, freeze_time(NOW):
            Log._cron_purge_recordings()
            trap.assert_jobs_count(2)
            now = "2024-06-30 02:30:00"
            for partner, days in ((self.clinic, 30), (self.law_firm, 10)):
                trap.assert_enqueued_job(
                    Log._job_purge_group,
                    args=(self.company.id, partner.id, days, now),
                    properties={
                        "identity_key": (
                            f"callgest.recording.purge:{self.company.id}:{partner.id}"
                        )
                    },
                )
            self.assertEqual(
                {job.channel for job in trap.enqueued_jobs}, {"root.callgest.recording"}
            )
            purge_jobs = list(trap.enqueued_jobs)
            trap.perform_enqueued_jobs()
            # the calls forgot their recordings; the files go in a job of their own
            self.assertFalse(clinic_file.recording_ref)
            self.assertFalse(clinic_url.recording_ref)
            self.assertFalse(law_old.recording_ref)
            self.assertTrue(os.path.exists(in_dir))
            trap.assert_jobs_count(1)
            clinic_log = Log.search([("partner_id", "=", self.clinic.id)])
            trap.assert_enqueued_job(
                clinic_log._job_delete_recording_files, args=([in_dir],)
            )
            trap.perform_enqueued_jobs()
            self.assertFalse(os.path.exists(in_dir))
            self.assertEqual(clinic_log.purged_count, 2)
            self.assertEqual(clinic_log.files_deleted, 1)
            # at-least-once: the same jobs again purge and log nothing more
            for job in purge_jobs:
                job.perform()
                self.assertEqual(job.result, "Nothing to purge.")
            trap.assert_jobs_count(0)
            clinic_log._job_delete_recording_files([in_dir])
        self.assertEqual(
            Log.search([]),
            clinic_log | Log.search([("partner_id", "=", self.law_firm.id)]),
        )
        self.assertEqual(len(Log.search([])), 2)
        self.assertEqual(clinic_log.files_deleted, 1)
        self.assertEqual(clinic_log.file_errors, 0)
        self.assertEqual(clinic_recent.recording_ref, kept_file)
