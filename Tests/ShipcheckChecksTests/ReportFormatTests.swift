import Foundation
import ShipcheckCore
import ShipcheckTestSupport
import Testing

@testable import ShipcheckChecks

@Suite struct ReportFormatTests {
    func facts(_ format: ReportFormat, _ fixture: String) throws -> Facts {
        try format.parse(file: Harness.fixture(fixture))
    }

    @Test func ruffAndItsSARIF() throws {
        // Real output of ruff 0.x on a small file (Fixtures/, generated here).
        let json = try facts(.ruff, "ruff.json")
        #expect(json["findings.total"] == .number(2))
        #expect(json["findings.F401"] == .number(1))
        let sarif = try facts(.sarif, "ruff.sarif")
        #expect(sarif["findings.total"] == .number(2))
        #expect(sarif["findings.rule.F401"] == .number(1))
    }

    @Test func bandit() throws {
        let facts = try facts(.bandit, "bandit.json")
        #expect(facts["findings.total"] == .number(6))
        #expect(facts["findings.high"] == .number(1))
        #expect(facts["findings.medium"] == .number(2))
        #expect(facts["findings.low"] == .number(3))
        #expect(facts["findings.test.B602"] == .number(1))
    }

    @Test func vulnerabilityAudits() throws {
        let pipAudit = try facts(.pipAudit, "pip-audit.json")
        #expect(pipAudit["vulns.total"] == .number(2))
        #expect(pipAudit["vulns.packages"] == .number(1))
        #expect(pipAudit["vulns.fixable"] == .number(1))
        #expect(pipAudit["vulns.skipped"] == .number(1))
        // Real pip-audit output where PyPI's JSON API could not be reached: nothing was audited.
        let skipped = try facts(.pipAudit, "pip-audit-skipped.json")
        #expect(skipped["vulns.total"] == .number(0))
        #expect(skipped["vulns.skipped"] == .number(2))
        let safety = try facts(.safety, "safety.json")
        #expect(safety["vulns.total"] == .number(2))
        #expect(safety["vulns.medium"] == .number(1))
        #expect(safety["vulns.unknown"] == .number(1))
        let npm = try facts(.npmAudit, "npm-audit.json")
        #expect(npm["vulns.high"] == .number(1))
        #expect(npm["vulns.total"] == .number(2))
    }

    @Test func k6BothSummaryShapes() throws {
        let export = try facts(.k6, "k6-summary-export.json")
        #expect(export["http_req_duration.p95"] == .duration(0.34075))
        #expect(export["http_req_failed.rate"] == .number(0.01))
        #expect(export["thresholds.failed"] == .number(1))
        #expect(export["thresholds.passed"] == .number(1))
        let handle = try facts(.k6, "k6-handle-summary.json")
        #expect(handle["http_req_duration.p95"] == .duration(0.34075))
        #expect(handle["ws_session_duration.p95"] == .duration(0.3802))
        #expect(handle["thresholds.failed"] == .number(0))
    }

    @Test func lighthouseAndAxe() throws {
        let lighthouse = try facts(.lighthouse, "lighthouse.json")
        #expect(lighthouse["lighthouse.performance"] == .number(93))
        #expect(lighthouse["lighthouse.best-practices"] == .number(100))
        let axe = try facts(.axe, "axe.json")
        #expect(axe["violations.total"] == .number(2))
        #expect(axe["violations.critical"] == .number(1))
        #expect(axe["violations.serious"] == .number(1))
        #expect(axe["violations.nodes"] == .number(3))
    }

    @Test func coverageFormatsWithTheLeastCoveredFile() throws {
        let lcov = try facts(.coverage, "lcov.info")
        #expect(lcov["coverage.percent"] == .number(75))
        #expect(lcov["coverage.file_min"] == .number(66.67))
        #expect(lcov["coverage.file_min.name"] == .string("src/app.js"))
        let jacoco = try facts(.coverage, "jacoco.xml")
        #expect(jacoco["coverage.percent"] == .number(55.56))
        #expect(jacoco["coverage.file_min.name"] == .string("Util.java"))
        let cobertura = try facts(.coverage, "cobertura.xml")
        #expect(cobertura["coverage.file_min.name"] != nil)
        let coveragePy = try facts(.coverage, "coverage-py.json")
        #expect(coveragePy["coverage.file_min.name"] == .string("pkg/calc.py"))
    }

