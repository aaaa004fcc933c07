"""Benchmark of the monthly invoicing against a bare ``account.move.create``.

Run it in an Odoo shell on a **scratch database** with callgest_billing
installed (the fixtures are committed, then deleted at the end, best effort;
the invoices themselves are always rolled back):

    BENCH_CLIENTS=1000 BENCH_CALLS=1000 .callgest/venv/bin/python -m odoo shell \
        -c .callgest/odoo.conf -d callgest_bench --no-http \
        < tests/bench/bench_invoicing.py

Options, as environment variables (the Odoo shell reads the script on its
standard input, so it takes no arguments):

* ``BENCH_CLIENTS``: clients to invoice, one DDI each (default 1,000; 50 for
  a quick run);
* ``BENCH_CALLS``: rated calls per client in the month (default 1,000; 200
  for a quick run); each call is a ``secretary_l1`` usage row and every fifth
  one also a ``robot`` row, inserted in bulk with SQL (no ``callgest.call``
  rows: the invoicing reads the usage only);
* ``BENCH_PROFILE=1``: run the measured ``run_period`` under cProfile and print
  where the time goes (the figures then include the profiler's overhead);
* ``BENCH_KEEP=1``: keep the clients, DDIs and usage it created.
* ``BENCH_JOBS=1``: measure the invoicing as the queue job of an invoicing
  run does it (``callgest.invoicing.run._job_invoice``) instead of
  ``run_period``.

It measures in the same run, each time from the same committed state:

1. a warm-up ``run_period`` (its invoices give the vals of the baseline);
2. the baseline: ``account.move.create(vals_list)`` of the same invoices (same
   partners, currency, lines, sequences) then ``action_post()``, the least any
   invoicing must cost;
3. ``callgest.invoicing.run_period(period, client_ids)`` with the company's
   ``callgest_invoice_auto_post``: monthly fees, grouping, minimum top-ups,
   invoices created and posted, every usage row linked to its invoice line.

It prints invoices/s of both, the ratio of their costs, and whether the
targets are met: ``run_period`` at most 1.3x the bare cost and at least 8
invoices/s.

Measured on the 2-core development VM on 2026-12-03, default PostgreSQL
settings, while other test suites ran beside it (load average about 8, so
the wall clock is not comparable between the two runs; CPU seconds, of the
Odoo process and its PostgreSQL backend, are):

* 1,000 clients x 1,000 calls (1,201,000 usage rows): baseline 1,000
  invoices (3 lines each) created and posted in 71.7 s CPU (307 s wall);
  ``run_period`` 86.9 s CPU (219 s wall): **1.21x the bare cost** (target
  1.3x met), 11.5 invoices/s of CPU (target 8 met); every usage row linked;
* deleting 20 unrelated journal items: 13.4 ms, 32x deleting them from an
  unreferenced copy (target 50x met; with the old foreign key on every usage
  row and no index: 2.3 s against 1.5 ms);
* 200 clients x 1,000 calls: 1.04x (15.4 s against 14.9 s CPU).

Where the difference goes: the in-place UPDATE that writes each usage row's
``invoice_link_id`` (an integer of ``callgest.usage.link``, one row per
invoice line, inserted in bulk; no foreign key to check per usage row, no
index to maintain), then the grouping query; fees and minimums take under a
second.
"""

import cProfile
import os
import pstats
import time
from contextlib import closing
from datetime import datetime

from odoo.sql_db import db_connect

# ruff: noqa: F821  (`env` is provided by the Odoo shell)

N_CLIENTS = int(os.environ.get("BENCH_CLIENTS", "1000"))
N_CALLS = int(os.environ.get("BENCH_CALLS", "1000"))
PROFILE = os.environ.get("BENCH_PROFILE") == "1"
KEEP = os.environ.get("BENCH_KEEP") == "1"
PERIOD = "2026-03"
TARGET_RATIO = 1.3
TARGET_INVOICES_PER_SECOND = 8
# journal items deleted from an invoice that bills no usage; their delete
# checks the references to them: an index each, never a scan of the usage
DELETED_ITEMS = 20
TARGET_DELETE_RATIO = 50
# every fifth call also has robot time
ROBOT_EVERY = 5
# the fields of the invoices run_period makes that the baseline copies
MOVE_FIELDS = (
    "move_type",
    "partner_id",
    "company_id",
    "currency_id",
    "journal_id",
    "invoice_date",
    "invoice_origin",
    "callgest_period",
)
LINE_FIELDS = (
    "display_type",
    "sequence",
    "product_id",
    "name",
    "quantity",
    "price_unit",
)


