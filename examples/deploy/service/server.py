"""The deploy demo's service: /health, /api/items, and Prometheus-style /metrics on loopback.

How a release behaves comes from releases/VERSION.json: delay_ms (the median time to answer
/api/items), jitter_ms (spread around it) and error_rate (the share of /api/items answered 500);
crash: true makes it exit at start.
"""
import json
import os
import random
import sqlite3
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
VERSION = sys.argv[1]
PORT = int(sys.argv[2])
STATE = os.path.join(ROOT, "state")
with open(os.path.join(ROOT, "releases", VERSION + ".json")) as handle:
    BEHAVIOUR = json.load(handle)

if BEHAVIOUR.get("crash"):
    sys.exit("release %s crashes at start" % VERSION)

counts = {"200": 0, "500": 0}
lock = threading.Lock()
log = open(os.path.join(STATE, "service.log"), "a", buffering=1)


class Handler(BaseHTTPRequestHandler):
    def answer(self, status, body, kind="application/json"):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/health":
            self.answer(200, json.dumps({"status": "healthy", "version": VERSION}))
        elif self.path == "/api/items":
            delay = BEHAVIOUR.get("delay_ms", 10) + random.uniform(-1, 1) * BEHAVIOUR.get("jitter_ms", 0)
            time.sleep(max(delay, 0) / 1000)
            if random.random() < BEHAVIOUR.get("error_rate", 0):
                with lock:
                    counts["500"] += 1
                log.write("%s ERROR /api/items failed in %s\n" % (time.strftime("%Y-%m-%dT%H:%M:%S"), VERSION))
                self.answer(500, json.dumps({"error": "internal"}))
                return
            with sqlite3.connect(os.path.join(STATE, "app.db")) as db:
                rows = db.execute("SELECT name FROM items ORDER BY id").fetchall()
            with lock:
                counts["200"] += 1
            self.answer(200, json.dumps({"items": [row[0] for row in rows], "version": VERSION}))
        elif self.path == "/metrics":
            with lock:
                lines = ['http_requests_total{code="%s"} %d' % (code, n) for code, n in counts.items()]
            self.answer(200, "\n".join(lines) + "\n", "text/plain; version=0.0.4")
        else:
            self.answer(404, json.dumps({"error": "not found"}))

    def log_message(self, *args):
        pass


ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
