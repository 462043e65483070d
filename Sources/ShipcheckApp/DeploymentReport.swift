public import Foundation
public import ShipcheckCore
public import ShipcheckStore

/// A deployment as a report: one self-contained HTML page (its steps, then each step's run whole),
/// JSON (the record), or Markdown (its deployment-log entry and its steps).
public enum DeploymentReport {
    public static let formats = ["html", "json", "markdown"]

    public static func render(_ deployment: Deployment, runs: [String: RunResult], format: String) -> String? {
        switch format {
        case "html": html(deployment, runs: runs)
        case "json": deployment.json
        case "markdown": markdown(deployment)
        default: nil
        }
    }

    /// Outcome words as the page's badge colours.
    static func badge(_ outcome: String) -> String {
        switch outcome {
        case "passed", "deployed", "sampled": "passed"
        case "failed", "error", "rollback-failed", "stopped", "refused": "failed"
        case "rolled-back", "rollback", "unverified": "warn"
        default: "interrupted"
        }
    }

    static func html(_ deployment: Deployment, runs: [String: RunResult]) -> String {
        let e = Text.xmlEscape
        let status = deployment.status.rawValue
        var body = "<h1>Shipcheck deployment \(e(deployment.id)) "
        body += "<span class=\"badge \(badge(status))\">\(e(status))</span></h1>\n"
        var meta: [(String, String?)] = [
            ("Environment", deployment.environment), ("Deploy type", deployment.deployType),
            ("Version", deployment.version), ("Before", deployment.previousVersion),
            ("By", deployment.actor + (deployment.via.map { " (\($0.rawValue))" } ?? "")),
            ("Started", Text.iso8601(deployment.startedAt)),
            (
                "Duration",
                deployment.finishedAt.map { Value.formatDuration($0.timeIntervalSince(deployment.startedAt)) }
            ),
            ("Commit", deployment.commit),
        ]
        if let rollback = deployment.rollback {
            meta.append(
                (
                    "Rollback",
                    "\(rollback.automatic ? "automatic" : "by hand") (\(rollback.reason)): "
                        + (rollback.restored == true ? "service restored" : "service NOT restored")
                        + (rollback.toVersion.map { " on \($0)" } ?? "")
                        + (rollback.finishedAt.map {
                            " after \(Value.formatDuration($0.timeIntervalSince(rollback.startedAt)))"
                        } ?? "")
                ))
        }
        meta += deployment.triggers.map { ("Trigger", $0) } + deployment.notes.map { ("Note", $0) }
        body += HTMLReporter.metaTable(meta)
        body += "<h2>Steps</h2>\n<table>"
        for step in deployment.steps {
            body += "<tr><td><span class=\"badge \(badge(step.outcome))\">\(e(step.outcome))</span></td>"
            body += "<td><strong>\(e(step.name))</strong>"
            if let run = step.run {
                body += " <span class=\"small\"><a href=\"#run-\(e(run))\">run \(e(run))</a></span>"
            }
            if let detail = step.detail { body += "<div class=\"small\">\(e(detail))</div>" }
            body += "</td></tr>\n"
        }
        body += "</table>\n"
        let reporter = HTMLReporter()
        for step in deployment.steps {
            guard let id = step.run, let run = runs[id] else { continue }
            let verdict = run.verdict.rawValue
            body += "<h2 id=\"run-\(e(id))\">\(e(step.name)): run \(e(id)) "
            body += "<span class=\"badge \(verdict)\">\(verdict)</span></h2>\n"
            body += reporter.items(run, anchor: "item-\(id)-")
        }
        body += "<p class=\"small\">shipcheck \(e(ShipcheckVersion.current))</p>\n"
        return HTMLReporter.page(title: "Shipcheck deployment \(deployment.id): \(status)", body: body)
    }

    static func markdown(_ deployment: Deployment) -> String {
        var out = deployment.logEntry + "\n| Step | Outcome | Run | Detail |\n|------|---------|-----|--------|\n"
        for step in deployment.steps {
            let detail = (step.detail ?? "").replacingOccurrences(of: "|", with: "\\|")
            out += "| \(step.name) | \(step.outcome) | \(step.run ?? "") | \(detail) |\n"
        }
        return out
    }
}
