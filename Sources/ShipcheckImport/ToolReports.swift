import Foundation

/// A scanner or linter the importer knows, rewritten the way a hand-written gate runs it: the tool
/// writes its machine-readable report, `parse:` reads it, and the exit statuses that only mean "found
/// something" are allowed. Findings then fail with their figure; a tool that crashed (another status,
/// or no report) is an error, never a finding and never a pass.
struct ToolReport: Equatable {
    var tool: String
    /// The command with the report flags added.
    var command: String
    /// The `parse:` format and the report's path.
    var format: String
    var path: String
    var allowExit: [Int]
    var expectations: [String]
    /// What was changed, for the item's comment.
    var rewrite: String
}

enum ToolReports {
    /// How severe a finding must be for the prose to count it: "0 critical/high issues" counts high
    /// and above.
    enum Bar: Int, Comparable {
        case critical, high, medium, any

        static func < (a: Bar, b: Bar) -> Bool { a.rawValue < b.rawValue }

        static func named(in prose: String) -> Bar {
            let lower = prose.lowercased()
            if lower.has("medium") || lower.has("moderate") { return .medium }
            if lower.has("high") { return .high }
            if lower.has("critical") { return .critical }
            return .any
        }
    }

    struct Tool: Sendable {
        var name: String
        /// The words the command starts with, after runners (`ruff check`).
        var words: [String]
        var format: String
        /// Flags with which the command already chooses its own output: it is then left as written.
        var ownOutput: [String]
        /// The flags that write the report to a path.
        var flags: @Sendable (String) -> String
        var allowExit: [Int]
        var why: String
        var expectations: @Sendable (Bar) -> [String]
        /// flake8 appends to its `--output-file`: the last run's report is removed first.
        var appendsToReport = false
    }

    static func severities(_ prefix: String, _ levels: [String]) -> @Sendable (Bar) -> [String] {
        { bar in
            switch bar {
            case .any: ["\(prefix).total == 0"]
            case .critical: ["\(prefix).\(levels[0]) == 0"]
            case .high: levels.prefix(2).map { "\(prefix).\($0) == 0" }
            case .medium: levels.prefix(3).map { "\(prefix).\($0) == 0" }
            }
        }
    }

    static let tools: [Tool] = [
        Tool(
            name: "bandit", words: ["bandit"], format: "bandit", ownOutput: ["-f", "--format", "-o", "--output"],
            flags: { " -f json -o \($0)" }, allowExit: [1], why: "bandit exits 1 when it finds anything at all",
            // bandit has no critical level: its highest is high.
            expectations: { bar in
                switch bar {
                case .any: ["findings.total == 0"]
                case .critical, .high: ["findings.high == 0"]
                case .medium: ["findings.high == 0", "findings.medium == 0"]
                }
            }),
        Tool(
            name: "ruff", words: ["ruff", "check"], format: "ruff",
            ownOutput: ["--output-format", "--format", "-o", "--output-file", "--fix", "--watch"],
            flags: { " --output-format json --output-file \($0)" }, allowExit: [1],
            why: "ruff exits 1 when it finds something", expectations: { _ in ["findings.total == 0"] }),
        Tool(
            name: "flake8", words: ["flake8"], format: "flake8",
            ownOutput: ["--output-file", "--format", "--tee", "--exit-zero", "-q", "--quiet", "--benchmark"],
            flags: { " --benchmark --output-file \($0)" }, allowExit: [1],
            why: "flake8 exits 1 when it finds something; --benchmark makes the report say how many files it read",
            expectations: { _ in ["findings.total == 0"] }, appendsToReport: true),
        Tool(
            name: "mypy", words: ["mypy"], format: "mypy",
            ownOutput: ["-O", "--output", "--junit-xml", "--html-report", "--txt-report", "--linecount-report"],
            flags: { " --output json > \($0)" }, allowExit: [1], why: "mypy exits 1 when it finds type errors",
            expectations: { _ in ["findings.error == 0"] }),
        Tool(
            name: "eslint", words: ["eslint"], format: "eslint",
            ownOutput: ["-f", "--format", "-o", "--output-file", "--fix", "--fix-dry-run"],
            flags: { " -f json -o \($0)" }, allowExit: [1], why: "ESLint exits 1 when it finds errors",
            // The project's own configuration says which rules only warn.
            expectations: { _ in ["findings.error == 0"] }),
        Tool(
            name: "safety", words: ["safety", "check"], format: "safety",
            ownOutput: ["--json", "--output", "-o", "--save-json", "--bare"], flags: { " --output json > \($0)" },
            allowExit: [64], why: "safety exits 64 when it finds vulnerabilities",
            expectations: severities("vulns", ["critical", "high", "medium"])),
        Tool(
            name: "pip-audit", words: ["pip-audit"], format: "pip-audit",
            ownOutput: ["-f", "--format", "-o", "--output"],
            flags: { " -f json -o \($0)" }, allowExit: [1], why: "pip-audit exits 1 when it finds vulnerabilities",
            // pip-audit gives no severity; a dependency it could not look up was not audited.
            expectations: { _ in ["vulns.total == 0", "vulns.skipped == 0"] }),
        Tool(
            name: "npm audit", words: ["npm", "audit"], format: "npm-audit", ownOutput: ["--json", "fix"],
            flags: { " --json > \($0)" }, allowExit: [1], why: "npm audit exits 1 when it finds vulnerabilities",
            expectations: severities("vulns", ["critical", "high", "moderate"])),
        Tool(
            name: "gitleaks", words: ["gitleaks"], format: "sarif",
            ownOutput: ["-r", "--report-path", "-f", "--report-format", "protect"],
            flags: { " --report-format sarif --report-path \($0)" }, allowExit: [1],
            why: "gitleaks exits 1 when it finds a leak", expectations: { _ in ["findings.total == 0"] }),
        Tool(
            name: "trivy", words: ["trivy"], format: "sarif", ownOutput: ["-f", "--format", "-o", "--output"],
            flags: { " --format sarif --output \($0)" }, allowExit: [],
            why: "trivy exits 0 whatever it finds unless told otherwise",
            // trivy's SARIF gives critical and high findings the level `error`.
            expectations: { bar in bar == .any ? ["findings.total == 0"] : ["findings.error == 0"] }),
        Tool(
            name: "k6", words: ["k6", "run"], format: "k6", ownOutput: ["--summary-export"],
            flags: { " --summary-export \($0)" }, allowExit: [99], why: "k6 exits 99 when a threshold is crossed",
            expectations: { _ in ["thresholds.failed == 0"] }),
    ]

