"""Tiny JSON-over-HTTP plumbing shared by the lab stand-ins (stdlib only)."""
import json
import os
import sys
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Stats:
    """Thread-safe call counters, served at GET /stats, cleared by POST /stats/reset."""

    def __init__(self):
        self._lock = threading.Lock()
        self._calls = Counter()
        self._streamed = 0

    def count(self, kind, streamed=False):
        with self._lock:
            self._calls[kind] += 1
            self._streamed += bool(streamed)

    def snapshot(self):
        with self._lock:
            return {"calls": dict(self._calls), "total": sum(self._calls.values()),
                    "streamed": self._streamed}

    def reset(self):
        with self._lock:
            self._calls.clear()
            self._streamed = 0


class Handler(BaseHTTPRequestHandler):
    """Subclasses fill `routes`: {("GET", "/path"): method_name}."""

    routes = {}
    stats = None
    protocol_version = "HTTP/1.1"  # keep-alive, as the OpenAI client expects

    def log_message(self, fmt, *args):  # quiet unless asked
        if os.environ.get("STANDIN_VERBOSE"):
            sys.stderr.write("%s %s\n" % (self.address_string(), fmt % args))

    def send_json(self, code, obj):
        body = json.dumps(obj, ensure_ascii=False).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def read_json(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b"{}"
        return json.loads(raw or b"{}")

    def _dispatch(self, method):
        path = self.path.split("?", 1)[0].rstrip("/") or "/"
        if method == "GET" and path == "/stats" and self.stats:
            return self.send_json(200, self.stats.snapshot())
        if method == "POST" and path == "/stats/reset" and self.stats:
            self.stats.reset()
            return self.send_json(200, {"status": "reset"})
        name = self.routes.get((method, path))
        if not name:
            return self.send_json(404, {"error": {"message": f"no route {method} {path}"}})
        try:
            body = self.read_json() if method == "POST" else None
        except ValueError as exc:
            return self.send_json(400, {"error": {"message": f"bad JSON: {exc}"}})
        if method == "POST" and not isinstance(body, dict):
            return self.send_json(400, {"error": {"message": "the body must be a JSON object"}})
        try:
            getattr(self, name)(body)
        except Exception as exc:  # answer instead of dropping the connection
            self.send_json(500, {"error": {"message": f"stand-in bug: {exc!r}"}})

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")


def serve(handler_cls, default_port):
    port = int(os.environ.get("PORT", default_port))
    handler_cls.stats = handler_cls.stats or Stats()
    server = ThreadingHTTPServer(("0.0.0.0", port), handler_cls)
    server.daemon_threads = True
    print(f"{handler_cls.__name__} listening on 0.0.0.0:{port}", flush=True)
    server.serve_forever()
