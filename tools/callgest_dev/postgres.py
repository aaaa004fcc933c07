"""PostgreSQL: a configured server, or the project-local cluster; databases."""

from __future__ import annotations

import configparser
import os
import pwd
import shlex
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from .common import (
    DATA_DIR,
    REPO,
    STATE,
    Failure,
    free_port,
    port_free,
    rel,
    say,
    sha,
    tail,
)
from .config import conf_value

PG_ROLE = "callgest"  # Odoo refuses to run as the role "postgres"
PG_DEFAULT_PORT = 54329
PG_ENV = {
    "host": "PGHOST",
    "port": "PGPORT",
    "user": "PGUSER",
    "password": "PGPASSWORD",
}
PG_CONF = """
# --- CallGest development cluster (appended by tools/dev.py) ---
listen_addresses = '127.0.0.1'
max_connections = 200
# a throwaway development cluster: speed over crash safety
fsync = off
synchronous_commit = off
full_page_writes = off
"""


@dataclass
class Pg:
    host: str
    port: int | None
    user: str
    password: str
    local: bool
    started: bool = False  # the project-local cluster was started by this run

    def connect(self, dbname: str = "postgres", timeout: int = 3):
        import psycopg2

        params = {"host": self.host, "port": self.port, "user": self.user}
        params["password"] = self.password
        params = {key: value for key, value in params.items() if value}
        conn = psycopg2.connect(dbname=dbname, connect_timeout=timeout, **params)
        conn.autocommit = True
        return conn


def pg_bindir() -> Path:
    found = shutil.which("pg_ctl")
    if found and (Path(found).resolve().parent / "initdb").exists():
        return Path(found).resolve().parent

    def major(path: Path) -> float:
        try:
            return float(path.parent.parent.name)
        except ValueError:
            return 0.0

    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=major)
    if candidates:
        return candidates[-1].parent
    raise Failure(
        "PostgreSQL server programs (initdb, pg_ctl) not found: install them "
        "(Debian/Ubuntu: apt install postgresql) or point odoo.conf db_* or the "
        "PG* variables at a running PostgreSQL server"
    )


def fallback_base() -> Path:
    return Path("/var/tmp") / f"callgest-pg-{sha(REPO)[:10]}"


class LocalCluster:
    """The project-local cluster: .callgest/pgdata, role callgest, trust auth."""

    def __init__(self) -> None:
        self.root_mode = os.geteuid() == 0
        self.os_user = os.environ.get("CALLGEST_PG_OS_USER") or "postgres"
        self.log = STATE / "pg.log"
        self.base = self._base_dir()
        self.datadir = self.base / "pgdata"
        self.sockdir = self.base / "pgsock"
        if len(str(self.sockdir)) > 80:  # unix socket paths are limited to 107
            self.sockdir = Path("/tmp") / f"callgest-pgsock-{sha(REPO)[:10]}"

    def as_user(self, cmd: list) -> list[str]:
        cmd = [str(part) for part in cmd]
        return ["runuser", "-u", self.os_user, "--", *cmd] if self.root_mode else cmd

    def _base_dir(self) -> Path:
        STATE.mkdir(exist_ok=True)
        if not self.root_mode:
            return STATE
        try:
            pwd.getpwnam(self.os_user)
        except KeyError:
            raise Failure(
                f"running as root, PostgreSQL must run as an unprivileged OS user, "
                f"but user {self.os_user!r} does not exist: create it or set "
                "CALLGEST_PG_OS_USER"
            ) from None
        check = self.as_user(["test", "-x", STATE])
        if subprocess.run(check, check=False, cwd="/").returncode == 0:
            return STATE
        base = fallback_base()
        say(
            f"OS user {self.os_user!r} cannot enter {STATE}: the PostgreSQL data "
            f"directory goes to {base}/pgdata instead"
        )
        return base

    def run_logged(self, cmd: list) -> int:
        with self.log.open("a") as log:
            log.write(f"\n### {time.strftime('%F %T')} {shlex.join(cmd)}\n")
            log.flush()
            return subprocess.run(
                cmd,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd="/",
                check=False,
            ).returncode

    def prepare_dirs(self) -> None:
        for path in (self.datadir, self.sockdir):
            path.mkdir(parents=True, exist_ok=True)
            path.chmod(0o700)
            if self.root_mode:
                entry = pwd.getpwnam(self.os_user)
                os.chown(path, entry.pw_uid, entry.pw_gid)
        if self.root_mode:
            self.base.chmod(self.base.stat().st_mode | 0o755)

    def initdb(self, bindir: Path) -> None:
        say(f"creating the project-local PostgreSQL cluster in {self.datadir} ...")
        cmd = [bindir / "initdb", "-D", self.datadir, "-U", PG_ROLE, "--auth=trust"]
        cmd += ["-E", "UTF8", "--locale=C.UTF-8"]
        if self.run_logged(self.as_user(cmd)):
            raise Failure(f"initdb failed; last lines of {self.log}:\n{tail(self.log)}")
        with (self.datadir / "postgresql.conf").open("a") as conf:
            conf.write(PG_CONF)

    def running_port(self) -> int | None:
        pidfile = self.datadir / "postmaster.pid"
        try:
            lines = pidfile.read_text().splitlines()
            pid, port = int(lines[0]), int(lines[3])
        except (OSError, ValueError, IndexError):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            pass
        return port

    def choose_port(self) -> int:
        explicit = os.environ.get("CALLGEST_PGPORT", "").strip()
        port = int(explicit or PG_DEFAULT_PORT)
        if port_free(port, "127.0.0.1"):
            return port
        if explicit:
            raise Failure(
                f"CALLGEST_PGPORT={port} is already in use by another program"
            )
        other = free_port()
        say(
            f"port {port} is in use by another program: using {other} (CALLGEST_PGPORT)"
        )
        return other

    def start(self, bindir: Path) -> int:
        port = self.choose_port()
        say(
            f"starting the project-local PostgreSQL on 127.0.0.1:{port} "
            f"(data {self.datadir}, log {rel(self.log)})"
        )
        opts = f"-p {port} -k {shlex.quote(str(self.sockdir))}"
        cmd = [bindir / "pg_ctl", "-D", self.datadir, "-o", opts, "-w", "-t", "60"]
        if self.run_logged(self.as_user([*cmd, "start"])):
            raise Failure(
                f"PostgreSQL did not start; last lines of {self.log}:\n{tail(self.log)}"
            )
        return port

    def wait_ready(self, port: int) -> None:
        import psycopg2

        pg = Pg("127.0.0.1", port, PG_ROLE, "", local=True)
        deadline = time.monotonic() + 60
        while True:
            try:
                conn = pg.connect()
            except psycopg2.OperationalError as exc:
                if time.monotonic() > deadline:
                    raise Failure(
                        f"PostgreSQL on 127.0.0.1:{port} does not accept connections "
                        f"({str(exc).strip()}); last lines of {self.log}:\n"
                        f"{tail(self.log)}"
                    ) from None
                time.sleep(0.5)
                continue
            with conn.cursor() as cr:
                cr.execute("SHOW data_directory")
                datadir = Path(cr.fetchone()[0])
            conn.close()
            if datadir.resolve() != self.datadir.resolve():
                raise Failure(
                    f"port {port} is served by another cluster ({datadir}); "
                    "set CALLGEST_PGPORT"
                )
            return

    def ensure_running(self) -> Pg:
        bindir = pg_bindir()
        self.prepare_dirs()
        if not (self.datadir / "PG_VERSION").exists():
            self.initdb(bindir)
        port = self.running_port()
        running = bool(port)
        if port:
            say(f"reusing the running project-local PostgreSQL (127.0.0.1:{port})")
        else:
            port = self.start(bindir)
        self.wait_ready(port)
        return Pg("127.0.0.1", port, PG_ROLE, "", local=True, started=not running)


