import Foundation
import ShipcheckCore
import ShipcheckTestSupport
import Testing

@testable import ShipcheckChecks

@Suite struct CommandCheckTests {
    @Test func shellAndArgvCommandsProduceFacts() async throws {
        let run = try await Harness.run(
            items: """
                - id: shell
                  title: Shell
                  run: echo out; echo err >&2; exit 3
                  expect: exit == 3 and stdout == "out\\n" and stderr contains "err" and lines == 1
                - id: argv
                  title: Argv
                  run: [printf, "%s|", "a b", "c;d"]
                  expect: stdout == "a b|c;d|"
                """)
        #expect(run["shell"]?.outcome == .pass, "\(run["shell"]?.reason ?? "")")
        #expect(run["argv"]?.outcome == .pass, "\(run["argv"]?.reason ?? "")")
        guard case .duration(let seconds) = run["shell"]?.facts["duration"] else {
            Issue.record("duration missing")
            return
        }
        #expect(seconds >= 0 && seconds < 10)
    }

    @Test func nonZeroExitIsAFailWithTheExplanation() async throws {
        let run = try await Harness.run(items: "- { id: f, title: F, run: 'echo boom >&2; exit 4' }")
        let item = try #require(run["f"])
        #expect(item.outcome == .fail)
        #expect(item.reason == "exit = 4, expected == 0")
        #expect(item.facts["stderr"] == .string("boom\n"))
    }

    @Test func missingExecutableIsAnError() async throws {
        let run = try await Harness.run(
            items: """
                - { id: argv, title: A, run: [shipcheck-no-such-tool-xyz, --version] }
                - { id: shell, title: S, run: shipcheck-no-such-tool-xyz --version }
                - { id: cwd, title: C, run: "true", cwd: does/not/exist }
                """)
        #expect(run["argv"]?.outcome == .error)
        #expect(run["argv"]?.reason?.contains("`shipcheck-no-such-tool-xyz` was not found") == true)
        #expect(run["shell"]?.outcome == .error)
        #expect(run["shell"]?.reason?.contains("could not find a command (exit 127)") == true)
        #expect(run["cwd"]?.outcome == .error)
        #expect(run.verdict == .error)
    }

    @Test func crashIsAnError() async throws {
        let run = try await Harness.run(items: "- { id: crash, title: C, run: 'kill -SEGV $$' }")
        #expect(run["crash"]?.outcome == .error)
        #expect(run["crash"]?.reason?.contains("SIGSEGV") == true)
    }

    @Test func timeoutKillsTheWholeProcessTree() async throws {
        let marker = "4242.\(Int.random(in: 100_000...999_999))"
        let clock = ContinuousClock()
        let start = clock.now
        let run = try await Harness.run(
            items: """
                - id: tree
                  title: Tree
                  run: "sleep \(marker) & (sleep \(marker) & sleep \(marker)) & trap '' TERM; sleep \(marker); wait"
                  timeout: 500ms
                """)
        let elapsed = clock.now - start
        #expect(run["tree"]?.outcome == .error)
        #expect(run["tree"]?.reason?.hasPrefix("timed out after 500ms") == true)
        // SIGTERM is trapped by the shell: the group gets SIGKILL after the grace period.
        // A bound that only says "did not hang": how fast belongs in a benchmark, not here.
        #expect(elapsed < .seconds(60))
        try await Task.sleep(for: .milliseconds(200))
        #expect(liveProcesses(containing: marker).isEmpty, "orphans: \(liveProcesses(containing: marker))")
    }

    @Test func backgroundChildrenDoNotOutliveTheCheck() async throws {
        let marker = "4343.\(Int.random(in: 100_000...999_999))"
        let run = try await Harness.run(
            items: """
                - { id: bg, title: B, run: "sleep \(marker) > /dev/null 2>&1 & echo started", timeout: 20s }
                - { id: holder, title: H, run: "sleep \(marker) & echo started", timeout: 20s }
                """)
        #expect(run["bg"]?.outcome == .pass)
        #expect(run["holder"]?.outcome == .pass)
        // The leftover child sleeps for an hour: a bound far from both says "did not wait for it".
        #expect((run["holder"]?.duration ?? 9999) < 30)
        try await Task.sleep(for: .milliseconds(200))
        #expect(liveProcesses(containing: marker).isEmpty)
    }

    @Test func outputIsCappedKeepingHeadAndTail() async throws {
        // 64 MiB through a 64 KiB cap: memory stays flat, the ends are kept.
        let run = try await Harness.run(
            items: """
                - id: big
                  title: Big
                  run: "echo FIRST-LINE; head -c 67108864 /dev/zero | tr '\\\\0' x; echo; echo LAST-LINE"
                  output-limit: 64KiB
                """)
        let item = try #require(run["big"])
        #expect(item.outcome == .pass, "\(item.reason ?? "")")
        guard case .string(let stdout) = item.facts["stdout"] else {
            Issue.record("no stdout")
            return
        }
        #expect(stdout.hasPrefix("FIRST-LINE\n"))
        #expect(stdout.hasSuffix("LAST-LINE\n"))
        #expect(stdout.contains("bytes omitted"))
        #expect(stdout.utf8.count < 70_000)
        #expect(item.facts["stdout.bytes"] == .number(Double(67_108_864 + 11 + 1 + 10)))
        #expect(item.facts["lines"] == .number(3))
    }

