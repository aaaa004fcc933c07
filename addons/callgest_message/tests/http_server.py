"""A real HTTP server on 127.0.0.1 standing in for the SMS and Telegram providers.

It records every request and answers as told: ``ok``, ``error`` (HTTP 500),
``refuse`` (HTTP 400), ``slow`` (answers after the client's timeout) or
``drop`` (closes the connection without answering).
"""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class RecordingProviderServer:
    def __init__(self):
        self.requests = []
        self.behaviour = "ok"
        self.slow_seconds = 3
        self._counter = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                server.requests.append(
                    {
                        "method": self.command,
                        "path": self.path,
                        "headers": dict(self.headers),
                        "body": body,
                    }
                )
                behaviour = server.behaviour
                if behaviour == "drop":
                    self.close_connection = True
                    self.connection.close()
                    return
                if behaviour == "slow":
                    time.sleep(server.slow_seconds)
                server._counter += 1
                if behaviour == "error":
                    self._reply(500, {"ok": False, "description": "Internal error"})
                elif behaviour == "refuse":
                    self._reply(400, {"ok": False, "description": "chat not found"})
                else:
                    self._reply(
                        200,
                        {
                            "ok": True,
                            "result": {"message_id": server._counter},
                            "id": f"sms-{server._counter}",
                        },
                    )

            def _reply(self, status, payload):
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _handle

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()

    def json_bodies(self):
        return [
            json.loads(request["body"]) for request in self.requests if request["body"]
        ]
