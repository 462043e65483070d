"""Latency accuracy: shipcheck's http sampler and wrk measure the same loopback endpoint at the same
load (same connections, back to back) in one invocation; prints both p95s and their ratio.
Usage: bench.py SHIPCHECK_BINARY"""
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time

binary = sys.argv[1]
connections = int(os.environ.get("BENCH_HTTP_CONNECTIONS", "4"))
requests = int(os.environ.get("BENCH_HTTP_REQUESTS", "4000"))
here = os.path.dirname(os.path.abspath(__file__))

with socket.socket() as probe:
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
server = subprocess.Popen([sys.executable, os.path.join(here, "server.py"), str(port)])
try:
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    url = f"http://127.0.0.1:{port}/health"

    with tempfile.TemporaryDirectory() as directory:
        with open(os.path.join(directory, "shipcheck.yml"), "w") as handle:
            handle.write("version: 1\nphases:\n  pre-deploy:\n    items:\n")
            handle.write(f"      - {{ id: load, title: Load, http: {{ url: \"{url}\", samples: {requests}, concurrency: {connections} }} }}\n")
        start = time.perf_counter()
        subprocess.run([binary, "run", "--format", "json", "--output-dir", directory], cwd=directory,
                       capture_output=True, env={**os.environ, "NO_COLOR": "1"})
        ours_elapsed = time.perf_counter() - start
        facts = json.load(open(os.path.join(directory, "shipcheck.json")))["items"][0]["facts"]
    ours_p95 = facts["latency.p95"]["duration"] * 1000
    ours_p50 = facts["latency.p50"]["duration"] * 1000
    ours_rate = facts["throughput"]

    # wrk for the same wall time and connections; its exact p50/p95 come from a Lua `done` hook.
    duration = max(3, int(round(ours_elapsed)))
    script = os.path.join(here, "percentiles.lua")
    out = subprocess.run(["wrk", "-t", str(min(connections, 2)), "-c", str(connections), "-d", f"{duration}s", "-s", script, url],
                         capture_output=True, text=True).stdout
    wrk_p50 = float(re.search(r"^p50_us (\d+)", out, re.M).group(1)) / 1000
    wrk_p95 = float(re.search(r"^p95_us (\d+)", out, re.M).group(1)) / 1000
    wrk_rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
finally:
    server.terminate()
    server.wait()

print(f"latency accuracy: {url.split('/health')[0]}/health (5 ms service time), {connections} connections, back to back, same machine")
print(f"  shipcheck http   p50 {ours_p50:7.2f} ms  p95 {ours_p95:7.2f} ms  {ours_rate:8.1f} req/s  ({requests} requests)")
print(f"  wrk              p50 {wrk_p50:7.2f} ms  p95 {wrk_p95:7.2f} ms  {wrk_rate:8.1f} req/s  ({duration} s)")
print(f"  ratio p95 shipcheck / wrk  {ours_p95 / wrk_p95:6.3f}  (target within 0.95-1.05)")
