"""Capturing a check's output: a command printing 1 GB run as a `run:` item (head and tail kept,
lines counted, memory capped) against the same command with its output sent to /dev/null, and
piped to `cat > /dev/null` (the plainest reader: the price of the pipe itself), in one invocation.
Two producers: `seq` (stdio, 4 KiB writes, work per line) and `yes LINE | head -c` (large writes,
no work: pure copying). Writing to /dev/null costs nothing, so no pipe reader can match it.
Peak memory of the shipcheck run shows the cap holds. Target: within 1.1x of `| cat > /dev/null`.
Then the price of masking credentials by their shape (the secret scanner's rules over everything a
check keeps): the same size of output whose every line holds credential-shaped text (a GitHub token,
an AWS key, `password=`) against plain lines, both through shipcheck, interleaved in one invocation.
Target: masking costs at most 10%.
Usage: bench.py SHIPCHECK_BINARY   (BENCH_OUTPUT_MB sets the size; default 1000)"""
import os
import subprocess
import sys
import tempfile
import time

binary = sys.argv[1]
megabytes = int(os.environ.get("BENCH_OUTPUT_MB", "1000"))
rounds = int(os.environ.get("BENCH_ROUNDS", "3"))
LINE = "2026-12-03T12:00:00.000Z INFO request handled method=GET path=/api/v1/items status=200 duration_ms=12\n"
PRODUCERS = {
    # 1 + 9 digits + newline at most; 112 million numbers are 1.009 GB.
    "seq": f"seq 1 {megabytes * 112_000}",
    "yes | head -c": f"yes '{LINE.strip()}' | head -c {megabytes * 1_000_000}",
}


def timed(command, **kwargs):
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kwargs)
    _, status, usage = os.wait4(process.pid, 0)
    return time.perf_counter() - start, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def measure(name, producer, directory):
    config = os.path.join(directory, "shipcheck.yml")
    with open(config, "w") as handle:
        # `yes` ends on SIGPIPE when head has enough: 141 under pipefail, which is how items run.
        handle.write("version: 1\nphases:\n  pre-deploy:\n    items:\n"
                     f"      - id: loud\n        title: A loud check\n        run: \"{producer}\"\n"
                     "        allow-exit: [141]\n        timeout: 10m\n")
    # Rounds interleave the three, so that a busy moment of the machine does not favour one.
    nulls, cats, runs = [], [], []
    for _ in range(rounds):
        nulls.append(timed(["bash", "-c", producer + " > /dev/null"])[0])
        cats.append(timed(["bash", "-c", producer + " | cat > /dev/null"])[0])
        runs.append(timed([binary, "run", "--config", config], env={**os.environ, "NO_COLOR": "1"}))
    assert all(code == 0 for _, _, code in runs), [code for _, _, code in runs]
    null, cat, ours = min(nulls), min(cats), min(t for t, _, _ in runs)
    print(f"output capture: {name}, {megabytes} MB (best of {rounds})")
    print(f"  > /dev/null                 {null:7.3f} s")
    print(f"  | cat > /dev/null           {cat:7.3f} s")
    print(f"  shipcheck run               {ours:7.3f} s  peak {max(m for _, m, _ in runs):6.1f} MB")
    print(f"  ratio shipcheck / /dev/null {ours / null:7.2f}x")
    print(f"  ratio shipcheck / cat       {ours / cat:7.2f}x  (target <= 1.1x)")


# Same length per line; the second is credential-shaped on every line (made here, never a real key).
PLAIN_LINE = "2026-12-03T12:00:00.000Z INFO request handled method=GET path=/api/v1/items status=200 duration=12ms user=anna"
SECRET_LINE = "2026-12-03T12:00:00.000Z WARN token=ghp_" + "A1b2C3d4E5f6G7h8I9j0" * 2 + " key=AKIA" + "B" * 16 + " password='x9'"
SECRET_LINE = SECRET_LINE[: len(PLAIN_LINE)].ljust(len(PLAIN_LINE), "x")


def masking(directory, kept):
    """`kept` is the output-limit: the default keeps 1 MiB (head and tail); a larger one makes
    every kept byte go through the masker, so that its own cost shows."""
    config = os.path.join(directory, "masking.yml")
    with open(config, "w") as handle:
        handle.write("version: 1\nphases:\n  pre-deploy:\n    items:\n")
        for name, line in (("plain", PLAIN_LINE), ("credentials", SECRET_LINE)):
            producer = f"yes '{line}' | head -c {megabytes * 1_000_000}"
            handle.write(f"      - {{ id: {name}, title: {name}, run: \"{producer}\", allow-exit: [141], "
                         f"timeout: 10m, output-limit: {kept} }}\n")
    times = {"plain": [], "credentials": []}
    for _ in range(rounds):
        for name in times:
            elapsed, _, code = timed([binary, "run", "--config", config, "--only", name, "--no-store"],
                                     env={**os.environ, "NO_COLOR": "1"})
            assert code == 0, (name, code)
            times[name].append(elapsed)
    plain, credentials = min(times["plain"]), min(times["credentials"])
    print(f"masking: {megabytes} MB of plain lines against as many credential-shaped ones, output-limit {kept} "
          f"(best of {rounds})")
    print(f"  plain lines                 {plain:7.3f} s")
    print(f"  credential-shaped lines     {credentials:7.3f} s")
    if kept == "1MiB":
        print(f"  ratio credentials / plain   {credentials / plain:7.2f}x  (target <= 1.10x)")
    else:
        # Every kept byte is masked here: the difference is the masker's own price on dense credentials.
        kept_mb = min(megabytes, int(kept.rstrip("MiB"))) * 1.048576
        print(f"  ratio credentials / plain   {credentials / plain:7.2f}x")
        print(f"  masking throughput          {kept_mb / max(credentials - plain, 1e-6):7.1f} MB/s of credential-dense text")


with tempfile.TemporaryDirectory() as directory:
    for name, producer in PRODUCERS.items():
        measure(name, producer, directory)
    masking(directory, "1MiB")
    masking(directory, "64MiB")