def stop_cluster() -> int:
    stopped = False
    root_mode = os.geteuid() == 0
    os_user = os.environ.get("CALLGEST_PG_OS_USER") or "postgres"
    for datadir in (STATE / "pgdata", fallback_base() / "pgdata"):
        if not (datadir / "postmaster.pid").exists():
            continue
        bindir = pg_bindir()
        cmd = [str(bindir / "pg_ctl"), "-D", str(datadir), "-m", "fast", "-w", "stop"]
        if root_mode:
            cmd = ["runuser", "-u", os_user, "--", *cmd]
        proc = subprocess.run(cmd, cwd="/", check=False, capture_output=True, text=True)
        if proc.returncode == 0:
            say(f"stopped the project-local PostgreSQL ({datadir})")
            stopped = True
        else:
            say(f"pg_ctl stop failed for {datadir}: {proc.stdout}{proc.stderr}".strip())
            return 1
    if not stopped:
        say("no project-local PostgreSQL is running")
    return 0


def resolve_postgres(conf: configparser.RawConfigParser) -> Pg:
    import psycopg2

    from_conf = {k: v for k in PG_ENV if (v := conf_value(conf, f"db_{k}"))}
    from_env = {k: os.environ[v] for k, v in PG_ENV.items() if os.environ.get(v)}
    if from_conf or from_env:
        where = "odoo.conf db_*" if from_conf else "the PG* environment variables"
        params = {**from_env, **from_conf}
        try:
            conn = psycopg2.connect(dbname="postgres", connect_timeout=3, **params)
        except psycopg2.Error as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else exc
            say(
                f"PostgreSQL from {where} is not reachable ({reason}): using the "
                "project-local cluster instead"
            )
        else:
            info = conn.info
            pg = Pg(info.host, info.port, info.user, params.get("password", ""), False)
            conn.close()
            if pg.user != "postgres":
                say(f"using PostgreSQL {pg.user}@{pg.host}:{pg.port} (from {where})")
                return pg
            say(
                "Odoo refuses the PostgreSQL role 'postgres': using the "
                "project-local cluster instead"
            )
    return LocalCluster().ensure_running()


def db_exists(pg: Pg, db: str) -> bool:
    conn = pg.connect()
    try:
        with conn.cursor() as cr:
            cr.execute("SELECT 1 FROM pg_database WHERE datname = %s", (db,))
            return cr.fetchone() is not None
    finally:
        conn.close()


def module_states(pg: Pg, db: str, names: list[str]) -> dict[str, str]:
    if not db_exists(pg, db):
        return {}
    conn = pg.connect(db)
    try:
        with conn.cursor() as cr:
            cr.execute("SELECT to_regclass('public.ir_module_module')")
            if cr.fetchone()[0] is None:
                return {}
            cr.execute(
                "SELECT name, state FROM ir_module_module WHERE name = ANY(%s)",
                (names,),
            )
            return dict(cr.fetchall())
    finally:
        conn.close()


def drop_db(pg: Pg, db: str) -> None:
    from psycopg2 import errors, sql

    conn = pg.connect()
    try:
        with conn.cursor() as cr:
            query = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
            try:
                cr.execute(query.format(sql.Identifier(db)))
            except errors.SyntaxError:  # PostgreSQL < 13
                cr.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = %s",
                    (db,),
                )
                query = sql.SQL("DROP DATABASE IF EXISTS {}")
                cr.execute(query.format(sql.Identifier(db)))
    finally:
        conn.close()
    shutil.rmtree(DATA_DIR / "filestore" / db, ignore_errors=True)
