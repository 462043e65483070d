import Foundation
import ShipcheckChecks
import ShipcheckCore
import Testing

@testable import ShipcheckImport

/// The tools the importer knows are written the way the hand-written gate runs them: their report
/// parsed, the exit statuses that mean "found something" allowed, the expectation from the prose.
@Suite struct ToolReportsTests {
    static let checklist = """
        # Release checklist

        ## Code Quality

        - [ ] **Coverage meets 80% threshold**
          ```bash
          pytest --cov=. --cov-report=term-missing
          # Verify: total coverage >= 80%
          ```

        - [ ] **No linting errors**
          ```bash
          ruff check .
          black --check .
          # Verify: 0 errors
          ```

        - [ ] **No security vulnerabilities**
          ```bash
          safety check
          bandit -r . -x ./tests
          # Verify: 0 critical/high issues
          ```

        - [ ] **Dependencies audited**
          ```bash
          pip-audit -r requirements.txt
          npm audit --audit-level=high
          # Verify: no high or critical advisories
          ```

        - [ ] **No leaked credentials**
          ```bash
          gitleaks detect --source .
          ```

        - [ ] **Types and style checked**
          ```bash
          flake8 src
          mypy src
          npx eslint web
          ```

        - [ ] **Already has its own report**
          ```bash
          bandit -r . -f json -o out.json
          ```

        ## Deployment Day

        - [ ] **Re-run all tests locally**
          ```bash
          ruff check .
          black --check .
          ```

        - [ ] **Coverage again, locally**
          ```bash
          pytest --cov=. --cov-report=term-missing
          ```
        """

    static func imported() throws -> (yaml: String, checklist: Checklist) {
        let result = try ChecklistImporter(sourceName: "c.md", toolVersion: "test").importChecklist(
            data: Data(checklist.utf8))
        return (result.yaml, try ConfigLoader(kinds: CheckKinds.all).load(yaml: result.yaml, file: "c.yml"))
    }

    @Test func knownToolsWriteTheirReportAndAllowTheStatusesThatMeanFindings() throws {
        let (yaml, checklist) = try Self.imported()
        let items = Dictionary(uniqueKeysWithValues: checklist.items.map { ($0.id, $0) })
        func block(_ id: String) -> String {
            guard let start = yaml.range(of: "- id: \(id)\n") else { return "" }
            let rest = yaml[start.upperBound...]
            return String(rest[..<(rest.range(of: "- id: ")?.lowerBound ?? rest.endIndex)])
        }
        let bandit = block("no-security-vulnerabilities-bandit")
        #expect(bandit.contains("bandit -r . -x ./tests -f json -o reports/bandit-"), "\(bandit)")
        #expect(bandit.contains("allow-exit: [1]"), "\(bandit)")
        #expect(bandit.contains("parse: { bandit: reports/bandit-"), "\(bandit)")
        #expect(bandit.contains(#"expect: "findings.high == 0""#), "\(bandit)")
        let safety = block("no-security-vulnerabilities-safety")
        #expect(safety.contains("safety check --output json > reports/safety-"), "\(safety)")
        #expect(safety.contains("allow-exit: [64]"), "\(safety)")
        #expect(safety.contains("vulns.critical == 0") && safety.contains("vulns.high == 0"), "\(safety)")
        let ruff = block("no-linting-errors-ruff")
        #expect(ruff.contains("--output-format json --output-file reports/ruff-"), "\(ruff)")
        #expect(ruff.contains(#"expect: "findings.total == 0""#), "\(ruff)")
        #expect(yaml.contains("ruff exits 1 when it finds something"), "the rewrite is said in the item's comment")
        // black has no report to read: its exit status stays the verdict.
        #expect(block("no-linting-errors-black").contains(#"expect: "exit == 0""#))
        let audit = block("dependencies-audited-pip-audit")
        #expect(audit.contains("-f json -o reports/pip-audit-") && audit.contains("vulns.skipped == 0"), "\(audit)")
        let npm = block("dependencies-audited-npm")
        #expect(npm.contains("npm audit --audit-level=high --json > reports/npm-audit-"), "\(npm)")
        #expect(npm.contains("vulns.critical == 0") && npm.contains("vulns.high == 0"), "\(npm)")
        let leaks = block("no-leaked-credentials")
        #expect(leaks.contains("--report-format sarif") && leaks.contains("parse: { sarif:"), "\(leaks)")
        let typesAndStyle = ["flake8", "mypy", "eslint"].map { block("types-and-style-checked-\($0)") }
        #expect(
            typesAndStyle[0].contains("flake8 src --benchmark --output-file reports/flake8-"), "\(typesAndStyle[0])")
        #expect(typesAndStyle[0].contains("parse: { flake8: reports/flake8-") && typesAndStyle[0].contains(".txt"))
        #expect(typesAndStyle[1].contains("mypy src --output json > reports/mypy-"), "\(typesAndStyle[1])")
        #expect(typesAndStyle[1].contains(#"expect: "findings.error == 0""#), "\(typesAndStyle[1])")
        #expect(typesAndStyle[2].contains("npx eslint web -f json -o reports/eslint-"), "\(typesAndStyle[2])")
        for block in typesAndStyle { #expect(block.contains("allow-exit: [1]"), "\(block)") }
        // A command that chose its own output is left as written.
        let own = block("already-has-its-own-report")
        #expect(own.contains("run: bandit -r . -f json -o out.json") && !own.contains("parse:"), "\(own)")

        // Coverage is measured past collection errors and failing tests: its figure is the verdict.
        let coverage = block("coverage-meets-80-threshold")
        #expect(coverage.contains("--continue-on-collection-errors"), "\(coverage)")
        #expect(coverage.contains("allow-exit: [1]"), "\(coverage)")
        #expect(coverage.contains("parse: { coverage:"), "\(coverage)")
        #expect(items["coverage-meets-80-threshold"] != nil)
    }

