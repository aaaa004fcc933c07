"""make test's stage 4: each callgest addon alone, with only its own dependencies.

For every callgest addon A: a fresh database gets A and what A depends on (and
what Odoo auto-installs with them), nothing else, and A's own tests run there
(--test-tags /A). A missing dependency or bridge shows here, where the full
install of stage 1 hides it.

To fit the suite's time budget:
- the Odoo modules that every addon needs (the intersection of their
  dependencies) are installed once in a template database, and each addon's
  database is a copy of it (CREATE DATABASE ... TEMPLATE, and its filestore);
- the addons run side by side with stages 1-3: CALLGEST_TEST_JOBS Odoo
  processes at a time in all (default: 2, or 1 on a single core), the
  longest first. Their output goes to .callgest/log/alone-<addon>.log only.
"""

from __future__ import annotations

import ast
import configparser
import os
import shutil
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .common import CONF_OUT, DATA_DIR, LOG_DIR, Failure, env_flag, free_port, rel, say
from .context import Context
from .postgres import drop_db
from .process import odoo_cmd
from .stages import OdooTestLog, fill_odoo_row
from .summary import Row


def test_jobs() -> int:
    """CALLGEST_TEST_JOBS: Odoo processes make test runs at the same time."""
    raw = os.environ.get("CALLGEST_TEST_JOBS", "").strip()
    if not raw:
        return 2 if (os.cpu_count() or 1) > 1 else 1
    if not raw.isdigit() or int(raw) < 1:
        raise Failure(f"CALLGEST_TEST_JOBS={raw}: a number of processes (1, 2...)")
    return int(raw)


def manifests() -> dict[str, dict]:
    """Every addon of the generated addons_path: name -> its manifest."""
    conf = configparser.RawConfigParser()
    conf.read(CONF_OUT)
    found: dict[str, dict] = {}
    for entry in conf.get("options", "addons_path", fallback="").split(","):
        directory = Path(entry.strip())
        if not entry.strip() or not directory.is_dir():
            continue
        for manifest in sorted(directory.glob("*/__manifest__.py")):
            name = manifest.parent.name
            if name in found:
                continue  # the first directory of the path wins, as in Odoo
            try:
                found[name] = ast.literal_eval(manifest.read_text())
            except (ValueError, SyntaxError):
                found[name] = {}
    return found


def closure(name: str, known: dict[str, dict]) -> set[str]:
    """name and everything it depends on, transitively (base included)."""
    seen: set[str] = set()
    todo = [name]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        todo += known.get(current, {}).get("depends", []) or ["base"]
    return seen


def common_dependencies(addons: list[str], known: dict[str, dict]) -> list[str]:
    """The modules that every addon of `addons` depends on (not themselves)."""
    sets = [closure(name, known) - {name} for name in addons]
    common = set.intersection(*sets) if sets else set()
    return sorted(common - {"base"})


class Slots:
    """At most `size` Odoo processes at a time, stages 1-3 included."""

    def __init__(self, size: int) -> None:
        self.semaphore = threading.BoundedSemaphore(size)

    def __enter__(self):
        self.semaphore.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.semaphore.release()


def run_logged(
    ctx: Context, args: list, log_path: Path, parser=None, running=None
) -> int:
    """Odoo with its output in log_path only (fed to parser line by line);
    the process is in the set `running` while it runs."""
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    running = set() if running is None else running
    with (
        log_path.open("w") as log,
        subprocess.Popen(
            odoo_cmd(*args),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=ctx.env,
            text=True,
            errors="replace",
            bufsize=1,
        ) as proc,
    ):
        running.add(proc)
        try:
            for line in proc.stdout:
                log.write(line)
                if parser:
                    parser.feed(line)
        finally:
            running.discard(proc)
    return proc.returncode


def copy_db(ctx: Context, template: str, db: str) -> None:
    from psycopg2 import sql

    conn = ctx.pg.connect()
    try:
        with conn.cursor() as cr:
            query = sql.SQL("CREATE DATABASE {} TEMPLATE {}")
            cr.execute(query.format(sql.Identifier(db), sql.Identifier(template)))
    finally:
        conn.close()
    source = DATA_DIR / "filestore" / template
    if source.is_dir():
        shutil.copytree(source, DATA_DIR / "filestore" / db, dirs_exist_ok=True)


