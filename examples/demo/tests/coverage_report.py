"""Measures line coverage of app/calc.py while its unit tests run, and writes a
Cobertura-style XML report to reports/coverage.xml.

Standard library only: executable lines come from the compiled code objects
(dis.findlinestarts), executed lines from a sys.settrace hook. The same numbers
coverage.py would call "statements" and "covered".
Usage (from examples/demo): python3 tests/coverage_report.py
"""

import dis
import os
import sys
import threading
import time
import types
import unittest
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPORT = os.path.join(ROOT, "reports", "coverage.xml")
# Source files measured, relative to ROOT, and the test modules that exercise them.
TARGETS = ["app/calc.py"]
TEST_MODULES = ["tests.test_calc"]

sys.dont_write_bytecode = True
sys.path.insert(0, ROOT)


def executable_lines(path):
    """Line numbers that start at least one instruction, in the module and every nested function."""
    with open(path, encoding="utf-8") as source:
        code = compile(source.read(), path, "exec")
    lines = set()
    pending = [code]
    while pending:
        current = pending.pop()
        lines.update(line for _, line in dis.findlinestarts(current) if line)
        pending.extend(const for const in current.co_consts if isinstance(const, types.CodeType))
    return lines


class LineRecorder:
    """A settrace hook that records which lines of the target files ran, and how often."""

    def __init__(self, paths):
        self.paths = {os.path.realpath(p) for p in paths}
        self.hits = {p: {} for p in self.paths}
        self._known = {}

    def _target(self, filename):
        if filename not in self._known:
            real = os.path.realpath(filename)
            self._known[filename] = real if real in self.paths else None
        return self._known[filename]

    def global_trace(self, frame, event, arg):
        target = self._target(frame.f_code.co_filename)
        if target is None:
            return None
        hits = self.hits[target]

        def local_trace(frame, event, arg):
            if event == "line":
                hits[frame.f_lineno] = hits.get(frame.f_lineno, 0) + 1
            return local_trace

        return local_trace

    def __enter__(self):
        threading.settrace(self.global_trace)
        sys.settrace(self.global_trace)
        return self

    def __exit__(self, *exc):
        sys.settrace(None)
        threading.settrace(None)
        return False


def rate(covered, valid):
    return "%.4f" % (covered / valid if valid else 1.0)


def write_cobertura(files, path):
    """files: [(relative path, executable lines, {line: hits})]."""
    total_valid = sum(len(lines) for _, lines, _ in files)
    total_covered = sum(len(lines & set(hits)) for _, lines, hits in files)
    root = ET.Element("coverage", {
        "line-rate": rate(total_covered, total_valid),
        "lines-covered": str(total_covered),
        "lines-valid": str(total_valid),
        "version": "demo-stdlib-1",
        "timestamp": str(int(time.time() * 1000)),
    })
    ET.SubElement(ET.SubElement(root, "sources"), "source").text = ROOT
    packages = ET.SubElement(root, "packages")
    by_package = {}
    for relative, lines, hits in files:
        by_package.setdefault(os.path.dirname(relative).replace("/", ".") or ".", []).append((relative, lines, hits))
    for package_name, members in sorted(by_package.items()):
        valid = sum(len(lines) for _, lines, _ in members)
        covered = sum(len(lines & set(hits)) for _, lines, hits in members)
        package = ET.SubElement(packages, "package", {"name": package_name, "line-rate": rate(covered, valid)})
        classes = ET.SubElement(package, "classes")
        for relative, lines, hits in members:
            file_covered = len(lines & set(hits))
            cls = ET.SubElement(classes, "class", {
                "name": os.path.basename(relative), "filename": relative,
                "line-rate": rate(file_covered, len(lines)),
            })
            ET.SubElement(cls, "methods")
            line_nodes = ET.SubElement(cls, "lines")
            for number in sorted(lines):
                ET.SubElement(line_nodes, "line", {"number": str(number), "hits": str(hits.get(number, 0))})
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if hasattr(ET, "indent"):  # Python 3.9+
        ET.indent(root)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
    return total_covered, total_valid


def main():
    # A report left by an earlier run must never be mistaken for this one.
    if os.path.exists(REPORT):
        os.remove(REPORT)
    absolute = [os.path.join(ROOT, target) for target in TARGETS]
    recorder = LineRecorder(absolute)
    # Import the code under test only once tracing is on, so that module-level lines count.
    with recorder:
        suite = unittest.defaultTestLoader.loadTestsFromNames(TEST_MODULES)
        result = unittest.TextTestRunner(stream=sys.stderr, verbosity=0).run(suite)

    files = []
    for relative, path in zip(TARGETS, absolute):
        lines = executable_lines(path)
        hits = {line: count for line, count in recorder.hits[os.path.realpath(path)].items() if line in lines}
        files.append((relative, lines, hits))
        missing = sorted(lines - set(hits))
        sys.stdout.write("%s: %d of %d lines (%.2f%%)%s\n" % (
            relative, len(hits), len(lines), 100.0 * len(hits) / len(lines) if lines else 100.0,
            ", missing: " + ", ".join(map(str, missing)) if missing else ""))
    covered, valid = write_cobertura(files, REPORT)
    sys.stdout.write("TOTAL: %d of %d lines (%.2f%%); Cobertura report: %s\n" % (
        covered, valid, 100.0 * covered / valid if valid else 100.0, os.path.relpath(REPORT, ROOT)))
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
