import Foundation
import ShipcheckCore

/// Findings from linters and security scanners.
enum ScanReports {
    static func sarif(_ document: JSONDocument) throws(CheckError) -> Facts {
        let root = try document.object(document.root, "$")
        let runs = try document.array(root["runs"], "runs")
        var facts: Facts = ["findings.total": .number(0)]
        for level in ["error", "warning", "note", "none"] { facts["findings." + level] = .number(0) }
        var total = 0
        var rules: [String] = []
        for (runIndex, run) in runs.enumerated() {
            let runObject = try document.object(run, "runs[\(runIndex)]")
            let results = try document.array(runObject["results"] ?? [], "runs[\(runIndex)].results")
            for (index, result) in results.enumerated() {
                let object = try document.object(result, "runs[\(runIndex)].results[\(index)]")
                let level = (object["level"] as? String) ?? "warning"
                facts.count([level], prefix: "findings.")
                if let rule = object["ruleId"] as? String { rules.append(rule) }
                total += 1
            }
        }
        facts["findings.total"] = .number(Double(total))
        facts.count(rules, prefix: "findings.rule.")
        return facts
    }

    static func bandit(_ document: JSONDocument) throws(CheckError) -> Facts {
        let root = try document.object(document.root, "$")
        let results = try document.array(root["results"], "results")
        var facts: Facts = ["findings.high": .number(0), "findings.medium": .number(0), "findings.low": .number(0)]
        var tests: [String] = []
        for (index, result) in results.enumerated() {
            let object = try document.object(result, "results[\(index)]")
            let severity = try document.string(object["issue_severity"], "results[\(index)].issue_severity")
                .lowercased()
            facts.count([severity], prefix: "findings.")
            if let test = object["test_id"] as? String { tests.append(test) }
        }
        facts["findings.total"] = .number(Double(results.count))
        facts.count(tests, prefix: "findings.test.")
        if let errors = root["errors"] as? [Any] { facts["errors"] = .number(Double(errors.count)) }
        // What it looked at: lines of code in all, and the files it read (every key but the totals).
        if let metrics = root["metrics"] as? [String: Any],
            let totals = metrics["_totals"] as? [String: Any], let lines = totals["loc"] as? NSNumber
        {
            facts["scanned.lines"] = .number(lines.doubleValue)
            facts["scanned.files"] = .number(Double(metrics.keys.filter { $0 != "_totals" }.count))
        }
        return facts
    }

    static func ruff(_ document: JSONDocument) throws(CheckError) -> Facts {
        let findings = try document.array(document.root, "$")
        var codes: [String] = []
        var fixable = 0
        for (index, finding) in findings.enumerated() {
            let object = try document.object(finding, "[\(index)]")
            codes.append((object["code"] as? String) ?? "syntax-error")
            if object["fix"] is [String: Any] { fixable += 1 }
        }
        var facts: Facts = [
            "findings.total": .number(Double(findings.count)), "findings.fixable": .number(Double(fixable)),
        ]
        facts.count(codes, prefix: "findings.")
        return facts
    }

    static func pipAudit(_ document: JSONDocument) throws(CheckError) -> Facts {
        let root = try document.object(document.root, "$")
        let dependencies = try document.array(root["dependencies"], "dependencies")
        var total = 0
        var packages = 0
        var fixable = 0
        var skipped = 0
        var ids: [Value] = []
        for (index, dependency) in dependencies.enumerated() {
            let object = try document.object(dependency, "dependencies[\(index)]")
            // A dependency pip-audit could not look up was not audited: counted, not taken as clean.
            if object["skip_reason"] != nil { skipped += 1 }
            let vulns = try document.array(object["vulns"] ?? [], "dependencies[\(index)].vulns")
            if !vulns.isEmpty { packages += 1 }
            for (vulnIndex, vuln) in vulns.enumerated() {
                let vulnObject = try document.object(vuln, "dependencies[\(index)].vulns[\(vulnIndex)]")
                total += 1
                if let id = vulnObject["id"] as? String, ids.count < 50 { ids.append(.string(id)) }
                if let fixes = vulnObject["fix_versions"] as? [Any], !fixes.isEmpty { fixable += 1 }
            }
        }
        return [
            "vulns.total": .number(Double(total)), "vulns.packages": .number(Double(packages)),
            "vulns.skipped": .number(Double(skipped)),
            "vulns.fixable": .number(Double(fixable)), "vulns.ids": .list(ids),
        ]
    }

