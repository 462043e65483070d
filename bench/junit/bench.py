"""Reading a JUnit report of 100,000 test cases (about 6 MB, pytest's shape, 1% failing): a `report:`
item through `shipcheck run`, less the same run on a one-case report (start-up, configuration,
engine), against ElementTree's iterparse counting the same cases in this process. Peak memory
(maximum resident set) of both runs shows that memory stays flat. Target: under 50 ms of parsing.
Usage: bench.py SHIPCHECK_BINARY"""
import os
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ElementTree

binary = sys.argv[1]
rounds = int(os.environ.get("BENCH_ROUNDS", "7"))
CASES = 100_000


def write_report(path, cases):
    with open(path, "w") as handle:
        handle.write('<?xml version="1.0" encoding="utf-8"?>\n<testsuites><testsuite name="pytest" '
                     f'errors="0" failures="{cases // 100}" skipped="0" tests="{cases}" time="812.4">\n')
        for index in range(cases):
            name = f'classname="tests.test_mod{index // 1000}" name="test_{index}" time="0.008"'
            if index % 100 == 99:
                handle.write(f'<testcase {name}><failure message="assert 1 == 2">AssertionError</failure></testcase>\n')
            else:
                handle.write(f"<testcase {name} />\n")
        handle.write("</testsuite></testsuites>\n")


def run(directory, report):
    config = os.path.join(directory, "shipcheck.yml")
    with open(config, "w") as handle:
        handle.write("version: 1\nphases:\n  pre-deploy:\n    items:\n"
                     f"      - {{ id: tests, title: Tests, report: {{ junit: {report} }}, severity: warn }}\n")
    start = time.perf_counter()
    process = subprocess.Popen([binary, "run", "--config", config], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, env={**os.environ, "NO_COLOR": "1"})
    _, status, usage = os.wait4(process.pid, 0)
    return time.perf_counter() - start, usage.ru_maxrss / 1024


def iterparse(path):
    start = time.perf_counter()
    total = failed = 0
    for _, element in ElementTree.iterparse(path):
        if element.tag == "testcase":
            total += 1
            if element.find("failure") is not None:
                failed += 1
            element.clear()
    assert total == CASES and failed == CASES // 100, (total, failed)
    return time.perf_counter() - start


with tempfile.TemporaryDirectory() as directory:
    big = os.path.join(directory, "big.xml")
    small = os.path.join(directory, "small.xml")
    write_report(big, CASES)
    write_report(small, 1)
    size = os.path.getsize(big) / 1e6
    big_runs = [run(directory, big) for _ in range(rounds)]
    small_runs = [run(directory, small) for _ in range(rounds)]
    parse = min(t for t, _ in big_runs) - min(t for t, _ in small_runs)
    theirs = min(iterparse(big) for _ in range(rounds))
    print(f"JUnit report: {CASES} test cases, {size:.1f} MB (best of {rounds})")
    print(f"  shipcheck run, 1-case report     {min(t for t, _ in small_runs) * 1000:7.1f} ms  "
          f"peak {max(m for _, m in small_runs):6.1f} MB")
    print(f"  shipcheck run, 100k-case report  {min(t for t, _ in big_runs) * 1000:7.1f} ms  "
          f"peak {max(m for _, m in big_runs):6.1f} MB")
    print(f"  shipcheck parsing (difference)   {parse * 1000:7.1f} ms  ({size / parse:.0f} MB/s)  (target < 50 ms)")
    print(f"  ElementTree iterparse            {theirs * 1000:7.1f} ms  ({size / theirs:.0f} MB/s)")
    print(f"  ratio iterparse / shipcheck      {theirs / parse:7.2f}x")