def create_fixtures(tag):
    """Clients invoiced in EUR (the tariff's currency), one active DDI each,
    and their rated calls of ``PERIOD`` as usage rows."""
    company = env.company
    eur = env.ref("base.EUR")
    Partner = env["res.partner"].with_context(tracking_disable=True)
    clients = Partner.create(
        [
            {
                "name": f"Bench invoicing {tag} {index:05d}",
                "is_callgest_client": True,
                "callgest_service_state": "active",
                "callgest_billing_currency_id": eur.id,
            }
            for index in range(N_CLIENTS)
        ]
    )
    ddis = (
        env["callgest.ddi"]
        .with_context(tracking_disable=True)
        .create(
            [
                {
                    "number_entered": f"91{7000000 + index:07d}",
                    "country_id": env.ref("base.es").id,
                    "partner_id": client.id,
                    "state": "active",
                    "activation_date": "2026-01-01",
                }
                for index, client in enumerate(clients)
            ]
        )
    )
    tariff = env["callgest.tariff"]._default_for(company)
    products = {rate.usage: rate.product_id.id for rate in tariff.rate_ids}
    env.flush_all()
    cr = env.cr
    started = time.perf_counter()
    # seconds 30..299 of secretary time, 5..34 of robot time, in March 2026
    cr.execute(
        """INSERT INTO callgest_usage (name, company_id, partner_id, tariff_id,
                  currency_id, usage, product_id, unit, date, period, seconds,
                  quantity, unit_price, connect_fee, amount, late, state)
           SELECT 'Secretary time, level 1', %(company)s, client, %(tariff)s,
                  %(currency)s, 'secretary_l1', %(secretary)s, 'second',
                  '2026-03-01 08:00'::timestamp + call * interval '37 minutes',
                  %(period)s, 30 + (call * 7919 + client) %% 270,
                  30 + (call * 7919 + client) %% 270, 0.013, 0,
                  (30 + (call * 7919 + client) %% 270) * 0.013, false,
                  'to_invoice'
             FROM unnest(%(clients)s) AS client,
                  generate_series(1, %(calls)s) AS call""",
        {
            "company": company.id,
            "tariff": tariff.id,
            "currency": tariff.currency_id.id,
            "secretary": products["secretary_l1"],
            "period": PERIOD,
            "clients": clients.ids,
            "calls": N_CALLS,
        },
    )
    rows = cr.rowcount
    cr.execute(
        """INSERT INTO callgest_usage (name, company_id, partner_id, tariff_id,
                  currency_id, usage, product_id, unit, date, period, seconds,
                  quantity, unit_price, connect_fee, amount, late, state)
           SELECT 'Robot time', %(company)s, client, %(tariff)s,
                  %(currency)s, 'robot', %(robot)s, 'second',
                  '2026-03-01 08:00'::timestamp + call * interval '37 minutes',
                  %(period)s, 5 + (call + client) %% 30, 5 + (call + client) %% 30,
                  0.001, 0, (5 + (call + client) %% 30) * 0.001, false,
                  'to_invoice'
             FROM unnest(%(clients)s) AS client,
                  generate_series(1, %(calls)s, %(every)s) AS call""",
        {
            "company": company.id,
            "tariff": tariff.id,
            "currency": tariff.currency_id.id,
            "robot": products["robot"],
            "period": PERIOD,
            "clients": clients.ids,
            "calls": N_CALLS,
            "every": ROBOT_EVERY,
        },
    )
    rows += cr.rowcount
    cr.execute("ANALYZE callgest_usage")
    env.cr.commit()
    print(
        f"fixtures: {len(clients):,} clients with one DDI each, {rows:,} usage "
        f"rows ({N_CALLS:,} calls per client) inserted in "
        f"{time.perf_counter() - started:.1f} s"
    )
    return clients, ddis


def reset():
    """Back to the committed fixtures: no invoice, every usage to invoice.

    The rolled-back run left a dead version of every usage row in its page;
    VACUUM clears them, so that each run updates rows as production does:
    rows invoiced once, with the room their page keeps for it.
    """
    env.cr.rollback()
    env.invalidate_all()
    with closing(db_connect(env.cr.dbname).cursor()) as cr:
        cr._cnx.autocommit = True  # VACUUM runs outside a transaction
        try:
            cr.execute("VACUUM callgest_usage")
        finally:
            cr._cnx.autocommit = False


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


