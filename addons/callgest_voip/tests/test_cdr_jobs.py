import base64

from odoo.tests import tagged

from .common import RINGGROUP, CallgestVoipCommon, sample
from .jobs import perform_jobs, run_stored_job, trap_jobs

# RINGGROUP has 84 lines: with chunks of 10 lines and 2 chunks a job, 5 jobs
CHUNK_LINES = 10
JOB_CHUNKS = 2


class WorkerKilled(Exception):
    """Stands for a job runner's worker killed in the middle of a job."""


@tagged("post_install", "-at_install")
class TestCdrJobs(CallgestVoipCommon):
    """Large files are imported by queue jobs, one job per slice of lines, in
    the channel root.callgest.cdr; each job is idempotent."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Param = cls.env["ir.config_parameter"]
        Param.set_param("callgest_voip.sync_import_lines", 10)
        Param.set_param("callgest_voip.import_chunk_lines", CHUNK_LINES)
        Param.set_param("callgest_voip.import_chunks_per_job", JOB_CHUNKS)
        cls.clean_pbx = cls.pbx.copy({"code": "clean"})
        for route in cls.pbx.route_ids:
            route.copy({"pbx_id": cls.clean_pbx.id})

    def clean_import(self):
        """The same file imported at once, on another PBX: what the jobs must
        end up with."""
        return self.import_bytes(sample(RINGGROUP), pbx=self.clean_pbx)

    def push(self):
        """The PBX pushes the file: too large to import at once."""
        summary = self.Batch.push_cdr(
            self.pbx.code, "Master.csv", base64.b64encode(sample(RINGGROUP)).decode()
        )
        batch = self.Batch.browse(summary["batch_id"])
        self.assertEqual(summary["state"], "queued")
        return batch

    def assertImportedOnce(self, batch, clean):
        self.assertEqual(batch.state, "done")
        self.assertEqual(batch.lines_done, 84)
        self.assertEqual(
            self.call_snapshot(self.pbx), self.call_snapshot(self.clean_pbx)
        )
        self.assertBatchCounts(
            batch,
            rows_in=84,
            quarantined=0,
            duplicates=0,
            calls_created=clean.calls_created,
            calls_updated=clean.calls_updated,
        )

    def test_a_pushed_file_is_imported_by_one_job_per_slice(self):
        clean = self.clean_import()
        with trap_jobs() as trap:
            batch = self.push()
            trap.assert_jobs_count(1)
            trap.assert_enqueued_job(
                batch._job_process_slice,
                args=(0,),
                properties={"identity_key": f"callgest.cdr.batch:{batch.id}:0"},
            )
            job = trap.enqueued_jobs[0]
            self.assertEqual(job.channel, "root.callgest.cdr")
            self.assertEqual(job.job_config.on_fail_method_name, "_job_on_fail")
            self.assertEqual(job.job_config.retry_pattern, {1: 10, 3: 60, 5: 300})
            self.assertIn(batch.name, job.description)
            jobs = perform_jobs(trap)
        # each job imported its 20 lines and queued the next slice
        self.assertEqual(len(jobs), 5)
        self.assertEqual([job.args for job in jobs], [(0,), (20,), (40,), (60,), (80,)])
        self.assertIn("lines 81 to 84 imported (84 of 84)", jobs[-1].result)
        self.assertImportedOnce(batch, clean)

    def test_the_same_job_run_twice_imports_once(self):
        """Queue jobs are at-least-once: a job run again (its worker killed
        after the commit, before the runner knew) imports nothing again."""
        clean = self.clean_import()
        with trap_jobs() as trap:
            batch = self.push()
            first = trap.enqueued_jobs[0]
            trap.perform_enqueued_jobs()
            self.assertEqual(batch.lines_done, 20)
            created = batch.calls_created
            trap.assert_jobs_count(1)  # the job of the next slice
            first.perform()  # the same job again
            self.assertIn("already imported", first.result)
            self.assertEqual(batch.lines_done, 20)
            self.assertEqual(batch.calls_created, created)
            self.assertEqual(batch.rows_in, 20)
            trap.assert_jobs_count(1)  # no second job for the next slice
            perform_jobs(trap)
            first.perform()  # and once the batch is done
            self.assertIn("Nothing to do", first.result)
        self.assertImportedOnce(batch, clean)

    def test_a_job_killed_midway_runs_again_as_one_clean_run(self):
        clean = self.clean_import()
        with trap_jobs() as trap:
            batch = self.push()
            trap.perform_enqueued_jobs()  # the first job
            second = trap.enqueued_jobs[0]
            # the worker dies in the middle of the 2nd job: its transaction
            # (its slice, the progress, the job of the next slice) is rolled back
            with self.assertRaises(WorkerKilled), self.env.cr.savepoint():
                second.perform()
                self.assertEqual(batch.lines_done, 40)
                raise WorkerKilled
            batch.invalidate_recordset()
            self.assertEqual(batch.lines_done, 20)
            # the job runner runs the job again, with the same arguments
            trap.enqueued_jobs = [second]
            perform_jobs(trap)
        self.assertImportedOnce(batch, clean)

    def test_stored_jobs_run_by_the_runner_code(self):
        """Without the trap: the jobs are stored, the cron queues none twice,
        and each is run as the runner's worker runs it."""
        clean = self.clean_import()
        batch = self.push()
        Job = self.env["queue.job"]
        self.Batch._cron_process_queued()
        batch._enqueue_processing()  # the same slice again: the same identity
        jobs = Job.search([("callgest_cdr_batch_id", "=", batch.id)])
        self.assertEqual(len(jobs), 1)
        self.assertEqual(jobs.state, "pending")
        self.assertEqual(jobs.channel, "root.callgest.cdr")
        self.assertEqual(jobs.identity_key, f"callgest.cdr.batch:{batch.id}:0")
        for _slice in range(10):
            pending = Job.search(
                [("callgest_cdr_batch_id", "=", batch.id), ("state", "=", "pending")]
            )
            if not pending:
                break
            self.assertEqual(len(pending), 1)
            run_stored_job(self.env, pending)
            self.assertEqual(pending.state, "done")
        jobs = Job.search([("callgest_cdr_batch_id", "=", batch.id)])
        self.assertEqual(len(jobs), 5)
        self.assertEqual(batch.job_count, 5)
        self.assertEqual(set(jobs.mapped("state")), {"done"})
        self.assertImportedOnce(batch, clean)
        # the job's related action opens its batch
        action = jobs[0].open_related_action()
        self.assertEqual(
            (action["res_model"], action["res_id"]), (batch._name, batch.id)
        )
        # the batch's smart button lists its jobs
        self.assertEqual(Job.search(batch.action_open_jobs()["domain"]), jobs)

    def test_a_job_that_will_not_run_again_fails_its_batch(self):
        with trap_jobs() as trap:
            batch = self.push()
            trap.assert_jobs_count(1)
            batch._job_on_fail(exc_name="ValueError", exc_message="disk full")
            self.assertEqual(batch.state, "failed")
            self.assertEqual(batch.error_message, "disk full")
            trap.enqueued_jobs = []  # the failed job does not run again
            # Retry queues the job of the slice the batch stopped at
            batch.action_retry()
            self.assertEqual(batch.state, "queued")
            trap.assert_jobs_count(1)
            perform_jobs(trap)
        self.assertEqual(batch.state, "done")
