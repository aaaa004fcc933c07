"""Benchmark of the DDI resolver, the hot path of the screen pop and CDR import.

Run it in an Odoo shell on a database with callgest_base installed:

    .callgest/venv/bin/python -m odoo shell -c .callgest/odoo.conf -d callgest \
        --no-http < tests/bench/bench_resolver.py

It creates 1,000 DDIs (300+ clients' worth), measures resolving raw numbers in
the forms a PBX sends them, and prints the figures as ratios against a
baseline measured in the same run: a plain indexed search on the E.164
column, which is the least any lookup must cost. Everything is rolled back.
Target: the resolver stays within 3x of that baseline.
"""

import time

# ruff: noqa: F821  (`env` is provided by the Odoo shell)

N_DDIS = 1000
ROUNDS = 3


def timed(function, numbers):
    best = None
    for _ in range(ROUNDS):
        env.invalidate_all()
        start = time.perf_counter()
        for number in numbers:
            function(number)
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    return best / len(numbers)


Ddi = env["callgest.ddi"].with_context(tracking_disable=True)
spain = env.ref("base.es")
client = env["res.partner"].create({"name": "Bench client", "is_callgest_client": True})
Ddi.create(
    [
        {
            "number_entered": f"935{index:06d}",
            "country_id": spain.id,
            "partner_id": client.id,
            "state": "active",
        }
        for index in range(N_DDIS)
    ]
)
env.flush_all()
e164_numbers = Ddi.search([("partner_id", "=", client.id)]).mapped("number")
pbx_forms = []
for position, e164 in enumerate(e164_numbers):
    digits = e164[1:]
    pbx_forms.append(
        (e164, "00" + digits, digits, digits[2:], f"sip:{e164}@pbx")[position % 5]
    )

baseline = timed(
    lambda n: Ddi.search([("number", "=", n)], limit=1, order="id"), e164_numbers
)
resolver = timed(Ddi._resolve, pbx_forms)
rpc_payload = timed(Ddi.resolve_number, pbx_forms)

print(f"baseline (indexed E.164 search): {baseline * 1e6:8.1f} us/lookup = 1.00")
print(
    f"_resolve (any PBX form):         {resolver * 1e6:8.1f} us/lookup = "
    f"{resolver / baseline:.2f}x baseline"
)
print(
    f"resolve_number (RPC dict):       {rpc_payload * 1e6:8.1f} us/lookup = "
    f"{rpc_payload / baseline:.2f}x baseline"
)
print(
    "target: _resolve <= 3.00x baseline:",
    "OK" if resolver <= 3 * baseline else "MISSED",
)
env.cr.rollback()
