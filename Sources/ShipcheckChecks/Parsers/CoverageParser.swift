import Foundation
import ShipcheckCore

/// Reads a coverage report: coverage.py's JSON (`coverage json`) or Cobertura XML
/// (`coverage xml`, pytest-cov, JaCoCo converters, gcovr) into `coverage.percent` and line counts.
enum CoverageParser {
    static func parse(file url: URL) throws(CheckError) -> Facts {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw CheckError("coverage report `\(url.path)` was not written")
        }
        return try parse(data: data, source: url.lastPathComponent)
    }

    static func parse(data: Data, source: String) throws(CheckError) -> Facts {
        let first = data.first { ![0x20, 0x0A, 0x0D, 0x09].contains($0) }
        if first == UInt8(ascii: "{") { return try parseCoveragePy(data, source: source) }
        if first == UInt8(ascii: "<") { return try parseXML(data, source: source) }
        if data.prefix(4096).range(of: Data("end_of_record".utf8)) != nil || data.starts(with: Data("TN:".utf8))
            || data.starts(with: Data("SF:".utf8))
        {
            return try LcovParser.parse(data: data, source: source)
        }
        throw CheckError("`\(source)` is neither coverage.py JSON, Cobertura or JaCoCo XML, nor lcov")
    }

    static func parseCoveragePy(_ data: Data, source: String) throws(CheckError) -> Facts {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw CheckError("coverage report `\(source)` is not valid JSON")
        }
        guard let totals = object["totals"] as? [String: Any] else {
            throw CheckError("coverage report `\(source)` has no `totals`; expected the output of `coverage json`")
        }
        guard let covered = (totals["covered_lines"] as? NSNumber)?.doubleValue,
            let statements = (totals["num_statements"] as? NSNumber)?.doubleValue
        else {
            throw CheckError("coverage report `\(source)`: `totals` lacks covered_lines or num_statements")
        }
        // percent_covered includes branches when measured; prefer it, as coverage.py reports it.
        let percent =
            (totals["percent_covered"] as? NSNumber)?.doubleValue
            ?? (statements == 0 ? 100 : covered / statements * 100)
        var facts: Facts = [
            "coverage.percent": .number(round2(percent)),
            "coverage.lines.covered": .number(covered),
            "coverage.lines.total": .number(statements),
        ]
        if let files = object["files"] as? [String: Any] {
            var minimum: (String, Double)?
            for (name, value) in files {
                guard let summary = (value as? [String: Any])?["summary"] as? [String: Any],
                    let percent = (summary["percent_covered"] as? NSNumber)?.doubleValue,
                    ((summary["num_statements"] as? NSNumber)?.intValue ?? 1) > 0
                else { continue }
                if let current = minimum, percent > current.1 || (percent == current.1 && name >= current.0) {
                    continue
                }
                minimum = (name, percent)
            }
            if let minimum {
                facts["coverage.file_min"] = .number(round2(minimum.1))
                facts["coverage.file_min.name"] = .string(minimum.0)
            }
        }
        if let branches = (totals["num_branches"] as? NSNumber)?.doubleValue,
            let coveredBranches = (totals["covered_branches"] as? NSNumber)?.doubleValue, branches > 0
        {
            facts["coverage.branches.covered"] = .number(coveredBranches)
            facts["coverage.branches.total"] = .number(branches)
        }
        return facts
    }

    /// Cobertura (and coverage.py's XML) or JaCoCo, read as a stream: totals from the root (Cobertura)
    /// or the report's own counters (JaCoCo), and the least-covered file.
    static func parseXML(_ data: Data, source: String) throws(CheckError) -> Facts {
        var scanner = XMLScanner(data: data)
        var root: String?
        var facts: Facts = [:]
        var minimum: (name: String, percent: Double)?
        var depth = 0
        var sourceFile: String?
        var reportLines: (missed: Double, covered: Double)?
        func consider(_ name: String, _ percent: Double) {
            if percent < minimum?.percent ?? .infinity { minimum = (name, percent) }
        }
        do {
            while let event = try scanner.next() {
                switch event {
                case .start(let name, let attributes, _):
                    depth += 1
                    if root == nil {
                        root = name
                        guard name == "coverage" || name == "report" else {
                            throw CheckError(
                                "`\(source)` is not a Cobertura or JaCoCo report: expected <coverage> or <report>, found <\(name)>"
                            )
                        }
                        if name == "coverage" { try cobertura(attributes, into: &facts, source: source) }
                    }
                    if root == "coverage", name == "class", let file = attributes["filename"],
                        let rate = Double(attributes["line-rate"] ?? "")
                    {
                        consider(file, rate * 100)
                    }
                    if root == "report" {
                        if name == "sourcefile" { sourceFile = attributes["name"] }
                        if name == "counter", attributes["type"] == "LINE",
                            let missed = Double(attributes["missed"] ?? ""),
                            let covered = Double(attributes["covered"] ?? "")
                        {
                            if depth == 2 { reportLines = (missed, covered) }
                            if let file = sourceFile, missed + covered > 0 {
                                consider(file, covered / (missed + covered) * 100)
                            }
                        }
                    }
                case .end(let name):
                    depth -= 1
                    if name == "sourcefile" { sourceFile = nil }
                }
            }
        } catch let error as XMLScanner.SyntaxError {
            throw CheckError("coverage report `\(source)` is not well-formed XML: \(error)")
        } catch let error as CheckError {
            throw error
        } catch {
            throw CheckError("coverage report `\(source)`: \(error)")
        }
        if root == "report" {
            guard let lines = reportLines else {
                throw CheckError("JaCoCo report `\(source)` has no LINE counter for the whole report")
            }
            facts["coverage.lines.covered"] = .number(lines.covered)
            facts["coverage.lines.total"] = .number(lines.missed + lines.covered)
            facts["coverage.percent"] = .number(
                round2(lines.missed + lines.covered == 0 ? 100 : lines.covered / (lines.missed + lines.covered) * 100))
        }
        if let minimum {
            facts["coverage.file_min"] = .number(round2(minimum.percent))
            facts["coverage.file_min.name"] = .string(minimum.name)
        }
        return facts
    }

    static func cobertura(_ attributes: XMLAttributes, into facts: inout Facts, source: String) throws(CheckError) {
        if let covered = Double(attributes["lines-covered"] ?? ""), let valid = Double(attributes["lines-valid"] ?? "")
        {
            facts["coverage.lines.covered"] = .number(covered)
            facts["coverage.lines.total"] = .number(valid)
            facts["coverage.percent"] = .number(round2(valid == 0 ? 100 : covered / valid * 100))
        }
        if let rate = Double(attributes["line-rate"] ?? "") {
            facts["coverage.percent"] = .number(round2(rate * 100))
        }
        if let rate = Double(attributes["branch-rate"] ?? "") {
            facts["coverage.branches.percent"] = .number(round2(rate * 100))
        }
        guard facts["coverage.percent"] != nil else {
            throw CheckError("Cobertura report `\(source)` has neither line-rate nor lines-covered/lines-valid")
        }
    }

    static func round2(_ value: Double) -> Double { (value * 100).rounded() / 100 }
}
