/// How one item ended.
public enum Outcome: String, Sendable, Hashable, Codable, CaseIterable {
    case pass
    /// A blocking expectation did not hold.
    case fail
    /// A non-blocking (`severity: warn`) expectation did not hold.
    case warn
    /// The item could not be evaluated: missing tool, timeout, crash, unreadable report. Never a pass.
    case error
    /// Not run, with the reason: a `when` that is false, a failed dependency, `--skip`, an interruption.
    case skipped
    /// A manual item awaiting sign-off.
    case pending
    /// Bypassed by someone allowed to, with the reason recorded.
    case waived

    /// Whether items that need this one may run.
    public var satisfiesDependants: Bool {
        switch self {
        case .pass, .warn, .waived: true
        case .fail, .error, .skipped, .pending: false
        }
    }

    /// Symbol used by the terminal and Markdown reports.
    public var symbol: String {
        switch self {
        case .pass: "✓"
        case .fail: "✗"
        case .warn: "!"
        case .error: "E"
        case .skipped: "-"
        case .pending: "?"
        case .waived: "~"
        }
    }
}

/// The gate's verdict for a whole run.
public enum Verdict: String, Sendable, Codable {
    case passed
    /// A blocking item failed or is pending.
    case failed
    /// An item could not be evaluated, so the gate cannot say.
    case error
    /// Stopped by a signal before the end.
    case interrupted
}
