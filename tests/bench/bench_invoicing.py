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

Measured on the 2-core development VM (2026-11-23), default PostgreSQL
settings, 1,000 clients x 1,000 calls (1,201,000 usage rows):

* baseline: 1,000 invoices (3 lines each) created and posted in 79.6 s,
  12.6 invoices/s;
* ``run_period``: 116.7 s, 8.6 invoices/s (target met), 1.47x the bare cost
  (target missed); the first run, on rows never updated: 108.6 s;
* 200 clients x 1,000 calls: 1.26x (14.3 s against 18.1 s).

Where the difference goes: ``_link_usage``, the one UPDATE that links each
usage row to its invoice line, 33.6 s of the 37 s (grouping 3.4 s, fees and
minimums under a second). The update is in place (HOT: no index covers the
columns it writes, pages keep room), so it no longer adds index entries;
what is left is PostgreSQL's foreign key check of ``invoice_line_id``, one
per row, and its WAL, about 28 microseconds a row at this size. Reaching
1.3x means not checking a key per usage row (no foreign key on the link, or
a link per invoice line instead of per usage row): a design decision.
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


def run_invoicing(clients):
    """``(seconds, invoices)`` of the real invoicing, auto post on."""
    env.company.callgest_invoice_auto_post = True
    env.flush_all()
    start = time.perf_counter()
    invoice_ids = env["callgest.invoicing"].run_period(PERIOD, clients.ids)
    env.flush_all()
    return time.perf_counter() - start, env["account.move"].browse(invoice_ids)


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
    """Seconds of ``account.move.create`` + ``action_post`` of ``vals_list``."""
    Move = env["account.move"].with_context(default_move_type="out_invoice")
    env.flush_all()
    start = time.perf_counter()
    moves = Move.create(vals_list)
    moves.action_post()
    env.flush_all()
    return time.perf_counter() - start, moves


def cleanup(clients, ddis):
    cr = env.cr
    cr.rollback()
    cr.execute("DELETE FROM callgest_usage WHERE partner_id = ANY(%s)", [clients.ids])
    cr.execute("DELETE FROM callgest_ddi WHERE id = ANY(%s)", [ddis.ids])
    cr.execute("DELETE FROM res_partner WHERE id = ANY(%s)", [clients.ids])
    cr.commit()


def line_count(moves):
    return sum(len(move.invoice_line_ids) for move in moves)


def measure(clients):
    warmup_seconds, warmup_moves = run_invoicing(clients)
    vals_list = invoice_vals(warmup_moves)
    lines = line_count(warmup_moves)
    count = len(warmup_moves)
    print(
        f"warm-up run_period: {count:,} invoices, {lines:,} lines, "
        f"{warmup_seconds:.2f} s"
    )
    assert count == len(clients), (count, len(clients))
    reset()

    bare_seconds, bare_moves = run_bare(vals_list)
    assert len(bare_moves) == count and line_count(bare_moves) == lines
    assert set(bare_moves.mapped("state")) == {"posted"}
    reset()

    if PROFILE:
        profiler = cProfile.Profile()
        profiler.enable()
    engine_seconds, moves = run_invoicing(clients)
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

    bare_rate = count / bare_seconds
    engine_rate = count / engine_seconds
    ratio = engine_seconds / bare_seconds
    print(
        f"baseline (account.move.create + action_post): {count:>6,} invoices "
        f"{bare_seconds:8.2f} s {bare_rate:8.1f} invoices/s = 1.00"
    )
    print(
        f"run_period (auto post):                       {count:>6,} invoices "
        f"{engine_seconds:8.2f} s {engine_rate:8.1f} invoices/s = {ratio:.2f}x "
        "the bare cost"
    )
    print(f"usage rows linked to their invoice line: {invoiced:,} of {usage_rows:,}")
    print(
        f"target: run_period <= {TARGET_RATIO}x the bare cost:",
        "OK" if ratio <= TARGET_RATIO else "MISSED",
    )
    print(
        f"target: run_period >= {TARGET_INVOICES_PER_SECOND} invoices/s:",
        "OK" if engine_rate >= TARGET_INVOICES_PER_SECOND else "MISSED",
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
