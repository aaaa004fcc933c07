"""callgest-pbx: the bridge between a PBX (Asterisk, FreeSWITCH) and CallGest.

The PBX box runs this command to talk to Odoo over JSON-RPC (odoorpc):

* ``push FILE``    sends a CDR file (e.g. Asterisk's Master.csv) to the server
  method ``callgest.cdr.batch.push_cdr`` in chunks of complete lines;
* ``follow FILE``  tails a growing CDR file and pushes each burst of new complete
  lines, remembering where it stopped in a small JSON state file;
* ``lookup DDI CALLER`` prints the screen-pop decision for an incoming call.

The file is sent as bytes (base64): the server detects the encoding, since some
PBX lines are Latin-1. Resending rows is harmless: the server is idempotent by
each call's unique key, which is what makes restarts and retries safe.

Exit codes: 0 success, 1 the server refused the request (its message is
printed), 2 a setting is missing or the server cannot be reached or logged in to.
"""

import argparse
import base64
import http.client
import json
import os
import signal
import socket
import sys
import time
import urllib.error
from dataclasses import dataclass
from urllib.parse import urlsplit

try:
    import odoorpc
except ImportError:  # reported as a clear error when a command needs the server
    odoorpc = None

PROGRAM = "callgest-pbx"
ENV_URL = "CALLGEST_URL"
ENV_DB = "CALLGEST_DB"
ENV_USER = "CALLGEST_USER"
ENV_PASSWORD = "CALLGEST_PASSWORD"
DEFAULT_TIMEOUT = 60.0
DEFAULT_CHUNK_LINES = 5000
DEFAULT_INTERVAL = 1.0
DEFAULT_SETTLE = 2.0
STATE_SUFFIX = ".callgest-pbx.state"
# Longest first line read as the header: a file without newlines is not a CDR.
HEADER_MAX_BYTES = 65536
FILE_KINDS = ("cdr", "queue_log")  # what push_cdr's file_kind accepts
COUNT_KEYS = ("rows_in", "calls_created", "calls_updated", "duplicates", "quarantined")
BATCH_MODEL = "callgest.cdr.batch"
PROTOCOL_MODEL = "callgest.protocol"
DDI_MODEL = "callgest.ddi"


class BridgeError(Exception):
    """An error reported as one line on stderr, with the exit code to return."""

    exit_code = 1


class ConfigError(BridgeError):
    """A missing or wrong setting, or a server that cannot be reached."""

    exit_code = 2


class ConnectionLost(ConfigError):
    """The server stopped answering after the login (follow retries these)."""


class ServerError(BridgeError):
    """The server refused a request; the message is its user-facing text."""

    exit_code = 1


# --- Settings and connection -------------------------------------------------


@dataclass
class Settings:
    """Where and as whom to connect."""

    url: str
    db: str
    user: str
    password: str
    timeout: float = DEFAULT_TIMEOUT


def resolve_settings(args, environ=None):
    """Settings from the options, else the CALLGEST_* environment variables.

    Raises ConfigError naming every missing setting, option and variable.
    """
    environ = os.environ if environ is None else environ
    wanted = (
        ("url", "--url", ENV_URL),
        ("db", "--db", ENV_DB),
        ("user", "--user", ENV_USER),
        ("password", "--password", ENV_PASSWORD),
    )
    values, missing = {}, []
    for name, option, variable in wanted:
        value = getattr(args, name, None) or environ.get(variable, "")
        if not value:
            missing.append(f"{option} or {variable}")
        values[name] = value
    if missing:
        raise ConfigError("missing setting: " + ", ".join(missing))
    timeout = getattr(args, "timeout", None) or DEFAULT_TIMEOUT
    return Settings(timeout=timeout, **values)


