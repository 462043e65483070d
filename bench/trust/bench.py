"""Signed decisions, measured through the release binary.

1. Verify: `shipcheck signoffs --env production` over 1,000 sign-offs of one item (100 needed), each signed by
   `ssh-keygen -Y sign` (every one verified when read), against the same 1,000 without signatures,
   in the same invocation. Target: the signed read under 1 s.
2. Gate: `shipcheck run --env production` of 20 commands and 20 manual items with 2 sign-offs each,
   signed against unsigned, alternating, BENCH_ROUNDS rounds (default 15). Target: within 5%.
The sign-offs are written straight into the store's records (the audit chain is not what is
measured here). Usage: bench.py SHIPCHECK_BINARY"""
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

binary = sys.argv[1]
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "15"))
ITEMS = 20


def shell(command, cwd):
    subprocess.run(command, shell=True, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def text(item, commit, actor, note, at):
    fields = [("kind", "signoff"), ("subject", item), ("environment", "production"), ("commit", commit),
              ("role", "reviewers"), ("actor", actor), ("until", ""), ("reason", note), ("at", str(at))]
    return "shipcheck-decision-v1\n" + "".join("%s=%s\n" % field for field in fields)


def store_time(milliseconds):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(milliseconds // 1000)) + ".%03dZ" % (milliseconds % 1000)


def project(config, signoffs, signed):
    """A repository with `config`, a key for every reviewer who signs, and `signoffs` [(item, actor)] recorded."""
    directory = tempfile.mkdtemp(prefix="shipcheck-bench-trust-")
    with open(os.path.join(directory, "shipcheck.yml"), "w") as out:
        out.write(config)
    actors = sorted({actor for _, actor in signoffs})
    shell("mkdir -p .shipcheck keys && git init -q && git add shipcheck.yml && "
          "git -c user.email=t@x -c user.name=t commit -qm one", directory)
    with open(os.path.join(directory, ".shipcheck", "allowed_signers"), "w") as out:
        for actor in actors:
            shell("ssh-keygen -q -t ed25519 -N '' -f keys/%s" % actor, directory)
            with open(os.path.join(directory, "keys", actor + ".pub")) as public:
                out.write("%s %s\n" % (actor, " ".join(public.read().split()[:2])))
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=directory, capture_output=True, text=True).stdout.strip()
    # The store's schema, made by shipcheck itself.
    subprocess.run([binary, "lock", "--env", "production", "--for", "1s", "--reason", "create"], cwd=directory,
                   capture_output=True, env=dict(os.environ, SHIPCHECK_ACTOR="bench@example.com"))
    now = int(time.time() * 1000) - 60_000
    rows = []
    for index, (item, actor) in enumerate(signoffs):
        at = now + index
        body = {"note": "ok", "commit": commit, "via": "--actor", "role": "reviewers"}
        if signed:
            signature = subprocess.run(["ssh-keygen", "-q", "-Y", "sign", "-f", "keys/" + actor, "-n", "shipcheck"],
                                       input=text(item, commit, actor, "ok", at), cwd=directory,
                                       capture_output=True, text=True, check=True).stdout.strip()
            body["signature"] = signature
        rows.append(("signoff", "signoff-" + uuid.uuid4().hex, item, "production", actor, store_time(at), None,
                     json.dumps(body)))
    database = sqlite3.connect(os.path.join(directory, ".shipcheck", "shipcheck.db"))
    database.executemany("INSERT INTO records (kind, id, subject, environment, actor, at, until, body) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    database.commit()
    return directory


def timed(arguments, cwd):
    started = time.perf_counter()
    result = subprocess.run([binary] + arguments, cwd=cwd, capture_output=True, text=True,
                            env=dict(os.environ, SHIPCHECK_ACTOR="deployer@example.com"))
    return time.perf_counter() - started, result


reviewers = ["reviewer%d@example.com" % index for index in range(1000)]
ROLES = "roles: { reviewers: [%s] }\n" % ", ".join(reviewers)
READ_CONFIG = ("version: 1\n" + ROLES + "environments: { production: { identity: %s } }\n"
               "phases:\n  pre-deploy:\n    items:\n"
               "      - { id: review, title: Review, manual: true, signoffs: { count: 100, role: reviewers } }\n")
read = {}
for signed in (True, False):
    config = READ_CONFIG % ("signed" if signed else "claimed")
    directory = project(config, [("review", actor) for actor in reviewers], signed)
    samples = []
    for _ in range(ROUNDS):
        seconds, result = timed(["signoffs", "--env", "production"], directory)
        samples.append(seconds)
    if "signed off by" not in result.stdout or "not counted" in result.stdout:
        sys.exit("bench: the %s read did not judge what it should:\n%s%s" % (
            "signed" if signed else "unsigned", result.stdout[:500], result.stderr[:500]))
    read[signed] = statistics.median(samples)
print("verify: 1,000 signed sign-offs read and judged in %.3f s (median of %d); 1,000 unsigned in %.3f s; "
      "ratio %.2fx; target under 1 s: %s" % (read[True], ROUNDS, read[False], read[True] / read[False],
                                              "met" if read[True] < 1 else "MISSED"))

# Each item's environment names it: items with the same check would run it once between them.
items = "".join("      - { id: check%d, title: Check %d, run: \"true\", env: { ITEM: \"%d\" } }\n" % (index, index, index)
                for index in range(ITEMS))
items += "".join("      - { id: approve%d, title: Approve %d, manual: true, signoffs: { count: 2, role: reviewers } }\n"
                 % (index, index) for index in range(ITEMS))
GATE_CONFIG = ("version: 1\n" + ROLES + "environments: { production: {} }\nphases:\n  pre-deploy:\n    items:\n" + items)
gate_signoffs = [("approve%d" % index, reviewers[k]) for index in range(ITEMS) for k in (0, 1)]
directories = {signed: project(GATE_CONFIG, gate_signoffs, signed) for signed in (True, False)}
gate = {True: [], False: []}
for _ in range(ROUNDS):
    for signed in (True, False):
        seconds, result = timed(["run", "--env", "production", "--no-reuse"], directories[signed])
        if result.returncode != 0:
            sys.exit("bench: the gate did not pass:\n%s%s" % (result.stdout[-800:], result.stderr[-800:]))
        gate[signed].append(seconds)
signed_gate, unsigned_gate = statistics.median(gate[True]), statistics.median(gate[False])
print("gate: %d commands and %d manual items, 2 sign-offs each: signed %.3f s, unsigned %.3f s (medians of %d); "
      "ratio %.3fx; target within 5%%: %s" % (ITEMS, ITEMS, signed_gate, unsigned_gate, ROUNDS,
                                              signed_gate / unsigned_gate,
                                              "met" if signed_gate <= unsigned_gate * 1.05 else "MISSED"))
