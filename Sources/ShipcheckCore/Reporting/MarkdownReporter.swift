import Foundation

/// The checklist ticked: sections with `[x]` for items that passed, each annotated
/// with its outcome, duration, key facts and any failed expectation.
public struct MarkdownReporter: Reporter {
    public static let format = "markdown"
    public static let fileName: String? = "shipcheck.md"

    public init() {}

    public func render(_ run: RunResult) -> String {
        var out = "# Shipcheck \(run.phase.rawValue)"
        if let project = run.project { out += " — \(project)" }
        out += "\n\n"
        out += "- **Run**: \(run.runID)\n"
        out += "- **Verdict**: \(run.verdict.rawValue)\n"
        if let environment = run.environment { out += "- **Environment**: \(environment)\n" }
        if let type = run.deployType { out += "- **Deploy type**: \(type)\n" }
        out += "- **By**: \(run.actorDescription)\n"
        for caveat in run.caveats { out += "- **Note**: \(caveat)\n" }
        out += "- **Started**: \(Text.iso8601(run.startedAt)) (\(Value.formatDuration(run.duration)))\n"
        var section: String?
        for item in run.items {
            if item.section != section {
                section = item.section
                out += "\n## \(item.section)\n\n"
            }
            let ticked = item.outcome == .pass || item.outcome == .warn || item.outcome == .waived
            out += "- [\(ticked ? "x" : " ")] **\(item.title)** — \(item.outcome.rawValue)"
            if item.duration > 0 { out += " in \(Value.formatDuration(item.duration))" }
            let facts = Text.keyFacts(item.facts)
            if !facts.isEmpty { out += " (\(facts))" }
            out += "\n"
            if let reason = item.reason, item.outcome != .pass || !item.signoffs.isEmpty || item.reusedFrom != nil {
                out += "  > \(reason.replacingOccurrences(of: "\n", with: " "))\n"
            }
        }
        return out + "\n" + DeploymentLog.entry(run)
    }
}
