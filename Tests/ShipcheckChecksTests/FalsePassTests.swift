import Foundation
import ShipcheckCore
import Testing

@testable import ShipcheckChecks

/// Every route by which a gate could pass without having looked, each closed: the item ends as a
/// fail or an error, never a pass.
@Suite struct FalsePassTests {
    // MARK: - Exit statuses

    @Test func anExplicitExpectationKeepsTheExitCheck() async throws {
        // pytest exiting 2 ("22 errors during collection") while the stated expectation holds.
        let run = try await Harness.run(
            items: """
                - id: collected-nothing
                  title: All tests passing
                  run: "echo 'collected 0 items / 22 errors'; exit 2"
                  expect: stdout contains "collected"
                - id: allowed
                  title: ruff finds something (exit 1) and the count decides
                  run: "echo 'found: 0'; exit 1"
                  allow-exit: [1]
                  capture: { found: 'found: (\\d+)' }
                  expect: found == 0
                - id: allowed-but-not-this-one
                  title: exit 2 is not in allow-exit
                  run: "echo 'found: 0'; exit 2"
                  allow-exit: [1]
                  capture: { found: 'found: (\\d+)' }
                  expect: found == 0
                - id: says-its-own
                  title: an expectation that reads exit replaces the check
                  run: "exit 3"
                  expect: exit == 3
                """)
        #expect(run["collected-nothing"]?.outcome == .fail)
        #expect(
            run["collected-nothing"]?.reason?.contains("exit = 2, expected == 0") == true,
            "\(run["collected-nothing"]?.reason ?? "")")
        #expect(run["allowed"]?.outcome == .pass, "\(run["allowed"]?.reason ?? "")")
        #expect(run["allowed-but-not-this-one"]?.outcome == .fail)
        #expect(
            run["allowed-but-not-this-one"]?.reason?.contains("expected one of [0, 1]") == true,
            "\(run["allowed-but-not-this-one"]?.reason ?? "")")
        #expect(run["says-its-own"]?.outcome == .pass)
    }

    @Test func aFailingLineOrPipelineStageIsNotHidden() async throws {
        let run = try await Harness.run(
            items: """
                - { id: pipeline, title: P, run: "false | tee /dev/null" }
                - id: earlier-line
                  title: black fails, then ruff passes
                  run: |
                    false
                    echo "ruff: all good"
                - id: grep-after-a-failed-diff
                  title: No passwords in a diff that could not be made
                  run: git diff shipcheck-no-such-ref-xyz | grep -i password
                  expect: lines == 0
                """)
        #expect(run["pipeline"]?.outcome == .fail)
        #expect(run["earlier-line"]?.outcome == .fail)
        #expect(run["grep-after-a-failed-diff"]?.outcome != .pass)
        #expect(run["grep-after-a-failed-diff"]?.outcome == .fail)
    }

    /// The importer writes a grep that must find nothing so that "no match" passes but a failing
    /// producer still fails.
    @Test func grepThatMayFindNothingStillSeesItsProducerFail() async throws {
        let directory = try emptyRepository()
        let run = try await Harness.run(
            items: """
                - id: clean
                  title: nothing found
                  run: 'git diff main | { grep -i "password" || test $? -eq 1; }'
                  expect: lines == 0
                - id: producer-fails
                  title: git diff of a ref that does not exist
                  run: 'git diff no-such-ref | { grep -i "password" || test $? -eq 1; }'
                  expect: lines == 0
                """, in: directory)
        #expect(run["clean"]?.outcome == .pass, "\(run["clean"]?.reason ?? "")")
        #expect(run["producer-fails"]?.outcome == .fail)
        #expect(run["producer-fails"]?.reason?.contains("exit = 128") == true, "\(run["producer-fails"]?.reason ?? "")")
    }

    @Test func aCommandNotFoundAnywhereIsAnErrorEvenWhenTheScriptExitsZero() async throws {
        let directory = try Harness.temporaryDirectory()
        try "#!/bin/sh\nshipcheck-no-such-k6 run load.js\necho 'All tests passed!'\n"
            .write(to: directory.appendingPathComponent("run-all-tests.sh"), atomically: true, encoding: .utf8)
        let run = try await Harness.run(
            items: """
                - { id: load, title: Load testing completed, run: "sh ./run-all-tests.sh 2>&1 | tee out.txt", retries: 3, retry-delay: 10s }
                """, in: directory)
        let load = try #require(run["load"])
        #expect(load.outcome == .error)
        #expect(load.reason?.contains("a command was not found") == true, "\(load.reason ?? "")")
        #expect(load.reason?.contains("shipcheck-no-such-k6") == true)
        // Deterministic: not retried (three retries at 10s would take 70s).
        #expect(load.attempts == 1)
    }

    @Test func aMissingExecutableIsNotRetried() async throws {
        let run = try await Harness.run(
            items: """
                - { id: gh, title: CI green, run: "shipcheck-no-such-gh pr checks", retries: 3, retry-delay: 10s }
                - { id: argv, title: CI green, run: [shipcheck-no-such-gh, pr, checks], retries: 3, retry-delay: 10s }
                """)
        for id in ["gh", "argv"] {
            #expect(run[id]?.outcome == .error)
            #expect(run[id]?.attempts == 1, "\(id) was retried")
        }
    }

    // MARK: - Reports

    @Test func aTestReportWithNoTestsOrWithErrorsIsNotAPass() async throws {
        let directory = try Harness.temporaryDirectory()
        let empty = #"<testsuites><testsuite name="pytest" tests="0" errors="0" failures="0"></testsuite></testsuites>"#
        let errored =
            #"<testsuite name="pytest" tests="2"><testcase classname="tests.test_billing" name="collect"><error message="collection failure"/></testcase><testcase classname="t" name="ok"/></testsuite>"#
        try empty.write(to: directory.appendingPathComponent("none.src"), atomically: true, encoding: .utf8)
        try errored.write(to: directory.appendingPathComponent("errored.src"), atomically: true, encoding: .utf8)
        let run = try await Harness.run(
            items: """
                - id: none
                  title: no tests ran
                  run: mkdir -p r && cp none.src r/none.xml
                  parse: { junit: r/none.xml }
                  expect: tests.failed == 0
                - id: errored
                  title: a module that cannot be imported
                  run: mkdir -p r && cp errored.src r/errored.xml
                  parse: { junit: r/errored.xml }
                  expect: tests.failed == 0
                - id: read-later
                  title: the same report, read by the report kind
                  report: { junit: r/errored.xml }
                  needs: [errored]
                  expect: tests.failed == 0
                """, in: directory)
        #expect(run["none"]?.outcome == .error)
        #expect(run["none"]?.reason?.contains("holds no test cases") == true, "\(run["none"]?.reason ?? "")")
        #expect(run["errored"]?.outcome == .fail)
        #expect(run["errored"]?.reason?.contains("tests.errors = 1, expected == 0") == true)
        #expect(run["read-later"]?.outcome == .skipped)
        let direct = try await Harness.run(
            items: "- { id: r, title: R, report: { junit: r/errored.xml }, expect: tests.failed == 0 }",
            in: directory)
        #expect(direct["r"]?.outcome == .fail)
    }

    @Test func aCoverageReportThatMeasuredNothingIsAnError() async throws {
        let directory = try Harness.temporaryDirectory()
        let json = #"{"totals": {"covered_lines": 0, "num_statements": 0, "percent_covered": 100.0}, "files": {}}"#
        try json.write(to: directory.appendingPathComponent("coverage.json"), atomically: true, encoding: .utf8)
        let run = try await Harness.run(
            items: """
                - { id: cov, title: Coverage, report: { coverage: coverage.json }, expect: coverage.percent >= 80 }
                """, in: directory)
        #expect(run["cov"]?.outcome == .error)
        #expect(run["cov"]?.reason?.contains("measured no lines") == true, "\(run["cov"]?.reason ?? "")")
    }

    @Test func aToolThatFailedWithoutItsReportSaysSo() async throws {
        let run = try await Harness.run(
            items: """
                - id: safety
                  title: Dependencies (the database cannot be reached)
                  run: "mkdir -p r && echo 'httpx.ConnectError: Name or service not known' >&2 && exit 1 > r/safety.json"
                  allow-exit: [64]
                  parse: { safety: r/safety.json }
                  expect: vulns.high == 0
                """)
        #expect(run["safety"]?.outcome == .error)
        #expect(
            run["safety"]?.reason?.contains("exited 1, not one of the statuses that mean it ran (0, 64)") == true,
            "\(run["safety"]?.reason ?? "")")
        #expect(run["safety"]?.reason?.contains("httpx.ConnectError") == true, "what the tool said is kept")
    }

    // MARK: - Other kinds

    @Test func aSecretScanThatLookedAtNothingIsAnError() async throws {
        let directory = try emptyRepository()
        let run = try await Harness.run(
            items: "- { id: s, title: No hardcoded secrets, secrets: { diff: main } }", in: directory)
        #expect(run["s"]?.outcome == .error)
        #expect(run["s"]?.reason?.contains("nothing to scan") == true, "\(run["s"]?.reason ?? "")")
    }

    /// Outside a repository git prints a warning and its whole usage text: the reason says it in one line.
    @Test func aGitFailureIsSaidOnceInOneLine() async throws {
        let directory = try Harness.temporaryDirectory()
        let run = try await Harness.run(
            items: "- { id: s, title: No hardcoded secrets, secrets: { diff: main } }", in: directory)
        let reason = run["s"]?.reason ?? ""
        #expect(run["s"]?.outcome == .error)
        #expect(reason.contains("not a git repository"), "\(reason)")
        #expect(!reason.contains("usage:"), "\(reason)")
        #expect(!reason.contains("\n"), "\(reason)")
    }

    @Test func newerThanAGlobThatMatchesNothingIsAnError() async throws {
        let directory = try Harness.temporaryDirectory()
        try "# Runbook".write(to: directory.appendingPathComponent("RUNBOOK.md"), atomically: true, encoding: .utf8)
        let run = try await Harness.run(
            items: """
                - { id: f, title: Runbook updated, file: { path: RUNBOOK.md, newer-than: ["srcc/**"] } }
                """, in: directory)
        #expect(run["f"]?.outcome == .error)
        #expect(run["f"]?.reason?.contains("matched no file") == true)
    }

    @Test func aMissingChangelogIsAFail() async throws {
        let run = try await Harness.run(items: "- { id: c, title: CHANGELOG updated, changelog: { version: 1.2.3 } }")
        #expect(run["c"]?.outcome == .fail)
        #expect(run["c"]?.facts["changelog.exists"] == .bool(false))
    }

    /// A repository on `main` with one empty commit, so that `git diff main` works and shows nothing.
    func emptyRepository() throws -> URL {
        let directory = try Harness.temporaryDirectory()
        let status = shell(
            "git init -q -b main && git -c user.email=t@example.org -c user.name=T commit -q --allow-empty -m i",
            in: directory)
        #expect(status == 0)
        return directory
    }

    func shell(_ script: String, in directory: URL) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script]
        process.currentDirectoryURL = directory
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }
}

