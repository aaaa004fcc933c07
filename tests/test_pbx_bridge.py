"""The PBX bridge, callgest-pbx (callgest_pbx.py at the repository root).

Two kinds of tests:

* the chunking, tailing and state-file logic, in-process, without a server;
* tests named ``test_live_*``: the command against the live Odoo server that
  `make test` starts (they skip without CALLGEST_TEST_URL). Locally, without a
  server: ``pytest tests/test_pbx_bridge.py -p no:odoo -k "not live"``.

No class is defined at module level: tests/conftest.py imports Odoo for any
class it sees while collecting.
"""

import importlib.util
import json
import os
import pathlib
import re
import socket
import subprocess
import sys
import uuid

import pytest

REPO = pathlib.Path(__file__).resolve().parent.parent
SCRIPT = REPO / "callgest-pbx"
SAMPLE = REPO / "addons/callgest_voip/tests/data/asterisk-ringgroup-linkedid.csv"
SAMPLE_ROWS = 84
SAMPLE_CALLS = 36  # one per linkedid
CLINIC_DDI = "0034933906701"
CLINIC = "Clínica Dental Diagonal"
TOTAL_LINE = re.compile(
    r"^(?P<file>\S+): (?P<rows_in>\d+) rows -> (?P<calls_created>\d+) calls "
    r"created, (?P<calls_updated>\d+) updated, (?P<duplicates>\d+) duplicates, "
    r"(?P<quarantined>\d+) quarantined$",
    re.MULTILINE,
)


