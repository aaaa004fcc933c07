"""Benchmark of the quote core (``callgest_billing/tools/quote.py``).

Plain Python, no database nor Odoo: run it with any Python 3.11+, e.g.
``python3 tests/bench/bench_quote.py [-n ROWS] [-r ROUNDS]``.

It builds ``-n`` calls (default 100,000) spread over three months with a
seeded random (robot, queue and secretary seconds, a transfer to a mobile
in one call of three, a message in one of two), then, ``-r`` rounds
interleaved (default 5): (a) ``quote.quote_calls`` of them against office
hours in Europe/Madrid, against (b) the baseline, the rating core alone
(``rating.rate_call`` and ``rating.total`` of each call, summed). It prints
the median of both and (a)/(b); target at most 2x, exit status 1 beyond.
"""

import argparse
import importlib.util
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

TOOLS = Path(__file__).resolve().parents[2] / "addons/callgest_billing/tools"
TARGET = 2.0


def load_tools():
    spec = importlib.util.spec_from_file_location(
        "callgest_billing_tools",
        TOOLS / "__init__.py",
        submodule_search_locations=[str(TOOLS)],
    )
    package = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = package
    spec.loader.exec_module(package)
    from callgest_billing_tools import quote, rating

    return quote, rating


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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--rows", type=int, default=100_000)
    parser.add_argument("-r", "--rounds", type=int, default=5)
    args = parser.parse_args()
    quote, rating = load_tools()
    calls = make_calls(quote, args.rows)
    tariff = rating.seed_tariff()
    hours = quote.OpeningHours.office("Europe/Madrid")

    def core():
        amount = rating.ZERO
        for call in calls:
            lines = rating.rate_call(
                tariff,
                robot_seconds=call.robot_seconds,
                queue_seconds=call.queue_seconds,
                secretary_seconds=call.secretary_seconds,
                transfer_mobile_seconds=call.transfer_seconds,
                manual_messages=call.messages,
            )
            amount += rating.total(lines)
        return amount

    def quoted():
        return quote.quote_calls(calls, tariff, hours=hours)

    timings = {"quote": [], "core": []}
    quoted(), core()  # warm-up
    for _round in range(args.rounds):
        for name, run in (("quote", quoted), ("core", core)):
            start = time.perf_counter()
            run()
            timings[name].append(time.perf_counter() - start)
    quote_p50 = statistics.median(timings["quote"])
    core_p50 = statistics.median(timings["core"])
    ratio = quote_p50 / core_p50
    print(f"{args.rows} calls, {args.rounds} rounds")
    print(f"quote_calls     p50 {quote_p50:.3f} s")
    print(f"rating core     p50 {core_p50:.3f} s")
    print(f"ratio {ratio:.2f}x (target <= {TARGET}x)")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