def parse_url(url):
    """(host, port, odoorpc protocol) of an http:// or https:// server URL."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"invalid server URL {url!r}: expected http://HOST[:PORT] "
            "or https://HOST[:PORT]"
        )
    if parts.path not in ("", "/") or parts.query:
        raise ConfigError(
            f"invalid server URL {url!r}: give only the scheme, host and port"
        )
    https = parts.scheme == "https"
    try:
        port = parts.port or (443 if https else 80)
    except ValueError as error:
        raise ConfigError(f"invalid server URL {url!r}: {error}") from error
    return parts.hostname, port, "jsonrpc+ssl" if https else "jsonrpc"


def describe_network_error(error):
    """A short human text for an exception raised while talking over HTTP."""
    if isinstance(error, urllib.error.HTTPError):
        return f"HTTP {error.code} {error.reason} (is this an Odoo server?)"
    if isinstance(error, urllib.error.URLError):
        error = error.reason
    if isinstance(error, (TimeoutError, socket.timeout)):
        return "no answer in time (see --timeout)"
    if isinstance(error, ConnectionRefusedError):
        return "connection refused (is Odoo running on that host and port?)"
    if isinstance(error, socket.gaierror):
        return f"unknown host ({error.strerror})"
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error) or type(error).__name__


# What a broken connection raises (URLError and timeouts are OSErrors), and what
# a non-Odoo answer does (ValueError covers invalid JSON).
NETWORK_ERRORS = (OSError, http.client.HTTPException)


def connect(settings):
    """An odoorpc.ODOO logged in with the settings, or ConfigError."""
    if odoorpc is None:
        raise ConfigError("the Python package odoorpc is missing: pip install odoorpc")
    host, port, protocol = parse_url(settings.url)
    try:
        client = odoorpc.ODOO(
            host, protocol=protocol, port=port, timeout=settings.timeout
        )
    except (*NETWORK_ERRORS, ValueError, odoorpc.error.Error) as error:
        raise ConfigError(
            f"cannot connect to {settings.url}: {describe_network_error(error)}"
        ) from error
    try:
        client.login(settings.db, settings.user, settings.password)
    except odoorpc.error.Error as error:
        raise ConfigError(
            f"cannot log in to database {settings.db!r} at {settings.url} "
            f"as {settings.user!r}: {error}"
        ) from error
    except (*NETWORK_ERRORS, ValueError) as error:
        raise ConfigError(
            f"cannot log in at {settings.url}: {describe_network_error(error)}"
        ) from error
    return client


def server_message(error, model, method):
    """The user-facing text of an odoorpc.error.RPCError raised by the server."""
    message = str(error) or "unknown server error"
    info = error.info if isinstance(error.info, dict) else {}
    name = (info.get("data") or {}).get("name", "")
    if name.endswith("KeyError") and model in message:
        return (
            f"the model {model} does not exist on the server "
            "(is its CallGest addon installed and up to date?)"
        )
    if name.endswith("AttributeError") and method in message:
        return f"{message} (is the CallGest addon of {model} up to date?)"
    return message


def call_server(client, model, method, *args):
    """Call ``model.method(*args)`` with the user's context, as the UI would."""
    try:
        return client.execute_kw(
            model, method, list(args), {"context": dict(client.env.context)}
        )
    except odoorpc.error.RPCError as error:
        raise ServerError(server_message(error, model, method)) from error
    except (*NETWORK_ERRORS, ValueError) as error:
        raise ConnectionLost(
            f"lost the connection to the server: {describe_network_error(error)}"
        ) from error


def model_exists(client, model):
    """Whether the server has the model (True when ir.model may not be read)."""
    try:
        return bool(
            call_server(client, "ir.model", "search_count", [("model", "=", model)])
        )
    except ServerError:
        return True  # let the call itself tell what is wrong


# --- Reading CDR files -------------------------------------------------------


def count_lines(data):
    """Number of lines in data, a last line without a newline included."""
    if not data:
        return 0
    return data.count(b"\n") + (0 if data.endswith(b"\n") else 1)


