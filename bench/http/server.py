"""A small threaded HTTP server on loopback for the latency benchmark: /health answers after a fixed
5 ms of work, so both load tools measure the same, stable service time."""
import http.server
import sys
import time


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Without it, Nagle's algorithm and delayed ACKs add 40 ms to every keep-alive answer.
    disable_nagle_algorithm = True

    def do_GET(self):
        if self.path == "/big":  # 100 MB with a length, for the memory check
            self.send_response(200)
            self.send_header("Content-Length", str(100 * 1048576))
            self.end_headers()
            chunk = b"y" * 1048576
            try:
                for _ in range(100):
                    self.wfile.write(chunk)
            except OSError:
                pass  # the client stopped reading at its cap
            return
        if self.path == "/endless":  # chunked, never ending
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            chunk = b"10000\r\n" + b"x" * 65536 + b"\r\n"
            try:
                while True:
                    self.wfile.write(chunk)
            except OSError:
                pass
            return
        time.sleep(0.005)
        body = b'{"status": "healthy"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # wrk closes its connections mid-request when its time is up


server = QuietServer(("127.0.0.1", int(sys.argv[1])), Handler)
server.daemon_threads = True
server.serve_forever()
