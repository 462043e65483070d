public import Foundation

/// The deployment-log entry in the reference team's format (Deployed by, Duration, Issues, Rollback, Notes).
public enum DeploymentLog {
    public static func entry(_ run: RunResult) -> String {
        var out = heading(run.release ?? run.runID, startedAt: run.startedAt)
        out += "- **Deployed by**: \(run.actor)\n"
        out += "- **Duration**: \(duration(run.duration))\n"
        let issues = run.items.filter { [.fail, .error].contains($0.outcome) || ($0.outcome == .warn) }
        out +=
            "- **Issues**: "
            + (issues.isEmpty ? "None" : issues.map { "\($0.title) (\($0.outcome.rawValue))" }.joined(separator: "; "))
            + "\n"
        out += "- **Rollback**: \(run.phase == .rollback ? "Performed" : "Not required")\n"
        out += "- **Notes**: \(notes(run))\n"
        return out
    }

    /// `## Deployment Log: v1.2.3 (2025-10-02)` and a blank line: the entry's title, its day in UTC.
    public static func heading(_ name: String, startedAt: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return "## Deployment Log: \(name) (\(formatter.string(from: startedAt)))\n\n"
    }

    public static func duration(_ seconds: Double) -> String {
        if seconds < 60 {
            let whole = Int(seconds.rounded())
            return whole == 1 ? "1 second" : "\(whole) seconds"
        }
        let minutes = Int((seconds / 60).rounded())
        return minutes == 1 ? "1 minute" : "\(minutes) minutes"
    }

    static func notes(_ run: RunResult) -> String {
        let pending = run.count(.pending)
        let waived = run.count(.waived)
        var parts: [String]
        switch run.verdict {
        case .passed: parts = ["All blocking checks passed"]
        case .failed:
            parts = [
                "Gate failed: \(run.items.filter { $0.isBlocking && $0.outcome != .error }.count) blocking item(s)"
            ]
        case .error: parts = ["Gate could not be evaluated: \(run.count(.error)) item(s) could not run"]
        case .interrupted: parts = ["Run interrupted"]
        }
        if pending > 0 { parts.append("\(pending) awaiting sign-off") }
        if waived > 0 { parts.append("\(waived) waived") }
        return parts.joined(separator: "; ")
    }
}
