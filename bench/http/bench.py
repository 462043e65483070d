"""Latency accuracy: shipcheck's http sampler and wrk measure the same loopback endpoint at the same
load (same connections, back to back) in one invocation; prints both p95s and their ratio.

The server is warmed up first, then the tools take turns for several rounds (the order alternating),
so a drift of the server's speed over the run falls on both alike. The verdict is the median of the
rounds' ratios.
Usage: bench.py SHIPCHECK_BINARY"""
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time

binary = sys.argv[1]
connections = int(os.environ.get("BENCH_HTTP_CONNECTIONS", "4"))
requests = int(os.environ.get("BENCH_HTTP_REQUESTS", "4000"))
rounds = int(os.environ.get("BENCH_HTTP_ROUNDS", "5"))
here = os.path.dirname(os.path.abspath(__file__))

with socket.socket() as probe:
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
# The server gets one core and the load tool the other, so neither tool's own CPU use slows the
# server it measures (BENCH_HTTP_PIN=0 shares both cores).
pin = os.environ.get("BENCH_HTTP_PIN", "1") == "1" and (os.cpu_count() or 1) >= 2
server_cpu = ["taskset", "-c", "0"] if pin else []
client_cpu = ["taskset", "-c", f"1-{os.cpu_count() - 1}"] if pin else []
url = f"http://127.0.0.1:{port}/health"
script = os.path.join(here, "percentiles.lua")


def wrk(seconds):
    out = subprocess.run(client_cpu + ["wrk", "-t", str(min(connections, 2)), "-c", str(connections), "-d", f"{seconds}s",
                                       "-s", script, url], capture_output=True, text=True).stdout
    return {
        "p50": float(re.search(r"^p50_us (\d+)", out, re.M).group(1)) / 1000,
        "p95": float(re.search(r"^p95_us (\d+)", out, re.M).group(1)) / 1000,
        "rate": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
    }


def shipcheck(directory):
    start = time.perf_counter()
    subprocess.run(client_cpu + [binary, "run", "--format", "json", "--output-dir", directory], cwd=directory,
                   capture_output=True, env={**os.environ, "NO_COLOR": "1"})
    elapsed = time.perf_counter() - start
    facts = json.load(open(os.path.join(directory, "shipcheck.json")))["items"][0]["facts"]
    return {
        "p50": facts["latency.p50"]["duration"] * 1000,
        "p95": facts["latency.p95"]["duration"] * 1000,
        "rate": facts["throughput"],
        "elapsed": elapsed,
    }


server = subprocess.Popen(server_cpu + [sys.executable, os.path.join(here, "server.py"), str(port)])
results = []
try:
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    wrk(2)  # warm-up: the server's threads and caches, not measured
    with tempfile.TemporaryDirectory() as directory:
        with open(os.path.join(directory, "shipcheck.yml"), "w") as handle:
            handle.write("version: 1\nphases:\n  pre-deploy:\n    items:\n")
            handle.write(f"      - {{ id: load, title: Load, http: {{ url: \"{url}\", samples: {requests}, concurrency: {connections} }} }}\n")
        seconds = 6
        for turn in range(rounds):
            # wrk runs about as long as shipcheck's requests take.
            if turn % 2 == 0:
                ours = shipcheck(directory)
                seconds = max(3, round(ours["elapsed"]))
                theirs = wrk(seconds)
            else:
                theirs = wrk(seconds)
                ours = shipcheck(directory)
            results.append((ours, theirs))
        # Memory against bodies that would not fit (the probe reads up to max-body and stops), beside
        # the same run fetching a small body.
        def max_rss(paths):
            with open(os.path.join(directory, "shipcheck.yml"), "w") as handle:
                handle.write("version: 1\nphases:\n  pre-deploy:\n    items:\n")
                for path in paths:
                    handle.write(f"      - {{ id: {path}, title: {path}, http: {{ url: \"http://127.0.0.1:{port}/{path}\", max-body: 1MiB }} }}\n")
            child = subprocess.Popen([binary, "run", "--format", "json", "--output-dir", directory], cwd=directory,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            _, _, usage = os.wait4(child.pid, 0)
            return usage.ru_maxrss / 1024, {item["id"]: item for item in json.load(open(os.path.join(directory, "shipcheck.json")))["items"]}
        small_rss, _ = max_rss(["health"])
        large_rss, bodies = max_rss(["big", "endless"])
finally:
    server.terminate()
    server.wait()

print(f"latency accuracy: {url} (5 ms service time), {connections} connections, back to back, same machine"
      + (", server on cpu 0, load tools on the rest" if pin else ", all sharing every cpu"))
for index, (ours, theirs) in enumerate(results, 1):
    print(f"  round {index}: shipcheck p50 {ours['p50']:5.2f} ms p95 {ours['p95']:5.2f} ms {ours['rate']:6.1f} req/s"
          f" | wrk p50 {theirs['p50']:5.2f} ms p95 {theirs['p95']:5.2f} ms {theirs['rate']:6.1f} req/s"
          f" | p95 ratio {ours['p95'] / theirs['p95']:5.3f}")
ratios = [ours["p95"] / theirs["p95"] for ours, theirs in results]
print(f"  median p95 ratio shipcheck / wrk  {statistics.median(ratios):5.3f}  (target within 0.95-1.05;"
      f" rounds {min(ratios):5.3f}-{max(ratios):5.3f})")
print(f"memory: a run fetching a 100 MB body and an endless one (max-body 1MiB): max RSS {large_rss:.1f} MiB,"
      f" against {small_rss:.1f} MiB fetching a 21-byte body; ratio {large_rss / small_rss:4.2f};"
      f" read {bodies['big']['facts']['body.bytes']:.0f} and {bodies['endless']['facts']['body.bytes']:.0f} bytes,"
      f" outcomes {bodies['big']['outcome']}, {bodies['endless']['outcome']}")