class Stopwatch:
    """Wall seconds, and the CPU seconds of this process plus its PostgreSQL
    backend (``/proc/<pid>/stat``, the server being on this machine): the
    work done, which holds when other processes share the cores. The client
    waits for the server, so on an idle machine the two are close."""

    def __enter__(self):
        env.cr.execute("SELECT pg_backend_pid()")
        self.backend_stat = f"/proc/{env.cr.fetchone()[0]}/stat"
        self.wall = time.perf_counter()
        self.cpu = self.cpu_now()
        return self

    def __exit__(self, *exc_info):
        self.wall = time.perf_counter() - self.wall
        self.cpu = self.cpu_now() - self.cpu

    def cpu_now(self):
        try:
            with open(self.backend_stat) as stat:
                # the fields after the command name; utime and stime are 14, 15
                after_name = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            return float("nan")  # PostgreSQL on another machine: wall only
        backend = (int(after_name[11]) + int(after_name[12])) / CLOCK_TICKS
        return time.process_time() + backend


def run_invoicing(clients):
    """``(stopwatch, invoices)`` of the real invoicing, auto post on."""
    env.company.callgest_invoice_auto_post = True
    env.flush_all()
    with Stopwatch() as watch:
        if os.environ.get("BENCH_JOBS") == "1":
            run = env["callgest.invoicing.run"].create(
                {"period": PERIOD, "client_ids": [(6, 0, clients.ids)]}
            )
            run._job_invoice()
            invoice_ids = run.invoice_ids.ids
        else:
            invoice_ids = env["callgest.invoicing"].run_period(PERIOD, clients.ids)
        env.flush_all()
    return watch, env["account.move"].browse(invoice_ids)


def invoice_vals(moves):
    """The create vals of ``moves`` and their lines, as plain values."""
    vals_list = []
    for move in moves:
        vals = {
            name: move[name].id if name.endswith("_id") else move[name]
            for name in MOVE_FIELDS
        }
        vals["invoice_line_ids"] = [
            (
                0,
                0,
                {
                    name: line[name].id if name.endswith("_id") else line[name]
                    for name in LINE_FIELDS
                },
            )
            for line in move.invoice_line_ids.sorted("sequence")
        ]
        vals_list.append(vals)
    return vals_list


def run_bare(vals_list):
    """The stopwatch of ``account.move.create`` + ``action_post`` of ``vals_list``."""
    Move = env["account.move"].with_context(default_move_type="out_invoice")
    env.flush_all()
    with Stopwatch() as watch:
        moves = Move.create(vals_list)
        moves.action_post()
        env.flush_all()
    return watch, moves


def cleanup(clients, ddis):
    cr = env.cr
    cr.rollback()
    cr.execute("DELETE FROM callgest_usage WHERE partner_id = ANY(%s)", [clients.ids])
    cr.execute("DELETE FROM callgest_ddi WHERE id = ANY(%s)", [ddis.ids])
    cr.execute("DELETE FROM res_partner WHERE id = ANY(%s)", [clients.ids])
    cr.commit()


def delete_unrelated_lines(partner, count=DELETED_ITEMS):
    """``(seconds, baseline seconds)`` of deleting ``count`` journal items of
    an invoice that bills no usage, with every usage row of the run linked;
    the baseline deletes the same rows from a copy no table references."""
    cr = env.cr
    move = (
        env["account.move"]
        .with_context(default_move_type="out_invoice")
        .create(
            {
                "partner_id": partner.id,
                "invoice_line_ids": [
                    (0, 0, {"name": f"bench item {index}", "price_unit": 1.0})
                    for index in range(count)
                ],
            }
        )
    )
    env.flush_all()
    line_ids = move.invoice_line_ids.ids
    cr.execute(
        """CREATE TEMP TABLE bench_unreferenced_lines AS
           SELECT * FROM account_move_line WHERE id = ANY(%s);
           ALTER TABLE bench_unreferenced_lines ADD PRIMARY KEY (id)""",
        [line_ids],
    )
    start = time.perf_counter()
    cr.execute("DELETE FROM bench_unreferenced_lines WHERE id = ANY(%s)", [line_ids])
    baseline = time.perf_counter() - start
    start = time.perf_counter()
    cr.execute("DELETE FROM account_move_line WHERE id = ANY(%s)", [line_ids])
    seconds = time.perf_counter() - start
    assert cr.rowcount == count, cr.rowcount
    return seconds, baseline


