import Foundation
import ShipcheckCore
import ShipcheckTestSupport
import Testing

@testable import ShipcheckChecks

/// Two items of a run with the same check (the same command, report and limits) run it once; the
/// second judges that run by its own expectations and says whose run it judged.
@Suite struct OncePerRunTests {
    @Test func theSameCommandRunsOnceAndEachItemJudgesItByItsOwnExpectations() async throws {
        let directory = try Harness.temporaryDirectory()
        let result = try await Harness.run(
            items: """
                - { id: first, title: First, run: "echo ran >> runs.log; echo 'count: 3'", capture: { count: 'count: (\\d+)' }, expect: count == 3 }
                - { id: second, title: Second, run: "echo ran >> runs.log; echo 'count: 3'", capture: { count: 'count: (\\d+)' }, expect: count == 4 }
                - { id: third, title: Third, run: "echo ran >> runs.log; echo 'count: 3'", capture: { count: 'count: (\\d+)' }, expect: count > 0 }
                - { id: other, title: Other, run: "echo ran >> runs.log; echo 'count: 3'", capture: { count: 'count: (\\d+)' }, timeout: 1m }
                """, in: directory)
        let log = try String(contentsOf: directory.appendingPathComponent("runs.log"), encoding: .utf8)
        #expect(log.split(separator: "\n").count == 2, "one run for the three alike, one for the other timeout")
        #expect(result["first"]?.outcome == .pass)
        #expect(result["first"]?.ranWith == nil)
        #expect(result["second"]?.outcome == .fail, "its own expectation, on the shared facts")
        #expect(result["second"]?.ranWith == "first")
        #expect(
            result["second"]?.reason == "count = 3, expected == 4 (ran once with `first`, the same check)",
            "\(result["second"]?.reason ?? "")")
        #expect(result["third"]?.reason == "(ran once with `first`, the same check)")
        #expect(result["third"]?.outcome == .pass)
        #expect(result["third"]?.ranWith == "first")
        #expect(result["other"]?.ranWith == nil, "different limits are a different check")
    }

    @Test func anItemThatNeedsWhatTheFirstDidNotWaitForRunsItsOwnCheck() async throws {
        let directory = try Harness.temporaryDirectory()
        // `after` counts the marker `migrate` leaves: the first run of `count` predates it.
        let result = try await Harness.run(
            items: """
                - { id: count, title: Count, run: "if [ -e marker ]; then echo n=1; else echo n=0; fi", capture: { n: 'n=([01])' }, expect: n == 0 }
                - { id: migrate, title: Migrate, run: "sleep 0.3; touch marker" }
                - { id: after, title: After, run: "if [ -e marker ]; then echo n=1; else echo n=0; fi", capture: { n: 'n=([01])' }, expect: n == 1, needs: [migrate] }
                """, in: directory)
        #expect(result["count"]?.outcome == .pass, "\(result["count"]?.reason ?? "")")
        #expect(result["after"]?.ranWith == nil, "it must look after `migrate`, not judge an earlier look")
        #expect(result["after"]?.outcome == .pass, "\(result["after"]?.reason ?? "")")
    }

    @Test func aRunWithActionsRunsEveryCheck() async throws {
        let directory = try Harness.temporaryDirectory()
        let result = try await Harness.run(
            items: """
                - { id: before, title: Before, run: "echo ran >> runs.log" }
                - { id: change, title: Change, action: true, run: "true", needs: [before] }
                - { id: again, title: Again, run: "echo ran >> runs.log", needs: [change] }
                - { id: also, title: Also, run: "echo ran >> runs.log", needs: [change] }
                """, in: directory)
        #expect(result["again"]?.ranWith == nil && result["also"]?.ranWith == nil)
        let log = try String(contentsOf: directory.appendingPathComponent("runs.log"), encoding: .utf8)
        #expect(log.split(separator: "\n").count == 3)
    }

    @Test func aCheckThatCouldNotRunIsAnErrorForEveryItemThatShares() async throws {
        let result = try await Harness.run(
            items: """
                - { id: a, title: A, run: "no-such-tool-here --check" }
                - { id: b, title: B, run: "no-such-tool-here --check", expect: exit == 127 }
                """)
        #expect(result["a"]?.outcome == .error)
        #expect(result["b"]?.outcome == .error, "not a pass on the facts of a run that could not happen")
        #expect(result["b"]?.reason?.contains("could not be evaluated") == true)
    }

    @Test func itemsWithDifferentEnvironmentsEachRun() async throws {
        let directory = try Harness.temporaryDirectory()
        let result = try await Harness.run(
            items: """
                - { id: a, title: A, run: "echo $WHO >> runs.log", env: { WHO: one } }
                - { id: b, title: B, run: "echo $WHO >> runs.log", env: { WHO: two } }
                """, in: directory)
        #expect(result["b"]?.ranWith == nil)
        let log = try String(contentsOf: directory.appendingPathComponent("runs.log"), encoding: .utf8)
        #expect(Set(log.split(separator: "\n")) == ["one", "two"])
    }
}

/// A tool that looked at nothing writes a report that reads as clean: an error, never a pass.
@Suite struct LookedAtNothingTests {
    static func present(_ tool: String) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "command -v \(tool) >/dev/null"]
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        if process.terminationStatus == 0 { return true }
        Skips.record("\(tool) is missing (pip install \(tool))", unless: "SHIPCHECK_REQUIRE_TOOLS")
        return false
    }

    @Test func banditOverAFolderWithoutPythonIsAnError() async throws {
        guard Self.present("bandit") else { return }
        let directory = try Harness.temporaryDirectory()
        try "nothing to scan\n".write(
            to: directory.appendingPathComponent("README.md"), atomically: true, encoding: .utf8)
        let gate = """
            - { id: bandit, title: Bandit, run: "mkdir -p reports && bandit -r . -f json -o reports/b.json", allow-exit: [1], parse: { bandit: reports/b.json }, expect: findings.high == 0 }
            """
        let result = try await Harness.run(items: gate, in: directory)
        #expect(result["bandit"]?.outcome == .error, "\(result["bandit"]?.reason ?? "")")
        #expect(result["bandit"]?.reason?.contains("scanned 0 lines of code") == true)

        try "import subprocess\n\n\ndef run(name):\n    return subprocess.call('tar %s' % name, shell=True)\n".write(
            to: directory.appendingPathComponent("app.py"), atomically: true, encoding: .utf8)
        let scanned = try await Harness.run(items: gate, in: directory)
        #expect(scanned["bandit"]?.outcome == .fail, "\(scanned["bandit"]?.reason ?? "")")
        #expect(scanned["bandit"]?.facts["scanned.lines"] == .number(3))
    }

    @Test func ruffWithNoPythonFilesIsAnError() async throws {
        guard Self.present("ruff") else { return }
        let directory = try Harness.temporaryDirectory()
        let result = try await Harness.run(
            items: """
                - { id: ruff, title: Ruff, run: "mkdir -p reports && ruff check . --output-format json --output-file reports/r.json", allow-exit: [1], parse: { ruff: reports/r.json }, expect: findings.total == 0 }
                """, in: directory)
        #expect(result["ruff"]?.outcome == .error, "\(result["ruff"]?.reason ?? "")")
        #expect(result["ruff"]?.reason?.contains("no Python files") == true)
    }
}
