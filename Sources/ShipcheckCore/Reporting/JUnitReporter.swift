import Foundation

/// One JUnit test case per item, so that CI systems show the gate beside their tests.
/// Blocking failures and pending sign-offs are failures, could-not-run is an error,
/// skipped and waived items are skipped, warnings pass with a note.
public struct JUnitReporter: Reporter {
    public static let format = "junit"
    public static let fileName: String? = "shipcheck-junit.xml"

    public init() {}

    public func render(_ run: RunResult) -> String {
        let failures = run.items.filter { isFailure($0) }.count
        let errors = run.count(.error)
        let skipped =
            run.count(.skipped) + run.count(.waived)
            + run.items.filter { $0.outcome == .pending && $0.severity == .warn }.count
        let time = format(run.duration)
        let suiteName = "shipcheck \(run.phase.rawValue)" + (run.environment.map { " (\($0))" } ?? "")
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        xml +=
            "<testsuites name=\"\(Text.xmlEscape(suiteName))\" tests=\"\(run.items.count)\" failures=\"\(failures)\" errors=\"\(errors)\" skipped=\"\(skipped)\" time=\"\(time)\">\n"
        xml +=
            "  <testsuite name=\"\(Text.xmlEscape(suiteName))\" tests=\"\(run.items.count)\" failures=\"\(failures)\" errors=\"\(errors)\" skipped=\"\(skipped)\" time=\"\(time)\" timestamp=\"\(Text.iso8601(run.startedAt))\">\n"
        xml += "    <properties>\n"
        for (name, value) in [
            ("run", run.runID), ("verdict", run.verdict.rawValue), ("actor", run.actor),
            ("version", run.toolVersion),
        ] + run.caveats.map({ ("note", $0) }) {
            xml += "      <property name=\"\(name)\" value=\"\(Text.xmlEscape(value))\"/>\n"
        }
        xml += "    </properties>\n"
        for item in run.items {
            xml += testCase(item, phase: run.phase)
        }
        if run.interrupted {
            xml += "    <system-err>\(Text.xmlEscape("the run was interrupted"))</system-err>\n"
        }
        xml += "  </testsuite>\n</testsuites>\n"
        return xml
    }

    func isFailure(_ item: ItemResult) -> Bool {
        (item.outcome == .fail) || (item.outcome == .pending && item.severity == .block)
    }

    func testCase(_ item: ItemResult, phase: PhaseName) -> String {
        let classname = Text.xmlEscape("\(phase.rawValue).\(item.section)")
        let name = Text.xmlEscape("\(item.id): \(item.title)")
        var xml = "    <testcase classname=\"\(classname)\" name=\"\(name)\" time=\"\(format(item.duration))\""
        let reason = item.reason ?? item.outcome.rawValue
        var body = ""
        switch item.outcome {
        case .fail:
            body = failure(item, reason: reason)
        case .pending where item.severity == .block:
            body = failure(item, reason: reason)
        case .error:
            body =
                "      <error message=\"\(Text.xmlEscape(reason))\" type=\"error\">\(Text.xmlEscape(details(item)))</error>\n"
        case .skipped, .waived, .pending:
            body = "      <skipped message=\"\(Text.xmlEscape(item.outcome.rawValue + ": " + reason))\"/>\n"
        case .warn:
            body = "      <system-out>\(Text.xmlEscape("warning: " + reason))</system-out>\n"
        case .pass:
            body = item.reusedFrom != nil ? "      <system-out>\(Text.xmlEscape(reason))</system-out>\n" : ""
        }
        if body.isEmpty { return xml + "/>\n" }
        xml += ">\n" + body + "    </testcase>\n"
        return xml
    }

    func failure(_ item: ItemResult, reason: String) -> String {
        "      <failure message=\"\(Text.xmlEscape(reason))\" type=\"\(item.outcome.rawValue)\">\(Text.xmlEscape(details(item)))</failure>\n"
    }

    func details(_ item: ItemResult) -> String {
        var lines: [String] = []
        if let summary = item.summary { lines.append("ran: \(summary)") }
        for expectation in item.expectations where expectation.held != true {
            lines.append("expected: \(expectation.expression)")
            lines += expectation.explanation.map { "  \($0)" }
        }
        let evidence = Text.evidence(item, lines: 20)
        if !evidence.isEmpty {
            lines.append("output (last lines):")
            lines += evidence
        }
        return lines.joined(separator: "\n")
    }

    func format(_ seconds: Double) -> String {
        String(format: "%.3f", seconds)
    }
}