    /// The tool the table knows that `command` runs, if any.
    static func tool(for command: String) -> Tool? {
        let words = CommandRule.Words(command).all
        return tools.first { tool in
            words.count >= tool.words.count && Array(words.prefix(tool.words.count)) == tool.words
        }
    }

    /// The report form of `command`, when it is one plain invocation of a tool the table knows.
    static func report(for command: String, prose: String) -> ToolReport? {
        // One simple command only: a pipe, a list or a redirect already decides where output goes.
        guard !command.contains(where: { "|;&<>`$\n".contains($0) }), let tool = tool(for: command) else { return nil }
        let words = CommandRule.Words(command).all
        let flags = words.dropFirst(tool.words.count)
        guard !flags.contains(where: { word in tool.ownOutput.contains { word == $0 || word.hasPrefix($0 + "=") } })
        else { return nil }
        let slug = tool.name.replacingBytes(" ", with: "-")
        // Named by the command, not the item: two items running the same command write the same
        // report, so that they share one run of it.
        var hash: UInt32 = 2_166_136_261
        for byte in command.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        let fileExtension = ["sarif": "sarif", "flake8": "txt"][tool.format] ?? "json"
        let path = "reports/\(slug)-\(String(hash, radix: 16)).\(fileExtension)"
        var allowed = tool.allowExit
        // `trivy --exit-code 1`: the status it was told to use for findings.
        if let index = flags.firstIndex(where: { $0 == "--exit-code" }), index + 1 < flags.endIndex,
            let code = Int(flags[index + 1]), code != 0
        {
            allowed = [code]
        }
        let exits = allowed.map(String.init).joined(separator: ", ")
        var rewrite =
            "\(tool.name)'s \(tool.format) report added (\(tool.flags(path).trimmedWhitespace))"
        if !allowed.isEmpty {
            rewrite += "; exit \(exits) allowed: \(tool.why), and the report's figures are the verdict"
        }
        return ToolReport(
            tool: tool.name,
            command: "mkdir -p reports\n" + (tool.appendsToReport ? "rm -f \(path)\n" : "") + command
                + tool.flags(path),
            format: tool.format,
            path: path, allowExit: allowed, expectations: tool.expectations(Bar.named(in: prose)), rewrite: rewrite)
    }
}
