"""Benchmark of the CDR import engine, end to end, against a bare COPY.

Run it in an Odoo shell on a **scratch database** with callgest_voip
installed (the engine commits as it goes, so nothing can be rolled back; the
script deletes what it created at the end, best effort):

    BENCH_ROWS=1000000 .callgest/venv/bin/python -m odoo shell \
        -c .callgest/odoo.conf -d callgest_bench --no-http \
        < tests/bench/bench_cdr_import.py

Options, as environment variables (the Odoo shell reads the script on its
standard input, so it takes no arguments):

* ``BENCH_ROWS``: CDR lines to import (default 1,000,000; 100000 for a quick
  run);
* ``BENCH_CHUNK``: lines per committed chunk (default 50,000);
* ``BENCH_PROFILE=1``: run the engine under cProfile and print where the time
  goes (slower; the figures then include the profiler's overhead);
* ``BENCH_KEEP=1``: keep the calls, batch, DDIs and clients it created.
* ``BENCH_JOBS=1``: import as the queue jobs do (``_job_process_slice`` of
  ``BENCH_JOB_CHUNKS`` chunks, default 5, committed one by one as the job
  runner commits each job) instead of ``_process(commit=True)``.

It creates 300 clients and 2,000 active DDIs, generates a month of Asterisk
Master.csv lines (ring-group forks, missed and robot calls, repeated callers:
``tools/cdr_generator.py``), then measures in the same run:

* the baseline: a bare PostgreSQL ``COPY ... (FORMAT csv)`` of the same raw
  lines into a temporary table of 21 text columns, the least any import must
  cost;
* the engine: ``callgest.cdr.batch._create_from_bytes()`` then
  ``_process(commit=True, chunk_lines=BENCH_CHUNK)``: parse, consolidate,
  resolve the DDIs, COPY and ``INSERT ... ON CONFLICT``.

It prints rows, seconds and rows/s of both, the ratio, the batch's counts
(``rows_in == rows_in_calls + duplicates + quarantined`` must hold), the peak
memory of the process, and whether the target is met: at least 20,000 rows/s
end to end.

Measured on the 2-core development VM (2026-11-22), 1,000,000 rows:

* default PostgreSQL settings: engine 9,100-11,500 rows/s, baseline about
  300,000 rows/s (ratio about 0.035), peak memory about 1.1 GB;
* ``shared_buffers=1GB``, ``max_wal_size=8GB``: engine 12,400 rows/s;
* 200,000 rows: 16,500 rows/s.

The target (20,000 rows/s) is not met. Python is not the limit: the next
chunk is parsed and resolved in a second thread while the current one is
written. PostgreSQL is: the INSERT of 142,400 calls takes 1.2 s without
foreign keys and 4.6 s with the five that every call row checks (PBX, batch,
company, DDI, client), about 4.7 microseconds each per row.
"""

import cProfile
import io
import os
import pstats
import resource
import time
from datetime import datetime

from odoo.addons.callgest_voip.tools import cdr_generator

# ruff: noqa: F821  (`env` is provided by the Odoo shell)

ROWS = int(os.environ.get("BENCH_ROWS", "1000000"))
CHUNK_LINES = int(os.environ.get("BENCH_CHUNK", "50000"))
PROFILE = os.environ.get("BENCH_PROFILE") == "1"
KEEP = os.environ.get("BENCH_KEEP") == "1"
JOBS = os.environ.get("BENCH_JOBS") == "1"
JOB_CHUNKS = int(os.environ.get("BENCH_JOB_CHUNKS", "5"))
N_CLIENTS = 300
N_DDIS = 2000
TARGET_ROWS_PER_SECOND = 20000
# March 2026: a month with weekends and the spring-forward night
PERIOD = (datetime(2026, 3, 1), datetime(2026, 4, 1))
ASTERISK_COLUMNS = (
    "accountcode src dst dcontext clid channel dstchannel lastapp lastdata "
    "start answer end duration billsec disposition amaflags uniqueid "
    "userfield peeraccount linkedid sequence"
).split()