def iter_chunks(
    source,
    start_offset=0,
    start_line=1,
    chunk_lines=DEFAULT_CHUNK_LINES,
    *,
    include_partial=False,
):
    """Yield ``(first_line, data, end_offset)`` for the lines from start_offset.

    source is a path or a file opened in binary mode. Each chunk holds at most
    chunk_lines whole lines, bytes untouched; first_line is the 1-based line
    number of its first line (start_offset is where line start_line begins);
    end_offset is the byte offset just past the chunk. A last line without a
    newline is still being written, so it is left out unless include_partial
    (a file that no longer grows).
    """
    if chunk_lines < 1:
        raise ValueError("chunk_lines must be at least 1")
    if isinstance(source, (str, bytes, os.PathLike)):
        with open(source, "rb") as handle:
            yield from iter_chunks(
                handle,
                start_offset,
                start_line,
                chunk_lines,
                include_partial=include_partial,
            )
        return
    source.seek(start_offset)
    offset, first_line, lines = start_offset, start_line, []
    while True:
        line = source.readline()
        if not line or (not line.endswith(b"\n") and not include_partial):
            break
        lines.append(line)
        if len(lines) == chunk_lines:
            data = b"".join(lines)
            offset += len(data)
            yield first_line, data, offset
            first_line += len(lines)
            lines = []
    if lines:
        data = b"".join(lines)
        yield first_line, data, offset + len(data)


def read_header_line(source):
    """The text of line 1 (UTF-8, undecodable bytes replaced, no BOM/newline).

    source is a path or a file opened in binary mode (its position moves).
    """
    if isinstance(source, (str, bytes, os.PathLike)):
        with open(source, "rb") as handle:
            return read_header_line(handle)
    source.seek(0)
    line = source.readline(HEADER_MAX_BYTES)
    return line.rstrip(b"\r\n").decode("utf-8-sig", errors="replace")


def push_lines(
    handle, push_chunk, start_offset, start_line, chunk_lines, include_partial
):
    """Push the lines of handle from start_offset, chunk by chunk.

    push_chunk(first_line, data, header_line) sends one chunk; header_line is
    the file's line 1 for chunks that do not start there (a header that names
    a custom column order), else None. Yields ``(end_offset, next_line)``
    after each chunk the server accepted.
    """
    header = read_header_line(handle)
    chunks = iter_chunks(
        handle,
        start_offset,
        start_line,
        chunk_lines,
        include_partial=include_partial,
    )
    for first_line, data, end_offset in chunks:
        push_chunk(first_line, data, header if first_line > 1 else None)
        yield end_offset, first_line + count_lines(data)


# --- Talking to push_cdr -----------------------------------------------------


def format_counts(counts):
    """'84 rows -> 36 calls created, 0 updated, 0 duplicates, 0 quarantined'."""
    return (
        f"{counts['rows_in']} rows -> {counts['calls_created']} calls created, "
        f"{counts['calls_updated']} updated, {counts['duplicates']} duplicates, "
        f"{counts['quarantined']} quarantined"
    )


class CdrPusher:
    """Sends chunks of one file to push_cdr, prints and adds up the answers."""

    def __init__(self, client, pbx_code, file_name, file_kind="cdr", out=None):
        self.client = client
        self.pbx_code = pbx_code
        self.file_name = file_name
        self.file_kind = file_kind
        self.out = out or sys.stdout
        self.totals = dict.fromkeys(COUNT_KEYS, 0)

    def push_chunk(self, first_line, data, header_line):
        """Push one chunk, print its line and add its counts to the totals."""
        content = base64.b64encode(data).decode("ascii")
        args = [self.pbx_code, self.file_name, content, first_line, header_line]
        if self.file_kind != "cdr":  # the server's default
            args.append(self.file_kind)
        result = call_server(self.client, BATCH_MODEL, "push_cdr", *args)
        if not isinstance(result, dict):
            raise ServerError(f"unexpected answer from push_cdr: {result!r}")
        counts = {key: int(result.get(key) or 0) for key in COUNT_KEYS}
        for key, value in counts.items():
            self.totals[key] += value
        last_line = first_line + count_lines(data) - 1
        print(
            f"{self.file_name} lines {first_line}-{last_line}: "
            f"{format_counts(counts)} "
            f"(batch {result.get('batch_id')}, {result.get('state')})",
            file=self.out,
            flush=True,
        )
        return result

    def print_total(self):
        """The total line: 'Master.csv: 84 rows -> ...'."""
        print(f"{self.file_name}: {format_counts(self.totals)}", file=self.out)


