"""make lint: ruff, pylint-odoo, OCA's checks of manifests, XML and PO files,
prettier (with its XML plugin) and eslint; make format: prettier and ruff format.

The node tools are the ones package-lock.json pins, installed into
node_modules/ by phase 1 (npm ci) when node and npm exist.
"""

from __future__ import annotations

import os
import re
import shutil

from .common import (
    ADDONS_DIR,
    LINT_PATHS,
    PHASE2,
    REPO,
    STATE,
    VENV,
    VENV_PY,
    rel,
    say,
)
from .config import callgest_addons
from .process import run_capture
from .summary import Row

NODE_BIN = REPO / "node_modules" / ".bin"
PRETTIER_SUFFIXES = (".xml", ".js", ".scss")


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
    rows.append(oca_module_checks(addons, env))
    rows.append(oca_po_checks(env))
    rows += node_checks(env)
    return rows


def oca_module_checks(addons: list[str], env: dict) -> Row:
    """oca-checks-odoo-module: manifests, XML data, CSV... of each addon."""
    say(f"stage 3: oca-checks-odoo-module {' '.join(addons)}")
    cmd = [str(VENV / "bin" / "oca-checks-odoo-module"), *addons]
    code, out = run_capture(cmd, env)
    count = len(re.findall(r"^\S+:\d+: [a-z0-9-]+ ", out, re.M))
    tool_error = code not in (0, 1) or (code == 1 and not count)
    return lint_row("3 lint: oca-checks-odoo-module", code, count, tool_error)


def oca_po_checks(env: dict) -> Row:
    """oca-checks-po on every .po/.pot, as OCA's template runs it."""
    files = sorted(rel(p) for p in ADDONS_DIR.glob("*/i18n/*.po*"))
    say(f"stage 3: oca-checks-po {len(files)} files (addons/*/i18n/*.po, *.pot)")
    if not files:
        return lint_row("3 lint: oca-checks-po", 0, 0, False)
    cmd = [str(VENV / "bin" / "oca-checks-po"), "--disable=po-pretty-format", *files]
    code, out = run_capture(cmd, env)
    count = len(re.findall(r"^\S+:\d+: [a-z0-9-]+ ", out, re.M))
    tool_error = code not in (0, 1) or (code == 1 and not count)
    return lint_row("3 lint: oca-checks-po", code, count, tool_error)


def prettier_files() -> list[str]:
    """addons/ XML, JS and SCSS, less the libraries and test samples (as OCA)."""
    found = []
    for path in sorted(ADDONS_DIR.rglob("*")):
        parts = rel(path).split("/")
        if path.suffix not in PRETTIER_SUFFIXES or not path.is_file():
            continue
        if ("static" in parts and "lib" in parts) or "samples" in parts:
            continue
        found.append(rel(path))
    return found


def eslint_files() -> list[str]:
    return [f for f in prettier_files() if f.endswith(".js") and "/static/" in f]


def node_missing() -> str | None:
    """Why the node tools cannot run, or None."""
    if not shutil.which("node"):
        return (
            "node is not installed: prettier and eslint need Node.js 18.18+ and npm "
            "(Debian/Ubuntu: apt install nodejs npm), then `make lint` again"
        )
    if not (NODE_BIN / "prettier").exists() or not (NODE_BIN / "eslint").exists():
        return (
            "node_modules/ lacks prettier or eslint: `npm ci` in the repository "
            "(make lint runs it when npm is installed)"
        )
    return None


def node_checks(env: dict) -> list[Row]:
    names = ("3 lint: prettier (xml, js, scss)", "3 lint: eslint")
    missing = node_missing()
    if missing:
        say(f"stage 3: NOT RUN: {missing}")
        rows = [Row(name, failed=None, errors=None) for name in names]
        for row in rows:
            row.problems.append(f"not run: {missing}")
        return rows
    files = prettier_files()
    say(f"stage 3: prettier --check {len(files)} files (addons/ xml, js, scss)")
    code, out = run_capture([str(NODE_BIN / "prettier"), "--check", *files], env)
    count = len(re.findall(r"^\[warn\] (?!Code style issues)\S", out, re.M))
    rows = [lint_row(names[0], code, count, code not in (0, 1))]
    if count:
        rows[0].notes.append(f"`make format` rewrites the {count} file(s) (prettier)")
    files = eslint_files()
    say(f"stage 3: eslint {len(files)} files (addons/*/static/**/*.js)")
    cmd = [str(NODE_BIN / "eslint"), "--max-warnings", "0", *files]
    code, out = run_capture(cmd, env) if files else (0, "")
    found = re.search(r"(\d+) problems? \((\d+) errors?, (\d+) warnings?\)", out)
    count = int(found.group(1)) if found else int(code == 1)
    rows.append(lint_row(names[1], code, count, code not in (0, 1)))
    return rows


def run_format() -> int:
    """make format: prettier --write (addons/ xml, js, scss), ruff format."""
    env = dict(os.environ, RUFF_CACHE_DIR=str(STATE / "ruff-cache"))
    env.pop(PHASE2, None)
    failed = 0
    missing = node_missing()
    if missing:
        say(f"prettier NOT RUN: {missing}")
        failed = 1
    else:
        files = prettier_files()
        say(f"prettier --write {len(files)} files (addons/ xml, js, scss)")
        cmd = [str(NODE_BIN / "prettier"), "--write", "--log-level", "warn", *files]
        code, _out = run_capture(cmd, env)
        failed |= int(code != 0)
    paths = [name for name in LINT_PATHS if (REPO / name).exists()]
    say(f"ruff format {' '.join(paths)}")
    code, _out = run_capture([str(VENV_PY), "-m", "ruff", "format", *paths], env)
    failed |= int(code != 0)
    return failed
