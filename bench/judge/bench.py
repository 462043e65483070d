"""The watch's judge (Mann-Whitney U) on 10,000 samples against 10,000, beside SciPy's
`mannwhitneyu` on the same numbers in the same run: the same p-values to 1e-6, and the time each
takes to compute (shipcheck's from inside the command, so that process start is not counted).
Four cases: no difference, latency +2% (a shift the judge should see at n = 10,000), +50%, and
values rounded to whole milliseconds (ties).
Usage: bench.py SHIPCHECK_BINARY"""
import json
import os
import random
import subprocess
import sys
import tempfile
import time

from scipy.stats import mannwhitneyu

binary = sys.argv[1]
samples = int(os.environ.get("BENCH_SAMPLES", "10000"))
rounds = int(os.environ.get("BENCH_ROUNDS", "5"))
random.seed(24)


def latencies(n, factor, whole):
    values = [random.lognormvariate(3.0, 0.4) * factor for _ in range(n)]
    return [float(round(v)) for v in values] if whole else values


CASES = {
    "no difference": (1.0, False),
    "latency +2%": (1.02, False),
    "latency +50%": (1.5, False),
    "whole milliseconds (ties)": (1.02, True),
}

worst = 0.0
with tempfile.TemporaryDirectory() as directory:
    for name, (factor, whole) in CASES.items():
        before = latencies(samples, 1.0, whole)
        after = latencies(samples, factor, whole)
        paths = [os.path.join(directory, f) for f in ("before.txt", "after.txt")]
        for path, values in zip(paths, (before, after)):
            with open(path, "w") as handle:
                handle.write("\n".join(repr(v) for v in values))
        scipy_times, ours_times = [], []
        for _ in range(rounds):
            start = time.perf_counter()
            reference = mannwhitneyu(after, before, alternative="greater")
            scipy_times.append(time.perf_counter() - start)
            output = subprocess.run([binary, "judge", *paths, "--format", "json"], capture_output=True, text=True)
            ours = json.loads(output.stdout)
            ours_times.append(ours["seconds"])
        difference = abs(ours["pvalue"] - reference.pvalue)
        worst = max(worst, difference)
        print(f"judge: {name}, {samples} against {samples} samples (best of {rounds})")
        print(f"  p-value   shipcheck {ours['pvalue']:.6e}  scipy {reference.pvalue:.6e}  |difference| {difference:.1e}")
        print(f"  effect    {ours['effect']:.4f}  ({ours['method']})")
        print(f"  time      shipcheck {min(ours_times) * 1000:7.2f} ms  scipy {min(scipy_times) * 1000:7.2f} ms"
              f"  ratio {min(ours_times) / min(scipy_times):5.2f}x")
print(f"largest p-value difference {worst:.1e} (target <= 1e-6)")
