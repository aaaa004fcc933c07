"""Phase 1: find Odoo 18 (installed, ODOO_SOURCE, or downloaded); stdlib only."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tarfile
import time
import urllib.request
import zipfile
from pathlib import Path

from .common import REMEMBERED_SOURCE, SRC_DIR, Failure, env_flag, rel, say, sha

ODOO_URLS = (
    "https://nightly.odoo.com/18.0/nightly/src/odoo_18.0.latest.tar.gz",
    "https://github.com/odoo/odoo/archive/refs/heads/18.0.tar.gz",
    "https://codeload.github.com/odoo/odoo/tar.gz/refs/heads/18.0",
)
DOWNLOAD_TIMEOUT = 20  # seconds, for connecting and for each read
DOWNLOAD_PATIENCE = 600  # seconds of retrying before giving up on every source
DOWNLOAD_RETRY_DELAYS = (5, 10, 20, 30, 45, *(60,) * 20)
ARCHIVES = (".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".tar", ".zip")
ODOO_CHECK = (
    "import json, os, odoo, odoo.release as r; "
    "print(json.dumps({'version': list(r.version_info[:2]), "
    "'path': list(odoo.__path__)[0]}))"
)


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


def remember_for_user(root: Path) -> None:
    """Keep a source tree outside this clone for the next clones (best effort)."""
    try:
        REMEMBERED_SOURCE.parent.mkdir(parents=True, exist_ok=True)
        REMEMBERED_SOURCE.write_text(f"{root}\n")
    except OSError as error:
        say(f"could not remember the Odoo source in {REMEMBERED_SOURCE}: {error}")


def remembered_source(path: Path) -> Path | None:
    """The Odoo 18 source root written in `path`, if it is still there."""
    if not path.is_file():
        return None
    root = Path(path.read_text().strip())
    if not (root / "odoo" / "release.py").is_file():
        return None
    try:
        check_source_version(root)
    except Failure:
        return None
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


def fetch_url(url: str, part: Path) -> str | None:
    """Download url into part: None when done, else why it failed."""
    say(f"downloading Odoo 18 from {url} (a few hundred MB) ...")
    try:
        with (
            urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT) as resp,
            part.open("wb") as out,
        ):
            shutil.copyfileobj(resp, out, 1 << 20)
        return None
    except (OSError, ValueError, http.client.HTTPException) as exc:
        part.unlink(missing_ok=True)
        return str(exc)


def resolves(host: str) -> str:
    try:
        socket.getaddrinfo(host, 443)
        return "resolves"
    except OSError as exc:
        return f"does not resolve ({exc})"


def download_odoo(urls: list[str], errors: list[str]) -> Path:
    """Try each source in turn, round after round, for DOWNLOAD_PATIENCE seconds.

    A CI runner's network is sometimes not up for its first minutes: giving up
    at the first failure would fail the whole run for nothing.
    """
    SRC_DIR.mkdir(parents=True, exist_ok=True)
    patience = int(os.environ.get("CALLGEST_DOWNLOAD_PATIENCE", DOWNLOAD_PATIENCE))
    deadline = time.monotonic() + patience
    last_error = {}
    for delay in DOWNLOAD_RETRY_DELAYS:
        for url in urls:
            suffix = ".zip" if url.endswith(".zip") else ".tar.gz"
            target = SRC_DIR / f"download{suffix}"
            part = target.with_name(target.name + ".part")
            failure = fetch_url(url, part)
            if failure is None:
                part.rename(target)
                try:
                    return extract(target)
                finally:
                    target.unlink(missing_ok=True)
            last_error[url] = failure
        if time.monotonic() + delay > deadline:
            break
        say(f"no source answered; retrying in {delay} s ...")
        time.sleep(delay)
    errors.extend(
        f"download {url} failed, last: {why}" for url, why in last_error.items()
    )
    errors.append(
        f"tried for {patience} s (CALLGEST_DOWNLOAD_PATIENCE); "
        f"pypi.org {resolves('pypi.org')}, github.com {resolves('github.com')}"
    )
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
        remember_for_user(root)
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
    root = remembered_source(SRC_DIR / "CURRENT")
    if root:
        say(f"using the Odoo source prepared earlier: {root}")
        return root
    root = remembered_source(REMEMBERED_SOURCE)
    if root:
        say(f"using the Odoo source given earlier ({REMEMBERED_SOURCE}): {root}")
        return remember_source(root)
    urls = os.environ.get("CALLGEST_ODOO_URL", "").split() or list(ODOO_URLS)
    return download_odoo(urls, errors)
