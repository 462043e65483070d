"""The deploy watch, measured through the release binary on loopback.

1. CPU: `shipcheck deploy` whose watch samples an HTTP probe (5 requests) every second for
   BENCH_WATCH seconds (default 30): the process's CPU time (user + system, from /proc, so Linux)
   between the watch's start and its end, over that wall time, as a share of one core; beside a
   Python loop that makes the same requests at the same interval in the same invocation (the peer).
   Target: under 1% of a core.
2. Reaction: the service starts answering 500 at a random moment during the watch; the time from
   its first 500 to the rollback's first command starting. Target: within one interval (1 s).
Usage: bench.py SHIPCHECK_BINARY"""
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

binary = sys.argv[1]
WATCH = int(os.environ.get("BENCH_WATCH", "30"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))

SERVER = r'''
import http.server, os, sys, time
state = sys.argv[2]
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        failing = os.path.exists(os.path.join(state, "fail"))
        if failing and not os.path.exists(os.path.join(state, "first-500")):
            with open(os.path.join(state, "first-500"), "w") as out:
                out.write(repr(time.time()))
        self.send_response(500 if failing else 200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")
    def log_message(self, *args):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
'''

CONFIG = '''version: 1
environments: {{ bench: {{}} }}
watch: {{ for: {watch}s, interval: 1s, baseline: 3, tolerate: 4 }}
triggers:
  - {{ title: Error rate > 5%, priority: P1, when: "health.error_rate > 5%" }}
phases:
  deploy:
    items:
      - {{ id: ship, title: Ship, action: true, run: "true", rollback: "python3 -c 'import time; open(\\"rolled-back\\", \\"w\\").write(repr(time.time()))' && rm -f fail" }}
  post-deploy:
    items:
      - {{ id: done, title: Done, run: "true" }}
  watch:
    items:
      - {{ id: health, title: Health, http: {{ url: "http://127.0.0.1:{port}/health", samples: 5 }}, expect: requests >= 1 }}
'''


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def setup(directory, watch):
    port = free_port()
    with open(os.path.join(directory, "shipcheck.yml"), "w") as out:
        out.write(CONFIG.format(watch=watch, port=port))
    with open(os.path.join(directory, "server.py"), "w") as out:
        out.write(SERVER)
    subprocess.run("git init -q && git add -A && git -c user.email=b@example.com -c user.name=b commit -qm bench",
                   shell=True, cwd=directory, check=True)
    server = subprocess.Popen([sys.executable, "server.py", str(port), directory], cwd=directory)
    for _ in range(100):
        try:
            urllib.request.urlopen("http://127.0.0.1:%d/health" % port, timeout=1).read()
            break
        except OSError:
            time.sleep(0.05)
    return port, server


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def deploy(directory):
    """Runs the deploy; the CPU and wall time between the watch's start and the post-deploy step."""
    process = subprocess.Popen([binary, "deploy", "--env", "bench", "--version", "v1"], cwd=directory,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "SHIPCHECK_ACTOR": "bench@example.com"})
    marks = {}
    lines = []
    for line in process.stderr:
        lines.append(line)
        for step in ("▸ watch", "▸ post-deploy", "▸ rollback"):
            if line.startswith(step) and step not in marks:
                marks[step] = (cpu_seconds(process.pid), time.perf_counter())
    stdout = process.stdout.read()
    process.wait()
    process.stdout_text = stdout + "".join(lines)
    end = marks.get("▸ post-deploy") or marks.get("▸ rollback")
    if "▸ watch" not in marks or end is None:
        return process, 0.0, 0.0
    (cpu0, t0), (cpu1, t1) = marks["▸ watch"], end
    return process, t1 - t0, cpu1 - cpu0


def peer(port, seconds):
    """The same requests at the same interval from a plain Python loop, CPU of this thread only."""
    start_cpu = time.thread_time()
    start = time.perf_counter()
    for tick in range(1, seconds + 1):
        for _ in range(5):
            urllib.request.urlopen("http://127.0.0.1:%d/health" % port, timeout=2).read()
        time.sleep(max(0, start + tick - time.perf_counter()))
    return time.thread_time() - start_cpu, time.perf_counter() - start


print(f"watch: {WATCH}s at 1s, an HTTP probe of 5 requests per sample, {ROUNDS} rounds")
shares, peers, reactions = [], [], []
for round_ in range(ROUNDS):
    with tempfile.TemporaryDirectory() as directory:
        port, server = setup(directory, WATCH)
        try:
            result, wall, cpu = deploy(directory)
            if result.returncode != 0:
                sys.exit("the healthy deploy failed:\n" + result.stdout_text)
            shares.append(cpu / wall)
            peer_cpu, peer_wall = peer(port, min(WATCH, 10))
            peers.append(peer_cpu / peer_wall)
        finally:
            server.kill()
    with tempfile.TemporaryDirectory() as directory:
        port, server = setup(directory, 20)
        delay = random.uniform(6, 9)
        threading.Timer(delay, lambda d=directory: open(os.path.join(d, "fail"), "w").close()).start()
        try:
            result, wall, cpu = deploy(directory)
            if result.returncode != 1 or not os.path.exists(os.path.join(directory, "rolled-back")):
                sys.exit("the failing deploy was not rolled back:\n" + result.stdout_text)
            first = float(open(os.path.join(directory, "first-500")).read())
            rolled = float(open(os.path.join(directory, "rolled-back")).read())
            reactions.append(rolled - first)
        finally:
            server.kill()


def median(values):
    values = sorted(values)
    return values[len(values) // 2]


share, peer_share = median(shares), median(peers)
print(f"shipcheck deploy, during watch: {share * 100:.2f}% of a core (median; rounds: "
      + ", ".join(f"{s * 100:.2f}%" for s in shares) + ")")
print(f"python loop, same requests:      {peer_share * 100:.2f}% of a core (ratio {share / peer_share:.2f}x)")
print(f"target under 1% of a core: {'met' if share < 0.01 else 'NOT met'}")
print(f"first 500 → rollback started: median {median(reactions):.3f}s, worst {max(reactions):.3f}s "
      f"(rounds: {', '.join(f'{r:.3f}s' for r in reactions)}); target within one interval (1s): "
      + ("met" if max(reactions) <= 1.0 else "NOT met"))
