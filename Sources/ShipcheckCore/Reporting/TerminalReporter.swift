import Foundation

/// Text for a person at a terminal: a line per finished item, a live view of running ones on a
/// TTY, and a closing summary with the failing items, what they expected and their last output.
public struct TerminalReporter: Sendable {
    public var color: Bool
    public var evidenceLines: Int

    public init(color: Bool, evidenceLines: Int = 5) {
        self.color = color
        self.evidenceLines = evidenceLines
    }

    enum Style: String {
        case green = "32"
        case red = "31"
        case yellow = "33"
        case magenta = "35"
        case dim = "2"
        case bold = "1"
        case cyan = "36"
    }

    func paint(_ text: String, _ style: Style) -> String {
        color ? "\u{1B}[\(style.rawValue)m\(text)\u{1B}[0m" : text
    }

    func style(for outcome: Outcome) -> Style {
        switch outcome {
        case .pass: .green
        case .fail, .error: .red
        case .warn, .pending: .yellow
        case .skipped: .dim
        case .waived: .magenta
        }
    }

    /// One line for a finished item: `✓ tests — All tests passing (1.2s)`, plus why when not a pass.
    public func line(for item: ItemResult) -> String {
        var line = paint(
            item.outcome.symbol + " " + item.outcome.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0),
            style(for: item.outcome))
        line += " \(item.id) — \(item.title)"
        if item.duration > 0 { line += paint(" (\(Value.formatDuration(item.duration)))", .dim) }
        if item.attempts > 1 { line += paint(" after \(item.attempts) attempts", .dim) }
        if let reason = item.reason, item.outcome != .pass || !item.signoffs.isEmpty || item.reusedFrom != nil {
            line += "\n" + paint("    " + reason.replacingOccurrences(of: "\n", with: "\n    "), .dim)
        }
        return line
    }

    /// One failed, errored or warned item: what ran, why, the facts it gathered and the telling output.
    func attention(_ item: ItemResult) -> String {
        var out = paint("\(item.outcome.symbol) \(item.id)", style(for: item.outcome)) + " — \(item.title)\n"
        if let summary = item.summary {
            let lines = summary.trimmingCharacters(in: .whitespacesAndNewlines)
                .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let shown = lines.prefix(6)
            out += paint("    ran: " + shown.joined(separator: "\n         "), .dim) + "\n"
            if lines.count > shown.count {
                out += paint("         … (\(lines.count - shown.count) more lines)", .dim) + "\n"
            }
        }
        let failed = item.expectations.filter { $0.held != true }
        var said: [String] = []
        if failed.isEmpty, let reason = item.reason {
            said.append(reason)
            out += "    " + reason.replacingOccurrences(of: "\n", with: "\n    ") + "\n"
        }
        for expectation in failed {
            let explanation = expectation.explanation.joined(separator: "; ")
            said.append(explanation)
            // The explanation already names the values and the bound: `coverage.percent = 4.84, expected >= 80`.
            out += "    " + (explanation.isEmpty ? "expected \(expectation.expression)" : explanation) + "\n"
        }
        // A list or text the failed expectations read (`len(cors.violations) = 1`): show what it holds.
        var shownFacts: Set<String> = []
        for expectation in failed {
            for path in (try? FactExpression.parse(expectation.expression))?.factPaths ?? []
            where shownFacts.insert(path).inserted {
                guard let value = item.facts[path], path != "stdout", path != "stderr" else { continue }
                switch value {
                case .list(let values) where !values.isEmpty:
                    out +=
                        paint("    \(path): ", .dim)
                        + Text.capped(values.map(\.description).joined(separator: "; "), 300) + "\n"
                default:
                    continue
                }
            }
        }
        // An item that could not be judged still shows what it found (a scanner's findings before the next tool failed).
        if item.outcome == .error {
            let facts = Text.keyFacts(item.facts, limit: 8)
            if !facts.isEmpty { out += paint("    facts: \(facts)", .dim) + "\n" }
        }
        for line in Text.evidence(item, lines: evidenceLines) where !said.contains(where: { $0.contains(line) }) {
            out += paint("    │ ", .dim) + line + "\n"
        }
        return out
    }

    public func started(_ item: Item) -> String {
        paint("… start  ", .dim) + "\(item.id) — \(item.title)"
    }

    public func retrying(_ item: Item, attempt: Int, reason: String) -> String {
        paint("↻ retry  ", .yellow) + "\(item.id) (attempt \(attempt)): \(reason)"
    }

    /// The closing summary: failures and errors first, each compact (the failed expectation with its
    /// values, the output lines that explain it), then warnings, then one block of pending sign-offs.
    public func summary(_ run: RunResult, unrecorded: String? = nil) -> String {
        var out = ""
        let blocking = run.items.filter { $0.outcome == .fail || $0.outcome == .error }
        let warnings = run.items.filter { $0.outcome == .warn }
        let pending = run.items.filter { $0.outcome == .pending }
        if !blocking.isEmpty {
            out += "\n" + paint("Failed or could not be evaluated (\(blocking.count))", .bold) + "\n"
            for item in blocking { out += attention(item) }
        }
        if !warnings.isEmpty {
            out += "\n" + paint("Warnings (\(warnings.count))", .bold) + "\n"
            for item in warnings { out += attention(item) }
        }
        if !pending.isEmpty {
            out += "\n" + paint("Awaiting sign-off (\(pending.count))", .bold) + "\n"
            for item in pending {
                out += paint("\(item.outcome.symbol) \(item.id)", style(for: item.outcome)) + " — \(item.title)"
                if let reason = item.reason { out += paint(": \(reason)", .dim) }
                out += "\n"
            }
            // The commands that would move the gate, ready to paste.
            let environment = run.environment.map { " --env \($0)" } ?? ""
            out +=
                paint("next: ", .dim)
                + pending.prefix(3).map { "shipcheck signoff \($0.id)\(environment) --note \"…\"" }.joined(
                    separator: "; ")
                + (pending.count > 3 ? "; …" : "") + paint(" (then `shipcheck plan\(environment)`)", .dim) + "\n"
        }
        let counts = Outcome.allCases.compactMap { outcome -> String? in
            let count = run.count(outcome)
            return count == 0 ? nil : paint("\(count) \(outcome.rawValue)", style(for: outcome))
        }
        out += "\n" + (counts.isEmpty ? "no items ran" : counts.joined(separator: ", "))
        out += paint(" in \(Value.formatDuration(run.duration))", .dim) + "\n"
        for caveat in run.caveats { out += paint("! \(caveat)", .yellow) + "\n" }
        let verdict: String
        switch run.verdict {
        case .passed where unrecorded != nil:
            verdict = paint("Gate not recorded: every item passed, but \(unrecorded ?? "")", .red)
        case .passed where run.partial != nil: verdict = paint("Partial run passed (not the gate)", .green)
        case .passed: verdict = paint("Gate passed", .green)
        case .failed: verdict = paint("Gate failed", .red)
        case .error where run.checkedNothing:
            verdict = paint(
                "Gate could not be evaluated: no item was checked"
                    + (run.items.isEmpty ? "" : " (all \(run.items.count) skipped)"), .red)
        case .error: verdict = paint("Gate could not be evaluated: an item could not run", .red)
        case .interrupted: verdict = paint("Run interrupted", .yellow)
        }
        out += paint(verdict, .bold) + paint(" — run \(run.runID), \(run.phase.rawValue)", .dim)
        if let environment = run.environment { out += paint(" on \(environment)", .dim) }
        return out + "\n"
    }
}

/// The lines under the scrolling output on a TTY: one per running item, with a spinner and elapsed time.
public struct LiveFrame: Sendable {
    static let spinner = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]

    public static func render(
        running: [(id: String, title: String, elapsed: Double)], tick: Int, width: Int, color: Bool
    ) -> [String] {
        running.map { entry in
            let spin = spinner[tick % spinner.count]
            var text = "\(spin) \(entry.id) — \(entry.title) (\(Value.formatDuration(entry.elapsed)))"
            if text.count > width { text = String(text.prefix(max(1, width - 1))) + "…" }
            return color ? "\u{1B}[36m\(text)\u{1B}[0m" : text
        }
    }
}