def push_file(path, push_chunk, chunk_lines=DEFAULT_CHUNK_LINES):
    """Push a whole file (its last line too, even without a newline)."""
    with open(path, "rb") as handle:
        for _progress in push_lines(handle, push_chunk, 0, 1, chunk_lines, True):
            pass


# --- Following a growing file ------------------------------------------------


@dataclass
class FollowState:
    """Where follow stopped: the file's identity, byte offset and next line."""

    device: int | None = None
    inode: int | None = None
    offset: int = 0
    line: int = 1

    def identity(self):
        return (self.device, self.inode)


def default_state_path(path):
    """FILE + '.callgest-pbx.state'."""
    return os.fspath(path) + STATE_SUFFIX


def load_state(state_path, warn=None):
    """The saved FollowState, or a fresh one when missing or unreadable.

    An unreadable state only costs a resend from the start, which the server
    ignores, so it is a warning and not an error.
    """
    try:
        with open(state_path, encoding="utf-8") as handle:
            saved = json.load(handle)
        state = FollowState(
            device=int(saved["device"]),
            inode=int(saved["inode"]),
            offset=int(saved["offset"]),
            line=int(saved["line"]),
        )
        if state.offset < 0 or state.line < 1:
            raise ValueError("negative offset or line")
        return state
    except FileNotFoundError:
        return FollowState()
    except (OSError, ValueError, KeyError, TypeError) as error:
        if warn:
            warn(f"ignoring the state file {state_path} ({error}): starting over")
        return FollowState()


def save_state(state_path, state, file_path=None):
    """Write the state atomically (a crash never leaves half a file)."""
    saved = {
        "file": os.fspath(file_path) if file_path else None,
        "device": state.device,
        "inode": state.inode,
        "offset": state.offset,
        "line": state.line,
    }
    temporary = f"{state_path}.tmp"
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump(saved, handle)
        handle.write("\n")
    os.replace(temporary, state_path)


def reconcile_state(state, stat_result):
    """(state, reason): the state to read the file described by stat_result.

    reason is "rotated" (another file now has the name), "truncated" (smaller
    than the offset reached) or None; both restart at the beginning.
    """
    identity = (stat_result.st_dev, stat_result.st_ino)
    if state.inode is None:
        return FollowState(*identity), None
    if state.identity() != identity:
        return FollowState(*identity), "rotated"
    if stat_result.st_size < state.offset:
        return FollowState(*identity), "truncated"
    return state, None


