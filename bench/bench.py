"""Shipcheck benchmarks against peers, measured in one invocation.

1. Parallel engine: 200 independent checks (each `sleep 0.2`) at 8 jobs through `shipcheck run`,
   the same commands through `xargs -P 8`, and through a sequential shell loop. Target: within
   1.05x of xargs.
2. Engine CPU: 200 trivial checks (`true`, a `run:` string, which shipcheck runs with `bash -eo
   pipefail -c`) at 8 jobs, the CPU (user + system) of the whole process tree, against
   `xargs -P 8 bash -eo pipefail -c true`: the same commands through the same shell. Target: within
   1.1x of xargs. Shipcheck's own start-up (validate's CPU) is counted in, not subtracted.
3. Start-up: `shipcheck --version` and `shipcheck validate` on examples/mina (the release binary),
   median of many runs, beside `/bin/true` and `python3 -c pass`, each started with posix_spawn.
   Targets: --version under 3 ms, validate under 10 ms.
4. Import: `shipcheck import` of the seed checklist (whole process, median). Target: under 20 ms.
   Then the whole corpus (../shared/corpus: checklists and runbooks), one process per document,
   against as many `--version` starts.
BENCH_ONLY=cpu,startup (any of parallel, cpu, startup, import) runs some of them.
"""
import glob
import resource
import os
import shutil
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


def gate(directory, run):
    """A configuration of `checks` items, each running `run` (a YAML value). Each is told apart (a
    shell comment in a string, an environment variable beside an argv list), so that they are
    `checks` different checks: items with the same check run it once."""
    config = os.path.join(directory, "shipcheck.yml")
    with open(config, "w") as handle:
        handle.write("version: 1\nphases:\n  pre-deploy:\n    items:\n")
        for index in range(checks):
            own = f'{run[:-1]} #{index}"' if run.startswith('"') else f'{run}, env: {{ ITEM: "{index}" }}'
            handle.write(f"      - {{ id: c{index}, title: Check {index}, run: {own} }}\n")
    return config


def parallel_engine():
    with tempfile.TemporaryDirectory() as directory:
        config = gate(directory, f'[sleep, "{sleep}"]')

        shipcheck = best([binary, "run", "--config", config, "--jobs", str(jobs)], env={**os.environ, "NO_COLOR": "1"})
        xargs = best(["sh", "-c", f"seq {checks} | xargs -P {jobs} -I{{}} sleep {sleep}"])
        sequential = best(["sh", "-c", f"for i in $(seq {checks}); do sleep {sleep}; done"], n=1)

    print(f"parallel engine: {checks} checks of sleep {sleep}s at {jobs} jobs (best of {rounds})")
    print(f"  shipcheck run      {shipcheck:7.3f} s")
    print(f"  xargs -P {jobs}         {xargs:7.3f} s")
    print(f"  sequential loop    {sequential:7.3f} s")
    print(f"  ratio shipcheck / xargs       {shipcheck / xargs:6.3f}x  (target <= 1.05x)")
    print(f"  ratio sequential / shipcheck  {sequential / shipcheck:6.3f}x")




def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def cpu(command, **kwargs):
    before = children_cpu()
    subprocess.run(command, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kwargs)
    return children_cpu() - before


def engine_cpu():
    with tempfile.TemporaryDirectory() as directory:
        config = gate(directory, '"true"')
        cpu_rounds = max(rounds, 8)
        # Interleaved, so that a busy moment of this shared machine weighs on all three alike.
        ours, stored, theirs = [], [], []
        for _ in range(cpu_rounds):
            ours.append(cpu([binary, "run", "--config", config, "--jobs", str(jobs), "--no-store"],
                            env={**os.environ, "NO_COLOR": "1"}))
            stored.append(cpu([binary, "run", "--config", config, "--jobs", str(jobs)], env={**os.environ, "NO_COLOR": "1"}))
            theirs.append(cpu(["sh", "-c", f"seq {checks} | xargs -P {jobs} -I{{}} bash -eo pipefail -c true"]))
        ours_cpu, stored_cpu, xargs_cpu = (statistics.median(values) for values in (ours, stored, theirs))
    print(f"engine CPU: {checks} checks of `true` at {jobs} jobs, user + system of the process tree (median of {cpu_rounds})")
    print(f"  shipcheck run      {ours_cpu * 1000:7.1f} ms  ({ours_cpu / checks * 1e6:6.0f} us per item)")
    print(f"  shipcheck run, stored in SQLite  {stored_cpu * 1000:7.1f} ms  ({(stored_cpu - ours_cpu) / checks * 1e6:6.0f} us per item for recording)")
    print(f"  xargs -P {jobs} bash -c  {xargs_cpu * 1000:7.1f} ms  ({xargs_cpu / checks * 1e6:6.0f} us per item)")
    print(f"  ratio shipcheck / xargs       {ours_cpu / xargs_cpu:6.3f}x  (target <= 1.1x)")


