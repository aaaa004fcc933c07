from datetime import date

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.sql_db import db_connect
from odoo.tests import tagged

from odoo.addons.callgest_voip.tests.jobs import perform_jobs, run_stored_job, trap_jobs
from odoo.addons.queue_job.exception import RetryableJobError

from ..models.callgest_invoicing import INVOICING_LOCK_KEY
from .common import CallgestBillingCommon

OCTOBER = "2026-10"


@tagged("post_install", "-at_install")
class TestInvoicingJobs(CallgestBillingCommon):
    """Each company's monthly invoicing is a queue job of its invoicing run,
    in the channel root.callgest.invoicing; the job is idempotent."""

    def october_moves(self):
        return self.env["account.move"].search([("callgest_period", "=", OCTOBER)])

    def test_the_cron_queues_one_job_per_company(self):
        call = self.make_call(self.clinic, self.at(date(2026, 10, 5)), 45)
        Run = self.env["callgest.invoicing.run"]
        cron = self.env.ref("callgest_billing.ir_cron_invoice_previous_month")
        with trap_jobs() as trap, freeze_time("2026-11-01 03:00:00"):
            cron.sudo().method_direct_trigger()
            run = Run.search([("period", "=", OCTOBER)])
            self.assertEqual(run.company_id, self.company)
            self.assertEqual(run.state, "queued")
            trap.assert_jobs_count(1)
            trap.assert_enqueued_job(
                run._job_invoice,
                properties={"identity_key": f"callgest.invoicing.run:{run.id}"},
            )
            job = trap.enqueued_jobs[0]
            self.assertEqual(job.channel, "root.callgest.invoicing")
            self.assertEqual(job.job_config.on_fail_method_name, "_job_on_fail")
            self.assertEqual(job.company_id, self.company.id)
            # the cron run again the same month queues nothing more
            cron.sudo().method_direct_trigger()
            self.assertEqual(Run.search([("period", "=", OCTOBER)]), run)
            perform_jobs(trap)
        self.assertEqual(run.state, "done")
        # every client with something to invoice: the call, monthly fees
        self.assertEqual(run.invoice_ids, self.october_moves())
        self.assertIn(call.usage_ids.invoice_id, run.invoice_ids)
        self.assertIn(f"{len(run.invoice_ids)} invoice(s) created", run.message)

    def test_the_same_job_run_twice_bills_once(self):
        """Queue jobs are at-least-once: the job run again (its worker killed
        after the commit) invoices nobody twice."""
        ours = self.make_call(self.clinic, self.at(date(2026, 10, 5)), 45)
        ours |= self.make_call(self.collective, self.at(date(2026, 10, 6)), 90)
        with trap_jobs() as trap:
            run = self.env["callgest.invoicing.run"]._queue(OCTOBER)
            job = trap.enqueued_jobs[0]
            trap.perform_enqueued_jobs()
            moves = self.october_moves()
            # the two clients' calls, plus whatever else the company (its demo
            # clients, when demo data is installed) has to invoice
            self.assertLessEqual(ours, moves.invoice_line_ids._callgest_usage().call_id)
            self.assertEqual(run.invoice_ids, moves)
            total = sum(moves.mapped("amount_untaxed"))
            job.perform()  # the same job again
            self.assertIn("Nothing to invoice", job.result)
            trap.assert_jobs_count(0)
        self.assertEqual(self.october_moves(), moves)
        self.assertEqual(sum(moves.mapped("amount_untaxed")), total)
        self.assertEqual(run.invoice_ids, moves)
        self.assertIn(f"{len(moves)} invoice(s) created", run.message)

    def test_a_stored_job_as_the_runner_runs_it(self):
        self.make_call(self.clinic, self.at(date(2026, 10, 5)), 45)
        wizard = self.env["callgest.invoicing.wizard"].create(
            {"period": OCTOBER, "client_ids": [(6, 0, self.clinic.ids)]}
        )
        action = wizard.action_run_in_background()
        run = self.env["callgest.invoicing.run"].browse(action["res_id"])
        self.assertEqual(run.client_ids, self.clinic)
        Job = self.env["queue.job"].sudo()  # the queue managers' (not accountants')
        job = Job.search([("callgest_invoicing_run_id", "=", run.id)])
        self.assertEqual(job.state, "pending")
        self.assertEqual(job.channel, "root.callgest.invoicing")
        self.assertEqual(run.job_count, 1)
        run_stored_job(self.env, job)
        self.assertEqual(job.state, "done")
        self.assertEqual(run.state, "done")
        self.assertEqual(run.invoice_ids.partner_id, self.clinic)
        self.assertEqual(run.invoice_count, 1)
        # the job's related action opens its run; the run opens its jobs
        action = job.open_related_action()
        self.assertEqual((action["res_model"], action["res_id"]), (run._name, run.id))
        jobs = Job.search(run.action_open_jobs()["domain"])
        self.assertEqual(jobs, job)

    def test_a_busy_company_is_retried_later(self):
        """Another run of the company holds its lock (a second connection):
        the job is postponed (retryable), not failed, and bills nothing."""
        self.make_call(self.clinic, self.at(date(2026, 10, 5)), 45)
        with trap_jobs() as trap:
            run = self.env["callgest.invoicing.run"]._queue(
                OCTOBER, client_ids=self.clinic.ids
            )
            job = trap.enqueued_jobs[0]
            with db_connect(self.env.cr.dbname).cursor() as other:
                other.execute(
                    "SELECT pg_advisory_xact_lock(%s, %s)",
                    (INVOICING_LOCK_KEY, self.company.id),
                )
                with self.assertRaises(RetryableJobError):
                    job.perform()
                other.rollback()
            self.assertEqual(run.state, "queued")
            self.assertFalse(self.october_moves())
            self.assertEqual(job._get_retry_seconds(), 60)
            job.perform()
        self.assertEqual(run.state, "done")
        self.assertEqual(len(self.october_moves()), 1)

    def test_errors_show_when_queued_and_a_failed_job_fails_its_run(self):
        Run = self.env["callgest.invoicing.run"]
        with self.assertRaisesRegex(UserError, "not over yet"):
            Run._queue(date.today().strftime("%Y-%m"))
        with self.assertRaisesRegex(UserError, "YYYY-MM"):
            Run._queue("October")
        with trap_jobs() as trap:
            run = Run._queue(OCTOBER)
            run._job_on_fail(exc_name="UserError", exc_message="No rate for USD")
            self.assertEqual(run.state, "failed")
            self.assertEqual(run.message, "No rate for USD")
            trap.enqueued_jobs = []  # the failed job does not run again
            run.action_retry()
            self.assertEqual(run.state, "queued")
            trap.assert_jobs_count(1)
            perform_jobs(trap)
        self.assertEqual(run.state, "done")
