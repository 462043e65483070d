"""Runs the demo's unittest suite and writes a JUnit XML report to reports/junit.xml.

Standard library only. Exits 0 when every test passed, 1 otherwise.
Usage (from examples/demo): python3 tests/run_tests.py
"""

import os
import platform
import sys
import time
import traceback
import unittest
import xml.etree.ElementTree as ET
from datetime import datetime, timezone

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPORT = os.path.join(ROOT, "reports", "junit.xml")

sys.dont_write_bytecode = True
sys.path.insert(0, ROOT)


class RecordingResult(unittest.TextTestResult):
    """A text result that also remembers each test's outcome and duration."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.records = []
        self._started = {}

    def startTest(self, test):
        self._started[test.id()] = time.perf_counter()
        super().startTest(test)

    def _record(self, test, outcome, message="", details=""):
        started = self._started.pop(test.id(), time.perf_counter())
        self.records.append({
            "test": test,
            "outcome": outcome,
            "message": message,
            "details": details,
            "time": time.perf_counter() - started,
        })

    def addSuccess(self, test):
        super().addSuccess(test)
        self._record(test, "passed")

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._record(test, "failure", str(err[1]), self._exc_info_to_string(err, test))

    def addError(self, test, err):
        super().addError(test, err)
        self._record(test, "error", str(err[1]), self._exc_info_to_string(err, test))

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._record(test, "skipped", reason)

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        self._record(test, "passed")

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self._record(test, "failure", "unexpected success")


def split_id(test):
    """'tests.test_calc.AddTests.test_adds_integers' -> ('tests.test_calc.AddTests', 'test_adds_integers')."""
    test_id = test.id()
    if " (" in test_id:
        # A setUpClass/tearDownClass error: "setUpClass (tests.test_service.ServiceTests)".
        name, classname = test_id.split(" (", 1)
        return classname.rstrip(")"), name
    if "." not in test_id:
        return "", test_id
    classname, name = test_id.rsplit(".", 1)
    return classname, name


def write_junit(records, elapsed, path):
    counts = {
        "tests": len(records),
        "failures": sum(r["outcome"] == "failure" for r in records),
        "errors": sum(r["outcome"] == "error" for r in records),
        "skipped": sum(r["outcome"] == "skipped" for r in records),
    }
    suite = ET.Element("testsuite", {
        "name": "demo",
        "tests": str(counts["tests"]),
        "failures": str(counts["failures"]),
        "errors": str(counts["errors"]),
        "skipped": str(counts["skipped"]),
        "time": "%.3f" % elapsed,
        "timestamp": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
        "hostname": platform.node() or "localhost",
    })
    for record in records:
        classname, name = split_id(record["test"])
        case = ET.SubElement(suite, "testcase", {"classname": classname, "name": name,
                                                 "time": "%.3f" % record["time"]})
        if record["outcome"] in ("failure", "error"):
            tag = "failure" if record["outcome"] == "failure" else "error"
            node = ET.SubElement(case, tag, {"message": record["message"][:500]})
            node.text = record["details"]
        elif record["outcome"] == "skipped":
            ET.SubElement(case, "skipped", {"message": record["message"]})
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if hasattr(ET, "indent"):  # Python 3.9+
        ET.indent(suite)
    ET.ElementTree(suite).write(path, encoding="utf-8", xml_declaration=True)
    return counts


def main():
    # A report left by an earlier run must never be mistaken for this one.
    if os.path.exists(REPORT):
        os.remove(REPORT)
    suite = unittest.defaultTestLoader.discover(os.path.join(ROOT, "tests"), pattern="test_*.py", top_level_dir=ROOT)
    runner = unittest.TextTestRunner(stream=sys.stdout, verbosity=2, resultclass=RecordingResult)
    started = time.perf_counter()
    try:
        result = runner.run(suite)
    except Exception:
        traceback.print_exc()
        return 2
    counts = write_junit(result.records, time.perf_counter() - started, REPORT)
    sys.stdout.write("JUnit report: %s (%d tests, %d failures, %d errors, %d skipped)\n" % (
        os.path.relpath(REPORT, ROOT), counts["tests"], counts["failures"], counts["errors"], counts["skipped"]))
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