    /// safety 2/3 (`{"vulnerabilities": [...]}`) and the older list-of-lists form.
    static func safety(_ document: JSONDocument) throws(CheckError) -> Facts {
        var entries: [Any]
        if let root = document.root as? [String: Any] {
            entries = try document.array(root["vulnerabilities"] ?? [], "vulnerabilities")
        } else {
            entries = try document.array(document.root, "$")
        }
        var facts: Facts = [:]
        for severity in ["critical", "high", "medium", "low", "unknown"] { facts["vulns." + severity] = .number(0) }
        var packages = Set<String>()
        for (index, entry) in entries.enumerated() {
            if let object = entry as? [String: Any] {
                if let name = object["package_name"] as? String { packages.insert(name) }
                facts.count([severityName(object["severity"])], prefix: "vulns.")
            } else if let list = entry as? [Any], let name = list.first as? String {
                packages.insert(name)
                facts.count(["unknown"], prefix: "vulns.")
            } else {
                throw document.fail("vulnerabilities[\(index)]", "an object or a list")
            }
        }
        facts["vulns.total"] = .number(Double(entries.count))
        facts["vulns.packages"] = .number(Double(packages.count))
        return facts
    }

    static func severityName(_ value: Any?) -> String {
        var text: String?
        if let string = value as? String { text = string }
        if let object = value as? [String: Any] {
            for key in ["cvssv3", "cvssv2"] {
                if let cvss = object[key] as? [String: Any], let base = cvss["base_severity"] as? String {
                    text = base
                    break
                }
            }
            if text == nil, let source = object["source"] as? String { text = source }
        }
        let lower = text?.lowercased() ?? "unknown"
        return ["critical", "high", "medium", "low"].contains(lower)
            ? lower : (lower == "moderate" ? "medium" : "unknown")
    }

    static func npmAudit(_ document: JSONDocument) throws(CheckError) -> Facts {
        let root = try document.object(document.root, "$")
        let metadata = try document.object(root["metadata"], "metadata")
        let counts = try document.object(metadata["vulnerabilities"], "metadata.vulnerabilities")
        var facts: Facts = [:]
        var total = 0.0
        for severity in ["info", "low", "moderate", "high", "critical"] {
            let count =
                try counts[severity].map { value throws(CheckError) in
                    try document.number(value, "metadata.vulnerabilities.\(severity)")
                } ?? 0
            facts["vulns." + severity] = .number(count)
            total += count
        }
        facts["vulns.total"] = .number((counts["total"] as? NSNumber)?.doubleValue ?? total)
        return facts
    }

