"""The run store's speed. Usage: bench.py SHIPCHECK_BINARY STORE_LOAD_BINARY

1. 100,000 runs (3 items each, every phase, spread over 90 days) written into one SQLite file;
   `shipcheck history --limit 50` and `shipcheck metrics --since 90d` timed (median of 7, whole
   process), beside `shipcheck --version` (the process alone) and Python's sqlite3 running the
   equivalent queries on the same file.
2. A generated gate of 49 command items (the size of examples/mina's pre-deploy phase), each with
   `inputs:` over a 200-file git repository: the second run, with every item reused, timed against
   the same gate with --no-reuse.
"""
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

shipcheck, loader = sys.argv[1], sys.argv[2]
RUNS = 100_000
work = tempfile.mkdtemp(prefix="shipcheck-bench-store-")
database = os.path.join(work, "shipcheck.db")


def timed(command, runs=7, cwd=None, env=None):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = subprocess.run(command, capture_output=True, text=True, cwd=cwd, env=env)
        times.append(time.perf_counter() - start)
        if result.returncode not in (0, 1):
            sys.exit(f"{command} failed ({result.returncode}): {result.stdout}{result.stderr}")
    return statistics.median(times), result.stdout


def python_timed(function, runs=7):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


start = time.perf_counter()
writers = 4
processes = [subprocess.Popen([loader, database, str(w), str(RUNS // writers), "1000"]) for w in range(writers)]
if any(p.wait() != 0 for p in processes):
    sys.exit("the loader failed")
print(f"store: {RUNS} runs written by {writers} processes in {time.perf_counter() - start:.1f} s, "
      f"{os.path.getsize(database) / 1e6:.0f} MB")

version, _ = timed([shipcheck, "--version"])
history, output = timed([shipcheck, "history", "--limit", "50", "--store", database])
assert output.count("\n") == 51, output[:500]
metrics, output = timed([shipcheck, "metrics", "--since", "90d", "--store", database])
assert "Deployment frequency" in output


def python_history():
    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            "SELECT id, run_group, shard, phase, environment, deploy_type, actor, started_at, finished_at, verdict, "
            "commit_sha, branch, host, pid FROM runs ORDER BY started_at DESC, id DESC LIMIT 50").fetchall()
        assert len(rows) == 50


def python_metrics():
    with sqlite3.connect(database) as connection:
        since = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(time.time() - 90 * 86400))
        rows = connection.execute(
            "SELECT id, phase, environment, started_at, finished_at, verdict, commit_time FROM runs "
            "WHERE phase IN ('pre-deploy', 'deploy', 'rollback') AND started_at >= ?", (since,)).fetchall()
        assert rows


py_history = python_timed(python_history)
py_metrics = python_timed(python_metrics)
print(f"shipcheck --version (process start): {version * 1000:.1f} ms")
print(f"shipcheck history --limit 50: {history * 1000:.1f} ms (target < 100 ms); "
      f"python sqlite3, query only: {py_history * 1000:.1f} ms; ratio {history / py_history:.1f}x")
print(f"shipcheck metrics --since 90d: {metrics * 1000:.1f} ms (target < 100 ms); "
      f"python sqlite3, rows only (no figures): {py_metrics * 1000:.1f} ms; ratio {metrics / py_metrics:.1f}x")

# Reuse.
gate = os.path.join(work, "gate")
os.makedirs(os.path.join(gate, "src"))
for index in range(200):
    with open(os.path.join(gate, "src", f"module_{index}.py"), "w") as handle:
        handle.write(f"def f_{index}():\n    return {index}\n" * 20)
items = []
for index in range(49):
    items.append(f"""      - id: item-{index}
        title: Check {index}
        run: "sleep 0.05"
        inputs: {{ paths: ["src/**"], env: [BENCH_FLAG] }}""")
with open(os.path.join(gate, "shipcheck.yml"), "w") as handle:
    handle.write("version: 1\nphases:\n  pre-deploy:\n    items:\n" + "\n".join(items) + "\n")
subprocess.run("git init -q && git add -A && git -c user.email=b@example.com -c user.name=b commit -qm init",
               shell=True, cwd=gate, check=True)
environment = dict(os.environ, NO_COLOR="1", SHIPCHECK_ACTOR="bench@example.com", BENCH_FLAG="1")
subprocess.run([shipcheck, "run"], cwd=gate, env=environment, capture_output=True, check=True)
reused, output = timed([shipcheck, "run"], cwd=gate, env=environment)
assert output.count("reused from run") == 49, output[:2000]
fresh, _ = timed([shipcheck, "run", "--no-reuse"], runs=3, cwd=gate, env=environment)
print(f"49-item gate rerun, every item reused: {reused * 1000:.1f} ms (target < 100 ms); "
      f"with --no-reuse: {fresh * 1000:.1f} ms; ratio {fresh / reused:.1f}x")