class AloneStage:
    """Stage 4, run in threads beside stages 1-3; rows() waits for it."""

    def __init__(self, ctx: Context, prefix: str, slots: Slots, jobs: int) -> None:
        self.ctx = ctx
        self.prefix = prefix
        self.slots = slots
        self.jobs = jobs
        self.template = f"{prefix}_alone_template"
        self.databases: list[str] = [self.template]
        self.template_ready = threading.Event()
        self.template_error: str | None = None
        self.results: dict[str, Row] = {}
        self.seconds: dict[str, float] = {}
        self.pool: ThreadPoolExecutor | None = None
        self.futures: list = []
        self.started = time.monotonic()
        self.running: set = set()  # the Odoo processes of this stage
        self.cancelled = threading.Event()

    def start(self) -> None:
        known = manifests()
        addons = self.ctx.addons
        self.common = common_dependencies(addons, known)
        # the longest first: the most dependencies to install, the most tests
        self.order = sorted(addons, key=lambda n: -len(closure(n, known)))
        self.pool = ThreadPoolExecutor(self.jobs, thread_name_prefix="alone")
        self.futures = [self.pool.submit(self.build_template)]
        self.futures += [self.pool.submit(self.run_addon, n) for n in self.order]

    def build_template(self) -> None:
        log_path = LOG_DIR / "alone-template.log"
        try:
            with self.slots:
                say(
                    f"stage 4: template database {self.template} with what every "
                    f"addon needs: {', '.join(self.common) or 'base'}"
                )
                args = ["-d", self.template, "--db-filter", f"^{self.template}$"]
                args += ["-i", ",".join(self.common) or "base", "--stop-after-init"]
                args += ["--max-cron-threads", "0", "--http-port", free_port()]
                code = run_logged(self.ctx, args, log_path, running=self.running)
            if code:
                self.template_error = (
                    f"the template database failed (odoo exit code {code}); "
                    f"see {rel(log_path)}"
                )
        except Exception as exc:  # noqa: BLE001 - reported on every row
            self.template_error = f"the template database failed: {exc!r}"
        finally:
            self.template_ready.set()

    def run_addon(self, name: str) -> None:
        row = Row(f"4 alone: {name}")
        self.results[name] = row
        self.template_ready.wait()
        if self.template_error:
            row.failed = row.errors = None
            row.problems.append(f"not run: {self.template_error}")
            return
        db = f"{self.prefix}_alone_{name}"
        self.databases.append(db)
        log_path = LOG_DIR / f"alone-{name}.log"
        try:
            with self.slots:
                if self.cancelled.is_set():
                    row.failed = row.errors = None
                    row.problems.append("not run: make test was interrupted")
                    return
                say(f"stage 4: {name} alone in {db} (log {rel(log_path)})")
                begin = time.monotonic()
                copy_db(self.ctx, self.template, db)
                parser = OdooTestLog()
                args = ["-d", db, "--db-filter", f"^{db}$", "-i", name]
                args += ["--test-enable", "--test-tags", f"/{name}"]
                args += ["--stop-after-init", "--http-port", free_port()]
                args += ["--http-interface", "127.0.0.1", "--max-cron-threads", "0"]
                args += ["--log-level=test"]
                code = run_logged(self.ctx, args, log_path, parser, self.running)
                parser.finish()
                self.seconds[name] = time.monotonic() - begin
            fill_odoo_row(row, parser, code, log_path)
            state = "FAIL" if row.problems else "PASS"
            say(
                f"stage 4: {name} alone: {state}, {row.run} tests in "
                f"{self.seconds[name]:.0f} s (log {rel(log_path)})"
            )
        except Exception as exc:  # noqa: BLE001 - any crash must show in the summary
            row.failed = row.errors = None
            row.problems.append(f"crashed: {exc!r}")
        finally:
            if not self.keep():
                drop_db(self.ctx.pg, db)

    def keep(self) -> bool:
        return env_flag("KEEP_DB")

    def rows(self) -> list[Row]:
        """Wait for every addon, drop the template: one row per addon."""
        if self.pool is None:
            return []
        for future in self.futures:
            future.result()
        self.pool.shutdown()
        if not self.keep():
            drop_db(self.ctx.pg, self.template)
        minutes = (time.monotonic() - self.started) / 60
        say(f"stage 4: every addon alone done in {minutes:.1f} min")
        return [self.results[name] for name in self.ctx.addons]

    def cancel(self) -> None:
        """After rows(), or when make test stops early: no new addon, the running
        ones stopped, every database of the stage dropped."""
        self.cancelled.set()
        for proc in list(self.running):
            proc.terminate()
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
        if not self.keep():
            for db in self.databases:
                drop_db(self.ctx.pg, db)
