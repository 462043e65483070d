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
        if first == UInt8(ascii: "<") { return try parseCobertura(data, source: source) }
        throw CheckError("`\(source)` is neither coverage.py JSON nor Cobertura XML")
    }

    static func parseCoveragePy(_ data: Data, source: String) throws(CheckError) -> Facts {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw CheckError("coverage report `\(source)` is not valid JSON")
        }
        guard let totals = object["totals"] as? [String: Any] else {
            throw CheckError("coverage report `\(source)` has no `totals`; expected the output of `coverage json`")
        }
        guard let covered = (totals["covered_lines"] as? NSNumber)?.doubleValue,
              let statements = (totals["num_statements"] as? NSNumber)?.doubleValue else {
            throw CheckError("coverage report `\(source)`: `totals` lacks covered_lines or num_statements")
        }
        // percent_covered includes branches when measured; prefer it, as coverage.py reports it.
        let percent = (totals["percent_covered"] as? NSNumber)?.doubleValue
            ?? (statements == 0 ? 100 : covered / statements * 100)
        var facts: Facts = [
            "coverage.percent": .number(round2(percent)),
            "coverage.lines.covered": .number(covered),
            "coverage.lines.total": .number(statements),
        ]
        if let branches = (totals["num_branches"] as? NSNumber)?.doubleValue,
           let coveredBranches = (totals["covered_branches"] as? NSNumber)?.doubleValue, branches > 0 {
            facts["coverage.branches.covered"] = .number(coveredBranches)
            facts["coverage.branches.total"] = .number(branches)
        }
        return facts
    }

    static func parseCobertura(_ data: Data, source: String) throws(CheckError) -> Facts {
        var scanner = XMLScanner(data: data)
        let root: XMLScanner.Event?
        do {
            root = try scanner.next()
        } catch {
            throw CheckError("coverage report `\(source)` is not well-formed XML: \(error)")
        }
        guard case .start(let name, let attributes, _) = root else {
            throw CheckError("coverage report `\(source)` has no root element")
        }
        guard name == "coverage" else {
            throw CheckError("`\(source)` is not a Cobertura report: expected <coverage>, found <\(name)>")
        }
        var facts: Facts = [:]
        if let covered = Double(attributes["lines-covered"] ?? ""), let valid = Double(attributes["lines-valid"] ?? "") {
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
        return facts
    }

    static func round2(_ value: Double) -> Double { (value * 100).rounded() / 100 }
}
