import Foundation
import ShipcheckCore

/// The report formats `parse:` and `report:` read, in one table.
enum ReportFormat: String, Sendable, CaseIterable {
    case junit, coverage, sarif, bandit, ruff
    case pipAudit = "pip-audit"
    case safety
    case npmAudit = "npm-audit"
    case mypy, flake8, eslint
    case k6, lighthouse, axe, json

    /// JSON reports are read whole; this bounds the memory one may take.
    static let maximumJSONSize = 64 * 1_048_576

    var summary: String {
        switch self {
        case .junit: "JUnit XML (pytest, Jest, go-junit-report, Surefire, swift test --xunit-output), streamed"
        case .coverage: "coverage.py JSON, Cobertura or coverage.py XML, lcov, JaCoCo XML"
        case .sarif: "SARIF 2.1 (ruff, bandit, semgrep, CodeQL)"
        case .bandit: "bandit JSON"
        case .ruff: "ruff JSON (`ruff check --output-format json`)"
        case .pipAudit: "pip-audit JSON (`pip-audit -f json`)"
        case .safety: "safety JSON (`safety check --json`)"
        case .npmAudit: "npm audit JSON"
        case .mypy: "mypy JSON lines (`mypy --output json`)"
        case .flake8: "flake8's default text output with `--benchmark` (what it looked at)"
        case .eslint: "ESLint JSON (`eslint -f json`)"
        case .k6: "k6 summary JSON (`--summary-export` or handleSummary)"
        case .lighthouse: "Lighthouse JSON"
        case .axe: "axe-core JSON results"
        case .json: "any JSON, flattened into `json.*`"
        }
    }

    /// What a `report:` item expects of this format when it says nothing.
    var defaultExpectation: String? {
        switch self {
        case .junit: "tests.failed == 0 and tests.errors == 0"
        case .sarif, .ruff, .flake8, .eslint: "findings.total == 0"
        case .mypy: "findings.error == 0"
        case .bandit: "findings.high == 0"
        case .pipAudit: "vulns.total == 0 and vulns.skipped == 0"
        case .safety: "vulns.total == 0"
        case .npmAudit: "vulns.high == 0 and vulns.critical == 0"
        case .k6: "thresholds.failed == 0"
        case .axe: "violations.total == 0"
        case .coverage, .lighthouse, .json: nil
        }
    }

    func parse(file url: URL) throws(CheckError) -> Facts {
        try Self.requireMeasured(parseAny(file: url), format: self, source: url.lastPathComponent)
    }

    func parse(data: Data, source: String) throws(CheckError) -> Facts {
        try Self.requireMeasured(parseAny(data: data, source: source), format: self, source: source)
    }

    /// A report of a tool that looked at nothing would read as clean: it is an error, not a pass. A
    /// coverage report that measured no line (it would read as 100%), a bandit scan of 0 lines.
    static func requireMeasured(_ facts: Facts, format: ReportFormat, source: String) throws(CheckError) -> Facts {
        if format == .coverage, case .number(let total)? = facts["coverage.lines.total"], total == 0 {
            throw CheckError("coverage report `\(source)` measured no lines: nothing was covered or nothing ran")
        }
        if format == .bandit, case .number(let lines)? = facts["scanned.lines"], lines == 0 {
            throw CheckError("bandit report `\(source)` scanned 0 lines of code: no Python file was found to look at")
        }
        if format == .flake8 || format == .eslint, case .number(let files)? = facts["scanned.files"], files == 0 {
            throw CheckError("\(format.rawValue) report `\(source)` looked at 0 files: nothing was checked")
        }
        return facts
    }

    /// What a tool says on stderr when it found nothing to look at, though its report reads as clean
    /// (ruff writes `[]` and exits 0 when no Python file is under the paths it was given).
    func lookedAtNothing(stderr: String) -> String? {
        switch self {
        case .ruff where stderr.containsBytes("No Python files found"):
            "ruff found no Python files to check, so its empty report says nothing"
        default: nil
        }
    }

    /// Checks that hold beside any `expect:` for reports of this format.
    var guardExpectations: [FactExpression] {
        self == .junit ? [JUnitParser.noErrors] : []
    }

