"""Running Odoo and the other tools: command lines, logs, waiting, stopping."""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from .common import CONF_OUT, LOG_DIR, REPO, STATE, VENV_PY, Failure, rel, tail

# Odoo's prefork server starts its websocket (gevent) process again from
# sys.argv[0]: `python -m odoo` has none to run, so Odoo runs from this script.
LAUNCHER = STATE / "odoo-bin"
LAUNCHER_CODE = "from odoo.cli.command import main\n\nmain()\n"


def odoo_cmd(*args) -> list[str]:
    if not LAUNCHER.is_file() or LAUNCHER.read_text() != LAUNCHER_CODE:
        LAUNCHER.write_text(LAUNCHER_CODE)
    return [str(VENV_PY), str(LAUNCHER), "-c", str(CONF_OUT), *map(str, args)]


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
