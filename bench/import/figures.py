"""What `shipcheck import` makes of real checklists and runbooks: fenced blocks placed (counted
independently of the importer), checks / actions / manual items / probes, and expectations beyond
`exit == 0`, per document and in total. Reads ../shared/corpus (skips loudly when absent).
Usage: figures.py SHIPCHECK_BINARY [DIRECTORY ...]   (default: the corpus's checklists and runbooks, the seed)"""
import glob
import os
import re
import subprocess
import sys

import yaml

binary = sys.argv[1]
shared = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared")
targets = sys.argv[2:] or [os.path.join(shared, "corpus", "checklists"), os.path.join(shared, "corpus", "runbooks"),
                           os.path.join(shared, "seed")]
if not os.path.isdir(targets[0]):
    sys.exit(f"SKIPPED: {targets[0]} is absent (the shared corpus sits beside the project's root)")

FENCE = re.compile(r"^( {0,3}|\s*)(`{3,}|~{3,})(.*)$")


def count_fences(text):
    """Fenced blocks as CommonMark closes them: same character, at least as long, nothing after."""
    count, open_fence = 0, None
    for line in text.splitlines():
        match = FENCE.match(line)
        if not match:
            continue
        marker = match.group(2)
        if open_fence is None:
            open_fence = marker
            count += 1
        elif marker[0] == open_fence[0] and len(marker) >= len(open_fence) and not match.group(3).strip():
            open_fence = None
    return count


def walk(node):
    if isinstance(node, dict):
        if "title" in node and ("run" in node or "manual" in node or len(node) > 2):
            yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def figures(path):
    text = open(path, encoding="utf-8", errors="replace").read()
    result = subprocess.run([binary, "import", path], capture_output=True, text=True)
    row = {"fences": count_fences(text), "unplaced": 0, "listed": 0, "check": 0, "action": 0, "manual": 0, "other": 0,
           "expectations": 0, "parsed": 0, "vars": 0, "failed": result.returncode != 0}
    if result.returncode != 0:
        row["unplaced"] = row["fences"]
        return row
    match = re.search(r"(\d+) under no item", result.stderr)
    row["unplaced"] = int(match.group(1)) if match else 0
    match = re.search(r"(\d+) listed, not commands", result.stderr)
    row["listed"] = int(match.group(1)) if match else 0
    document = yaml.safe_load(result.stdout)
    row["vars"] = len(document.get("vars") or {})
    for item in walk(document.get("phases", {})):
        if "parse" in item:
            row["parsed"] += 1
        if item.get("manual") is True:
            row["manual"] += 1
        elif "run" in item:
            row["action" if item.get("action") is True else "check"] += 1
        else:
            row["other"] += 1
        expect = item.get("expect") or []
        expect = [expect] if isinstance(expect, str) else expect
        row["expectations"] += sum(1 for e in expect if str(e).strip() != "exit == 0")
    return row


grand = {}
for target in targets:
    files = sorted(glob.glob(os.path.join(target, "*.md")))
    files = [f for f in files if os.path.basename(f) != "SOURCES.md"]
    total = {}
    print(f"{os.path.relpath(target, shared)}: {len(files)} documents")
    print(f"  {'document':36} {'blocks':>6} {'placed':>6} {'check':>5} {'action':>6} {'manual':>6} {'other':>5} {'expect':>6} "
          f"{'parsed':>6} {'vars':>4}")
    for path in files:
        row = figures(path)
        for key, value in row.items():
            total[key] = total.get(key, 0) + int(value)
            grand[key] = grand.get(key, 0) + int(value)
        placed = row["fences"] - row["unplaced"] - row["listed"]
        flag = "  IMPORT FAILED" if row["failed"] else ""
        print(f"  {os.path.basename(path)[:36]:36} {row['fences']:6} {placed:6} {row['check']:5} {row['action']:6} "
              f"{row['manual']:6} {row['other']:5} {row['expectations']:6} {row['parsed']:6} {row['vars']:4}{flag}")
    placed = total["fences"] - total["unplaced"] - total["listed"]
    print(f"  {'total':36} {total['fences']:6} {placed:6} {total['check']:5} {total['action']:6} "
          f"{total['manual']:6} {total['other']:5} {total['expectations']:6} {total['parsed']:6} {total['vars']:4}")
placed = grand["fences"] - grand["unplaced"] - grand["listed"]
print(f"all: blocks placed in items {placed}/{grand['fences']} ({100 * placed / max(1, grand['fences']):.0f}%), "
      f"listed with a reason {grand['listed']}, dropped {grand['unplaced']}, "
      f"checks {grand['check']}, actions {grand['action']}, manual {grand['manual']}, other kinds {grand['other']}, "
      f"expectations beyond exit == 0: {grand['expectations']}, checks with a parsed report {grand['parsed']}, "
      f"variables made {grand['vars']}, imports failed {grand['failed']}")