    private func parseAny(file url: URL) throws(CheckError) -> Facts {
        switch self {
        case .junit:
            return try JUnitParser.parse(file: url)
        case .coverage where url.pathExtension == "info" || url.lastPathComponent.hasPrefix("lcov"):
            return try LcovParser.parse(file: url)
        default:
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: url.path) else {
                throw CheckError("\(rawValue) report `\(url.path)` was not written")
            }
            let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
            guard size <= Self.maximumJSONSize else {
                throw CheckError(
                    "\(rawValue) report `\(url.lastPathComponent)` is \(size / 1_048_576) MiB; reports of this kind are read up to \(Self.maximumJSONSize / 1_048_576) MiB"
                )
            }
            guard let data = FileManager.default.contents(atPath: url.path) else {
                throw CheckError("cannot read \(rawValue) report `\(url.path)`")
            }
            return try parseAny(data: data, source: "`\(url.lastPathComponent)`")
        }
    }

    private func parseAny(data: Data, source: String) throws(CheckError) -> Facts {
        switch self {
        case .junit: return try JUnitParser.parse(data: data, source: source)
        case .coverage: return try CoverageParser.parse(data: data, source: source)
        case .json: return try JSONFacts.parse(data: data, prefix: "json", source: source)
        case .sarif: return try ScanReports.sarif(JSONDocument.load(data, source: source, format: "SARIF"))
        case .bandit: return try ScanReports.bandit(JSONDocument.load(data, source: source, format: "bandit"))
        case .ruff: return try ScanReports.ruff(JSONDocument.load(data, source: source, format: "ruff"))
        case .pipAudit: return try ScanReports.pipAudit(JSONDocument.load(data, source: source, format: "pip-audit"))
        case .safety: return try ScanReports.safety(JSONDocument.load(data, source: source, format: "safety"))
        case .npmAudit: return try ScanReports.npmAudit(JSONDocument.load(data, source: source, format: "npm audit"))
        case .mypy: return try ScanReports.mypy(data, source: source)
        case .flake8: return try ScanReports.flake8(data, source: source)
        case .eslint: return try ScanReports.eslint(JSONDocument.load(data, source: source, format: "ESLint"))
        case .k6: return try QualityReports.k6(JSONDocument.load(data, source: source, format: "k6"))
        case .lighthouse:
            return try QualityReports.lighthouse(JSONDocument.load(data, source: source, format: "Lighthouse"))
        case .axe: return try QualityReports.axe(JSONDocument.load(data, source: source, format: "axe"))
        }
    }
}

/// A parsed JSON report with typed lookups that fail with the path and what was expected.
struct JSONDocument {
    let root: Any
    let source: String
    let format: String

    static func load(_ data: Data, source: String, format: String) throws(CheckError) -> JSONDocument {
        do {
            return JSONDocument(
                root: try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]), source: source,
                format: format)
        } catch {
            let detail =
                (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? error.localizedDescription
            throw CheckError("\(format) report \(source) is not valid JSON: \(detail)")
        }
    }

    func fail(_ path: String, _ expected: String) -> CheckError {
        CheckError("\(format) report \(source): `\(path)` should be \(expected)")
    }

    func object(_ value: Any?, _ path: String) throws(CheckError) -> [String: Any] {
        guard let object = value as? [String: Any] else { throw fail(path, "an object") }
        return object
    }

    func array(_ value: Any?, _ path: String) throws(CheckError) -> [Any] {
        guard let array = value as? [Any] else { throw fail(path, "an array") }
        return array
    }

    func number(_ value: Any?, _ path: String) throws(CheckError) -> Double {
        guard let number = value as? NSNumber else { throw fail(path, "a number") }
        return number.doubleValue
    }

    func string(_ value: Any?, _ path: String) throws(CheckError) -> String {
        guard let string = value as? String else { throw fail(path, "a string") }
        return string
    }
}

extension Facts {
    /// Counts by key under a prefix, e.g. `findings.high`.
    mutating func count<S: Sequence>(_ keys: S, prefix: String) where S.Element == String {
        for key in keys {
            var count = 0.0
            if case .number(let current) = self[prefix + key] { count = current }
            self[prefix + key] = .number(count + 1)
        }
    }
}
