"""The run store's speed. Usage: bench.py SHIPCHECK_BINARY STORE_LOAD_BINARY

1. 100,000 runs (3 items each, every phase, spread over 90 days) written into one SQLite file;
   `shipcheck history --limit 50` and `shipcheck metrics --since 90d` timed (median of 7, whole
   process), beside `shipcheck --version` (the process alone) and Python's sqlite3 running the
   equivalent queries on the same file.
2. A generated gate of 49 command items (the size of examples/mina's pre-deploy phase), each with
   `inputs:` over a 200-file git repository: the second run, with every item reused, timed against
   the same gate with --no-reuse.
"""
import json
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
    """Median wall time of `runs` runs, after one untimed run that warms the page cache."""
    subprocess.run(command, capture_output=True, cwd=cwd, env=env)
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
# The writes reach the disk before anything is timed, so the timings do not share the disk with them.
os.sync()

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
        env: {{ ITEM: "{index}" }}
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

# 3. examples/mina's pre-deploy gate, rerun. Mina's code and tools are not here, so the bench builds
# a stand-in: a generated Python project of the same shape, and stand-ins for the tools on PATH
# (pytest, ruff, black, safety, bandit, gh, flask, pg_dump, gpg, lighthouse) that write the reports
# mina's items parse. Items with `inputs:` pass on the first run and are reused on the second; the
# rest are what they are without mina's servers and people (live probes fail, manual items wait).
mina = os.path.join(work, "mina")
shims = os.path.join(work, "mina-tools")
for directory in ("app", "tests/accessibility", "tests/integration", "tests/k6", "tests/e2e"):
    os.makedirs(os.path.join(mina, directory), exist_ok=True)
os.makedirs(shims)
repository = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
with open(os.path.join(repository, "examples", "mina", "shipcheck.yml")) as source:
    with open(os.path.join(mina, "shipcheck.yml"), "w") as target:
        target.write(source.read())
for index in range(150):
    with open(os.path.join(mina, "app", f"module_{index}.py"), "w") as handle:
        handle.write(f"def handler_{index}(request):\n    return {{'status': {index}}}\n" * 10)
for name in ("tests/test_app.py", "tests/accessibility/test_a11y.py", "tests/integration/test_database_operations.py"):
    with open(os.path.join(mina, name), "w") as handle:
        handle.write("def test_ok():\n    assert True\n")
files = {
    "requirements.txt": "flask==3.0.0\n",
    "CHANGELOG.md": "# Changelog\n\n## [1.2.3] - 2026-12-01\n\n### Fixed\n- A bug.\n",
    ".env.example": "DATABASE_URL=\n",
    ".gitignore": "reports/\nbackups/\n",
    "tests/k6/run-all-tests.sh": "#!/bin/sh\necho 'all thresholds met'\n",
}
for name, text in files.items():
    with open(os.path.join(mina, name), "w") as handle:
        handle.write(text)
os.chmod(os.path.join(mina, "tests/k6/run-all-tests.sh"), 0o755)

