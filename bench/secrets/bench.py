"""Secret scanning against detect-secrets, in one invocation: precision and recall on the planted
corpus (labels.json) together with the untouched standard library beside it (every finding there is
a false alarm), and throughput on a large input. Usage: bench.py SHIPCHECK_BINARY DETECT_SECRETS"""
import collections
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

binary, detect_secrets = sys.argv[1], sys.argv[2]
HERE = os.path.dirname(os.path.abspath(__file__))
WORK = os.path.join(HERE, "..", "out", "secrets")  # written by make_corpus.py, which run.sh runs first
labels = json.load(open(os.path.join(WORK, "labels.json")))
truth = {(entry["file"], entry["line"]) for entry in labels}


def score(found):
    lines = {(name, line) for name, line, _ in found}
    true_positives = len(lines & truth)
    precision = true_positives / len(lines) if lines else 1.0
    recall = true_positives / len(truth)
    clean = collections.Counter(kind for name, _, kind in found if name.startswith("stdlib/"))
    return precision, recall, true_positives, len(lines) - true_positives, clean


def shipcheck_lines(directory):
    out = subprocess.run([binary, "secrets", ".", "--format", "json"], cwd=directory, capture_output=True, text=True)
    return [(os.path.normpath(f["file"]), f["line"], f["rule"]) for f in json.loads(out.stdout)]


def detect_secrets_lines(directory):
    out = subprocess.run([detect_secrets, "scan", "--all-files", "."], cwd=directory, capture_output=True, text=True)
    results = json.loads(out.stdout)["results"]
    return [(os.path.normpath(name), entry["line_number"], entry["type"])
            for name, entries in results.items() for entry in entries]


with tempfile.TemporaryDirectory() as directory:
    corpus = os.path.join(directory, "corpus")
    shutil.copytree(os.path.join(WORK, "corpus"), corpus)
    ours_found = shipcheck_lines(corpus)
    ours = score(ours_found)
    theirs = score(detect_secrets_lines(corpus))
    planted = sorted(os.listdir(os.path.join(corpus, "planted")))
    clean_files = sum(len(files) for _, _, files in os.walk(os.path.join(corpus, "stdlib")))
    clean_mb = sum(os.path.getsize(os.path.join(d, f)) for d, _, files in os.walk(os.path.join(corpus, "stdlib"))
                   for f in files) / 1e6
    print(f"corpus: {len(planted)} real source files with {len(truth)} planted secrets and 20 decoys,")
    print(f"        beside {clean_files} untouched standard-library files ({clean_mb:.0f} MB) where any finding is false")
    for name, (precision, recall, tp, fp, clean) in (("shipcheck", ours), ("detect-secrets", theirs)):
        print(f"  {name:15} precision {precision:6.3f}  recall {recall:6.3f}  ({tp} found, {fp} false)")
        print(f"  {'':15} false in the untouched files: {dict(clean.most_common())}")
    missed = collections.Counter(entry["kind"] for entry in labels
                                 if (entry["file"], entry["line"]) not in {(n, l) for n, l, _ in ours_found})
    print(f"  shipcheck missed: {dict(missed) or 'nothing'}")

    # Throughput: one large file built from the planted files (tens of MB), scanned on one core.
    text = "".join(open(os.path.join(corpus, "planted", name), encoding="utf-8").read() for name in planted)
    big = os.path.join(directory, "big")
    os.makedirs(big)
    size_mb = int(os.environ.get("BENCH_SECRETS_MB", "40"))
    # Files of about 4 MB each: the scanner skips single files over 10 MB.
    written = 0
    part = 0
    while written < size_mb * 1_000_000:
        with open(os.path.join(big, f"part{part:03}.py"), "w") as handle:
            chunk = 0
            while chunk < 4_000_000:
                handle.write(text)
                chunk += len(text.encode())
        written += chunk
        part += 1
    empty = os.path.join(directory, "empty")
    os.makedirs(empty)

    def timed(command, cwd):
        start = time.perf_counter()
        subprocess.run(command, cwd=cwd, capture_output=True)
        return time.perf_counter() - start

    startup = min(timed([binary, "secrets", ".", "--format", "json"], empty) for _ in range(3))
    ours_time = min(timed(["taskset", "-c", "0", binary, "secrets", ".", "--format", "json"], big) for _ in range(3)) - startup
    mb = written / 1_000_000
    # detect-secrets on a 2 MB slice: at its speed the whole file would take minutes.
    small = os.path.join(directory, "small")
    os.makedirs(small)
    with open(os.path.join(small, "small.py"), "w") as handle:
        handle.write((text * 10)[:2_000_000])
    theirs_time = timed(["taskset", "-c", "0", detect_secrets, "scan", "--all-files", "."], small)
    diff = os.path.join(directory, "big.diff")
    with open(diff, "w") as handle:
        diff_bytes = 0
        for part in sorted(p for p in os.listdir(big) if not p.startswith(".")):
            handle.write(f"diff --git a/{part} b/{part}\n--- /dev/null\n+++ b/{part}\n@@ -0,0 +1 @@\n")
            for line in open(os.path.join(big, part)):
                handle.write("+" + line)
        diff_bytes = handle.tell()
    diff_time = min(timed(["taskset", "-c", "0", binary, "secrets", "--diff-file", diff, "--format", "json"], empty)
                    for _ in range(3)) - startup
    # git's own speed at making the diff the diff route scans: the same files added in one commit.
    repository = os.path.join(directory, "repository")
    shutil.copytree(big, repository)
    git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@localhost"]
    subprocess.run(git + ["init", "-q", "-b", "main"], cwd=repository, check=True)
    subprocess.run(git + ["commit", "-q", "--allow-empty", "-m", "base"], cwd=repository, check=True)
    subprocess.run(git + ["add", "-A"], cwd=repository, check=True)
    subprocess.run(git + ["commit", "-q", "-m", "big"], cwd=repository, check=True)
    git_time = min(timed(["taskset", "-c", "0", "git", "diff", "--no-color", "--unified=0", "--output=/dev/null",
                          "HEAD~1...HEAD"], repository) for _ in range(3))
    print(f"throughput (one core, after {startup * 1000:.1f} ms start-up):")
    print(f"  shipcheck, diff {diff_bytes / 1e6 / diff_time:8.1f} MB/s  ({diff_bytes / 1e6:.0f} MB unified diff in {diff_time:.3f} s)")
    print(f"  git diff itself {mb / git_time:8.1f} MB/s  (making that diff: {git_time:.3f} s)")
    print(f"  shipcheck       {mb / ours_time:8.1f} MB/s  ({mb:.0f} MB in {ours_time:.3f} s)  (target >= 150 MB/s)")
    print(f"  detect-secrets  {2.0 / theirs_time:8.2f} MB/s  (2 MB in {theirs_time:.2f} s)")
    print(f"  ratio           {(mb / ours_time) / (2.0 / theirs_time):8.0f}x")