    @Test(arguments: [
        (ReportFormat.sarif, #"{"runs": 5}"#, "`runs` should be an array"),
        (.bandit, #"{"results": [{"issue_severity": 3}]}"#, "`results[0].issue_severity` should be a string"),
        (.ruff, #"{"not": "a list"}"#, "`$` should be an array"),
        (.pipAudit, #"{"dependencies": [{"vulns": "x"}]}"#, "`dependencies[0].vulns` should be an array"),
        (.npmAudit, #"{"metadata": {}}"#, "`metadata.vulnerabilities` should be an object"),
        (.k6, #"{"metrics": []}"#, "`metrics` should be an object"),
        (.lighthouse, #"{"categories": {"seo": {"score": null}}}"#, "has no score"),
        (.axe, #"{"violations": {}}"#, "should be an array"),
        (.bandit, #"{"results": ["#, "is not valid JSON"),
    ])
    func malformedReportsNameThePlace(format: ReportFormat, text: String, fragment: String) {
        #expect {
            _ = try format.parse(data: Data(text.utf8), source: "`r`")
        } throws: { error in
            "\(error)".contains(fragment)
        }
    }

    /// A 500 MB file: JSON formats refuse it by size, the streaming ones stop at the first bad byte.
    @Test func hugeFilesAreRefusedWithBoundedMemory() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("huge-\(UUID().uuidString).json")
        #expect(FileManager.default.createFile(atPath: url.path, contents: nil))
        defer { try? FileManager.default.removeItem(at: url) }
        let handle = try FileHandle(forWritingTo: url)
        try handle.truncate(atOffset: 500 * 1_048_576)
        try handle.close()
        for format in ReportFormat.allCases {
            #expect(throws: CheckError.self, "\(format.rawValue)") { try format.parse(file: url) }
        }
        let lcov = url.deletingPathExtension().appendingPathExtension("info")
        try FileManager.default.moveItem(at: url, to: lcov)
        defer { try? FileManager.default.removeItem(at: lcov) }
        #expect { try ReportFormat.coverage.parse(file: lcov) } throws: { "\($0)".contains("longer than 1 MiB") }
    }

    @Test func everyFormatSurvivesMutations() throws {
        var generator = SeededGenerator(seed: 0xFA_2026)
        let fixtures: [(ReportFormat, String)] = [
            (.sarif, "ruff.sarif"), (.bandit, "bandit.json"), (.ruff, "ruff.json"), (.pipAudit, "pip-audit.json"),
            (.safety, "safety.json"), (.npmAudit, "npm-audit.json"), (.k6, "k6-summary-export.json"),
            (.k6, "k6-handle-summary.json"), (.lighthouse, "lighthouse.json"), (.axe, "axe.json"),
            (.coverage, "lcov.info"),
            (.coverage, "jacoco.xml"), (.junit, "junit-surefire.xml"),
        ]
        var parsed = 0
        var rejected = 0
        for round in 0..<1300 {
            let (format, name) = fixtures[round % fixtures.count]
            var data = try Data(contentsOf: Harness.fixture(name))
            for _ in 0..<Int.random(in: 1...6, using: &generator) where !data.isEmpty {
                let index = Int.random(in: 0..<data.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: data[index] = UInt8.random(in: 0...255, using: &generator)
                case 1: data = data.prefix(index)
                default:
                    data.insert(contentsOf: Array("{[\"<:0,]}".utf8).shuffled(using: &generator).prefix(3), at: index)
                }
            }
            if (try? format.parse(data: data, source: "fuzz")) != nil { parsed += 1 } else { rejected += 1 }
        }
        #expect(parsed + rejected == 1300)
        #expect(rejected > 100)
    }
}