def load_bridge():
    """callgest_pbx.py as a module (the repository root is not on sys.path)."""
    spec = importlib.util.spec_from_file_location(
        "callgest_pbx", REPO / "callgest_pbx.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("callgest_pbx", module)
    spec.loader.exec_module(module)
    return module


bridge = load_bridge()


# --- helpers -----------------------------------------------------------------


def run_bridge(*args, env=None, cwd=None, timeout=120):
    """Run callgest-pbx in a subprocess with only the given CALLGEST_* vars."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("CALLGEST_")}
    environ.update(env or {})
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        env=environ,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def totals(stdout):
    """The counts of the total line callgest-pbx printed last."""
    matches = list(TOTAL_LINE.finditer(stdout))
    assert matches, f"no total line in:\n{stdout}"
    found = matches[-1].groupdict()
    return {key: int(value) for key, value in found.items() if key != "file"}


def recorder():
    """(calls, push_chunk): a fake push_chunk that remembers its arguments."""
    calls = []

    def push_chunk(first_line, data, header_line):
        calls.append((first_line, data, header_line))

    return calls, push_chunk


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def sample_lines():
    return SAMPLE.read_bytes().splitlines(keepends=True)


# --- iter_chunks and friends -------------------------------------------------


def test_chunks_hold_complete_lines_with_their_numbers_and_offsets(tmp_path):
    path = tmp_path / "Master.csv"
    lines = [b"a,1\n", b"b,2\r\n", b"caf\xe9,3\n", b"\n", b"d,4\n"]
    path.write_bytes(b"".join(lines))
    chunks = list(bridge.iter_chunks(path, chunk_lines=2))
    assert [(first, data) for first, data, _end in chunks] == [
        (1, b"a,1\nb,2\r\n"),
        (3, b"caf\xe9,3\n\n"),
        (5, b"d,4\n"),
    ]
    assert [end for _first, _data, end in chunks] == [9, 17, 21]
    assert b"".join(data for _first, data, _end in chunks) == path.read_bytes()


def test_a_partial_last_line_is_left_for_later(tmp_path):
    path = tmp_path / "Master.csv"
    path.write_bytes(b"a,1\nb,2\nc,")
    assert list(bridge.iter_chunks(path)) == [(1, b"a,1\nb,2\n", 8)]
    assert list(bridge.iter_chunks(path, include_partial=True)) == [
        (1, b"a,1\nb,2\nc,", 10)
    ]


def test_chunks_resume_from_an_offset_and_line(tmp_path):
    path = tmp_path / "Master.csv"
    path.write_bytes(b"a,1\nb,2\nc,3\nd,4\n")
    assert list(bridge.iter_chunks(path, 8, 3, chunk_lines=1)) == [
        (3, b"c,3\n", 12),
        (4, b"d,4\n", 16),
    ]
    assert list(bridge.iter_chunks(path, 16, 5)) == []


def test_chunk_size_must_be_positive(tmp_path):
    path = tmp_path / "Master.csv"
    path.write_bytes(b"a\n")
    with pytest.raises(ValueError):
        list(bridge.iter_chunks(path, chunk_lines=0))


def test_count_lines():
    assert bridge.count_lines(b"") == 0
    assert bridge.count_lines(b"a\nb\n") == 2
    assert bridge.count_lines(b"a\nb") == 2


def test_header_line_is_text_without_bom_or_newline(tmp_path):
    path = tmp_path / "Master.csv"
    path.write_bytes(b"\xef\xbb\xbfsrc,dst,caf\xe9\r\nx,y,z\n")
    assert bridge.read_header_line(path) == "src,dst,caf\ufffd"


def test_push_file_sends_the_header_with_later_chunks_only(tmp_path):
    path = tmp_path / "Master.csv"
    path.write_bytes(b"h1,h2\n1,2\n3,4\n5,6")  # the last line has no newline
    calls, push_chunk = recorder()
    bridge.push_file(path, push_chunk, chunk_lines=3)
    assert calls == [(1, b"h1,h2\n1,2\n3,4\n", None), (4, b"5,6", "h1,h2")]


# --- the state file ----------------------------------------------------------


def test_state_round_trip(tmp_path):
    state_path = tmp_path / "s.state"
    assert bridge.load_state(state_path) == bridge.FollowState()
    state = bridge.FollowState(device=5, inode=7, offset=120, line=11)
    bridge.save_state(state_path, state, "/var/log/asterisk/Master.csv")
    assert bridge.load_state(state_path) == state
    saved = json.loads(state_path.read_text())
    assert saved["file"] == "/var/log/asterisk/Master.csv"


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        '{"device": 1}',
        '{"device": 1, "inode": 2, "offset": -5, "line": 1}',
        "[]",
    ],
)
def test_an_unreadable_state_restarts_from_the_beginning(tmp_path, content):
    state_path = tmp_path / "s.state"
    state_path.write_text(content)
    warnings = []
    assert bridge.load_state(state_path, warnings.append) == bridge.FollowState()
    assert "starting over" in warnings[0]


def test_default_state_path():
    assert bridge.default_state_path("/x/Master.csv") == (
        "/x/Master.csv.callgest-pbx.state"
    )


def test_reconcile_state(tmp_path):
    path = tmp_path / "Master.csv"
    path.write_bytes(b"a\nb\n")
    stat_result = os.stat(path)
    device, inode = stat_result.st_dev, stat_result.st_ino
    fresh, reason = bridge.reconcile_state(bridge.FollowState(), stat_result)
    assert (fresh, reason) == (bridge.FollowState(device, inode), None)
    reached = bridge.FollowState(device, inode, offset=2, line=2)
    assert bridge.reconcile_state(reached, stat_result) == (reached, None)
    beyond = bridge.FollowState(device, inode, offset=99, line=40)
    assert bridge.reconcile_state(beyond, stat_result) == (
        bridge.FollowState(device, inode),
        "truncated",
    )
    other = bridge.FollowState(device, inode + 1, offset=2, line=2)
    assert bridge.reconcile_state(other, stat_result) == (
        bridge.FollowState(device, inode),
        "rotated",
    )


# --- Follower, with a fake push_chunk ----------------------------------------


def make_follower(path, push_chunk, clock=None, **options):
    warnings = []
    follower = bridge.Follower(
        path,
        push_chunk,
        warn=warnings.append,
        clock=clock or (lambda: 0.0),
        **options,
    )
    return follower, warnings


def test_follow_pushes_complete_lines_and_resumes_after_a_restart(tmp_path):
    path = tmp_path / "Master.csv"
    path.write_bytes(b"a,1\nb,2\nc,")
    calls, push_chunk = recorder()
    follower, _warnings = make_follower(path, push_chunk)
    assert follower.poll(wait_to_settle=False)
    follower.close()
    assert calls == [(1, b"a,1\nb,2\n", None)]

    with path.open("ab") as handle:
        handle.write(b"3\nd,4\n")
    restarted, _warnings = make_follower(path, push_chunk)  # reads the state file
    assert restarted.poll(wait_to_settle=False)
    assert not restarted.poll(wait_to_settle=False)  # nothing new
    restarted.close()
    assert calls[1:] == [(3, b"c,3\nd,4\n", "a,1")]
    state = bridge.load_state(bridge.default_state_path(path))
    assert (state.offset, state.line) == (len(path.read_bytes()), 5)


def test_follow_waits_until_the_file_settles(tmp_path):
    path = tmp_path / "Master.csv"
    path.write_bytes(b"leg 1\n")
    now = [100.0]
    calls, push_chunk = recorder()
    follower, _warnings = make_follower(path, push_chunk, lambda: now[0], settle=2)
    assert not follower.poll()  # just grew
    now[0] += 1
    with path.open("ab") as handle:
        handle.write(b"leg 2\n")
    assert not follower.poll()  # grew again
    now[0] += 1.5
    assert not follower.poll()  # quiet for 1.5 s only
    now[0] += 0.5
    assert follower.poll()
    follower.close()
    assert calls == [(1, b"leg 1\nleg 2\n", None)]


def test_follow_rereads_a_truncated_file(tmp_path):
    path = tmp_path / "Master.csv"
    path.write_bytes(b"a,1\nb,2\n")
    calls, push_chunk = recorder()
    follower, warnings = make_follower(path, push_chunk, chunk_lines=1)
    follower.poll(wait_to_settle=False)
    path.write_bytes(b"c,3\n")  # same inode, smaller than the offset
    follower.poll(wait_to_settle=False)
    follower.close()
    assert [first for first, _data, _header in calls] == [1, 2, 1]
    assert calls[-1] == (1, b"c,3\n", None)
    assert "truncated" in warnings[0]


def test_follow_drains_a_rotated_file_then_reads_the_new_one(tmp_path):
    path = tmp_path / "Master.csv"
    path.write_bytes(b"a,1\n")
    calls, push_chunk = recorder()
    follower, warnings = make_follower(path, push_chunk)
    follower.poll(wait_to_settle=False)
    with path.open("ab") as handle:  # written just before the rotation
        handle.write(b"b,2\n")
    path.rename(tmp_path / "Master.csv.1")
    path.write_bytes(b"c,3\n")
    follower.poll(wait_to_settle=False)
    follower.close()
    assert calls == [
        (1, b"a,1\n", None),
        (2, b"b,2\n", "a,1"),
        (1, b"c,3\n", None),
    ]
    assert "rotated" in warnings[0]


def test_follow_waits_for_a_missing_file(tmp_path):
    calls, push_chunk = recorder()
    follower, warnings = make_follower(tmp_path / "Master.csv", push_chunk)
    assert not follower.poll(wait_to_settle=False)
    assert not follower.poll(wait_to_settle=False)
    assert len(warnings) == 1 and "does not exist" in warnings[0]


# --- settings and the command line, without a server -------------------------


def test_options_win_over_environment_variables():
    args = bridge.build_parser().parse_args(
        ["--url", "http://a:1", "lookup", "1", "--db", "fromoption"]
    )
    environ = {
        "CALLGEST_URL": "http://b:2",
        "CALLGEST_DB": "fromenv",
        "CALLGEST_USER": "pbx",
        "CALLGEST_PASSWORD": "secret",
    }
    settings = bridge.resolve_settings(args, environ)
    assert (settings.url, settings.db, settings.user) == (
        "http://a:1",
        "fromoption",
        "pbx",
    )
    assert settings.timeout == bridge.DEFAULT_TIMEOUT


@pytest.mark.parametrize(
    "url, expected",
    [
        ("http://odoo:8069", ("odoo", 8069, "jsonrpc")),
        ("http://odoo/", ("odoo", 80, "jsonrpc")),
        ("https://callgest.example.com", ("callgest.example.com", 443, "jsonrpc+ssl")),
    ],
)
def test_parse_url(url, expected):
    assert bridge.parse_url(url) == expected


@pytest.mark.parametrize("url", ["odoo:8069", "ftp://odoo", "http://odoo/web"])
def test_parse_url_refuses_other_urls(url):
    with pytest.raises(bridge.ConfigError, match="invalid server URL"):
        bridge.parse_url(url)


def test_help_shows_examples_and_variables():
    result = run_bridge("--help")
    assert result.returncode == 0
    for text in ("CALLGEST_URL", "CALLGEST_PASSWORD", "push", "follow", "lookup"):
        assert text in result.stdout


def test_missing_url_is_a_one_line_error(tmp_path):
    result = run_bridge(
        "push",
        str(SAMPLE),
        "--pbx",
        "main",
        env={"CALLGEST_DB": "x", "CALLGEST_USER": "u", "CALLGEST_PASSWORD": "p"},
    )
    assert result.returncode == 2
    assert "CALLGEST_URL" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_refused_connection_is_a_one_line_error():
    result = run_bridge(
        "lookup",
        CLINIC_DDI,
        "600100200",
        env={
            "CALLGEST_URL": f"http://127.0.0.1:{free_port()}",
            "CALLGEST_DB": "x",
            "CALLGEST_USER": "u",
            "CALLGEST_PASSWORD": "p",
        },
    )
    assert result.returncode == 2
    assert "connection refused" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


# --- against the live server of `make test` ----------------------------------


@pytest.fixture
def live_env(odoo_url, odoo_db):
    """CALLGEST_* variables for the bridge, as admin on the test database."""
    return {
        "CALLGEST_URL": odoo_url,
        "CALLGEST_DB": odoo_db,
        "CALLGEST_USER": "admin",
        "CALLGEST_PASSWORD": "admin",
    }


@pytest.fixture
def make_pbx(odoorpc_login):
    """make_pbx() -> the code of a new callgest.pbx, unique to this run."""
    admin = odoorpc_login("admin", "admin")

    def make():
        code = f"test-{uuid.uuid4().hex[:12]}"
        ddi_id = admin.env["callgest.ddi"].resolve_number(CLINIC_DDI)["ddi_id"]
        admin.env["callgest.pbx"].create(
            {
                "name": f"Test PBX {code}",
                "code": code,
                "system": "asterisk",
                "timezone": "Europe/Madrid",
                # the sample's called numbers, routed to the demo clinic
                "route_ids": [
                    (0, 0, {"pbx_number": number, "ddi_id": ddi_id})
                    for number in ("211553", "211474")
                ],
            }
        )
        return code

    return make


def live_push(live_env, path, pbx_code, *options):
    result = run_bridge("push", str(path), "--pbx", pbx_code, *options, env=live_env)
    assert result.returncode == 0, result.stderr
    return totals(result.stdout)


def test_live_push_twice_creates_nothing_the_second_time(live_env, make_pbx):
    pbx_code = make_pbx()
    first = live_push(live_env, SAMPLE, pbx_code)
    assert first["rows_in"] == SAMPLE_ROWS
    assert first["calls_created"] == SAMPLE_CALLS
    assert (first["duplicates"], first["quarantined"]) == (0, 0)
    again = live_push(live_env, SAMPLE, pbx_code)
    assert again["rows_in"] == SAMPLE_ROWS
    assert (again["calls_created"], again["calls_updated"]) == (0, 0)


def test_live_push_in_chunks_gives_the_same_totals(live_env, make_pbx):
    whole = live_push(live_env, SAMPLE, make_pbx())
    chunked = live_push(live_env, SAMPLE, make_pbx(), "--chunk-lines", "10")
    # A call whose legs fall in two chunks is created, then updated: only the
    # rows and the calls created add up the same.
    for key in ("rows_in", "calls_created", "duplicates", "quarantined"):
        assert chunked[key] == whole[key], key


def test_live_follow_once_on_a_growing_file(live_env, make_pbx, tmp_path):
    pbx_code = make_pbx()
    lines = sample_lines()
    path = tmp_path / "Master.csv"
    state = tmp_path / "follow.state"
    follow = ("follow", str(path), "--pbx", pbx_code, "--once", "--state-file")
    follow += (str(state),)
    split = lines[40]
    path.write_bytes(b"".join(lines[:40]) + split[:25])  # line 41 being written

    first = run_bridge(*follow, env=live_env)
    assert first.returncode == 0, first.stderr
    assert totals(first.stdout)["rows_in"] == 40

    with path.open("ab") as handle:
        handle.write(split[25:] + b"".join(lines[41:]))
    second = run_bridge(*follow, env=live_env)
    assert second.returncode == 0, second.stderr
    assert totals(second.stdout)["rows_in"] == SAMPLE_ROWS - 40
    saved = json.loads(state.read_text())
    assert (saved["offset"], saved["line"]) == (SAMPLE.stat().st_size, 85)

    # Every row is known now: pushing the whole file changes nothing.
    again = live_push(live_env, path, pbx_code)
    assert (again["calls_created"], again["calls_updated"]) == (0, 0)


TRANSFER_SAMPLE = (
    REPO / "addons/callgest_voip/tests/data/asterisk-ivr-queue-transfer.csv"
)
# line 4 of that sample: the 240 s transfer leg of call 1770714000.10 (lines
# 1-3: menu, queue, secretary), written by Asterisk when the transfer ends
TRANSFER_LEG = 3  # its index
TRANSFERRED = "1770714000.10"


def test_live_follow_a_transfer_leg_in_a_later_burst_joins_its_call(
    live_env, odoorpc_login, tmp_path
):
    admin = odoorpc_login("admin", "admin")
    ddi_id = admin.env["callgest.ddi"].resolve_number(CLINIC_DDI)["ddi_id"]
    pbx_code = f"test-{uuid.uuid4().hex[:12]}"
    pbx_id = admin.env["callgest.pbx"].create(
        {
            "name": f"Test PBX {pbx_code}",
            "code": pbx_code,
            "system": "asterisk",
            "timezone": "Europe/Madrid",
            # the transfer sample's DDIs, routed to the demo clinic
            "route_ids": [
                (0, 0, {"pbx_number": number, "ddi_id": ddi_id})
                for number in ("934000001", "934000002")
            ],
        }
    )
    lines = TRANSFER_SAMPLE.read_bytes().splitlines(keepends=True)
    path = tmp_path / "Master.csv"
    state = tmp_path / "follow.state"
    follow = ("follow", str(path), "--pbx", pbx_code, "--once", "--state-file")
    follow += (str(state),)
    # every call of the sample, the transfer leg not written yet
    path.write_bytes(b"".join(lines[:TRANSFER_LEG] + lines[TRANSFER_LEG + 1 :]))
    first = run_bridge(*follow, env=live_env)
    assert first.returncode == 0, first.stderr
    assert totals(first.stdout)["rows_in"] == len(lines) - 1
    Call = admin.env["callgest.call"]
    domain = [("pbx_id", "=", pbx_id), ("call_key", "=", TRANSFERRED)]
    [call] = Call.search_read(domain, ["transfer_seconds", "leg_count"])
    assert (call["transfer_seconds"], call["leg_count"]) == (0, 3)

    # the transfer ends: Asterisk appends its leg, a later burst pushes it
    with path.open("ab") as handle:
        handle.write(lines[TRANSFER_LEG])
    second = run_bridge(*follow, env=live_env)
    assert second.returncode == 0, second.stderr
    late = totals(second.stdout)
    assert late["rows_in"] == 1
    assert (late["calls_created"], late["calls_updated"]) == (0, 1)
    assert late["quarantined"] == 0
    [call] = Call.search_read(
        domain, ["transfer_seconds", "transfer_to", "leg_count", "secretary_seconds"]
    )
    assert call["transfer_seconds"] == 240
    assert call["transfer_to"] == "+34 600 123 456"
    assert (call["leg_count"], call["secretary_seconds"]) == (4, 95)
    quarantine = admin.env["callgest.cdr.quarantine"]
    assert not quarantine.search([("pbx_id", "=", pbx_id)])


def test_live_unknown_pbx_is_a_server_error(live_env):
    result = run_bridge(
        "push", str(SAMPLE), "--pbx", f"nowhere-{uuid.uuid4().hex}", env=live_env
    )
    assert result.returncode == 1
    assert result.stderr.startswith("callgest-pbx: error: ")
    assert "Traceback" not in result.stderr


def test_live_wrong_password_exits_2(live_env):
    result = run_bridge(
        "lookup", CLINIC_DDI, env=dict(live_env, CALLGEST_PASSWORD="wrong")
    )
    assert result.returncode == 2
    assert "cannot log in" in result.stderr
    assert "Traceback" not in result.stderr


def test_live_lookup_of_the_demo_clinic(live_env):
    result = run_bridge("lookup", CLINIC_DDI, "+34 600 100 200", env=live_env)
    assert result.returncode == 0, result.stderr
    decision = json.loads(result.stdout)
    # callgest.protocol.lookup says "client"; resolve_number "client_name"
    assert CLINIC in (decision.get("client"), decision.get("client_name"))
