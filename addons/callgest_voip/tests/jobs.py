"""Running queue jobs for real in tests: queue_job's ``trap_jobs()`` and the
job runner's worker code, without mocks of CallGest or the database."""

from odoo import SUPERUSER_ID
from odoo.tests import common as odoo_common

# queue_job 18.0.4.1.2.2's tests/common.py registers its patcher in
# SETATTR_SOURCES, which Odoo 18 has only from a later revision than ours
if not hasattr(odoo_common, "SETATTR_SOURCES"):
    odoo_common.SETATTR_SOURCES = {}

# pylint: disable=wrong-import-position
from odoo.addons.queue_job.controllers.main import RunJobController  # noqa: E402
from odoo.addons.queue_job.job import Job  # noqa: E402
from odoo.addons.queue_job.tests.common import trap_jobs  # noqa: E402

__all__ = ["perform_jobs", "run_stored_job", "trap_jobs"]


def perform_jobs(trap, rounds=100):
    """Perform the jobs ``trap`` (queue_job's ``trap_jobs()``) holds, for real,
    and the jobs they queue, until none is left; return the jobs performed."""
    performed = []
    for _round in range(rounds):
        if not trap.enqueued_jobs:
            return performed
        performed += trap.enqueued_jobs
        trap.perform_enqueued_jobs()
    raise AssertionError(f"the jobs still queue jobs after {rounds} rounds")


def run_stored_job(env, job_record):
    """Run a stored ``queue.job`` as the job runner's worker does (loaded as
    superuser, started, performed as the job's user, done and stored; the
    test's transaction is not committed); return the Job."""
    env = env(user=SUPERUSER_ID)  # as the /queue_job/runjob controller
    job = Job.load(env, job_record.uuid)
    job.set_started()
    job.store()
    RunJobController._try_perform_job(env, job)
    job_record.invalidate_recordset()
    return job
