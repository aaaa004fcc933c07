#!/usr/bin/env python3
"""CallGest developer tooling, driven by the Makefile.

    python3 tools/dev.py run    # prepare everything, serve the web UI  (make run)
    python3 tools/dev.py test   # Odoo tests + tests/ suite + lint       (make test)
    python3 tools/dev.py lint   # ruff + pylint-odoo only                (make lint)
    python3 tools/dev.py stop   # stop the project-local PostgreSQL      (make stop)

Phase 1 runs in the python3 that started it (standard library only): it finds
Odoo 18, creates the virtualenv .callgest/venv and installs requirements.txt.
Phase 2 is this same script re-executed by the venv's python (which has
psycopg2, since Odoo needs it): PostgreSQL, configuration, databases, tests.
All local state lives in .callgest/ (git-ignored).
"""

from __future__ import annotations

import ast
import configparser
import hashlib
import http.client
import importlib.util
import json
import os
import platform
import pwd
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
STATE = REPO / ".callgest"
VENV = STATE / "venv"
VENV_PY = VENV / "bin" / "python"
LOG_DIR = STATE / "log"
SRC_DIR = STATE / "odoo-src"
DATA_DIR = STATE / "data"
CONF_IN = REPO / "odoo.conf"
CONF_OUT = STATE / "odoo.conf"
ADDONS_DIR = REPO / "addons"
REQUIREMENTS = REPO / "requirements.txt"
LINT_PATHS = ("addons", "tests", "tools", "callgest_pbx.py", "callgest-pbx")

ODOO_URLS = (
    "https://nightly.odoo.com/18.0/nightly/src/odoo_18.0.latest.tar.gz",
    "https://github.com/odoo/odoo/archive/refs/heads/18.0.tar.gz",
)
DOWNLOAD_TIMEOUT = 10  # seconds, for connecting and for each read
ARCHIVES = (".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".tar", ".zip")
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
DEMO_LOGINS = (
    ("admin", "admin", "administrator"),
    ("secretaria", "secretaria", "group Secretary"),
    ("supervisor", "supervisor", "group Supervisor"),
)
ODOO_CHECK = (
    "import json, os, odoo, odoo.release as r; "
    "print(json.dumps({'version': list(r.version_info[:2]), "
    "'path': list(odoo.__path__)[0]}))"
)
PHASE2 = "_CALLGEST_IN_VENV"


class Failure(Exception):
    """A problem to report to the user with a clear message, no traceback."""


def say(msg: str) -> None:
    print(f"[callgest] {msg}", flush=True)


def sha(*parts) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part if isinstance(part, bytes) else str(part).encode())
        digest.update(b"\0")
    return digest.hexdigest()


def rel(path: Path) -> str:
    try:
        return str(Path(path).relative_to(REPO))
    except ValueError:
        return str(path)


def tail(path: Path, lines: int = 25) -> str:
    try:
        text = Path(path).read_text(errors="replace").splitlines()
    except OSError:
        return "(no log)"
    return "\n".join("    " + line for line in text[-lines:])


def env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def port_free(port: int, host: str = "0.0.0.0") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --------------------------------------------------------------------------
# Phase 1: find Odoo 18, prepare the virtualenv (standard library only)
# --------------------------------------------------------------------------