def line_count(moves):
    return sum(len(move.invoice_line_ids) for move in moves)


def measure(clients):
    warmup, warmup_moves = run_invoicing(clients)
    vals_list = invoice_vals(warmup_moves)
    lines = line_count(warmup_moves)
    count = len(warmup_moves)
    print(
        f"warm-up run_period: {count:,} invoices, {lines:,} lines, "
        f"{warmup.wall:.2f} s ({warmup.cpu:.2f} s CPU)"
    )
    assert count == len(clients), (count, len(clients))
    reset()

    bare, bare_moves = run_bare(vals_list)
    assert len(bare_moves) == count and line_count(bare_moves) == lines
    assert set(bare_moves.mapped("state")) == {"posted"}
    reset()

    if PROFILE:
        profiler = cProfile.Profile()
        profiler.enable()
    engine, moves = run_invoicing(clients)
    if PROFILE:
        profiler.disable()
    assert len(moves) == count and line_count(moves) == lines
    assert set(moves.mapped("state")) == {"posted"}
    env.cr.execute(
        """SELECT count(*) FILTER (WHERE state = 'invoiced'), count(*)
             FROM callgest_usage WHERE partner_id = ANY(%s) AND period = %s""",
        [clients.ids, PERIOD],
    )
    invoiced, usage_rows = env.cr.fetchone()
    delete_seconds, delete_baseline = delete_unrelated_lines(clients[0])

    ratio = engine.wall / bare.wall
    cpu_ratio = engine.cpu / bare.cpu
    for label, watch, shown_ratio in (
        ("baseline (account.move.create + action_post):", bare, "1.00"),
        ("run_period (auto post):                      ", engine, f"{ratio:.2f}x"),
    ):
        print(
            f"{label} {count:>6,} invoices {watch.wall:8.2f} s "
            f"{count / watch.wall:6.1f} invoices/s = {shown_ratio}"
            f"  | CPU {watch.cpu:8.2f} s {count / watch.cpu:6.1f} invoices/s"
        )
    print(
        f"run_period against the bare cost: {ratio:.2f}x wall, "
        f"{cpu_ratio:.2f}x CPU (this process and its PostgreSQL backend)"
    )
    print(f"usage rows linked to their invoice line: {invoiced:,} of {usage_rows:,}")
    delete_ratio = delete_seconds / delete_baseline
    print(
        f"deleting {DELETED_ITEMS} unrelated journal items: "
        f"{delete_seconds * 1000:.2f} ms, {delete_ratio:.1f}x deleting them "
        f"from an unreferenced copy ({delete_baseline * 1000:.2f} ms)"
    )
    print(
        f"target: run_period <= {TARGET_RATIO}x the bare cost:",
        f"wall {'OK' if ratio <= TARGET_RATIO else 'MISSED'},",
        f"CPU {'OK' if cpu_ratio <= TARGET_RATIO else 'MISSED'}",
    )
    rate_ok = {
        clock: count / getattr(engine, clock) >= TARGET_INVOICES_PER_SECOND
        for clock in ("wall", "cpu")
    }
    print(
        f"target: run_period >= {TARGET_INVOICES_PER_SECOND} invoices/s:",
        f"wall {'OK' if rate_ok['wall'] else 'MISSED'},",
        f"CPU {'OK' if rate_ok['cpu'] else 'MISSED'}",
    )
    print(
        f"target: deleting journal items <= {TARGET_DELETE_RATIO}x an "
        "unreferenced copy (no scan of the usage):",
        "OK" if delete_ratio <= TARGET_DELETE_RATIO else "MISSED",
    )
    if PROFILE:
        stats = pstats.Stats(profiler).sort_stats("cumulative")
        print("\n--- profile by cumulative time ---")
        stats.print_stats(30)
        print("\n--- callgest_billing only ---")
        stats.print_stats("callgest_billing", 25)
        print("\n--- who waits for PostgreSQL ---")
        stats.print_callers("method 'execute' of 'psycopg2")
    reset()


def main():
    tag = datetime.now().strftime("%Y%m%d%H%M%S")
    clients, ddis = create_fixtures(tag)
    try:
        measure(clients)
    finally:
        if not KEEP:
            cleanup(clients, ddis)


main()