/// HTTP answers that must not pass: every status outside the expected ones is an error in a rate,
/// and a body of the wrong shape is a fail that shows the body.
@Suite(.serialized) struct HTTPFalsePassTests {
    func run(_ items: String) async throws -> RunResult {
        let base = try await TestServer.shared.start()
        return try await Harness.run(items: items, vars: "{ BASE_URL: \"\(base)\" }")
    }

    @Test func fourOhFoursCountAsErrors() async throws {
        let result = try await run(
            """
            - id: rate
              title: Error rate under 1%
              http: { url: "${{ vars.BASE_URL }}/no-such-page", samples: 20, concurrency: 2 }
              expect: error_rate < 1%
            - id: gone-on-purpose
              title: The old endpoint answers 404
              http: { url: "${{ vars.BASE_URL }}/no-such-page", samples: 5, ok-status: [404] }
              expect: error_rate < 1%
            - id: single
              title: A single 404 with a stated expectation on the body
              http: { url: "${{ vars.BASE_URL }}/no-such-page" }
              expect: body.bytes >= 0
            """)
        #expect(result["rate"]?.outcome == .fail)
        #expect(result["rate"]?.facts["error_rate"] == .number(100))
        #expect(result["gone-on-purpose"]?.outcome == .pass, "\(result["gone-on-purpose"]?.reason ?? "")")
        #expect(result["single"]?.outcome == .fail)
        #expect(result["single"]?.reason?.contains("status = 404") == true, "\(result["single"]?.reason ?? "")")
    }

