import Foundation
import Testing

@testable import ShipcheckCore

/// Golden files: reporters are pure functions of a run, so the bytes are fixed.
/// Re-record on purpose with `SHIPCHECK_RECORD_GOLDEN=1 swift test --filter ReporterTests`.
@Suite struct ReporterTests {
    static let goldenDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "Golden")

    static var sampleRun: RunResult {
        let start = Date(timeIntervalSince1970: 1_790_000_000)
        func item(
            _ id: String, _ title: String, _ outcome: Outcome, severity: Severity = .block, reason: String? = nil,
            facts: Facts = [:], expectations: [ExpectationResult] = [], duration: Double = 0,
            summary: String? = nil, signoffs: [Signoff] = [], section: String = "Code Quality & Testing"
        ) -> ItemResult {
            ItemResult(
                id: id, title: title, phase: .preDeploy, section: section, kind: summary == nil ? "manual" : "run",
                severity: severity, outcome: outcome, reason: reason, summary: summary, facts: facts,
                expectations: expectations, attempts: summary == nil ? 0 : 1, startedAt: summary == nil ? nil : start,
                duration: duration, signoffs: signoffs, waiver: nil, description: nil,
                location: SourceLocation(file: "shipcheck.yml", line: 10, column: 11))
        }
        return RunResult(
            schemaVersion: RunResult.schemaVersion, runID: "20260921-100000-0badc0de", toolVersion: "0.1.0",
            project: "mina", config: "shipcheck.yml", phase: .preDeploy, environment: "staging", deployType: "standard",
            actor: "engineer@mina.com", startedAt: start, finishedAt: start.addingTimeInterval(12.5),
            interrupted: false,
            items: [
                item(
                    "tests", "All tests passing", .pass,
                    facts: ["exit": .number(0), "tests.failed": .number(0), "tests.total": .number(412)],
                    expectations: [ExpectationResult(expression: "tests.failed == 0", held: true, explanation: [])],
                    duration: 8.25, summary: "pytest --junitxml=reports/junit.xml"),
                item(
                    "coverage", "Coverage meets 80% threshold", .fail,
                    reason: "coverage.percent = 4.84, expected >= 80",
                    facts: [
                        "coverage.percent": .number(4.84), "exit": .number(0),
                        "stderr": .string("warn <x> & \"y\"\nlast line\n"),
                    ],
                    expectations: [
                        ExpectationResult(
                            expression: "coverage.percent >= 80", held: false,
                            explanation: ["coverage.percent = 4.84, expected >= 80"])
                    ],
                    duration: 3.5, summary: "pytest --cov=. --cov-report=json:reports/coverage.json"),
                item(
                    "lint", "No linting errors", .warn, severity: .warn, reason: "exit = 1, expected == 0",
                    facts: ["exit": .number(1)], duration: 0.4, summary: "ruff check ."),
                item(
                    "safety", "No security vulnerabilities", .error,
                    reason: "`safety` was not found (No such file or directory)",
                    duration: 0.01, summary: "safety check"),
                item(
                    "deploy-notes", "Release notes prepared", .skipped, reason: "needs `coverage`, which failed",
                    section: "Notifications"),
                item(
                    "pr-approved", "PR approved by at least 2 reviewers", .pending,
                    reason: "awaiting 2 sign-offs from role reviewer",
                    section: "Code Review"),
                item(
                    "tech-lead", "Architectural changes reviewed by tech lead", .pass,
                    reason: "signed off by carol@mina.com",
                    signoffs: [Signoff(actor: "carol@mina.com", note: "ok", at: start)], section: "Code Review"),
            ])
    }

    func assertGolden(_ text: String, _ name: String) throws {
        let url = Self.goldenDirectory.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["SHIPCHECK_RECORD_GOLDEN"] == "1" {
            try text.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        #expect(
            text == expected, "\(name) differs from its golden file; re-record on purpose if the change is intended")
    }

    /// A failed expectation is stated once (not as reason, expression and explanation), and a
    /// multi-line command keeps its lines.
    @Test func htmlStatesAFailedExpectationOnceAndKeepsACommandsLines() throws {
        var run = Self.sampleRun
        run.items[1].summary = "set -e\npytest --cov=.\ncoverage json"
        let page = HTMLReporter().render(run)
        #expect(page.components(separatedBy: "coverage.percent = 4.84, expected &gt;= 80").count - 1 == 1, "\(page)")
        #expect(page.contains("<pre class=\"small\">set -e\npytest --cov=.\ncoverage json</pre>"), "\(page)")
        // What no expectation states is still said: the lint item's reason, the error's.
        #expect(page.contains("exit = 1, expected == 0"))
        #expect(page.contains("was not found"))
    }

    @Test func jsonMatchesGolden() throws {
        try assertGolden(JSONReporter().render(Self.sampleRun), "run.json")
    }

    @Test func junitMatchesGolden() throws {
        try assertGolden(JUnitReporter().render(Self.sampleRun), "run-junit.xml")
    }

    @Test func markdownMatchesGolden() throws {
        try assertGolden(MarkdownReporter().render(Self.sampleRun), "run.md")
    }

    @Test func terminalSummaryMatchesGolden() throws {
        let reporter = TerminalReporter(color: false)
        let text =
            Self.sampleRun.items.map(reporter.line(for:)).joined(separator: "\n") + "\n"
            + reporter.summary(Self.sampleRun)
        try assertGolden(text, "run-terminal.txt")
    }

    @Test func githubAnnotationsMatchGolden() throws {
        try assertGolden(GitHubReporter().render(Self.sampleRun), "run-github.txt")
    }

    @Test func jsonRoundTripsIntoARunResult() throws {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let decoded = try decoder.decode(RunResult.self, from: Data(JSONReporter().render(Self.sampleRun).utf8))
        #expect(decoded.items.count == Self.sampleRun.items.count)
        #expect(decoded.items[1].facts["coverage.percent"] == .number(4.84))
        #expect(decoded.verdict == .failed)
    }

    @Test func junitIsWellFormedXMLWithTheRightCounts() throws {
        let xml = JUnitReporter().render(Self.sampleRun)
        #expect(xml.contains(#"tests="7" failures="2" errors="1" skipped="1""#))
        #expect(xml.contains("&lt;x&gt; &amp; &quot;y&quot;"))
    }

    @Test func colorOnlyWhenAsked() {
        let item = Self.sampleRun.items[1]
        #expect(!TerminalReporter(color: false).line(for: item).contains("\u{1B}["))
        #expect(TerminalReporter(color: true).line(for: item).contains("\u{1B}[31m"))
    }
}
