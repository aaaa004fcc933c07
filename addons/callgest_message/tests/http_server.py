"""A real HTTP server on 127.0.0.1 standing in for the SMS and Telegram providers.

It records every request and answers as told: ``ok``, ``error`` (HTTP 500),
``refuse`` (HTTP 400), ``slow`` (sends and answers 200 after
``slow_seconds``, later than the client's timeout), ``hold`` (sends, then
holds its answer until :meth:`release`) or ``drop`` (closes the connection
without answering).

Like a gateway that honours idempotency keys, it sends one SMS per
``Idempotency-Key``: a request repeating a key it has seen is answered at
once with the first one's id and sends nothing (``delivered`` lists what was
sent).
Telegram takes no key: every request to ``/bot…`` is a message sent.

Run by hand (``python http_server.py 8099 slow``) it serves until Ctrl+C and
prints each request, to try Odoo against a gateway that answers late.
"""

import json
import logging
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

_logger = logging.getLogger(__name__)


class RecordingProviderServer:
    def __init__(self, port=0, behaviour="ok", verbose=False):
        self.requests = []
        self.delivered = []
        self.behaviour = behaviour
        self.slow_seconds = 3
        self.verbose = verbose
        self.received = threading.Event()
        self._released = threading.Event()
        self._counter = 0
        self._by_key = {}
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                request = {
                    "method": self.command,
                    "path": self.path,
                    "headers": dict(self.headers),
                    "body": body,
                }
                behaviour = server.behaviour
                if behaviour in ("ok", "slow", "hold"):
                    message_id = server._deliver(request)
                server.requests.append(request)
                if server.verbose:
                    _logger.info("%s %s", behaviour, json.dumps(request))
                server.received.set()
                if behaviour == "drop":
                    self.close_connection = True
                    self.connection.close()
                    return
                if request.get("duplicate"):
                    pass  # a key it knows: the first answer, at once
                elif behaviour == "slow":
                    time.sleep(server.slow_seconds)
                elif behaviour == "hold":
                    server._released.wait(60)
                if behaviour == "error":
                    self._reply(500, {"ok": False, "description": "Internal error"})
                elif behaviour == "refuse":
                    self._reply(400, {"ok": False, "description": "chat not found"})
                else:
                    self._reply(
                        200,
                        {
                            "ok": True,
                            "result": {"message_id": message_id},
                            "id": f"sms-{message_id}",
                        },
                    )

            def _reply(self, status, payload):
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError as error:  # the client gave up (timeout) or died
                    _logger.debug("client gone before the answer: %s", error)

            do_GET = do_POST = _handle

        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def _deliver(self, request):
        """Send the message once per idempotency key; its id."""
        key = request["headers"].get("Idempotency-Key")
        with self._lock:
            if key and key in self._by_key:
                request["duplicate"] = True
                return self._by_key[key]
            self._counter += 1
            if key:
                self._by_key[key] = self._counter
            self.delivered.append(request)
            return self._counter

    def reset(self, behaviour="ok"):
        self.requests.clear()
        self.delivered.clear()
        self._by_key.clear()
        self._counter = 0
        self.received.clear()
        self._released.clear()
        self.behaviour = behaviour

    def release(self):
        """Let held requests answer."""
        self._released.set()

    def wait_received(self, timeout=30):
        if not self.received.wait(timeout):
            raise AssertionError(f"the gateway got no request in {timeout} s")

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.release()
        self.httpd.shutdown()
        self.httpd.server_close()

    def json_bodies(self):
        return [
            json.loads(request["body"]) for request in self.requests if request["body"]
        ]


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8099
    behaviour = sys.argv[2] if len(sys.argv) > 2 else "ok"
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stdout)
    with RecordingProviderServer(port, behaviour, verbose=True) as gateway:
        gateway.slow_seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 15
        _logger.info("gateway on %s, behaviour %s", gateway.url, behaviour)
        try:
            while True:
                time.sleep(1)
        except KeyboardInterrupt:
            _logger.info(
                "%s requests, %s sent", len(gateway.requests), len(gateway.delivered)
            )
