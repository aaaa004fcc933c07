"""A large CDR file pushed to the live server is imported by queue_job's runner.

The file is over the import-at-once limit (``callgest_voip.sync_import_lines``,
20,000 lines): ``push_cdr`` answers at once with the batch queued, and the
job runner the server starts (``server_wide_modules = base,web,queue_job``)
runs its jobs in the channel ``root.callgest.cdr``. The test waits on the
batch and its jobs, with a timeout.
"""

import base64
import time
import uuid
from datetime import datetime

from odoo.addons.callgest_voip.tools import cdr_generator

CLINIC_DDI = "0034933906701"
ROWS = 25000  # over the 20,000 lines imported at once
TIMEOUT = 240  # seconds; the import itself takes a few


def wait_for(predicate, timeout, step=0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return predicate()


def test_a_large_pushed_file_is_imported_by_the_job_runner(odoorpc_login):
    admin = odoorpc_login("admin", "admin")
    ddi = admin.env["callgest.ddi"].resolve_number(CLINIC_DDI)
    national = admin.env["callgest.ddi"].browse(ddi["ddi_id"]).national_digits
    code = f"jobs-{uuid.uuid4().hex[:10]}"
    admin.env["callgest.pbx"].create(
        {
            "name": code,
            "code": code,
            "system": "asterisk",
            "timezone": "Europe/Madrid",
            "country_id": admin.env.ref("base.es").id,
        }
    )
    generator = cdr_generator.CdrGenerator(
        [national],
        datetime(2026, 3, 2),
        datetime(2026, 3, 7),
        rows=ROWS,
        seed=13,
    )
    data = b"".join(generator.iter_chunks())
    assert data.count(b"\n") == ROWS
    summary = admin.env["callgest.cdr.batch"].push_cdr(
        code, "Master.csv", base64.b64encode(data).decode()
    )
    assert summary["state"] == "queued", summary
    batch_id = summary["batch_id"]
    Batch, Job = admin.env["callgest.cdr.batch"], admin.env["queue.job"]
    fields = ["state", "lines_done", "line_count", "rows_in", "rows_in_calls"]
    fields += ["duplicates", "quarantined", "calls_created", "error_message"]

    def batch():
        return Batch.read([batch_id], fields)[0]

    def jobs():
        return Job.search_read(
            [("callgest_cdr_batch_id", "=", batch_id)],
            ["state", "channel", "retry", "result"],
        )

    finished = wait_for(lambda: batch()["state"] in ("done", "failed"), TIMEOUT)
    assert finished, (
        f"batch still {batch()['state']} after {TIMEOUT} s, jobs {jobs()}: is the "
        "job runner running (server_wide_modules = base,web,queue_job)?"
    )
    result = batch()
    assert result["state"] == "done", result
    assert result["lines_done"] == result["line_count"] == ROWS
    assert result["rows_in"] == ROWS
    assert result["rows_in"] == (
        result["rows_in_calls"] + result["duplicates"] + result["quarantined"]
    )
    assert result["calls_created"] == generator.stats.calls
    # every job ran in the CallGest CDR channel and is done (the runner marks
    # the last one done just after its commit)
    done = wait_for(lambda: all(job["state"] == "done" for job in jobs()), 30)
    assert done, jobs()
    assert jobs() and {job["channel"] for job in jobs()} == {"root.callgest.cdr"}
    calls = admin.env["callgest.call"].search_count(
        [("batch_id", "=", batch_id), ("ddi_id", "=", ddi["ddi_id"])]
    )
    assert calls == generator.stats.calls
