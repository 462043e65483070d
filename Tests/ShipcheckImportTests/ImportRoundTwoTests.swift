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

    @Test func aCommandWithAPlaceholderIsNeverRun() throws {
        let result = try importText(
            """
            # Rollback

            ## Pre-deploy

            - [ ] Previous release still tagged
              ```bash
              git show <previous-tag> --stat
              ```
            """)
        #expect(result.summary.automated == 0)
        #expect(result.yaml.contains("has a placeholder to fill before it can run"))
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
