"""Phase 1: the virtualenv .callgest/venv and its packages; stdlib only."""

from __future__ import annotations

import platform
import re
import shutil
import subprocess
import sys
from pathlib import Path

from .common import REPO, REQUIREMENTS, STATE, VENV, VENV_PY, Failure, rel, say, sha
from .odoo_source import check_odoo, is_odoo18


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


def pip_install(requirements: Path, stamp_name: str, what: str, *options: str) -> None:
    """pip install -r, skipped while the stamp (file hash + python) matches."""
    stamp = VENV / stamp_name
    wanted = sha(requirements.read_bytes(), sys.version, sys.executable)
    if stamp.exists() and stamp.read_text().strip() == wanted:
        return
    say(f"installing {what} into {rel(VENV)} ...")
    cmd = [str(VENV_PY), "-m", "pip", "install", "--disable-pip-version-check"]
    cmd += [*options, "--quiet", "-r", str(requirements)]
    proc = subprocess.run(cmd, check=False)
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
    # OCA addons from PyPI require odoo==18.0.*, which pip cannot see (Odoo is a
    # source tree on a .pth line, or installed otherwise): installed without
    # their dependencies, which requirements.txt lists instead
    oca = "requirements-oca.txt"
    pip_install(REPO / oca, ".callgest-oca-requirements.stamp", oca, "--no-deps")


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


def ensure_node_modules() -> None:
    """npm ci: the node lint tools of package-lock.json into node_modules/,
    again when the lock file or node changes. Without npm, make lint says so."""
    lock = REPO / "package-lock.json"
    npm = shutil.which("npm")
    if not lock.exists() or not npm or not shutil.which("node"):
        return
    node_version = subprocess.run(
        ["node", "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    stamp = REPO / "node_modules" / ".callgest-npm.stamp"
    wanted = sha(lock.read_bytes(), node_version)
    if stamp.exists() and stamp.read_text().strip() == wanted:
        return
    say("installing the node lint tools (package-lock.json) into node_modules ...")
    cmd = [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"]
    if subprocess.run(cmd, cwd=REPO, check=False).returncode:
        say("warning: npm ci failed: make lint cannot run prettier and eslint")
        return
    stamp.write_text(wanted + "\n")
