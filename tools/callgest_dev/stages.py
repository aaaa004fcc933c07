"""make test's stages: Odoo's tests, the tests/ suite against a live server."""

from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

from .common import CONF_OUT, LOG_DIR, REPO, VENV_PY, Failure, free_port, rel, say
from .context import Context
from .process import odoo_cmd, stop_process, stream, wait_http
from .summary import Row

LOG_LINE = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (?P<level>[A-Z]+) \S+ "
    r"(?P<logger>[\w.\-]+): (?P<msg>.*)$"
)
TEST_SUMMARY = re.compile(
    r"(\d+) failed, (\d+) error\(s\) of (\d+) tests when loading database"
)
# ERROR lines that only repeat failures which the summary already counts
CONSEQUENCES = re.compile(
    r"when loading database|At least one test failed when loading the modules"
    r"|Test suite halted: max failed tests|^Module \S+: \d+ failures, \d+ errors"
    r"|at least one error occurred in a test"
)

# queue_job's runner (which must not run under --stop-after-init: the tests
# run their jobs themselves) logs this when it starts
JOB_RUNNER_LOGGER = "odoo.addons.queue_job.jobrunner"
JOB_RUNNER = re.compile(r"starting jobrunner thread|starting$")


class OdooTestLog:
    """Reads Odoo's test log: the closing summary, skips, stray ERROR lines."""

    def __init__(self) -> None:
        self.summary: tuple[int, int, int] | None = None
        self.skips: list[str] = []
        self.reported_failures = 0
        self.stray_errors: list[str] = []
        self._pending: list[str] = []  # ERROR lines of the running test
        self.job_runner_started = False

    def feed(self, line: str) -> None:
        match = LOG_LINE.match(line.rstrip())  # Odoo ends lines with a space
        if not match:
            return
        level, msg = match["level"], match["msg"]
        if match["logger"].startswith(JOB_RUNNER_LOGGER) and JOB_RUNNER.match(msg):
            self.job_runner_started = True
        if found := TEST_SUMMARY.search(msg):
            self.summary = tuple(int(n) for n in found.groups())
        elif level == "INFO" and re.match(r"skipped \S+ : ", msg):
            self.skips.append(f"{match['logger']}: {msg}")
        elif level == "INFO" and re.match(r"Starting \S+ \.\.\.$", msg):
            self.finish()  # the previous test passed: its ERROR lines are stray
        elif level in ("ERROR", "CRITICAL"):
            if re.match(r"(FAIL|ERROR): ", msg):
                self.reported_failures += 1
                self._pending.clear()  # lines explained by this counted failure
            elif not CONSEQUENCES.search(msg):
                self._pending.append(f"{level} {match['logger']}: {msg}")

    def finish(self) -> None:
        self.stray_errors += self._pending
        self._pending = []


def stage_odoo_tests(ctx: Context, db: str) -> Row:
    row = Row("1 Odoo tests (at_install+post_install)")
    parser = OdooTestLog()
    log_path = LOG_DIR / "odoo-tests.log"
    tags = ",".join(f"/{name}" for name in ctx.addons)
    port = free_port()
    say(f"stage 1: installing {', '.join(ctx.addons)} in {db} and running their tests")
    code = stream(
        odoo_cmd(
            "-d",
            db,
            "--db-filter",
            f"^{db}$",
            "-i",
            ",".join(ctx.addons),
            "--test-enable",
            "--test-tags",
            tags,
            "--stop-after-init",
            "--http-port",
            port,
            "--http-interface",
            "127.0.0.1",
            "--max-cron-threads",
            "0",
            "--log-level=test",
        ),
        ctx.env,
        log_path,
        parser.feed,
    )
    parser.finish()
    return fill_odoo_row(row, parser, code, log_path)


