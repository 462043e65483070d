import Foundation
import ShipcheckCore

/// `report:` — facts from report files a tool already wrote (a CI step, a scheduled scan),
/// without running anything.
struct ReportCheck: Check {
    let reports: [(format: ReportFormat, path: Template)]

    static let description = KindDescription(
        key: "report",
        name: "Report file",
        summary:
            "Reads report files written earlier — JUnit, coverage (coverage.py, Cobertura, lcov, JaCoCo), SARIF, bandit, ruff, pip-audit, safety, npm audit, k6, Lighthouse, axe — into facts. Each format has a default expectation (none for coverage and Lighthouse: give a threshold).",
        parameters: [
            Parameter(
                "report",
                .object(ReportFormat.allCases.map { Parameter($0.rawValue, .template, $0.summary + ": the file.") }),
                "Format: path, one or more.", required: true)
        ],
        facts: [
            FactDescription("tests.*", "number", "junit: total, passed, failed, errors, skipped, time, failing."),
            FactDescription(
                "coverage.percent, coverage.file_min", "number",
                "coverage: overall and least-covered file (with coverage.file_min.name)."),
            FactDescription("findings.total/error/warning/note, findings.rule.ID", "number", "sarif."),
            FactDescription(
                "findings.total/high/medium/low, findings.test.ID, scanned.lines/files", "number",
                "bandit (a scan of 0 lines is an error)."),
            FactDescription("findings.total, findings.CODE, findings.fixable", "number", "ruff."),
            FactDescription("vulns.total/critical/high/medium/low/…", "number", "pip-audit, safety, npm audit."),
            FactDescription("METRIC.p95, http_req_failed.rate, thresholds.passed/failed", "duration, number", "k6."),
            FactDescription("lighthouse.performance/accessibility/best-practices/seo", "number", "Lighthouse, 0–100."),
            FactDescription("violations.total/critical/serious/moderate/minor", "number", "axe."),
            FactDescription("report.age", "duration", "Time since the newest of the files was written."),
        ],
        examples: [
            KindExample(
                "no high-severity bandit findings",
                yaml: """
                    id: bandit
                    title: No security vulnerabilities
                    report: { bandit: reports/bandit.json }
                    """, outcome: .pass, facts: ["findings.high": .number(0), "findings.low": .number(1)],
                files: [
                    "reports/bandit.json":
                        #"{"errors": [], "results": [{"issue_severity": "LOW", "issue_confidence": "HIGH", "test_id": "B105", "filename": "app.py", "line_number": 3}]}"#
                ]),
            KindExample(
                "Lighthouse below the bar",
                yaml: """
                    id: lighthouse
                    title: Lighthouse scores >90
                    report: { lighthouse: reports/lighthouse.json }
                    expect: [lighthouse.performance > 90, lighthouse.accessibility > 90]
                    """, outcome: .fail, facts: ["lighthouse.performance": .number(72)],
                files: [
                    "reports/lighthouse.json":
                        #"{"finalDisplayedUrl": "https://example.org/", "categories": {"performance": {"score": 0.72}, "accessibility": {"score": 0.95}}}"#
                ]),
        ],
        make: make)

    static func make(_ reader: KindReader) -> (any Check)? {
        guard let node = reader["report"],
            let fields = node.fields(
                allowed: ReportFormat.allCases.map(\.rawValue),
                expected: "a mapping such as { bandit: reports/bandit.json }")
        else { return nil }
        var reports: [(ReportFormat, Template)] = []
        for format in ReportFormat.allCases {
            guard let pathNode = fields[format.rawValue] else { continue }
            guard let path = pathNode.template(knownVars: reader.knownVariables) else { return nil }
            reports.append((format, path))
        }
        guard !reports.isEmpty else {
            node.report("name at least one report, e.g. { junit: reports/junit.xml }")
            return nil
        }
        return ReportCheck(reports: reports)
    }

    var defaultExpectations: [FactExpression] {
        reports.compactMap { $0.format.defaultExpectation.flatMap { try? FactExpression.parse($0) } }
    }

    var guardExpectations: [FactExpression] { reports.flatMap(\.format.guardExpectations) }

    var summary: String { "read " + reports.map { "\($0.format.rawValue) report \($0.path)" }.joined(separator: ", ") }

    func run(in context: CheckContext) async throws(CheckError) -> Facts {
        var facts: Facts = [:]
        var newest = Date.distantPast
        for (format, template) in reports {
            let url = context.resolve(try context.expand(template, quoting: .none))
            facts.merge(try format.parse(file: url)) { _, new in new }
            if let modified = (try? FileManager.default.attributesOfItem(atPath: url.path))?[.modificationDate] as? Date
            {
                newest = max(newest, modified)
            }
        }
        facts["report.age"] = .duration(max(0, Date().timeIntervalSince(newest)))
        return facts
    }
}
