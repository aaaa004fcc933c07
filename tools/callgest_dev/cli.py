"""CallGest developer tooling, driven by the Makefile.

    python3 tools/dev.py run    # prepare everything, serve the web UI  (make run)
    python3 tools/dev.py test   # Odoo tests + tests/ suite + lint       (make test)
                                # + each addon alone
    python3 tools/dev.py lint   # ruff, pylint-odoo, OCA checks, prettier,
                                # eslint only                            (make lint)
    python3 tools/dev.py format # prettier --write, ruff format          (make format)
    python3 tools/dev.py stop   # stop the project-local PostgreSQL      (make stop)

Phase 1 runs in the python3 that started it (standard library only): it finds
Odoo 18, creates the virtualenv .callgest/venv and installs requirements.txt
(and requirements-oca.txt, without dependencies), and package-lock.json's node
lint tools into node_modules/ (npm ci) when npm exists.
Phase 2 is this same script re-executed by the venv's python (which has
psycopg2, since Odoo needs it): PostgreSQL, configuration, databases, tests.
All local state lives in .callgest/ (git-ignored).

The code is the package tools/callgest_dev/: odoo_source (finding Odoo 18),
venv, postgres (the cluster, databases), config (odoo.conf, addons), process
(running Odoo), context, stages (make test's stages 1-2), lint (stage 3, make
format), alone (stage 4), summary, cli (commands).
Every module imports only the standard library at the top: phase 1 runs them
in the system python3; psycopg2 is imported inside the functions of phase 2.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from .alone import AloneStage, Slots, test_jobs
from .common import (
    DEV_SCRIPT,
    LOG_DIR,
    PHASE2,
    STATE,
    VENV,
    VENV_PY,
    Failure,
    env_flag,
    port_free,
    rel,
    say,
)
from .config import gevent_port, http_port, queue_job_channels, workers_setting
from .context import ensure_db, prepare
from .lint import run_format, stage_lint
from .odoo_source import locate_odoo
from .postgres import drop_db, module_states, stop_cluster
from .process import odoo_cmd
from .stages import stage_odoo_tests, stage_pytest
from .summary import Row, guarded, summarize
from .venv import attach_odoo, ensure_node_modules, ensure_venv

DEMO_LOGINS = (
    ("admin", "admin", "administrator"),
    ("secretaria", "secretaria", "group Secretary"),
    ("supervisor", "supervisor", "group Supervisor"),
    ("contable", "contable", "accountant (Invoicing: Administrator)"),
    ("pbx", "pbx", "PBX technical user (RPC only)"),
)


def phase1(command: str, argv: list[str]) -> int:
    STATE.mkdir(exist_ok=True)
    root = locate_odoo() if command in ("run", "test") else None
    ensure_venv()
    if command in ("test", "lint", "format"):
        ensure_node_modules()
    if command in ("run", "test"):
        attach_odoo(root)
    env = dict(os.environ, **{PHASE2: "1"})
    script = str(DEV_SCRIPT)
    os.execve(str(VENV_PY), [str(VENV_PY), script, *argv], env)
    return 0  # not reached


def cmd_run() -> int:
    ctx = prepare()
    db = os.environ.get("CALLGEST_DB", "").strip() or "callgest"
    port = http_port()
    if not port_free(port):
        raise Failure(
            f"port {port} is already in use (another `make run`?): stop that or "
            "set CALLGEST_HTTP_PORT"
        )
    ensure_db(ctx, db)
    bar = "=" * 72
    print(f"\n{bar}\n CallGest: http://localhost:{port}   (database {db})")
    print(" Demo logins (login / password):")
    for login, password, role in DEMO_LOGINS:
        print(f"   {login:<12} / {password:<12} {role}")
    args = odoo_cmd("-d", db, "--db-filter", f"^{db}$", "--http-port", port)
    workers = workers_setting()
    if workers:
        websocket_port = gevent_port()
        if not port_free(websocket_port):
            raise Failure(
                f"port {websocket_port} is already in use: set CALLGEST_GEVENT_PORT"
            )
        args += ["--workers", workers, "--gevent-port", websocket_port]
        print(
            f" {workers} workers; the websocket (call console, bus) on port "
            f"{websocket_port}: a proxy routes /websocket there (README, Production)"
        )
    channels = queue_job_channels()
    if channels:
        print(f" queue_job: the job runner runs in this server (channels {channels})")
    print(" Ctrl-C stops Odoo; `make stop` stops the project-local PostgreSQL.")
    print(f"{bar}\n", flush=True)
    args = [str(arg) for arg in args]
    os.execve(args[0], args, ctx.env)
    return 0  # not reached


def cmd_test() -> int:
    ctx = prepare()
    db = f"callgest_test_{time.strftime('%Y%m%d_%H%M%S')}_{os.getpid()}"
    keep = env_flag("KEEP_DB")
    rows: list[Row] = []
    jobs = test_jobs()
    slots = Slots(jobs)
    alone = AloneStage(ctx, db, slots, jobs)
    started = time.monotonic()
    try:
        alone.start()  # stage 4 runs beside stages 1-3, `jobs` Odoo at a time
        with slots:
            rows += timed("1 Odoo tests", stage_odoo_tests, ctx, db)
            states = module_states(ctx.pg, db, ctx.addons)
            broken = [name for name in ctx.addons if states.get(name) != "installed"]
            if broken:
                row = Row("2 pytest tests/ (live server)", failed=None, errors=None)
                row.problems.append(f"not run: not installed: {', '.join(broken)}")
                rows.append(row)
            else:
                rows += timed("2 pytest tests/", stage_pytest, ctx, db)
            rows += timed("3 lint", stage_lint)
        rows += timed("4 alone", alone.rows)
    finally:
        alone.cancel()
        if keep:
            say(f"KEEP_DB=1: keeping database {db}")
        else:
            drop_db(ctx.pg, db)
        if ctx.pg.started and env_flag("CI"):  # leave no server behind in CI
            stop_cluster()
    fate = "kept" if keep else "dropped"
    header = f"CallGest test summary (database {db}, {fate}; logs in {rel(LOG_DIR)}/)"
    minutes = (time.monotonic() - started) / 60
    say(f"make test took {minutes:.1f} min ({jobs} Odoo process(es) at a time)")
    return summarize(rows, header, totals=True)


def timed(name: str, func, *args) -> list[Row]:
    """guarded(), and how long the stage took, said when it ends."""
    begin = time.monotonic()
    rows = guarded(name, func, *args)
    say(f"stage {name} took {time.monotonic() - begin:.0f} s")
    return rows


def cmd_lint() -> int:
    rows = guarded("3 lint", stage_lint)
    return summarize(rows, "CallGest lint summary", totals=False)


def cmd_format() -> int:
    return run_format()


def phase2(command: str) -> int:
    if command == "run":
        return cmd_run()
    if command == "test":
        return cmd_test()
    if command == "format":
        return cmd_format()
    return cmd_lint()


def main(argv: list[str]) -> int:
    sys.stdout.reconfigure(line_buffering=True)
    commands = ("run", "test", "lint", "format", "stop")
    if len(argv) != 1 or argv[0] not in commands:
        print(__doc__)
        return 0 if argv and argv[0] in ("help", "-h", "--help") else 2
    command = argv[0]
    try:
        if command == "stop":
            return stop_cluster()
        if os.environ.get(PHASE2) and Path(sys.prefix).resolve() == VENV.resolve():
            return phase2(command)
        return phase1(command, argv)
    except Failure as exc:
        print(f"[callgest] ERROR: {exc}", file=sys.stderr, flush=True)
        return 2
    except KeyboardInterrupt:
        print("[callgest] interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