def fill_odoo_row(row: Row, parser: OdooTestLog, code: int, log_path: Path) -> Row:
    """The counts and problems of an Odoo test run, from its log and exit code."""
    if parser.summary is None:
        row.problems.append(f"no test summary line in {rel(log_path)}")
        failed = errors = run = 0
    else:
        failed, errors, run = parser.summary
    skipped = len(parser.skips)
    stray = len(parser.stray_errors)
    row.run, row.failed, row.errors, row.skipped = run, failed, errors + stray, skipped
    row.passed = max(run - failed - errors - skipped, 0)
    if parser.summary is not None and run == 0:
        row.problems.append("0 tests ran")
    for count, what in ((failed, "failed"), (errors, "error(s)"), (skipped, "skipped")):
        if count:
            row.problems.append(f"{count} {what}")
    if stray:
        row.problems.append(f"{stray} ERROR/CRITICAL log line(s) outside test failures")
    if code:
        row.problems.append(f"odoo exit code {code}")
    if parser.job_runner_started:
        row.problems.append("queue_job's job runner started under --stop-after-init")
    row.notes += [f"skip: {line}" for line in parser.skips]
    row.notes += [f"log error: {line[:300]}" for line in parser.stray_errors]
    return row


def junit_counts(path: Path) -> tuple[int, int, int, int]:
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else root.iter("testsuite")
    totals = [0, 0, 0, 0]
    for suite in suites:
        for index, key in enumerate(("tests", "failures", "errors", "skipped")):
            totals[index] += int(suite.get(key, 0))
    return tuple(totals)


def run_pytest(ctx: Context, db: str, url: str, row: Row) -> None:
    xml = LOG_DIR / "pytest.xml"
    xml.unlink(missing_ok=True)
    env = dict(ctx.env, CALLGEST_TEST_URL=url, CALLGEST_TEST_DB=db)
    cmd = [str(VENV_PY), "-m", "pytest", "tests/", "--odoo-config", str(CONF_OUT)]
    cmd += ["--odoo-database", db, "-p", "no:cacheprovider", "--junitxml", str(xml)]
    code = stream(cmd, env, LOG_DIR / "pytest.log")
    if not xml.exists():
        row.problems.append(f"pytest exit code {code}, no junit xml")
        return
    tests, failed, errors, skipped = junit_counts(xml)
    row.run, row.failed, row.errors, row.skipped = tests, failed, errors, skipped
    row.passed = max(tests - failed - errors - skipped, 0)
    if tests == 0:
        row.problems.append("0 tests ran")
    for count, what in ((failed, "failed"), (errors, "error(s)"), (skipped, "skipped")):
        if count:
            row.problems.append(f"{count} {what}")
    if code and not (code == 1 and failed + errors):
        row.problems.append(f"pytest exit code {code}")


def stage_pytest(ctx: Context, db: str) -> Row:
    row = Row("2 pytest tests/ (live server)")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = LOG_DIR / "odoo-server-tests.log"
    say(f"stage 2: starting Odoo on {url} for the tests/ suite (log {rel(log_path)})")
    websocket_port = free_port()
    # as in production: prefork workers, the websocket on its gevent port
    args = ["-d", db, "--db-filter", f"^{db}$", "--http-port", port]
    args += ["--http-interface", "127.0.0.1", "--max-cron-threads", "0"]
    args += ["--workers", "2", "--gevent-port", websocket_port]
    ctx.env = dict(
        ctx.env, CALLGEST_TEST_WS_URL=f"ws://127.0.0.1:{websocket_port}/websocket"
    )
    # queue_job's runner (a worker of this server) calls the jobs back here
    server_env = dict(ctx.env, ODOO_QUEUE_JOB_PORT=str(port))
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            odoo_cmd(*args),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=server_env,
            cwd=REPO,
            start_new_session=True,
        )
    try:
        wait_http(f"{url}/web/login", proc, log_path)
        run_pytest(ctx, db, url, row)
    except Failure as exc:
        row.problems.append(str(exc))
    finally:
        stop_process(proc)
    return row