    /// mypy's `--output json`: one JSON object per line, `severity` error or note. A clean run writes
    /// nothing (and exits 0); a run that found no file exits 2, which no gate allows.
    static func mypy(_ data: Data, source: String) throws(CheckError) -> Facts {
        var facts: Facts = ["findings.total": .number(0), "findings.error": .number(0), "findings.note": .number(0)]
        var codes: [String] = []
        for (index, line) in data.split(separator: UInt8(ascii: "\n")).enumerated() {
            guard line.contains(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\r") }) else { continue }
            let document = try JSONDocument.load(Data(line), source: "\(source) line \(index + 1)", format: "mypy")
            let object = try document.object(document.root, "$")
            let severity = try document.string(object["severity"], "severity")
            facts.count([severity], prefix: "findings.")
            if severity == "error" { codes.append((object["code"] as? String) ?? "error") }
            facts.count(["total"], prefix: "findings.")
        }
        facts.count(codes, prefix: "findings.code.")
        return facts
    }

    /// flake8's default lines, `path:row:col: CODE text`, and the `--benchmark` statistics that say
    /// how many files and lines it read. Without them an empty report could be a scan of nothing.
    static func flake8(_ data: Data, source: String) throws(CheckError) -> Facts {
        var facts: Facts = ["findings.total": .number(0)]
        var codes: [String] = []
        var sawFileCount = false
        for line in String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline) {
            let words = line.split(separator: " ", omittingEmptySubsequences: true)
            if words.count >= 4, let count = Double(words[0]), words[1] == "total", words.last == "processed" {
                // `3  total files processed`, `120  total physical lines processed`
                if words[2] == "files" {
                    // flake8 appends to --output-file: two runs in one report would add up wrongly.
                    if sawFileCount {
                        throw CheckError(
                            "flake8 report \(source) holds more than one run (flake8 appends to --output-file): remove it before running"
                        )
                    }
                    facts["scanned.files"] = .number(count)
                    sawFileCount = true
                } else if words[2] == "physical" {
                    facts["scanned.lines"] = .number(count)
                }
                continue
            }
            guard let code = flake8Code(line) else { continue }
            codes.append(code)
            facts.count(["total"], prefix: "findings.")
        }
        guard sawFileCount else {
            throw CheckError(
                "flake8 report \(source) does not say how many files it read: run flake8 with --benchmark, so that an empty report cannot be a scan of nothing"
            )
        }
        facts.count(codes, prefix: "findings.")
        return facts
    }

    /// The code of a finding line, `PATH:ROW:COL: CODE text`, where the path may itself hold colons.
    static func flake8Code(_ line: Substring) -> String? {
        var rest = line[...]
        while let colon = rest.firstIndex(of: ":") {
            rest = rest[rest.index(after: colon)...]
            let row = rest.prefix { $0.isASCII && $0.isNumber }
            guard !row.isEmpty, rest.dropFirst(row.count).first == ":" else { continue }
            let afterRow = rest.dropFirst(row.count + 1)
            let column = afterRow.prefix { $0.isASCII && $0.isNumber }
            guard !column.isEmpty, afterRow.dropFirst(column.count).hasPrefix(": ") else { continue }
            let code = afterRow.dropFirst(column.count + 2).prefix { $0 != " " }
            return code.isEmpty ? "unknown" : String(code)
        }
        return nil
    }

    /// ESLint's `-f json`: one entry per file read, each with its messages (severity 2 an error, 1 a
    /// warning; `fatal` a file it could not parse).
    static func eslint(_ document: JSONDocument) throws(CheckError) -> Facts {
        let files = try document.array(document.root, "$")
        var facts: Facts = [
            "findings.total": .number(0), "findings.error": .number(0), "findings.warning": .number(0),
            "findings.fatal": .number(0), "scanned.files": .number(Double(files.count)),
        ]
        var rules: [String] = []
        for (fileIndex, file) in files.enumerated() {
            let object = try document.object(file, "[\(fileIndex)]")
            let messages = try document.array(object["messages"], "[\(fileIndex)].messages")
            for (index, message) in messages.enumerated() {
                let entry = try document.object(message, "[\(fileIndex)].messages[\(index)]")
                let severity = try document.number(entry["severity"], "[\(fileIndex)].messages[\(index)].severity")
                facts.count([severity >= 2 ? "error" : "warning", "total"], prefix: "findings.")
                if entry["fatal"] as? Bool == true { facts.count(["fatal"], prefix: "findings.") }
                if let rule = entry["ruleId"] as? String { rules.append(rule) }
            }
        }
        facts.count(rules, prefix: "findings.rule.")
        return facts
    }
}
