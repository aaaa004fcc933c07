"""Paths, constants and small helpers shared by every module (standard library
only: phase 1 imports them in the system python3)."""

from __future__ import annotations

import hashlib
import os
import socket
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent
DEV_SCRIPT = REPO / "tools" / "dev.py"
STATE = REPO / ".callgest"
VENV = STATE / "venv"
VENV_PY = VENV / "bin" / "python"
LOG_DIR = STATE / "log"
SRC_DIR = STATE / "odoo-src"
# Remembered across clones (a CI clone, a second checkout): the last Odoo source
# tree given by ODOO_SOURCE, so that it is neither given again nor downloaded.
USER_CACHE = (
    Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "callgest"
)
REMEMBERED_SOURCE = USER_CACHE / "odoo-source"
DATA_DIR = STATE / "data"
CONF_IN = REPO / "odoo.conf"
CONF_OUT = STATE / "odoo.conf"
ADDONS_DIR = REPO / "addons"
REQUIREMENTS = REPO / "requirements.txt"
LINT_PATHS = ("addons", "tests", "tools", "callgest_pbx.py", "callgest-pbx")
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