def check_odoo(python) -> dict | None:
    """Ask `python` which Odoo it imports: {'version': [18, 0], 'path': ...}."""
    try:
        proc = subprocess.run(
            [str(python), "-c", ODOO_CHECK],
            capture_output=True,
            text=True,
            timeout=300,
            cwd="/",
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if proc.returncode:
        return None
    try:
        return json.loads(proc.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return None


def is_odoo18(found: dict | None) -> bool:
    return bool(found) and str(found["version"][0]).endswith("18")


def find_source_root(directory: Path) -> Path | None:
    """The directory holding odoo/release.py: `directory` or a child of it."""
    if (directory / "odoo" / "release.py").is_file():
        return directory
    for child in sorted(directory.iterdir()):
        if child.is_dir() and (child / "odoo" / "release.py").is_file():
            return child
    return None


def check_source_version(root: Path) -> None:
    text = (root / "odoo" / "release.py").read_text(errors="replace")
    match = re.search(r"^version_info\s*=\s*\(\s*['\"]?(?:saas~)?(\d+)", text, re.M)
    if not match or match.group(1) != "18":
        found = match.group(1) if match else "unknown"
        raise Failure(f"{root} holds Odoo {found}, not Odoo 18")


def remember_source(root: Path) -> Path:
    SRC_DIR.mkdir(parents=True, exist_ok=True)
    (SRC_DIR / "CURRENT").write_text(f"{root}\n")
    return root


def extract(archive: Path) -> Path:
    """Extract an Odoo archive under .callgest/odoo-src/ (once) -> source root."""
    stat = archive.stat()
    dest = SRC_DIR / f"src-{sha(archive, stat.st_size, int(stat.st_mtime))[:12]}"
    if not (dest / ".complete").exists():
        say(f"extracting {archive} into {rel(dest)} ...")
        tmp = dest.with_name(dest.name + ".part")
        for path in (dest, tmp):
            shutil.rmtree(path, ignore_errors=True)
        tmp.mkdir(parents=True)
        try:
            if archive.name.endswith(".zip"):
                with zipfile.ZipFile(archive) as zfile:
                    zfile.extractall(tmp)
            else:
                with tarfile.open(archive) as tfile:
                    tfile.extractall(tmp, filter="data")
        except (OSError, tarfile.TarError, zipfile.BadZipFile) as exc:
            raise Failure(f"cannot extract {archive}: {exc}") from exc
        tmp.rename(dest)
        (dest / ".complete").touch()
    root = find_source_root(dest)
    if root is None:
        raise Failure(f"{archive} contains no odoo/release.py: not an Odoo source")
    check_source_version(root)
    for old in SRC_DIR.glob("src-*"):
        if old != dest:
            shutil.rmtree(old, ignore_errors=True)
    return remember_source(root)


def no_odoo_message(errors: list[str]) -> str:
    lines = "\n".join(f"    - {err}" for err in errors)
    return (
        "Odoo 18 is not available:\n"
        f"{lines}\n"
        "Point ODOO_SOURCE at an Odoo 18 source tree (the directory that contains "
        "odoo/release.py, e.g. a clone of the 18.0 branch of "
        "https://github.com/odoo/odoo) or at an archive of one (.tar.gz or .zip), "
        "for example:\n"
        "    ODOO_SOURCE=$HOME/src/odoo-18.0 make run\n"
        "or install Odoo 18 so that python3 can import it."
    )


def download_odoo(urls: list[str], errors: list[str]) -> Path:
    SRC_DIR.mkdir(parents=True, exist_ok=True)
    for url in urls:
        suffix = ".zip" if url.endswith(".zip") else ".tar.gz"
        target = SRC_DIR / f"download{suffix}"
        part = target.with_name(target.name + ".part")
        say(f"downloading Odoo 18 from {url} (a few hundred MB) ...")
        try:
            with (
                urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT) as resp,
                part.open("wb") as out,
            ):
                shutil.copyfileobj(resp, out, 1 << 20)
        except (OSError, ValueError, http.client.HTTPException) as exc:
            errors.append(f"download {url} failed: {exc}")
            part.unlink(missing_ok=True)
            continue
        part.rename(target)
        try:
            return extract(target)
        finally:
            target.unlink(missing_ok=True)
    raise Failure(no_odoo_message(errors))


def source_from_env(source: str, errors: list[str]) -> Path:
    if re.match(r"https?://", source):
        return download_odoo([source], errors)
    path = Path(source).expanduser().resolve()
    if path.is_dir():
        root = find_source_root(path)
        if root is None:
            raise Failure(f"ODOO_SOURCE={source}: no odoo/release.py in there")
        check_source_version(root)
        return remember_source(root)
    if path.is_file() and path.name.endswith(ARCHIVES):
        return extract(path)
    raise Failure(
        f"ODOO_SOURCE={source} is neither an Odoo source directory (containing "
        "odoo/release.py) nor a .tar.gz/.zip archive of one"
    )


def locate_odoo() -> Path | None:
    """None: use the Odoo 18 python3 imports; else the Odoo source root to use."""
    errors = []
    if env_flag("CALLGEST_IGNORE_SYSTEM_ODOO"):
        errors.append("CALLGEST_IGNORE_SYSTEM_ODOO is set: not using an installed Odoo")
    else:
        found = check_odoo(sys.executable)
        if is_odoo18(found):
            say(f"Odoo {found['version'][0]} importable by python3: {found['path']}")
            return None
        errors.append(
            f"{sys.executable} imports Odoo {found['version'][0]}, not 18"
            if found
            else f"{sys.executable} cannot import odoo"
        )
    source = os.environ.get("ODOO_SOURCE", "").strip()
    if source:
        return source_from_env(source, errors)
    errors.append("ODOO_SOURCE is not set")
    current = SRC_DIR / "CURRENT"
    if current.exists():
        root = Path(current.read_text().strip())
        if (root / "odoo" / "release.py").is_file():
            say(f"using the Odoo source prepared earlier: {root}")
            return root
    urls = os.environ.get("CALLGEST_ODOO_URL", "").split() or list(ODOO_URLS)
    return download_odoo(urls, errors)


def venv_ok() -> bool:
    cfg = VENV / "pyvenv.cfg"
    if not (VENV_PY.exists() and cfg.exists()):
        return False
    text = cfg.read_text()
    version = re.escape(platform.python_version())
    if not re.search(r"^include-system-site-packages\s*=\s*true", text, re.M | re.I):
        return False
    if not re.search(rf"^version(_info)?\s*=\s*{version}\s*$", text, re.M):
        return False
    return subprocess.run([str(VENV_PY), "-c", ""], check=False).returncode == 0


def pip_install(requirements: Path, stamp_name: str, what: str) -> None:
    """pip install -r, skipped while the stamp (file hash + python) matches."""
    stamp = VENV / stamp_name
    wanted = sha(requirements.read_bytes(), sys.version, sys.executable)
    if stamp.exists() and stamp.read_text().strip() == wanted:
        return
    say(f"installing {what} into {rel(VENV)} ...")
    cmd = [str(VENV_PY), "-m", "pip", "install", "--disable-pip-version-check"]
    proc = subprocess.run([*cmd, "--quiet", "-r", str(requirements)], check=False)
    if proc.returncode:
        raise Failure(
            f"pip could not install {requirements} (exit {proc.returncode}); "
            "packages that compile need e.g. `apt install build-essential "
            "python3-dev libpq-dev libldap2-dev libsasl2-dev`"
        )
    stamp.write_text(wanted + "\n")


def ensure_venv() -> None:
    if not venv_ok():
        say(f"creating the virtualenv {rel(VENV)} (--system-site-packages) ...")
        shutil.rmtree(VENV, ignore_errors=True)
        cmd = [sys.executable, "-m", "venv", "--system-site-packages", str(VENV)]
        if subprocess.run(cmd, check=False).returncode:
            raise Failure("could not create the virtualenv (apt install python3-venv?)")
    pip_install(REQUIREMENTS, ".callgest-requirements.stamp", "requirements.txt")


def attach_odoo(root: Path | None) -> None:
    """Make the Odoo source `root` importable in the venv (None: the system's)."""
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    pth = VENV / "lib" / version / "site-packages" / "callgest-odoo.pth"
    if root is None:
        pth.unlink(missing_ok=True)
        return
    if not pth.exists() or pth.read_text().strip() != str(root):
        pth.write_text(f"{root}\n")
    requirements = root / "requirements.txt"
    if requirements.exists():
        fixed = STATE / "odoo-requirements.txt"
        # cbor2 5.4.2 does not build on Python 3.11; 5.6.2 does
        text = requirements.read_text().replace("cbor2==5.4.2", "cbor2==5.6.2")
        if not fixed.exists() or fixed.read_text() != text:
            fixed.write_text(text)
        pip_install(fixed, ".callgest-odoo-requirements.stamp", "Odoo's requirements")
    found = check_odoo(VENV_PY)
    if not is_odoo18(found):
        raise Failure(
            f"the venv python cannot import Odoo 18 from {root}; "
            f"try: {VENV_PY} -c 'import odoo'"
        )
    if Path(found["path"]).resolve() != (root / "odoo").resolve():
        say(f"warning: the venv imports odoo from {found['path']}, not from {root}")


def phase1(command: str, argv: list[str]) -> int:
    STATE.mkdir(exist_ok=True)
    root = locate_odoo() if command in ("run", "test") else None
    ensure_venv()
    if command in ("run", "test"):
        attach_odoo(root)
    env = dict(os.environ, **{PHASE2: "1"})
    script = str(Path(__file__).resolve())
    os.execve(str(VENV_PY), [str(VENV_PY), script, *argv], env)
    return 0  # not reached


# --------------------------------------------------------------------------
# PostgreSQL: a configured server, or the project-local cluster
# --------------------------------------------------------------------------


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


def conf_value(conf: configparser.RawConfigParser, key: str) -> str:
    value = conf.get("options", key, fallback="").strip()
    return "" if value.lower() in ("false", "none") else value


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


# --------------------------------------------------------------------------
# Odoo configuration, addons, databases
# --------------------------------------------------------------------------


def read_conf() -> configparser.RawConfigParser:
    conf = configparser.RawConfigParser()
    if CONF_IN.exists():
        conf.read(CONF_IN)
    if not conf.has_section("options"):
        conf.add_section("options")
    return conf


def has_manifests(directory: Path) -> bool:
    return directory.is_dir() and any(directory.glob("*/__manifest__.py"))


def addons_path(conf: configparser.RawConfigParser) -> list[str]:
    """Odoo's addons (+ the source tree's addons/) + extra entries + ./addons."""
    spec = importlib.util.find_spec("odoo")
    if spec is None or not spec.submodule_search_locations:
        raise Failure("odoo is not importable by the venv python")
    package = Path(list(spec.submodule_search_locations)[0]).resolve()
    paths = [package / "addons"]
    if has_manifests(package.parent / "addons"):
        paths.append(package.parent / "addons")
    for extra in conf_value(conf, "addons_path").split(","):
        if extra.strip():
            path = (REPO / extra.strip()).resolve()
            if path.is_dir() and path not in paths and path != ADDONS_DIR:
                paths.append(path)
            elif not path.is_dir():
                say(f"warning: odoo.conf addons_path entry {extra.strip()} not found")
    paths.append(ADDONS_DIR)
    return [str(path) for path in paths]


def http_port() -> int:
    return int(os.environ.get("CALLGEST_HTTP_PORT", "").strip() or 8069)


def write_conf(conf: configparser.RawConfigParser, pg: Pg) -> None:
    options = conf["options"]
    options["addons_path"] = ",".join(addons_path(conf))
    options["db_host"] = pg.host or "False"
    options["db_port"] = str(pg.port or "False")
    options["db_user"] = pg.user or "False"
    options["db_password"] = pg.password or "False"
    options["data_dir"] = str(DATA_DIR)
    options["without_demo"] = "False"
    options["http_port"] = str(http_port())
    options.pop("logfile", None)
    tmp = CONF_OUT.with_name(CONF_OUT.name + ".tmp")
    with tmp.open("w") as out:
        out.write(
            "; Generated by tools/dev.py from odoo.conf: edit that file instead.\n"
        )
        conf.write(out)
    tmp.replace(CONF_OUT)


def callgest_addons() -> list[str]:
    names = []
    if not ADDONS_DIR.is_dir():
        return names
    for path in sorted(ADDONS_DIR.iterdir()):
        manifest = path / "__manifest__.py"
        if not (path.name.startswith("callgest_") and manifest.is_file()):
            continue
        try:
            installable = ast.literal_eval(manifest.read_text()).get(
                "installable", True
            )
        except (ValueError, SyntaxError, AttributeError):
            installable = True  # let Odoo report a broken manifest
        if installable:
            names.append(path.name)
        else:
            say(f"skipping {path.name}: installable is False in its manifest")
    return names


def addon_hash(name: str) -> str:
    digest = hashlib.sha256()
    base = ADDONS_DIR / name
    for path in sorted(base.rglob("*")):
        if path.is_dir() or "__pycache__" in path.parts or path.suffix == ".pyc":
            continue
        digest.update(f"{path.relative_to(base)}\0".encode())
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def hash_file(pg: Pg, db: str) -> Path:
    key = re.sub(r"[^\w.-]", "_", f"{pg.host}-{pg.port}-{db}")
    return STATE / "state" / f"addons-{key}.json"


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


def odoo_cmd(*args) -> list[str]:
    return [str(VENV_PY), "-m", "odoo", "-c", str(CONF_OUT), *map(str, args)]


def stream(cmd: list[str], env: dict, log_path: Path, on_line=None) -> int:
    """Run cmd, copying its output to the terminal and to log_path."""
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    with (
        log_path.open("w") as log,
        subprocess.Popen(
            cmd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            cwd=REPO,
            text=True,
            errors="replace",
            bufsize=1,
        ) as proc,
    ):
        try:
            for line in proc.stdout:
                sys.stdout.write(line)
                log.write(line)
                if on_line:
                    on_line(line)
        except KeyboardInterrupt:
            proc.terminate()
            proc.wait()
            raise
    return proc.returncode


@dataclass
class Context:
    pg: Pg
    env: dict
    addons: list[str]


def prepare() -> Context:
    """PostgreSQL, the effective .callgest/odoo.conf, the list of our addons."""
    conf = read_conf()
    pg = resolve_postgres(conf)
    write_conf(conf, pg)
    env = dict(os.environ, TZ="UTC", PYTHONUNBUFFERED="1")
    env.pop(PHASE2, None)
    if pg.local:  # the PG* variables are for another server
        for name in [name for name in env if name.startswith("PG")]:
            del env[name]
    addons = callgest_addons()
    if not addons:
        raise Failure(f"no callgest_* addon (with a __manifest__.py) in {ADDONS_DIR}")
    return Context(pg, env, addons)


def ensure_db(ctx: Context, db: str) -> None:
    """Create db with our addons (and demo data), install/upgrade as needed."""
    states = module_states(ctx.pg, db, ctx.addons)
    missing = [name for name in ctx.addons if states.get(name) != "installed"]
    hashes = {name: addon_hash(name) for name in ctx.addons}
    state_file = hash_file(ctx.pg, db)
    stored = json.loads(state_file.read_text()) if state_file.exists() else {}
    changed = [n for n in ctx.addons if n not in missing and stored.get(n) != hashes[n]]
    if not missing and not changed:
        say(f"database {db} is up to date ({', '.join(ctx.addons)} installed)")
        return
    args = ["-d", db, "--db-filter", f"^{db}$", "--stop-after-init"]
    if missing:
        what = "creating database" if not states else "installing into"
        say(f"{what} {db}: {', '.join(missing)} with demo data (takes a few minutes)")
        args += ["-i", ",".join(missing)]
    if changed:
        say(
            f"addon code changed since the last install/upgrade: -u {','.join(changed)}"
        )
        args += ["-u", ",".join(changed)]
    log_path = LOG_DIR / "odoo-install.log"
    code = stream(odoo_cmd(*args), ctx.env, log_path)
    states = module_states(ctx.pg, db, ctx.addons)
    broken = [name for name in ctx.addons if states.get(name) != "installed"]
    if code or broken:
        raise Failure(
            f"installing/upgrading the addons in {db} failed (odoo exit code {code}"
            f"{'; not installed: ' + ', '.join(broken) if broken else ''}); "
            f"see {rel(log_path)}"
        )
    state_file.parent.mkdir(parents=True, exist_ok=True)
    state_file.write_text(json.dumps(hashes, indent=1) + "\n")


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
    print(" Ctrl-C stops Odoo; `make stop` stops the project-local PostgreSQL.")
    print(f"{bar}\n", flush=True)
    args = odoo_cmd("-d", db, "--db-filter", f"^{db}$", "--http-port", port)
    os.execve(args[0], args, ctx.env)
    return 0  # not reached


# --------------------------------------------------------------------------
# make test: the three stages and the summary
# --------------------------------------------------------------------------


@dataclass
class Row:
    name: str
    run: int | None = None
    passed: int | None = None
    failed: int | None = 0
    errors: int | None = 0
    skipped: int | None = None
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


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


class OdooTestLog:
    """Reads Odoo's test log: the closing summary, skips, stray ERROR lines."""

    def __init__(self) -> None:
        self.summary: tuple[int, int, int] | None = None
        self.skips: list[str] = []
        self.reported_failures = 0
        self.stray_errors: list[str] = []
        self._pending: list[str] = []  # ERROR lines of the running test

    def feed(self, line: str) -> None:
        match = LOG_LINE.match(line.rstrip())  # Odoo ends lines with a space
        if not match:
            return
        level, msg = match["level"], match["msg"]
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
    row.notes += [f"skip: {line}" for line in parser.skips]
    row.notes += [f"log error: {line[:300]}" for line in parser.stray_errors]
    return row


def wait_http(url: str, proc: subprocess.Popen, log_path: Path, timeout: int = 180):
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise Failure(
                f"the Odoo server exited ({proc.returncode}) before answering {url}; "
                f"last lines of {rel(log_path)}:\n{tail(log_path)}"
            )
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                if resp.status == 200:
                    return
        except (OSError, http.client.HTTPException):
            pass
        if time.monotonic() > deadline:
            raise Failure(f"the Odoo server did not answer {url} within {timeout}s")
        time.sleep(1)


def stop_process(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    except ProcessLookupError:
        pass


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
    args = ["-d", db, "--db-filter", f"^{db}$", "--http-port", port]
    args += ["--http-interface", "127.0.0.1", "--max-cron-threads", "0"]
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            odoo_cmd(*args),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=ctx.env,
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


def run_capture(cmd: list[str], env: dict) -> tuple[int, str]:
    proc = subprocess.run(
        cmd,
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
        check=False,
    )
    if proc.stdout.strip():
        print(proc.stdout.rstrip(), flush=True)
    return proc.returncode, proc.stdout


def lint_row(name: str, code: int, problems: int, tool_error: bool) -> Row:
    row = Row(name, failed=problems, errors=int(tool_error))
    if problems:
        row.problems.append(f"{problems} problem(s)")
    if tool_error:
        row.problems.append(f"tool error (exit code {code})")
    return row


def stage_lint() -> list[Row]:
    env = dict(os.environ, RUFF_CACHE_DIR=str(STATE / "ruff-cache"))
    env.pop(PHASE2, None)
    paths = [name for name in LINT_PATHS if (REPO / name).exists()]
    ruff = [str(VENV_PY), "-m", "ruff"]
    say(f"stage 3: ruff check {' '.join(paths)}")
    code, out = run_capture([*ruff, "check", "--no-fix", *paths], env)
    found = re.search(r"Found (\d+) error", out)
    count = int(found.group(1)) if found else int(code == 1)
    rows = [lint_row("3 lint: ruff check", code, count, code not in (0, 1))]
    say(f"stage 3: ruff format --check {' '.join(paths)}")
    code, out = run_capture([*ruff, "format", "--check", *paths], env)
    found = re.search(r"(\d+) files? would be reformatted", out)
    count = int(found.group(1)) if found else int(code == 1)
    rows.append(lint_row("3 lint: ruff format", code, count, code not in (0, 1)))
    addons = [f"addons/{name}" for name in callgest_addons()]
    if not addons:
        row = Row("3 lint: pylint-odoo", failed=None, errors=None)
        row.problems.append("no callgest_* addon to lint")
        return [*rows, row]
    say(f"stage 3: pylint (pylint-odoo) {' '.join(addons)}")
    cmd = [str(VENV_PY), "-m", "pylint", "--rcfile", str(REPO / ".pylintrc")]
    code, out = run_capture([*cmd, "--output-format=text", *addons], env)
    count = len(re.findall(r"^\S.*:\d+: \[[A-Z]\d+\(", out, re.M))
    rows.append(lint_row("3 lint: pylint-odoo", code, count, bool(code & (1 | 32))))
    return rows


def show(value) -> str:
    return "-" if value is None else str(value)


def summarize(rows: list[Row], header: str, totals: bool) -> int:
    bar = "=" * 86
    print(f"\n{bar}\n{header}\n{bar}")
    columns = ("run", "passed", "failed", "errors", "skipped")
    print(f"{'stage':<40}" + "".join(f"{c:>8}" for c in columns) + "  status")
    for row in rows:
        values = (row.run, row.passed, row.failed, row.errors, row.skipped)
        status = "FAIL" if row.problems else "PASS"
        print(f"{row.name:<40}" + "".join(f"{show(v):>8}" for v in values), status)
    notes = [f"  {row.name.split()[0]}: {note}" for row in rows for note in row.notes]
    if notes:
        print("notes:\n" + "\n".join(notes[:30]))
    print(bar)
    reasons = [f"{row.name}: {', '.join(row.problems)}" for row in rows if row.problems]
    if totals:
        tests = [row for row in rows if row.run is not None]
        passed = sum(row.passed or 0 for row in tests)
        failed = sum((row.failed or 0) + (row.errors or 0) for row in tests)
        skipped = sum(row.skipped or 0 for row in tests)
        print(f"total: {passed} passed, {failed} failed, {skipped} skipped")
    print("RESULT: PASS" if not reasons else f"RESULT: FAIL ({'; '.join(reasons)})")
    return 1 if reasons else 0


def guarded(name: str, func, *args) -> list[Row]:
    """Run a stage; a crash becomes a failed row so the summary stays complete."""
    try:
        result = func(*args)
    except Failure as exc:
        return [Row(name, problems=[str(exc)])]
    except Exception as exc:  # noqa: BLE001 - any crash must show in the summary
        return [Row(name, problems=[f"crashed: {exc!r}"])]
    return result if isinstance(result, list) else [result]


def cmd_test() -> int:
    ctx = prepare()
    db = f"callgest_test_{time.strftime('%Y%m%d_%H%M%S')}_{os.getpid()}"
    keep = env_flag("KEEP_DB")
    rows: list[Row] = []
    try:
        rows += guarded("1 Odoo tests", stage_odoo_tests, ctx, db)
        states = module_states(ctx.pg, db, ctx.addons)
        broken = [name for name in ctx.addons if states.get(name) != "installed"]
        if broken:
            rows.append(Row("2 pytest tests/ (live server)", failed=None, errors=None))
            rows[-1].problems.append(f"not run: not installed: {', '.join(broken)}")
        else:
            rows += guarded("2 pytest tests/", stage_pytest, ctx, db)
        rows += guarded("3 lint", stage_lint)
    finally:
        if keep:
            say(f"KEEP_DB=1: keeping database {db}")
        else:
            drop_db(ctx.pg, db)
        if ctx.pg.started and env_flag("CI"):  # leave no server behind in CI
            stop_cluster()
    fate = "kept" if keep else "dropped"
    header = f"CallGest test summary (database {db}, {fate}; logs in {rel(LOG_DIR)}/)"
    return summarize(rows, header, totals=True)


def cmd_lint() -> int:
    rows = guarded("3 lint", stage_lint)
    return summarize(rows, "CallGest lint summary", totals=False)


def phase2(command: str) -> int:
    if command == "run":
        return cmd_run()
    if command == "test":
        return cmd_test()
    return cmd_lint()


def main(argv: list[str]) -> int:
    sys.stdout.reconfigure(line_buffering=True)
    commands = ("run", "test", "lint", "stop")
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
