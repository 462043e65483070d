public import Foundation

/// Turns a finished run into one output format. Pure: the same run gives the same bytes,
/// since clock and version come from the run itself.
public protocol Reporter: Sendable {
    /// The name used with `--format`.
    static var format: String { get }
    /// The file name written in `--output-dir`; nil for formats that go to standard output.
    static var fileName: String? { get }
    func render(_ run: RunResult) -> String
}

public enum Reporters {
    /// Every file format, in one list.
    public static let all: [any Reporter.Type] = [
        JSONReporter.self, JUnitReporter.self, MarkdownReporter.self,
        GitHubReporter.self, HTMLReporter.self,
    ]

    public static func reporter(named format: String) -> (any Reporter)? {
        switch format {
        case JSONReporter.format: JSONReporter()
        case JUnitReporter.format: JUnitReporter()
        case MarkdownReporter.format: MarkdownReporter()
        case GitHubReporter.format: GitHubReporter()
        case HTMLReporter.format: HTMLReporter()
        default: nil
        }
    }

    public static var formats: [String] { all.map { $0.format } }
}

/// Escaping and formatting shared by the text formats (and the deployment's page).
public enum Text {
    public static func xmlEscape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\n", "\t", "\r": out.unicodeScalars.append(scalar)
            default:
                // XML 1.0 forbids most control characters, even escaped.
                if scalar.value < 0x20 || (0xFFFE...0xFFFF).contains(scalar.value) {
                    out += "\u{FFFD}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    public static func iso8601(_ date: Date) -> String {
        UTCTime.iso8601(date)
    }

    /// The last `count` non-empty lines of a text, for evidence in summaries.
    static func lastLines(_ text: String, count: Int) -> [String] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        return Array(lines.suffix(count))
    }

    /// The evidence worth showing for a failed item: the lines of its output that explain it (a test
    /// runner's summary, errors, `not found`) rather than the last lines, which are often warnings; else
    /// the tail of stderr, stdout or a probe's body (capped: bodies can be large).
    static func evidence(_ result: ItemResult, lines: Int) -> [String] {
        var texts: [String] = []
        for key in ["stderr", "stdout", "body"] {
            if case .string(let text) = result.facts[key], !text.isEmpty { texts.append(text) }
        }
        let all = texts.flatMap { lastLines($0, count: 400) }.filter { !isNoise($0) }
        let telling = all.filter(isTelling)
        let chosen = telling.isEmpty ? Array(all.suffix(lines)) : Array(telling.suffix(lines))
        return chosen.map { $0.count > 240 ? String($0.prefix(239)) + "…" : $0 }
    }

    static func capped(_ text: String, _ limit: Int) -> String {
        text.count > limit ? String(text.prefix(limit - 1)) + "…" : text
    }

    /// Lines that say what happened: a test runner's closing line, errors, failures, a tool's count.
    static func isTelling(_ line: String) -> Bool {
        let lower = line.lowercased()
        if line.hasPrefix("=") && line.hasSuffix("=") && (lower.contains(" in ") || lower.contains("error")) {
            return true
        }
        let words = [
            "error", "failed", "failure", "fatal", "not found", "would reformat", "would be reformatted",
            "found ", "severity: high", "no tests ran", "traceback", "denied", "refused", "cannot", "could not",
            "multiple head", "exception", "vulnerab",
        ]
        return words.contains { lower.contains($0) }
    }

    /// Warnings and progress that bury the point of a failure.
    static func isNoise(_ line: String) -> Bool {
        let lower = line.lowercased()
        return lower.contains("deprecationwarning") || lower.contains("warnings.warn")
            || lower.contains("pendingdeprecation")
            || lower.hasPrefix("  warnings.") || lower.contains("-- docs: https://docs.pytest.org")
    }

    /// Key facts worth a mention beside an item, skipping bulky ones.
    static func keyFacts(_ facts: Facts, limit: Int = 6) -> String {
        let hidden: Set<String> = ["stdout", "stderr", "duration", "lines"]
        let shown = facts.sorted(by: { $0.key < $1.key }).filter { !hidden.contains($0.key) }.prefix(limit)
        return shown.map { key, fact in
            let value = fact.description
            return "\(key) \(value.count > 40 ? String(value.prefix(37)) + "…" : value)"
        }.joined(separator: ", ")
    }
}