class Follower:
    """Tails one CDR file, pushing settled bursts of complete lines.

    push_chunk(first_line, data, header_line) sends a chunk (CdrPusher's
    method, or a fake in tests); clock and sleep are replaceable for tests.
    """

    def __init__(
        self,
        path,
        push_chunk,
        state_path=None,
        chunk_lines=DEFAULT_CHUNK_LINES,
        settle=DEFAULT_SETTLE,
        warn=None,
        clock=time.monotonic,
    ):
        self.path = os.fspath(path)
        self.push_chunk = push_chunk
        self.state_path = state_path or default_state_path(path)
        self.chunk_lines = chunk_lines
        self.settle = settle
        self.warn = warn or (lambda message: print(message, file=sys.stderr))
        self.clock = clock
        self.state = load_state(self.state_path, self.warn)
        self.handle = None  # open on the file self.state describes
        self.last_size = None
        self.last_growth = clock()
        self.missing_reported = False

    def close(self):
        """Close the followed file."""
        if self.handle:
            self.handle.close()
            self.handle = None

    def poll(self, wait_to_settle=True):
        """Push what is ready; returns whether something was pushed."""
        try:
            stat_result = os.stat(self.path)
        except FileNotFoundError:
            if not self.missing_reported:
                self.warn(f"{self.path} does not exist (yet): waiting for it")
                self.missing_reported = True
            return False
        self.missing_reported = False
        pushed = False
        if self.handle and self._handle_identity() != (
            stat_result.st_dev,
            stat_result.st_ino,
        ):
            # Rotated: what the PBX wrote to the old file since the last poll
            # is only reachable through the handle still open on it.
            pushed = self._push_from_handle(include_partial=True)
            self.close()
        self.state, reason = reconcile_state(self.state, stat_result)
        if reason:
            self.warn(f"{self.path} was {reason}: reading it from the beginning")
            self.close()
            self._save()
        if stat_result.st_size != self.last_size:
            self.last_size = stat_result.st_size
            self.last_growth = self.clock()
        settled = not wait_to_settle or (self.clock() - self.last_growth >= self.settle)
        if stat_result.st_size > self.state.offset and settled:
            if self.handle is None and not self._open(stat_result):
                return pushed
            pushed = self._push_from_handle(include_partial=False) or pushed
        return pushed

    def _handle_identity(self):
        stat_result = os.fstat(self.handle.fileno())
        return (stat_result.st_dev, stat_result.st_ino)

    def _open(self, stat_result):
        """Open the file, unless it was rotated again since it was stat'ed."""
        try:
            self.handle = open(self.path, "rb")  # stays open across polls
        except OSError as error:
            raise ConfigError(f"cannot read {self.path}: {error.strerror}") from error
        if self._handle_identity() != (stat_result.st_dev, stat_result.st_ino):
            self.close()
            return False
        return True

    def _push_from_handle(self, include_partial):
        pushed = False
        progress = push_lines(
            self.handle,
            self.push_chunk,
            self.state.offset,
            self.state.line,
            self.chunk_lines,
            include_partial,
        )
        for end_offset, next_line in progress:
            self.state.offset, self.state.line = end_offset, next_line
            self._save()
            pushed = True
        return pushed

    def _save(self):
        try:
            save_state(self.state_path, self.state, self.path)
        except OSError as error:
            raise ConfigError(
                f"cannot write the state file {self.state_path}: {error.strerror}"
            ) from error


# --- Commands ----------------------------------------------------------------


def warn(message):
    """A note on stderr."""
    print(f"{PROGRAM}: {message}", file=sys.stderr, flush=True)


def check_readable(path):
    """ConfigError unless path is a readable file."""
    if not os.path.isfile(path):
        raise ConfigError(f"no such file: {path}")
    if not os.access(path, os.R_OK):
        raise ConfigError(f"cannot read {path}: permission denied")


def command_push(args):
    """push FILE --pbx CODE: send the whole file."""
    check_readable(args.file)
    client = connect(resolve_settings(args))
    pusher = CdrPusher(client, args.pbx, os.path.basename(args.file), args.kind)
    push_file(args.file, pusher.push_chunk, args.chunk_lines)
    pusher.print_total()
    return 0


def raise_keyboard_interrupt(signum, frame):
    """SIGTERM handler: stop like Ctrl-C (systemd stops services with SIGTERM)."""
    raise KeyboardInterrupt


def command_follow(args):
    """follow FILE --pbx CODE: push new complete lines as the file grows."""
    if args.once:
        check_readable(args.file)
    client = connect(resolve_settings(args))
    pusher = CdrPusher(client, args.pbx, os.path.basename(args.file), args.kind)
    follower = Follower(
        args.file,
        pusher.push_chunk,
        state_path=args.state_file,
        chunk_lines=args.chunk_lines,
        settle=args.settle,
        warn=warn,
    )
    signal.signal(signal.SIGTERM, raise_keyboard_interrupt)
    try:
        if args.once:
            follower.poll(wait_to_settle=False)
            pusher.print_total()
            return 0
        follow_forever(follower, args.interval)
    except KeyboardInterrupt:
        return 0  # the state file already holds every chunk the server took
    finally:
        follower.close()
    return 0


def follow_forever(follower, interval):
    """Poll until interrupted; wait and retry while the server is unreachable."""
    unreachable = False
    while True:
        try:
            follower.poll()
            if unreachable:
                warn("the server answers again")
                unreachable = False
        except ConnectionLost as error:
            if not unreachable:
                warn(f"{error}; retrying every {interval:g} s")
                unreachable = True
        time.sleep(interval)


