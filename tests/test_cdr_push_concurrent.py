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


TRANSFER_SAMPLE = SAMPLE.parent / "asterisk-ivr-queue-transfer.csv"
TRANSFERRED = "1770714000.10"  # lines 1-3; line 4 is its 240 s transfer leg


def push_at_once(clients, code, pushes):
    """Each ``(data, first_line)`` of ``pushes`` by its own client, released
    together; the results in order."""
    results, errors = [None] * len(pushes), []
    barrier = threading.Barrier(len(pushes))

    def push(index, data, first_line):
        try:
            barrier.wait(timeout=30)
            results[index] = (
                clients[index]
                .env["callgest.cdr.batch"]
                .push_cdr(
                    code, "Master.csv", base64.b64encode(data).decode(), first_line
                )
            )
        except Exception as error:  # reported below
            errors.append((first_line, repr(error)))

    threads = [
        threading.Thread(target=push, args=(index, *spec))
        for index, spec in enumerate(pushes)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return results


def test_a_call_and_its_transfer_leg_pushed_at_once_make_one_call(odoorpc_login):
    """Two pushes at the same moment, one with a call, the other with its
    transfer leg (alone, a call to an unknown number): neither transaction
    sees the other's rows, and the leg must still join the call (the last
    to commit joins them, see _recheck_after_commit). Several rounds, so
    that the pushes overlap in every order."""
    admin = odoorpc_login("admin", "admin")
    ddi_id = admin.env["callgest.ddi"].resolve_number(CLINIC_DDI)["ddi_id"]
    lines = TRANSFER_SAMPLE.read_bytes().splitlines(keepends=True)
    pushes = [(b"".join(lines[:3]), 1), (lines[3], 4)]
    clients = [odoorpc_login("admin", "admin") for _push in pushes]
    for _round in range(6):
        code = f"concurrent-{uuid.uuid4().hex[:10]}"
        pbx_id = admin.env["callgest.pbx"].create(
            {
                "name": code,
                "code": code,
                "system": "asterisk",
                "timezone": "Europe/Madrid",
                "route_ids": [(0, 0, {"pbx_number": "934000001", "ddi_id": ddi_id})],
            }
        )
        results = push_at_once(clients, code, pushes)
        assert sum(result["rows_in"] for result in results) == 4
        calls = admin.env["callgest.call"].search_read(
            [("pbx_id", "=", pbx_id)], ["call_key", "transfer_seconds", "leg_count"]
        )
        assert [
            (call["call_key"], call["transfer_seconds"], call["leg_count"])
            for call in calls
        ] == [(TRANSFERRED, 240, 4)]
        pending = admin.env["callgest.cdr.quarantine"].search_count(
            [("pbx_id", "=", pbx_id), ("state", "=", "pending")]
        )
        assert pending == 0
