import Foundation

/// The documented table that turns a checklist's verification prose into expectations.
/// Each rule names the words it looks for and what it makes of them; docs/import.md lists them.
enum ExpectationPatterns {
    /// What a `# Verify:` note (or a threshold bullet) becomes.
    struct Derived: Equatable {
        var expectations: [String] = []
        /// Report parsing to add: format → path, with the flag to add to the command.
        var junit = false
        var coverageReport = false
        var json = false
        /// The report of a Lighthouse run the importer wrote for scores the prose names, parsed.
        var lighthouseReport: String?
        var captures: [String: String] = [:]
        /// Text that could not be turned into an expectation, left as a TODO.
        var todo: [String] = []
        var baseline: [String] = []

        mutating func add(_ expectation: String) {
            if !expectations.contains(expectation) { expectations.append(expectation) }
        }

        mutating func merge(_ other: Derived) {
            for expectation in other.expectations { add(expectation) }
            junit = junit || other.junit
            coverageReport = coverageReport || other.coverageReport
            json = json || other.json
            lighthouseReport = lighthouseReport ?? other.lighthouseReport
            captures.merge(other.captures) { first, _ in first }
            todo += other.todo
            baseline += other.baseline
        }
    }

    static func regex(_ pattern: String) -> NSRegularExpression {
        NSRegularExpression.builtIn(pattern, options: [.caseInsensitive])
    }