def command_lookup(args):
    """lookup DDI CALLER: print the screen-pop decision as JSON."""
    client = connect(resolve_settings(args))
    if model_exists(client, PROTOCOL_MODEL):
        decision = call_server(
            client,
            PROTOCOL_MODEL,
            "lookup",
            args.ddi,
            args.caller or None,
            args.when,
            args.agent,
        )
    else:
        warn(
            "the protocols addon (callgest_protocols) is not installed: "
            "showing only the client of the DDI"
        )
        decision = call_server(client, DDI_MODEL, "resolve_number", args.ddi)
    print(json.dumps(decision, indent=2, ensure_ascii=False))
    return 0


# --- Command line ------------------------------------------------------------

DESCRIPTION = """\
Bridge between the PBX (Asterisk, FreeSWITCH) and CallGest (Odoo): push call
records (CDR) to the server and ask it who a call is for.
"""

EPILOG = f"""\
environment variables (the option of the same name wins):
  --url       {ENV_URL:<18} http://HOST:PORT or https://HOST[:PORT]
  --db        {ENV_DB:<18} database name
  --user      {ENV_USER:<18} login of the PBX's Odoo user
  --password  {ENV_PASSWORD:<18} its password (prefer the variable: options
                                 are visible to other users in `ps`)

examples:
  export {ENV_URL}=https://callgest.example.com {ENV_DB}=callgest
  export {ENV_USER}=pbx {ENV_PASSWORD}=...
  {PROGRAM} push /var/log/asterisk/cdr-csv/Master.csv --pbx main
  {PROGRAM} follow /var/log/asterisk/cdr-csv/Master.csv --pbx main
  {PROGRAM} lookup 0034933906701 "+34 600 100 200" --agent secretaria

exit codes: 0 done, 1 the server refused (its message is printed),
2 bad usage, missing setting, server unreachable or login refused.
Run `{PROGRAM} COMMAND --help` for each command's options.
"""

PUSH_EPILOG = f"""\
Sends FILE as bytes (the server detects the encoding) in chunks of whole
lines, and prints one line per chunk and a total:
  Master.csv: 84 rows -> 36 calls created, 0 updated, 0 duplicates, 0 quarantined
Pushing the same rows again is harmless: the server recognises each call.

example:
  {PROGRAM} push Master.csv --pbx main --chunk-lines 1000
"""

FOLLOW_EPILOG = f"""\
Tails FILE like `tail -F`: pushes the new complete lines (never a line still
being written) once no line arrived for --settle seconds, since a call's legs
are written as separate rows. The byte offset, line number and file identity
are saved in the state file after every chunk, so a restart resumes there. A
rotated (new inode) or truncated file is read again from its beginning.
Ctrl-C or SIGTERM stops it with exit code 0. While the server is unreachable
it retries every --interval seconds; a server error stops it (exit code 1).

examples:
  {PROGRAM} follow /var/log/asterisk/cdr-csv/Master.csv --pbx main
  {PROGRAM} follow Master.csv --pbx main --once   # e.g. from cron

A systemd service (Restart=on-failure) is a good way to run it.
"""

LOOKUP_EPILOG = f"""\
Prints the server's screen-pop decision as JSON: callgest.protocol.lookup
(client, open or closed, greeting, caller category, transfer targets...), or,
when the protocols addon is not installed, callgest.ddi.resolve_number.
With --agent, the call console of that user pops up with the call (the Odoo
user of the bridge needs the PBX or supervisor group for that).

examples:
  {PROGRAM} lookup 0034933906701 "+34 600 100 200"
  {PROGRAM} lookup 0034933906701 "" --agent secretaria     # caller withheld
  {PROGRAM} lookup 933906701 600100200 --when 2026-11-24T22:30:00
"""