def peak_memory_mb():
    # ru_maxrss is in kilobytes on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def create_fixtures(tag):
    """300 clients, 2,000 active DDIs (Madrid and Barcelona fixed numbers),
    a PBX with 30 agent extensions."""
    spain = env.ref("base.es")
    Partner = env["res.partner"].with_context(tracking_disable=True)
    clients = Partner.create(
        [
            {"name": f"Bench client {tag} {index:03d}", "is_callgest_client": True}
            for index in range(N_CLIENTS)
        ]
    )
    Ddi = env["callgest.ddi"].with_context(tracking_disable=True)
    ddis = Ddi.create(
        [
            {
                "number_entered": f"{('915', '935')[index % 2]}{index:06d}",
                "country_id": spain.id,
                "partner_id": clients[index % N_CLIENTS].id,
                "state": "active",
                "activation_date": "2026-01-01",
            }
            for index in range(N_DDIS)
        ]
    )
    pbx = (
        env["callgest.pbx"]
        .with_context(tracking_disable=True)
        .create(
            {
                "name": f"Bench PBX {tag}",
                "code": f"bench-{tag}",
                "system": "asterisk",
                "timezone": "Europe/Madrid",
                "country_id": spain.id,
                "recording_url_template": "https://pbx.example.com/rec/{uniqueid}.wav",
                "extension_ids": [
                    (0, 0, {"extension": str(extension), "user_id": env.uid})
                    for extension in range(301, 331)
                ],
            }
        )
    )
    env.cr.commit()
    return clients, ddis, pbx


def baseline_copy(data):
    """Seconds of a bare COPY of the raw lines into a 21-text-column table."""
    cr = env.cr
    columns = ", ".join(f'"{name}" text' for name in ASTERISK_COLUMNS)
    cr.execute(f"CREATE TEMP TABLE bench_cdr_raw ({columns})")
    start = time.perf_counter()
    cr.copy_expert("COPY bench_cdr_raw FROM STDIN WITH (FORMAT csv)", io.BytesIO(data))
    cr.commit()
    seconds = time.perf_counter() - start
    cr.execute("SELECT count(*) FROM bench_cdr_raw")
    copied = cr.fetchone()[0]
    cr.execute("DROP TABLE bench_cdr_raw")
    cr.commit()
    return seconds, copied


def engine_import(pbx, data):
    """``(create seconds, process seconds, batch)`` of the real importer."""
    Batch = env["callgest.cdr.batch"]
    start = time.perf_counter()
    batch = Batch._create_from_bytes(pbx, "bench-Master.csv", data)
    env.cr.commit()
    created = time.perf_counter()
    if JOBS:
        run_jobs(batch)
    else:
        batch._process(commit=True, chunk_lines=CHUNK_LINES)
    done = time.perf_counter()
    batch.invalidate_recordset()
    return created - start, done - created, batch


def run_jobs(batch):
    """Run the batch's queue jobs in this process, one transaction each, as
    the job runner's workers run them (without the HTTP call to a worker)."""
    Param = env["ir.config_parameter"].sudo()
    Param.set_param("callgest_voip.import_chunk_lines", CHUNK_LINES)
    Param.set_param("callgest_voip.import_chunks_per_job", JOB_CHUNKS)
    env.cr.commit()
    jobs = 0
    while batch.state in ("queued", "running"):
        batch._job_process_slice(batch.lines_done)
        env.cr.commit()
        jobs += 1
    print(f"{jobs} jobs of {JOB_CHUNKS} chunks of {CHUNK_LINES:,} lines")
    # the jobs it queued, never run by a runner
    env.cr.execute(
        "DELETE FROM queue_job WHERE callgest_cdr_batch_id = %s", (batch.id,)
    )
    env.cr.commit()