    /// A group of probes with its own `expect:` keeps each probe's guard: a 500 is not a pass because it was fast.
    @Test func probesKeepTheirGuardsUnderAStatedExpectation() async throws {
        let result = try await run(
            """
            - id: metrics
              title: Key metrics within targets
              probes:
                api: { http: { url: "${{ vars.BASE_URL }}/status/500" } }
              expect: api.latency < 30s
            """)
        #expect(result["metrics"]?.outcome == .fail)
        #expect(result["metrics"]?.reason?.contains("api.status = 500") == true, "\(result["metrics"]?.reason ?? "")")
    }

    @Test func noAnsweredRequestIsAnErrorNotAZeroRate() async throws {
        let result = try await run(
            """
            - { id: r, title: R, http: { url: "http://127.0.0.1:9/health", samples: 5, request-timeout: 2s }, expect: error_rate < 1% }
            """)
        #expect(result["r"]?.outcome == .error || result["r"]?.outcome == .fail)
        #expect(result["r"]?.outcome != .pass)
    }

    @Test func aBodyOfTheWrongShapeIsAFailThatShowsTheBody() async throws {
        let result = try await run(
            """
            - { id: health, title: Health checks passing, http: { url: "${{ vars.BASE_URL }}/other-shape" }, expect: json.status == "healthy" }
            """)
        let health = try #require(result["health"])
        #expect(health.outcome == .fail)
        #expect(
            health.reason?.contains("fact `json.status` is missing; the check answered json.ok") == true,
            "\(health.reason ?? "")")
        let report = TerminalReporter(color: false).summary(result)
        #expect(report.contains(#"│ {"ok": true"#), "\(report)")
    }
}