    static func firstMatch(_ regex: NSRegularExpression, _ text: String) -> [String]? {
        guard let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) else { return nil }
        return (0..<match.numberOfRanges).map { index in
            Range(match.range(at: index), in: text).map { String(text[$0]) } ?? ""
        }
    }

    static let testsPass = regex(
        #"(\d+(\.\d+)?\s*%\s*pass|0\s+fail|no\s+(test\s+)?fail|all\s+(\w+\s+)?tests?\s+pass|tests?\s+pass)"#)
    static let coverage = regex(
        #"coverage[^0-9<>≥=]*(>=|≥|>|at least|of at least|above)?\s*(\d+(?:\.\d+)?)\s*%|(\d+(?:\.\d+)?)\s*%\s*(?:\+\s*)?coverage"#
    )
    static let zeroProblems = regex(
        #"\b(0|zero|no)\s+(\w+\s+|\w+/\w+\s+)?(errors?|issues?|violations?|warnings?|vulnerabilit\w*|problems?|findings?|failures?)\b|\bclean\b|\bno\s+(high|critical)"#
    )
    static let nothingFound = regex(
        #"no\s+(sensitive|secrets?|output|matches|results?|data exposed|hardcoded)|nothing\s+(found|printed|returned)|empty\s+output"#
    )
    static let succeeds = regex(
        #"applies\s+cleanly|success|succeed|passes|passing|\bworks?\b|created|\bok\b|healthy|\bmet\b|running|ready|connected|responds?|available|\bup\b|complete"#
    )
    static let httpStatus = regex(#"\b(?:HTTP\s*|status\s*(?:code)?\s*:?\s*)?([1-5]\d\d)\b(?:\s+OK)?"#)
    static let quoted = regex(#""([^"]{2,200})"|“([^”]{2,200})”|'([^']{2,200})'|`([^`]{2,200})`"#)
    static let versionFloorPattern = regex(
        #"^(?:version\s*)?(?:>=|≥|>|at least|minimum|min\.?)\s*v?(\d+)\.(\d+)|^v?(\d+)\.(\d+)(?:\.\d+)?\s*(?:\+|or (?:later|higher|newer|above))"#
    )

    /// `No pods in CrashLoopBackOff`, `no ERROR lines`: a state or level that must not appear.
    static let noneOfState = NSRegularExpression.builtIn(
        #"^(?i:there should be\s+)?(?i:no)\s+(?:[a-z]+\s+){0,4}?(?:in\s+|with\s+)?([A-Z][a-z]+[A-Z][A-Za-z]+|[A-Z]{4,})\b"#
    )

    /// Words that make a comment state a fact rather than name a step.
    static let factWords: Set<String> = [
        "no", "not", "none", "zero", "only", "empty", "should", "must", "contains", "fail", "fails", "pass", "passes",
        "error", "errors", "returns", "equals", "least", "most", "below", "above", "under", "over",
    ]

    /// `Verify cluster version`, `Check the pods`: a few words naming what follows, no fact in them.
    static func onlyNames(_ text: String) -> Bool {
        let words = text.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber && $0 != "'" })
        guard words.count <= 6 else { return false }
        return !text.contains(where: { $0.isNumber || "\"'`<>=≥≤".contains($0) })
            && !words.contains { factWords.contains(String($0)) }
    }

    /// What an "Expected output:" block says to find: its first line without changing parts
    /// (numbers, times), as `stdout contains`; an empty block, `lines == 0`.
    static func expectedOutput(_ body: [String]) -> String? {
        let lines = body.map { $0.trimmedWhitespace }.filter { !$0.isEmpty }
        if lines.isEmpty || lines.allSatisfy({ ["(no output)", "(empty)", "<no output>"].contains($0.lowercased()) }) {
            return "lines == 0"
        }
        guard
            let stable = lines.first(where: {
                !$0.contains(where: \.isNumber) && $0.count >= 3 && $0.count <= 120 && !$0.hasPrefix("$")
                    && !$0.has("...") && !$0.has("…")
            })
        else { return nil }
        return "stdout contains \(literal(stable))"
    }

    /// "Expected: `healthy`" → "`healthy`"; "Expected output: 200 OK" → "200 OK".
    static func droppingExpectedLabel(_ text: String) -> String {
        let lower = text.lowercased()
        for label in ["expected output:", "expected result:", "expected:", "expect:", "output:", "result:"]
        where lower.hasPrefix(label) {
            return String(text.dropFirst(label.count)).trimmedWhitespace
        }
        return text
    }

    /// Where each tool prints its total coverage.
    static func coverageCapture(_ commands: String) -> String {
        if commands.has("go test") { return #"coverage: (\d+(?:\.\d+)?)% of statements"# }
        if commands.has("jest") || commands.has("vitest") || commands.has("npm") {
            return #"All files\s*\|\s*(\d+(?:\.\d+)?)"#
        }
        if commands.has("tarpaulin") { return #"(\d+(?:\.\d+)?)% coverage"# }
        return #"TOTAL\s.*?(\d+(?:\.\d+)?)%"#
    }

    /// Facts a command check has without a probe: its exit, output and line count, parsed reports,
    /// and what it captures.
    static func commandCanProduce(_ expectation: String, derived: Derived) -> Bool {
        var text = Substring(expectation)
        if text.hasPrefix("not (") { text = text.dropFirst(5) }
        let name = String(text.prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." })
        if ["exit", "stdout", "stderr", "lines"].contains(name) { return true }
        if name.hasPrefix("tests.") { return derived.junit }
        if name.hasPrefix("json.") { return derived.json }
        return derived.captures[name] != nil
    }

    /// `>= 1.5`, `≥ v20.1`, `1.5+`, `1.5 or later`, `at least 3.11`: the lowest version accepted.
    static func versionFloor(_ text: String) -> (Int, Int)? {
        guard let groups = firstMatch(versionFloorPattern, text.trimmedWhitespace) else {
            return nil
        }
        let major = Int(groups[1]) ?? Int(groups[3])
        let minor = Int(groups[2]) ?? Int(groups[4])
        guard let major, let minor else { return nil }
        return (major, minor)
    }
    /// A `# Verify:`-style note under an item, given the item's commands.
    static func derive(note: String, keyword: String, commands: [String]) -> Derived {
        var derived = Derived()
        let text = note.trimmedWhitespace
        let joined = commands.joined(separator: "\n")
        let usesPytest = joined.has("pytest")
        if keyword == "baseline" {
            derived.baseline.append(text)
            return derived
        }
        if let object = jsonObject(text) {
            derived.json = true
            for (key, value) in object.sorted(by: { $0.key < $1.key }) {
                derived.add("json.\(key) == \(literal(value))")
            }
            return derived
        }
        var matched = false
        if let groups = firstMatch(coverage, text) {
            let number = groups[2].isEmpty ? groups[3] : groups[2]
            let op = groups[1] == ">" || groups[1].lowercased() == "above" ? ">" : ">="
            derived.add("coverage.percent \(op) \(number)")
            if usesPytest && joined.has("--cov") {
                derived.coverageReport = true
            } else {
                derived.captures["coverage.percent"] = coverageCapture(joined)
            }
            matched = true
        }
        if firstMatch(testsPass, text) != nil {
            if usesPytest {
                derived.junit = true
                derived.add("tests.failed == 0")
            } else {
                derived.add("exit == 0")
            }
            matched = true
        }
        if !matched, let (major, minor) = versionFloor(text) {
            // Two numbers, not one: 1.10 is after 1.9, which a decimal comparison gets wrong.
            derived.captures["version_major"] = #"v?(\d+)\.\d+"#
            derived.captures["version_minor"] = #"v?\d+\.(\d+)"#
            derived.add("version_major > \(major) or version_major == \(major) and version_minor >= \(minor)")
            matched = true
        }
        if !matched, let groups = firstMatch(noneOfState, text) {
            derived.add("not (stdout contains \(literal(groups[1])))")
            matched = true
        }
        if !matched, firstMatch(nothingFound, text) != nil {
            derived.add("lines == 0")
            matched = true
        }
        if !matched, let (fact, op, value) = thresholdExpectation(text) {
            derived.add("\(fact) \(op) \(value)")
            matched = true
        }
        if !matched, firstMatch(zeroProblems, text) != nil {
            derived.add("exit == 0")
            matched = true
        }
        if !matched, let groups = firstMatch(quoted, text),
            let phrase = groups.dropFirst().first(where: { !$0.isEmpty }),
            // A code span naming the command itself is not something to find in its output.
            !commands.contains(where: { $0.contains(phrase) || phrase.contains($0) })
        {
            derived.add("stdout contains \(literal(phrase))")
            matched = true
        }
        if !matched, joined.has("curl"), let groups = firstMatch(httpStatus, text), let code = Int(groups[1]) {
            derived.add(#"stdout =~ "\b\#(code)\b""#)
            matched = true
        }
        if !matched, firstMatch(succeeds, text) != nil {
            derived.add("exit == 0")
            matched = true
        }
        if !matched {
            derived.add("exit == 0")
            derived.todo.append(text)
        }
        return derived
    }

    /// `API p95 response time: <500ms` → (`latency.p95`, `<`, `500ms`).
    static func thresholdExpectation(_ text: String, context: String = "") -> (String, String, String)? {
        // Most lines have no comparison at all; skip the regular expression for them.
        guard text.contains(where: { $0 == "<" || $0 == ">" || $0 == "≤" || $0 == "≥" }),
            let line = ThresholdLine(text)
        else { return nil }
        let label = line.label.trimmedWhitespace
        guard !label.isEmpty else { return nil }
        var op = line.comparison
        if op == "≤" { op = "<=" }
        if op == "≥" { op = ">=" }
        let unit = line.unit
        let value = line.number + unit
        // The metric may be named after the label too: "Sentry: <1% error rate".
        let rest = text.lowercased().has("error rate") ? "error rate" : ""
        return (factName(for: label + " " + rest, unit: unit, context: context), op, value)
    }

    /// The fact name a metric's label maps to, in the names the probes produce.
    static func factName(for label: String, unit: String, context: String) -> String {
        let lower = label.lowercased()
        let scope = context.lowercased()
        // Lighthouse's category ids: `best-practices`, as its report names them.
        if scope.has("lighthouse") { return "lighthouse." + snake(label).replacingBytes("_", with: "-") }
        if lower.has("websocket") { return "websocket.latency.p95" }
        for percentile in ["p50", "p90", "p95", "p99"] where lower.contains(percentile) {
            return "latency.\(percentile)"
        }
        if lower.has("error rate") || lower.has("error-rate") { return "error_rate" }
        if lower.has("degradation") { return "latency.degradation" }
        if lower.has("page load") { return "page_load" }
        if lower.has("response time") || lower.has("latency") { return "latency.p95" }
        if lower.has("cpu") { return "cpu.percent" }
        if lower.has("memory") { return unit == "%" ? "memory.percent" : "memory.bytes" }
        if lower.has("uptime") || lower.has("availability") { return "uptime" }
        if lower.has("throughput") || lower.has("rps") { return "throughput" }
        return snake(label)
    }

    static func snake(_ text: String) -> String {
        var out = ""
        for scalar in text.lowercased().unicodeScalars {
            if (scalar >= "a" && scalar <= "z") || (scalar >= "0" && scalar <= "9") {
                out.unicodeScalars.append(scalar)
            } else if !out.isEmpty, !out.hasSuffix("_") {
                out += "_"
            }
        }
        while out.hasSuffix("_") { out.removeLast() }
        if out.isEmpty { return "value" }
        if let first = out.unicodeScalars.first, first >= "0" && first <= "9" { out = "m_" + out }
        return out
    }

    static func jsonObject(_ text: String) -> [String: Any]? {
        guard let start = text.firstIndex(of: "{"), let end = text.lastIndex(of: "}"), start < end,
            let object = try? JSONSerialization.jsonObject(with: Data(text[start...end].utf8)) as? [String: Any],
            !object.isEmpty
        else { return nil }
        let scalars = object.filter { $0.value is String || $0.value is NSNumber }
        return scalars.count == object.count ? object : nil
    }

    static func literal(_ value: Any) -> String {
        if let string = value as? String { return quote(string) }
        if let number = value as? NSNumber {
            let text = "\(number)"
            if text == "true" || text == "false" { return text }
            return text
        }
        return quote("\(value)")
    }

    static func quote(_ text: String) -> String {
        "\"" + text.replacingBytes("\\", with: "\\\\").replacingBytes("\"", with: "\\\"") + "\""
    }
}
