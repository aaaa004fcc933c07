"""Benchmark of the quote core (``callgest_billing/tools/quote.py``).

Plain Python, no database nor Odoo: run it with any Python 3.11+, e.g.
``python3 tests/bench/bench_quote.py [-n ROWS] [-r ROUNDS]``.

Two measures, ``-r`` rounds interleaved (default 5), each printed as the
median and its ratio to the baseline measured in the same run, the rating
core alone (``rating.rate_call`` and ``rating.total`` of each call, summed);
target at most 2x for both, exit status 1 beyond:

* **calls**: ``-n`` calls (default 100,000) spread over three months with a
  seeded random (robot, queue and secretary seconds, a transfer to a mobile
  in one call of three, a message in one of two): ``quote.quote_calls`` of
  them against office hours in Europe/Madrid;
* **file**: a prospect's Asterisk ``cdr_csv`` export of ``-n`` rows (the
  voip addon's seeded generator: ring-group forks, missed and robot calls),
  read as the wizard reads it (``quote_sample.read_sample``: parse, group
  the legs into calls), then ``quote.quote_calls`` of the calls read.

The baseline rates each call as the quote handles it (its arguments worked
out before the clock starts). Also printed, outside the target: the file
end to end, reading included. Reading is the importer's own parser and
consolidation (``bench_cdr_import.py``), about four fifths of that time.
"""

import argparse
import importlib.util
import random
import statistics
import sys
import time
import types
from datetime import UTC, datetime, timedelta
from pathlib import Path

ADDONS = Path(__file__).resolve().parents[2] / "addons"
TARGET = 2.0


def _load(name, folder):
    spec = importlib.util.spec_from_file_location(
        name, folder / "__init__.py", submodule_search_locations=[str(folder)]
    )
    package = importlib.util.module_from_spec(spec)
    sys.modules[name] = package
    spec.loader.exec_module(package)
    return package


def load_tools():
    """The billing tools, and the voip parsers they import as an addon would
    (no Odoo needed: the tools are plain Python)."""
    for name in ("odoo", "odoo.addons", "odoo.addons.callgest_voip"):
        sys.modules.setdefault(name, types.ModuleType(name))
    _load("odoo.addons.callgest_voip.tools", ADDONS / "callgest_voip/tools")
    _load("callgest_billing_tools", ADDONS / "callgest_billing/tools")
    from callgest_billing_tools import quote, quote_sample, rating

    from odoo.addons.callgest_voip.tools import cdr_generator

    return quote, quote_sample, rating, cdr_generator


def make_calls(quote, rows, seed=1):
    rng = random.Random(seed)
    first = datetime(2026, 1, 1, tzinfo=UTC)
    calls = []
    for _ in range(rows):
        transfer = rng.choice((0, 0, 120))
        calls.append(
            quote.QuoteCall(
                start=first + timedelta(seconds=rng.randrange(90 * 86400)),
                seconds_total=400,
                robot_seconds=rng.randrange(30),
                queue_seconds=rng.randrange(30),
                secretary_seconds=rng.randrange(300),
                transfer_seconds=transfer,
                transfer_destination="mobile" if transfer else None,
                messages=rng.choice((0, 1)),
            )
        )
    return calls


def core_of(quote, rating, tariff, calls, hours):
    """The baseline: the rating core alone on ``calls``, each as the quote
    handles it (its arguments worked out before the clock starts)."""
    handled = [
        quote.handle_call(call, hours=hours, cap=rating.TRANSFER_CAP_SECONDS)
        for call in calls
    ]

    def core():
        amount = rating.ZERO
        for kwargs in handled:
            amount += rating.total(rating.rate_call(tariff, level=1, **kwargs))
        return amount

    return core


def measure(rounds, runs):
    """Median seconds of each of ``runs`` ({name: callable}), interleaved."""
    timings = {name: [] for name in runs}
    for run in runs.values():
        run()  # warm-up
    for _round in range(rounds):
        for name, run in runs.items():
            start = time.perf_counter()
            run()
            timings[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in timings.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--rows", type=int, default=100_000)
    parser.add_argument("-r", "--rounds", type=int, default=5)
    args = parser.parse_args()
    quote, quote_sample, rating, cdr_generator = load_tools()
    tariff = rating.seed_tariff()
    hours = quote.OpeningHours.office("Europe/Madrid")
    ratios = []

    calls = make_calls(quote, args.rows)
    medians = measure(
        args.rounds,
        {
            "quote": lambda: quote.quote_calls(calls, tariff, hours=hours),
            "core": core_of(quote, rating, tariff, calls, hours),
        },
    )
    ratios.append(medians["quote"] / medians["core"])
    print(f"calls: {args.rows} calls, {args.rounds} rounds")
    print(f"  quote_calls            p50 {medians['quote']:.3f} s")
    print(f"  rating core            p50 {medians['core']:.3f} s")
    print(f"  ratio {ratios[-1]:.2f}x (target <= {TARGET}x)")

    export = cdr_generator.generate_cdr(
        ["933906700", "933906701"],
        datetime(2026, 1, 1),
        datetime(2026, 3, 31),
        rows=args.rows,
        seed=7,
        tz_name="Europe/Madrid",
    )
    read = quote_sample.read_sample(export.data, tz_name="Europe/Madrid")
    assert read.rows_in == args.rows and not read.bad_rows, read.bad_rows[:3]

    def from_file():
        sample = quote_sample.read_sample(export.data, tz_name="Europe/Madrid")
        return quote.quote_calls(sample.calls, tariff, hours=hours)

    def read_only():
        return quote_sample.read_sample(export.data, tz_name="Europe/Madrid")

    medians = measure(
        args.rounds,
        {
            "quote": lambda: quote.quote_calls(read.calls, tariff, hours=hours),
            "file": from_file,
            "read": read_only,
            "core": core_of(quote, rating, tariff, read.calls, hours),
        },
    )
    ratios.append(medians["quote"] / medians["core"])
    print(
        f"file: {args.rows} rows of an Asterisk export, {len(read.calls)} calls, "
        f"{args.rounds} rounds"
    )
    print(f"  quote_calls            p50 {medians['quote']:.3f} s")
    print(f"  rating core            p50 {medians['core']:.3f} s")
    print(f"  ratio {ratios[-1]:.2f}x (target <= {TARGET}x)")
    # reading the file is the importer's parser (bench_cdr_import.py): not
    # within the target, printed for where the time goes
    print(f"  read_sample            p50 {medians['read']:.3f} s")
    print(f"  read_sample+quote      p50 {medians['file']:.3f} s")
    print(
        f"  end to end ratio {medians['file'] / medians['core']:.2f}x "
        f"(reading {medians['read'] / medians['file']:.0%} of it)"
    )
    return 0 if max(ratios) <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
