"""Loading a large configuration: `shipcheck validate` on a generated 3.9 MB file (about 50,000 items,
no aliases) against PyYAML's C loader reading the same file, in the same invocation. Target: under
1 s for shipcheck. Usage: bench.py SHIPCHECK_BINARY"""
import os
import statistics
import subprocess
import sys
import tempfile
import time

binary = sys.argv[1]
directory = tempfile.mkdtemp(prefix="shipcheck-bench-config-")
path = os.path.join(directory, "shipcheck.yml")
lines = ["version: 1", "phases:", "  pre-deploy:", "    sections:"]
count = 0
while sum(len(line) + 1 for line in lines) < 3_900_000:
    lines.append(f"      - title: Section {count // 100}")
    lines.append("        items:")
    for _ in range(100):
        lines.append(f"          - {{ id: item-{count}, title: Item {count} is checked, run: echo {count}, timeout: 30s }}")
        count += 1
with open(path, "w") as handle:
    handle.write("\n".join(lines) + "\n")
size = os.path.getsize(path)


def timed(command):
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        result = subprocess.run(command, capture_output=True, text=True)
        runs.append(time.perf_counter() - start)
        if result.returncode != 0:
            sys.exit(f"{command[0]} failed: {result.stdout}{result.stderr}")
    return statistics.median(runs)


ours = timed([binary, "validate", "--config", path])
peer = "import sys, yaml; yaml.load(open(sys.argv[1]), Loader=yaml.CSafeLoader)"
try:
    import yaml  # noqa: F401
    theirs = timed([sys.executable, "-c", peer, path])
except ImportError:
    theirs = None
print(f"config: {size / 1e6:.1f} MB, {count} items")
print(f"shipcheck validate: {ours * 1000:.0f} ms (median of 5; target < 1000 ms)")
if theirs:
    print(f"PyYAML CSafeLoader (parse only): {theirs * 1000:.0f} ms; shipcheck/PyYAML = {ours / theirs:.2f}x")