TOOL = r'''#!/usr/bin/env python3
# Stand-in for %(name)s: writes the report mina's item parses, as the real tool would on clean code.
import json, os, sys
args = sys.argv[1:]
name = %(name)r
def value(prefix):
    for index, arg in enumerate(args):
        if arg.startswith(prefix + "="):
            return arg.split("=", 1)[1]
        if arg == prefix and index + 1 < len(args):
            return args[index + 1]
def write(path, text):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "w") as handle:
        handle.write(text)
if "--version" in args or args[:1] == ["version"]:
    print(name + " 1.0.0")
elif name == "pytest":
    junit = value("--junitxml")
    if junit:
        write(junit, '<testsuite name="t" tests="3" failures="0" errors="0"><testcase name="a"/>'
                     '<testcase name="b"/><testcase name="c"/></testsuite>')
    for arg in args:
        if arg.startswith("--cov-report=json:"):
            write(arg.split(":", 1)[1], json.dumps({"totals": {"covered_lines": 92, "num_statements": 100,
                                                             "percent_covered": 92.0}}))
    print("3 passed")
elif name == "ruff":
    write(value("--output-file"), "[]")
elif name == "safety":
    print(json.dumps({"vulnerabilities": []}))
elif name == "bandit":
    write(value("-o"), json.dumps({"results": [], "errors": []}))
elif name == "black":
    print("All done! 150 files would be left unchanged.", file=sys.stderr)
elif name == "flask":
    print("abc123 (head)" if "heads" in args else "upgraded")
elif name == "pg_dump":
    print("-- dump")
elif name == "gpg":
    write(value("--output"), "encrypted")
elif name == "lighthouse":
    scores = {key: {"score": 0.95} for key in ("performance", "accessibility", "best-practices", "seo")}
    write(value("--output-path"), json.dumps({"categories": scores}))
'''
for name in ("pytest", "ruff", "black", "safety", "bandit", "gh", "flask", "pg_dump", "gpg", "lighthouse"):
    path = os.path.join(shims, name)
    with open(path, "w") as handle:
        handle.write(TOOL % {"name": name})
    os.chmod(path, 0o755)
subprocess.run("git init -q -b main && git add -A && git -c user.email=b@example.com -c user.name=b commit -qm init "
               "&& git checkout -q -b feature && echo 'def added():\n    return 1' > app/added.py && git add -A "
               "&& git -c user.email=b@example.com -c user.name=b commit -qm change",
               shell=True, cwd=mina, check=True)
environment = dict(os.environ, NO_COLOR="1", SHIPCHECK_ACTOR="bench@example.com",
                   PATH=shims + os.pathsep + os.environ["PATH"],
                   MINA_BASE_URL="http://127.0.0.1:9", MINA_WS_URL="ws://127.0.0.1:9/ws",
                   MINA_LOCAL_DATABASE_URL="postgresql://127.0.0.1:9/none", DATABASE_URL="postgresql://127.0.0.1:9/none",
                   BACKUP_PASSPHRASE="bench")
gate = [shipcheck, "run", "pre-deploy", "--env", "production", "--type", "standard"]


def gate_items(name):
    """Runs the whole phase once, its JSON report kept outside the repository (inputs read it all)."""
    directory = os.path.join(work, name)
    subprocess.run(gate + ["--format", "json", "--output-dir", directory], cwd=mina, env=environment,
                   capture_output=True, text=True)
    [report] = [entry for entry in os.listdir(directory) if entry.endswith(".json")]
    with open(os.path.join(directory, report)) as handle:
        return json.load(handle)["items"]


first_items = gate_items("first")
reusable = [item["id"] for item in first_items if item.get("reuseKey")]
assert len(reusable) >= 9, [(item["id"], item["outcome"]) for item in first_items]
whole = time.perf_counter()
second_items = gate_items("second")
whole = time.perf_counter() - whole
reused = [item["id"] for item in second_items if item.get("reusedFrom")]
assert sorted(reused) == sorted(reusable), (reused, reusable)
only = gate + ["--only", ",".join(reusable)]
reused_only, output = timed(only, cwd=mina, env=environment)
assert output.count("reused from run") == len(reusable), output[:2000]
fresh_only, _ = timed(only + ["--no-reuse"], runs=3, cwd=mina, env=environment)
outcomes = {}
for item in second_items:
    outcomes[item["outcome"]] = outcomes.get(item["outcome"], 0) + 1
print(f"examples/mina pre-deploy, {len(second_items)} items (stand-in project and tools): "
      f"the {len(reusable)} items with inputs, rerun: {reused_only * 1000:.1f} ms with every one reused "
      f"(target < 100 ms); with --no-reuse: {fresh_only * 1000:.1f} ms; ratio {fresh_only / reused_only:.1f}x")
print(f"  the whole phase rerun: {whole:.1f} s, {len(reused)} items reused; outcomes {outcomes} "
      f"(the rest wait for sign-offs or probe mina's servers, absent here, with their retries)")