    @Test func capturesBecomeFacts() async throws {
        let run = try await Harness.run(
            items: """
                - id: cap
                  title: Cap
                  run: "printf 'Total coverage: 83.1%%\\nversion v1.2.3\\n'; echo 'warnings: 2' >&2"
                  capture: { total: 'Total coverage: ([0-9.]+)%', version: 'version (v\\S+)', warnings: 'warnings: (\\d+)' }
                  expect: [total >= 80, version == "v1.2.3", warnings == 2]
                """)
        #expect(run["cap"]?.outcome == .pass, "\(run["cap"]?.reason ?? "")")
        #expect(run["cap"]?.facts["total"] == .number(83.1))
    }

    @Test func variablesNeverReachTheShellUnquoted() async throws {
        let directory = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try await Harness.run(
            items: """
                - id: inject
                  title: Inject
                  run: echo ${{ env.EVIL }} ${{ vars.NAME }}
                  expect: stdout == "$(touch pwned); touch pwned2 it's\\n"
                """,
            in: directory, environment: ["EVIL": "$(touch pwned); touch pwned2"], vars: #"{ NAME: "it's" }"#)
        #expect(run["inject"]?.outcome == .pass, "\(run["inject"]?.reason ?? "")")
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("pwned").path))
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("pwned2").path))
    }

    @Test func missingEnvironmentVariableIsAnError() async throws {
        let run = try await Harness.run(items: "- { id: e, title: E, run: 'echo ${{ env.SHIPCHECK_SURELY_UNSET }}' }")
        #expect(run["e"]?.outcome == .error)
        #expect(run["e"]?.reason == "`${{ env.SHIPCHECK_SURELY_UNSET }}` is not set")
    }

    @Test func secretsNeverAppearInOutputFactsOrReasons() async throws {
        let run = try await Harness.run(
            items: """
                - id: leak
                  title: Leak
                  run: echo "db=$DATABASE_URL token=$DEPLOY_TOKEN named=$MY_SECRET_NAMED"; exit 1
                """,
            environment: [
                "DATABASE_URL": "postgres://app:hunter2-pass@db/app", "DEPLOY_TOKEN": "dt-0123456789",
                "MY_SECRET_NAMED": "plainly-named-secret",
            ])
        let item = try #require(run["leak"])
        let encoded =
            JSONReporter().render(run) + JUnitReporter().render(run) + TerminalReporter(color: false).summary(run)
        for secret in ["hunter2-pass", "dt-0123456789", "plainly-named-secret"] {
            #expect(!encoded.contains(secret), "\(secret) leaked")
        }
        #expect(item.facts["stdout"] == .string("db=postgres://app:***@db/app token=*** named=***\n"))
    }

    @Test func envAndCwdApply() async throws {
        let directory = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent("sub"), withIntermediateDirectories: true)
        let run = try await Harness.run(
            items: """
                - id: where
                  title: Where
                  run: 'echo "$GREETING from $(basename "$PWD") as $SHIPCHECK_ITEM"'
                  cwd: sub
                  env: { GREETING: hello }
                  expect: stdout == "hello from sub as where\\n"
                - id: bash
                  title: Bash
                  shell: bash -o pipefail
                  run: "false | true"
                """, in: directory)
        #expect(run["where"]?.outcome == .pass, "\(run["where"]?.reason ?? "")")
        #expect(run["bash"]?.outcome == .fail, "pipefail makes the pipeline fail")
    }

    @Test func parsesJUnitAndCoverageReportsWrittenByTheCommand() async throws {
        let directory = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for name in ["junit-pytest.xml", "coverage-py.json", "cobertura.xml"] {
            try FileManager.default.copyItem(
                at: Harness.fixture(name), to: directory.appendingPathComponent("src-" + name))
        }
        let run = try await Harness.run(
            items: """
                - id: tests
                  title: Tests
                  run: mkdir -p reports && cp src-junit-pytest.xml reports/junit.xml
                  parse: { junit: reports/junit.xml }
                  expect: tests.failed == 0
                - id: coverage
                  title: Coverage
                  run: cp src-coverage-py.json coverage.json
                  parse: { coverage: coverage.json }
                  expect: coverage.percent >= 80
                - id: cobertura
                  title: Cobertura
                  run: cat src-cobertura.xml
                  parse: { coverage: stdout }
                  expect: coverage.percent >= 50
                - id: missing
                  title: Missing report
                  run: "true"
                  parse: { junit: reports/none.xml }
                """, in: directory)
        let tests = try #require(run["tests"])
        #expect(tests.outcome == .fail)
        #expect(tests.facts["tests.total"] == .number(5))
        #expect(tests.facts["tests.failed"] == .number(1))
        #expect(tests.facts["tests.errors"] == .number(1))
        #expect(tests.facts["tests.skipped"] == .number(1))
        #expect(tests.facts["tests.passed"] == .number(2))
        // An errored test case fails the item beside the stated expectation.
        #expect(tests.reason == "tests.errors = 1, expected == 0; tests.failed = 1, expected == 0")
        let coverage = try #require(run["coverage"])
        #expect(coverage.outcome == .fail)
        #expect(coverage.reason == "coverage.percent = 60, expected >= 80")
        #expect(coverage.facts["coverage.lines.covered"] == .number(6))
        #expect(coverage.facts["coverage.lines.total"] == .number(10))
        #expect(run["cobertura"]?.outcome == .pass)
        #expect(run["missing"]?.outcome == .error)
        #expect(run["missing"]?.reason?.contains("was not written") == true)
    }

    @Test func staleReportsAreNotTakenForThisRun() async throws {
        let directory = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let old = directory.appendingPathComponent("junit.xml")
        try FileManager.default.copyItem(at: Harness.fixture("junit-surefire.xml"), to: old)
        try FileManager.default.setAttributes(
            [.modificationDate: Date(timeIntervalSinceNow: -3600)], ofItemAtPath: old.path)
        let run = try await Harness.run(
            items: """
                - { id: stale, title: Stale, run: "true", parse: { junit: junit.xml } }
                - { id: fresh, title: Fresh, run: "touch junit.xml", parse: { junit: junit.xml }, needs: stale }
                """, in: directory)
        #expect(run["stale"]?.outcome == .error)
        #expect(run["stale"]?.reason?.contains("was not written by this run") == true)
        #expect(run["fresh"]?.outcome == .skipped)
    }

    @Test func expectationsMayReadVariables() async throws {
        let run = try await Harness.run(
            items:
                "- { id: rev, title: Rev, run: 'echo abc123', capture: { revision: '(\\w+)' }, expect: revision == vars.EXPECTED }",
            vars: "{ EXPECTED: abc123 }")
        #expect(run["rev"]?.outcome == .pass, "\(run["rev"]?.reason ?? "")")
    }

    @Test func kindParameterProblemsAreReported() {
        let yaml = """
            version: 1
            phases:
              pre-deploy:
                items:
                  - { id: a, title: A, run: [] }
                  - { id: b, title: B, run: "echo", capture: { exit: 'x' } }
                  - { id: c, title: C, run: "echo", capture: { n: '(' } }
                  - { id: d, title: D, run: [echo], shell: bash }
                  - { id: e, title: E, run: "echo", parse: { junt: x.xml } }
                  - { id: f, title: F, run: "echo", output-limit: lots }
                  - { id: g, title: G, run: "   " }
            """
        let text = Harness.problems(yaml, file: "k.yml")
        #expect(text.contains("expected at least one argv word"))
        #expect(text.contains("`exit` is a fact the command already produces"))
        #expect(text.contains("is not a valid regular expression"))
        #expect(text.contains("`shell` applies to string commands"))
        #expect(text.contains("unknown key `junt`; did you mean `junit`?"))
        #expect(text.contains("expected a size from 1KiB to 1GiB"))
        #expect(text.contains("the command is empty"))
    }
}

