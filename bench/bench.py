"""Shipcheck benchmarks against peers, measured in one invocation.

1. Parallel engine: 200 independent checks (each `sleep 0.2`) at 8 jobs through `shipcheck run`,
   the same commands through `xargs -P 8`, and through a sequential shell loop. Target: within
   1.05x of xargs.
2. Cold start: `shipcheck validate` on examples/mina (release binary), median of many runs,
   beside `true` and `python3 -c pass` as floors. Target: under 20 ms.
3. Import: `shipcheck import` of the seed checklist (whole process, median). Target: under 20 ms.
"""
import os
import statistics
import subprocess
import sys
import tempfile
import time

binary = sys.argv[1]
rounds = int(os.environ.get("BENCH_ROUNDS", "3"))
checks, jobs, sleep = 200, 8, "0.2"


def wall(command, **kwargs):
    start = time.perf_counter()
    subprocess.run(command, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kwargs)
    return time.perf_counter() - start


def best(command, n=rounds, **kwargs):
    return min(wall(command, **kwargs) for _ in range(n))


with tempfile.TemporaryDirectory() as directory:
    config = os.path.join(directory, "shipcheck.yml")
    with open(config, "w") as handle:
        handle.write("version: 1\nphases:\n  pre-deploy:\n    items:\n")
        for index in range(checks):
            handle.write(f"      - {{ id: s{index}, title: Sleep {index}, run: [sleep, \"{sleep}\"] }}\n")

    shipcheck = best([binary, "run", "--config", config, "--jobs", str(jobs)], env={**os.environ, "NO_COLOR": "1"})
    xargs = best(["sh", "-c", f"seq {checks} | xargs -P {jobs} -I{{}} sleep {sleep}"])
    sequential = best(["sh", "-c", f"for i in $(seq {checks}); do sleep {sleep}; done"], n=1)

print(f"parallel engine: {checks} checks of sleep {sleep}s at {jobs} jobs (best of {rounds})")
print(f"  shipcheck run      {shipcheck:7.3f} s")
print(f"  xargs -P {jobs}         {xargs:7.3f} s")
print(f"  sequential loop    {sequential:7.3f} s")
print(f"  ratio shipcheck / xargs       {shipcheck / xargs:6.3f}x  (target <= 1.05x)")
print(f"  ratio sequential / shipcheck  {sequential / shipcheck:6.3f}x")

mina = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples", "mina", "shipcheck.yml")
samples = 60


def median_ms(command):
    for _ in range(5):
        wall(command)
    return statistics.median(wall(command) for _ in range(samples)) * 1000


validate = median_ms([binary, "validate", "--config", mina])
help_ms = median_ms([binary, "--help"])
true_ms = median_ms(["true"])
python_ms = median_ms([sys.executable, "-c", "pass"])
print(f"cold start: median of {samples} runs")
print(f"  shipcheck validate examples/mina  {validate:7.2f} ms  (target < 20 ms)")
print(f"  shipcheck --help                  {help_ms:7.2f} ms")
print(f"  true                              {true_ms:7.2f} ms")
print(f"  python3 -c pass                   {python_ms:7.2f} ms")
print(f"  ratio validate / python3 startup  {validate / python_ms:6.3f}x")

seed = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "seed", "DEPLOYMENT_CHECKLIST.md")
if os.path.exists(seed):
    import_ms = median_ms([binary, "import", seed])
    print(f"import: median of {samples} runs")
    print(f"  shipcheck import seed (82 items)  {import_ms:7.2f} ms  (target < 20 ms)")
    print(f"  ratio import / --help startup     {import_ms / help_ms:6.3f}x")
else:
    print("import: skipped, the seed checklist is not at ../shared/seed")
