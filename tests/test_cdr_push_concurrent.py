"""Two PBX pushes of overlapping files at the same moment, on the live server.

The database's unique constraint on (PBX, call key) is what keeps the calls
single: both requests run in their own transaction, in parallel.
"""

import base64
import pathlib
import threading
import uuid

SAMPLE = (
    pathlib.Path(__file__).resolve().parent.parent
    / "addons/callgest_voip/tests/data/asterisk-ringgroup-linkedid.csv"
)
SAMPLE_CALLS = 36
CLINIC_DDI = "0034933906701"


def test_overlapping_pushes_at_once_create_each_call_once(odoorpc_login):
    admin = odoorpc_login("admin", "admin")
    ddi_id = admin.env["callgest.ddi"].resolve_number(CLINIC_DDI)["ddi_id"]
    code = f"concurrent-{uuid.uuid4().hex[:10]}"
    pbx_id = admin.env["callgest.pbx"].create(
        {
            "name": code,
            "code": code,
            "system": "asterisk",
            "timezone": "Europe/Madrid",
            "route_ids": [
                (0, 0, {"pbx_number": number, "ddi_id": ddi_id})
                for number in ("211553", "211474")
            ],
        }
    )
    lines = SAMPLE.read_bytes().splitlines(keepends=True)
    # the whole file, and its second half (lines 43-84) pushed as another file
    pushes = [
        ("Master.csv", b"".join(lines), 1),
        ("Master.csv.1", b"".join(lines[42:]), 43),
    ] * 2
    results, errors = [None] * len(pushes), []
    barrier = threading.Barrier(len(pushes))

    def push(index, name, data, first_line):
        try:
            client = odoorpc_login("admin", "admin")
            barrier.wait(timeout=30)
            results[index] = client.env["callgest.cdr.batch"].push_cdr(
                code, name, base64.b64encode(data).decode(), first_line
            )
        except Exception as error:  # reported below, with the thread's push
            errors.append((name, repr(error)))

    threads = [
        threading.Thread(target=push, args=(index, *spec))
        for index, spec in enumerate(pushes)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    calls = admin.env["callgest.call"].search_count([("pbx_id", "=", pbx_id)])
    assert calls == SAMPLE_CALLS
    created = sum(result["calls_created"] for result in results)
    # each call created once; legs of a call split by the second file's first
    # line may join an existing call (an update), never make a second one
    assert created == SAMPLE_CALLS
    for result in results:
        assert result["rows_in"] == (
            result["rows_in_calls"] + result["duplicates"] + result["quarantined"]
        )
        assert result["quarantined"] == 0