    @Test func lighthouseScoresWithNoCommandAreALighthouseRun() throws {
        let text = "# Release\n\n- [ ] **Lighthouse scores**\n  - Performance: >= 90\n  - Best Practices: > 95\n"
        let result = try ChecklistImporter(sourceName: "c.md", toolVersion: "test").importChecklist(
            data: Data(text.utf8))
        let checklist = try ConfigLoader(kinds: CheckKinds.all).load(yaml: result.yaml, file: "c.yml")
        let item = try #require(checklist.items.first)
        #expect(
            item.expectations.map(\.description) == ["lighthouse.performance >= 90", "lighthouse.best-practices > 95"])
        #expect(result.yaml.contains("--only-categories=performance,best-practices --output=json"), "\(result.yaml)")
        #expect(result.yaml.contains("parse: { lighthouse: reports/lighthouse-performance-best-practices.json }"))
        // No address in the checklist: the run stops on the empty variable before Lighthouse starts.
        #expect(result.yaml.contains("test -n ${{ vars.BASE_URL }} || { echo 'fill in vars.BASE_URL"), "\(result.yaml)")
        #expect(result.summary.placeholderVariables == ["BASE_URL"])
        // A Lighthouse metric is not one of its category scores: that stays a probe to point somewhere.
        #expect(Decisions.lighthouseRun(for: ["lighthouse.first-contentful-paint < 2s"]) == nil)
        #expect(Decisions.lighthouseRun(for: ["lighthouse.seo >= 90", "latency.p95 < 500ms"]) == nil)
    }

    @Test func theSameCommandInTwoItemsIsOneCheck() throws {
        let (yaml, checklist) = try Self.imported()
        let items = Dictionary(uniqueKeysWithValues: checklist.items.map { ($0.id, $0) })
        let quality = try #require(items["no-linting-errors-ruff"])
        let rerun = try #require(items["re-run-all-tests-locally-ruff"])
        #expect(quality.phase == rerun.phase, "a local run is pre-deploy wherever its heading sits")
        #expect(quality.checkKey != nil)
        #expect(quality.checkKey == rerun.checkKey, "the engine runs it once for both")
        #expect(items["no-linting-errors-black"]?.checkKey == items["re-run-all-tests-locally-black"]?.checkKey)
        #expect(yaml.contains("the same check as `no-linting-errors-ruff`: it runs once for both"), "\(yaml)")
        // A repeat that asks nothing of its own is judged as the first: the coverage run allows exit 1,
        // so passing without the first's expectation would pass failing tests unjudged.
        let again = try #require(items["coverage-again-locally"])
        #expect(again.checkKey == items["coverage-meets-80-threshold"]?.checkKey)
        #expect(again.expectations.map(\.description) == ["coverage.percent >= 80"])
    }
}