@Suite struct VariablesFromEnvironmentTests {
    @Test func variablesReadTheEnvironmentAndSayWhenItIsUnset() async throws {
        let items = """
            - { id: a, title: A, run: "echo ${{ vars.BASE_URL }}", expect: 'stdout contains "staging"' }
            - { id: b, title: B, run: "echo ${{ vars.OTHER }}" }
            """
        let vars = "{ BASE_URL: \"${{ env.SC_TEST_BASE }}/api\", OTHER: \"${{ env.SC_TEST_UNSET_NAME }}\" }"
        let result = try await Harness.run(
            items: items, environment: ["SC_TEST_BASE": "https://staging.example"], vars: vars)
        #expect(result["a"]?.outcome == .pass, "\(result["a"]?.reason ?? "")")
        #expect(result["a"]?.facts["stdout"] == .string("https://staging.example/api\n"))
        #expect(result["b"]?.outcome == .error)
        #expect(
            result["b"]?.reason
                == "`${{ vars.OTHER }}` is not set: it reads `${{ env.SC_TEST_UNSET_NAME }}`, which is not set")
    }

    @Test func aVariableMayNotReadAnother() {
        let text = Harness.problems(
            """
            version: 1
            vars: { A: x, B: "${{ vars.A }}" }
            phases: { pre-deploy: { items: [{ id: a, title: A, run: "true" }] } }
            """, file: "v.yml")
        #expect(text.contains("v.yml:2"), "\(text)")
        #expect(text.contains("not another variable (`vars.A`)"))
    }
}