mina = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples", "mina", "shipcheck.yml")
samples = 100


def spawn_ms(command):
    """One start, measured around posix_spawn and waitpid: what subprocess.run adds is left out."""
    path = command[0] if "/" in command[0] else shutil.which(command[0])
    with open(os.devnull, "wb") as null:
        actions = [(os.POSIX_SPAWN_DUP2, null.fileno(), 1), (os.POSIX_SPAWN_DUP2, null.fileno(), 2)]
        start = time.perf_counter()
        pid = os.posix_spawn(path, command, os.environ, file_actions=actions)
        os.waitpid(pid, 0)
        return (time.perf_counter() - start) * 1000


def median_ms(command):
    for _ in range(5):
        spawn_ms(command)
    return statistics.median(spawn_ms(command) for _ in range(samples))


def start_up():
    version_ms = median_ms([binary, "--version"])
    validate = median_ms([binary, "validate", "--config", mina])
    help_ms = median_ms([binary, "--help"])
    true_ms = median_ms(["/bin/true"])
    python_ms = median_ms([sys.executable, "-c", "pass"])
    print(f"start-up: median of {samples} runs, posix_spawn to exit")
    print(f"  shipcheck --version               {version_ms:7.2f} ms  (target < 3 ms)")
    print(f"  shipcheck validate examples/mina  {validate:7.2f} ms  (target < 10 ms)")
    print(f"  shipcheck --help                  {help_ms:7.2f} ms")
    print(f"  /bin/true                         {true_ms:7.2f} ms")
    print(f"  python3 -c pass                   {python_ms:7.2f} ms")
    print(f"  ratio --version / /bin/true       {version_ms / true_ms:6.2f}x")
    print(f"  ratio validate / python3 -c pass  {validate / python_ms:6.3f}x")


def import_seed():
    seed = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "seed", "DEPLOYMENT_CHECKLIST.md")
    if os.path.exists(seed):
        import_ms = median_ms([binary, "import", seed])
        print(f"import: median of {samples} runs")
        print(f"  shipcheck import seed (82 items)  {import_ms:7.2f} ms  (target < 20 ms)")
        floor_ms = median_ms([binary, "--version"])
        print(f"  ratio import / --version          {import_ms / floor_ms:6.3f}x")
    else:
        print("import: skipped, the seed checklist is not at ../shared/seed")
    corpus = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "corpus")
    documents = sorted(
        path for folder in ("checklists", "runbooks") for path in glob.glob(os.path.join(corpus, folder, "*.md"))
        if os.path.basename(path) != "SOURCES.md")
    if not documents:
        print("import: corpus skipped, ../shared/corpus is absent")
        return
    # The whole corpus, one process per document as a team would run it, against as many starts.
    repeats = max(3, samples // 20)
    totals, floors = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        for path in documents:
            subprocess.run([binary, "import", path], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        totals.append(time.perf_counter() - start)
        start = time.perf_counter()
        for _ in documents:
            subprocess.run([binary, "--version"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        floors.append(time.perf_counter() - start)
    total, floor = statistics.median(totals) * 1000, statistics.median(floors) * 1000
    print(f"  shipcheck import, whole corpus    {total:7.1f} ms  ({len(documents)} documents, median of {repeats})")
    print(f"  the same number of --version      {floor:7.1f} ms")
    print(f"  ratio corpus / starts alone       {total / floor:6.2f}x")



only = set(filter(None, os.environ.get("BENCH_ONLY", "").split(",")))
for name, section in (("parallel", parallel_engine), ("cpu", engine_cpu), ("startup", start_up), ("import", import_seed)):
    if not only or name in only:
        section()
