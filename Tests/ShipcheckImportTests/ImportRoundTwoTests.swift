import Foundation
import ShipcheckChecks
import ShipcheckCore
import Testing

@testable import ShipcheckImport

/// Small documents written for these tests, one rule each.
@Suite struct ImportRoundTwoTests {
    func importText(_ text: String) throws -> ImportResult {
        let result = try ChecklistImporter(sourceName: "c.md", toolVersion: "test").importChecklist(
            data: Data(text.utf8))
        _ = try ConfigLoader(kinds: CheckKinds.all).load(yaml: result.yaml, file: "c.yml")
        return result
    }

    @Test func tickedItemsAreNotedNotReset() throws {
        let result = try importText(
            """
            # Release

            ## Pre-deploy

            - [x] Changelog updated
            - [ ] Tests pass
            """)
        #expect(result.summary.ticked == [5])
        #expect(result.summary.lines.contains { $0.hasPrefix("1 ticked ([x]) in the source (lines 5)") })
        #expect(result.yaml.contains("ticked ([x]) in the source, asked again here"))
    }

    /// A placeholder becomes a declared variable with a TODO; until it is filled in, the command
    /// fails without running (run here through the real engine), and once filled it runs.
    @Test func aPlaceholderIsAVariableAndNeverRunsUnfilled() async throws {
        let result = try importText(
            """
            # Release

            ## Pre-deploy

            - [ ] Release directory is present
              ```bash
              ls <release-dir>
              ```
            - [ ] Elided arguments stay manual
              ```bash
              kubectl get pods ...
              ```
            """)
        #expect(result.summary.placeholderVariables == ["RELEASE_DIR"])
        #expect(result.yaml.contains("  RELEASE_DIR: \"\"   # TODO: was <release-dir> in the source"))
        #expect(result.yaml.contains("has a placeholder to fill before it can run"))  // the `...` one
        func run(_ yaml: String) async throws -> ItemResult? {
            let checklist = try ConfigLoader(kinds: CheckKinds.all).load(yaml: yaml, file: "c.yml")
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("import-\(UUID())")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let options = RunOptions(
                phase: .preDeploy, jobs: 1, actor: "tester", workingDirectory: directory,
                processEnvironment: ProcessInfo.processInfo.environment, toolVersion: "test")
            return await Engine(checklist: checklist, options: options).run().items.first {
                $0.id == "release-directory-is-present"
            }
        }
        let unfilled = try await run(result.yaml)
        #expect(unfilled?.outcome == .fail, "\(String(describing: unfilled))")
        #expect(unfilled?.facts["exit"] == .number(2))
        let filled = try await run(result.yaml.replacingOccurrences(of: "RELEASE_DIR: \"\"", with: "RELEASE_DIR: ."))
        #expect(filled?.outcome == .pass, "\(String(describing: filled))")
    }

    /// `import --report`: per written item, what it became, why, its expectations and TODOs; then the totals.
    @Test func theReportSaysWhatEachItemBecameAndWhy() throws {
        let result = try importText(
            """
            # Release

            ## Pre-deploy

            - [ ] Unit tests pass
              ```bash
              pytest -q  # should show 0 failed
              ```
            - [ ] Bucket exists
              ```bash
              aws s3 ls s3://your-bucket
              ```
            - [ ] Release approved by the tech lead
            """)
        #expect(result.report.map(\.became) == ["check", "check", "manual"])
        #expect(result.report[0].expectations == ["tests.failed == 0"])
        #expect(result.report[1].todos == ["fill in vars.BUCKET (your-bucket in the source)"])
        #expect(result.report[2].todos == ["name the people in role `tech-lead`"])
        #expect(result.report[2].why.hasPrefix("manual: nothing in the text to run"))
        let lines = result.reportLines
        #expect(lines.first == "line 5  unit-tests-pass  [check]  Unit tests pass")
        #expect(Array(lines.suffix(result.summary.lines.count)) == result.summary.lines)
    }

    @Test(arguments: [
        ("<previous-tag>", "PREVIOUS_TAG"), ("YOUR_ACCOUNT_ID", "ACCOUNT_ID"), ("your-bucket", "BUCKET"),
        ("api.example.com", "API_HOST"), ("example.com", "HOST"),
    ])
    func placeholderNames(placeholder: String, name: String) {
        #expect(Placeholders.variableName(placeholder) == name)
    }

    @Test func curlInACheckFailsOnAnErrorPage() throws {
        let result = try importText(
            """
            # Release

            ## Post-deploy

            - [ ] Health endpoint answers
              ```bash
              curl -s https://api.internal/health
              ```
            """)
        #expect(result.summary.automated == 1)
        #expect(result.yaml.contains("curl -f -s https://api.internal/health"))
    }

    @Test func aStateChangingBlockIsAnActionWithItsReason() throws {
        let result = try importText(
            """
            # Release

            ## Deployment steps

            - [ ] Roll out the new image
              ```bash
              kubectl set image deployment/api api=registry/api:1.4
              ```
            - [ ] Watch the rollout
              ```bash
              kubectl get pods --watch
              ```
            """)
        #expect(result.summary.actions == 1)
        #expect(result.yaml.contains("changes the cluster"))
        #expect(result.yaml.contains("watches until stopped; watch it by hand"))
    }
}