def cleanup(clients, ddis, pbx):
    """Delete what the run created (SQL for the bulk of it)."""
    cr = env.cr
    cr.rollback()
    cr.execute("DELETE FROM callgest_call WHERE pbx_id = %s", [pbx.id])
    cr.execute("DELETE FROM callgest_cdr_quarantine WHERE pbx_id = %s", [pbx.id])
    batches = env["callgest.cdr.batch"].search([("pbx_id", "=", pbx.id)])
    batches.attachment_id.unlink()
    cr.execute("DELETE FROM callgest_cdr_batch WHERE id = ANY(%s)", [batches.ids])
    pbx.unlink()
    cr.execute("DELETE FROM callgest_ddi WHERE id = ANY(%s)", [ddis.ids])
    cr.execute("DELETE FROM res_partner WHERE id = ANY(%s)", [clients.ids])
    cr.commit()


def main():
    tag = datetime.now().strftime("%Y%m%d%H%M%S")
    clients, ddis, pbx = create_fixtures(tag)
    try:
        measure(ddis, pbx, clients)
    finally:
        if not KEEP:
            cleanup(clients, ddis, pbx)


def measure(ddis, pbx, clients):
    """Generate, run the baseline and the engine, print the figures."""
    numbers = ddis.mapped("national_digits")
    print(f"fixtures: {len(clients)} clients, {len(ddis)} active DDIs, PBX {pbx.code}")

    started = time.perf_counter()
    generator = cdr_generator.CdrGenerator(
        numbers,
        *PERIOD,
        rows=ROWS,
        seed=2026,
        ring_group_share=0.3,
        missed_share=0.15,
        robot_share=0.1,
        caller_pool_size=max(1000, ROWS // 10),
    )
    data = b"".join(generator.iter_chunks(chunk_rows=50000))
    stats = generator.stats
    print(
        f"generated {stats.rows:,} rows, {stats.calls:,} calls "
        f"({stats.ring_group_calls:,} ring groups), {len(data) / 2**20:.0f} MiB "
        f"in {time.perf_counter() - started:.1f} s"
    )

    baseline_seconds, copied = baseline_copy(data)
    assert copied == stats.rows, (copied, stats.rows)

    if PROFILE:
        profiler = cProfile.Profile()
        profiler.enable()
    create_seconds, process_seconds, batch = engine_import(pbx, data)
    if PROFILE:
        profiler.disable()
    engine_seconds = create_seconds + process_seconds
    rows_in = batch.rows_in
    baseline_rate = copied / baseline_seconds
    engine_rate = rows_in / engine_seconds
    print(
        f"baseline (bare COPY csv): {copied:>10,} rows {baseline_seconds:8.2f} s "
        f"{baseline_rate:>10,.0f} rows/s = 1.00"
    )
    print(
        f"engine (parse + import):  {rows_in:>10,} rows {engine_seconds:8.2f} s "
        f"{engine_rate:>10,.0f} rows/s = {engine_rate / baseline_rate:.3f}x "
        f"baseline ({baseline_rate / engine_rate:.1f}x slower)"
    )
    print(
        f"  of which _create_from_bytes {create_seconds:.2f} s, "
        f"_process {process_seconds:.2f} s (chunks of {CHUNK_LINES:,} lines)"
    )
    consistent = rows_in == (batch.rows_in_calls + batch.duplicates + batch.quarantined)
    print(
        f"batch {batch.name}: state {batch.state}, rows_in {rows_in:,}, "
        f"rows_in_calls {batch.rows_in_calls:,}, calls_created "
        f"{batch.calls_created:,}, calls_updated {batch.calls_updated:,}, "
        f"duplicates {batch.duplicates:,}, quarantined {batch.quarantined:,}"
    )
    print(
        "invariant rows_in == rows_in_calls + duplicates + quarantined:",
        "OK" if consistent else "BROKEN",
    )
    print(
        f"calls expected {stats.calls:,}, stored "
        f"{env['callgest.call'].search_count([('pbx_id', '=', pbx.id)]):,}"
    )
    print(f"peak memory (ru_maxrss): {peak_memory_mb():,.0f} MiB")
    print(
        f"target: engine >= {TARGET_ROWS_PER_SECOND:,} rows/s end to end:",
        "OK" if engine_rate >= TARGET_ROWS_PER_SECOND else "MISSED",
    )
    if PROFILE:
        for order in ("cumulative", "tottime"):
            print(f"\n--- profile by {order} ---")
            pstats.Stats(profiler).sort_stats(order).print_stats(35)


main()
