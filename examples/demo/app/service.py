"""A tiny HTTP service on the standard library.

GET /health            -> {"status": "healthy"}
GET /mean?values=1,2,3 -> {"mean": 2.0}

Run it with `python3 -m app.service --port 8000` from examples/demo. With --port 0 the
system picks a free port; the first line written to stdout says which one.
"""

import argparse
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from app import calc

VERSION = "1.1.0"


class Handler(BaseHTTPRequestHandler):
    server_version = "demo/" + VERSION

    def do_GET(self):
        url = urlparse(self.path)
        if url.path == "/health":
            self.reply(200, {"status": "healthy", "version": VERSION})
        elif url.path == "/mean":
            raw = parse_qs(url.query).get("values", [""])[0]
            try:
                values = [float(v) for v in raw.split(",") if v.strip()]
                self.reply(200, {"mean": calc.mean(values)})
            except ValueError as error:
                self.reply(400, {"error": str(error)})
        else:
            self.reply(404, {"error": "not found", "path": url.path})

    def reply(self, status, body):
        data = json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format, *args):
        # TODO: structured access logs; silent for now so test output stays readable.
        pass


def make_server(host="127.0.0.1", port=0):
    """Binds the service (port 0: any free port) without serving yet."""
    return ThreadingHTTPServer((host, port), Handler)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Demo HTTP service")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    server = make_server(args.host, args.port)
    host, port = server.server_address[:2]
    sys.stdout.write("listening on http://%s:%d\n" % (host, port))
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