def positive_int(text):
    """argparse type: an integer >= 1."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def positive_float(text):
    """argparse type: a number > 0."""
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be more than 0")
    return value


def non_negative_float(text):
    """argparse type: a number >= 0."""
    value = float(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must not be negative")
    return value


def connection_options():
    """Options accepted before and after the command (SUPPRESS: no default)."""
    parent = argparse.ArgumentParser(add_help=False)
    group = parent.add_argument_group("connection")
    keep = argparse.SUPPRESS
    group.add_argument("--url", default=keep, help=f"server URL [${ENV_URL}]")
    group.add_argument("--db", default=keep, help=f"database [${ENV_DB}]")
    group.add_argument("--user", default=keep, help=f"login [${ENV_USER}]")
    group.add_argument("--password", default=keep, help=f"password [${ENV_PASSWORD}]")
    group.add_argument(
        "--timeout",
        type=positive_float,
        default=keep,
        metavar="SECONDS",
        help=f"seconds to wait for each answer (default {DEFAULT_TIMEOUT:g})",
    )
    return parent


def add_file_options(parser):
    """FILE, --pbx, --kind and --chunk-lines, shared by push and follow."""
    parser.add_argument("file", metavar="FILE", help="the CDR file (Master.csv)")
    parser.add_argument(
        "--pbx",
        required=True,
        metavar="CODE",
        help="code of the PBX in CallGest (callgest.pbx), e.g. main",
    )
    parser.add_argument(
        "--chunk-lines",
        type=positive_int,
        default=DEFAULT_CHUNK_LINES,
        metavar="N",
        help=f"lines per server call (default {DEFAULT_CHUNK_LINES})",
    )
    parser.add_argument(
        "--kind",
        choices=FILE_KINDS,
        default="cdr",
        help="cdr: call records (Master.csv, FreeSWITCH CSV); queue_log: "
        "Asterisk's queue_log (default cdr)",
    )


def build_parser():
    """The argparse parser of callgest-pbx."""
    connection = connection_options()
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(
        prog=PROGRAM,
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=formatter,
        parents=[connection],
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    push = commands.add_parser(
        "push",
        help="send a CDR file to CallGest",
        description="Send a CDR file to CallGest (callgest.cdr.batch.push_cdr).",
        epilog=PUSH_EPILOG,
        formatter_class=formatter,
        parents=[connection],
    )
    add_file_options(push)
    push.set_defaults(handler=command_push)

    follow = commands.add_parser(
        "follow",
        help="tail a growing CDR file and push its new lines",
        description="Tail a growing CDR file and push its new complete lines.",
        epilog=FOLLOW_EPILOG,
        formatter_class=formatter,
        parents=[connection],
    )
    add_file_options(follow)
    follow.add_argument(
        "--interval",
        type=non_negative_float,
        default=DEFAULT_INTERVAL,
        metavar="SECONDS",
        help=f"seconds between two looks at the file (default {DEFAULT_INTERVAL:g})",
    )
    follow.add_argument(
        "--settle",
        type=non_negative_float,
        default=DEFAULT_SETTLE,
        metavar="SECONDS",
        help=f"push once no line arrived for this long (default {DEFAULT_SETTLE:g})",
    )
    follow.add_argument(
        "--state-file",
        metavar="PATH",
        help=f"where to remember the position (default FILE{STATE_SUFFIX})",
    )
    follow.add_argument(
        "--once",
        action="store_true",
        help="push the complete lines there are now (without waiting for "
        "--settle) and exit",
    )
    follow.set_defaults(handler=command_follow)

    lookup = commands.add_parser(
        "lookup",
        help="print the screen-pop decision for an incoming call",
        description="Print the screen-pop decision for an incoming call.",
        epilog=LOOKUP_EPILOG,
        formatter_class=formatter,
        parents=[connection],
    )
    lookup.add_argument("ddi", metavar="DDI", help="the dialed number")
    lookup.add_argument(
        "caller",
        metavar="CALLER",
        nargs="?",
        default="",
        help="the caller's number (empty or left out when withheld)",
    )
    lookup.add_argument(
        "--agent", metavar="LOGIN", help="pop up the call console of this user"
    )
    lookup.add_argument(
        "--when",
        metavar="ISO_DATETIME",
        help="decide as at this time (client's local time unless an offset "
        "is given; default now)",
    )
    lookup.set_defaults(handler=command_lookup)
    return parser


def main(argv=None):
    """Run callgest-pbx; returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except BridgeError as error:
        print(f"{PROGRAM}: error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print(f"{PROGRAM}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
