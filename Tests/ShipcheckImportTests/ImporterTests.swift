import Foundation
import ShipcheckChecks
import ShipcheckCore
import ShipcheckTestSupport
import Testing

@testable import ShipcheckImport

@Suite(.enabled(if: SharedFiles.available, "needs ../shared/ (the seed checklist and corpus), absent in a plain clone"))
struct SeedImportTests {
    static func imported() throws -> (ImportResult, Checklist) {
        let data = try Data(contentsOf: Corpus.seed)
        let result = try ChecklistImporter(sourceName: "DEPLOYMENT_CHECKLIST.md", toolVersion: "test").importChecklist(
            data: data)
        let checklist = try ConfigLoader(kinds: CheckKinds.all).load(yaml: result.yaml, file: "imported.yml")
        return (result, checklist)
    }

    @Test func findsEveryItemAndBlockAndValidates() throws {
        let (result, checklist) = try Self.imported()
        let summary = result.summary
        // 82 task items, and two blocks under no task item that became items of their own: the
        // "Quick rollback:" block (an action in the rollback phase) and "Deployment Commands" (manual:
        // one of its scripts is named for a deploy).
        #expect(summary.items == 84)
        #expect(summary.blockItems == 2)
        #expect(summary.lookalikes == 0)
        // Three blocks hold independent tools (ruff + black, safety + bandit, pytest + ruff + black): one check each;
        // the migration item is its upgrade and the tests after it. The summary counts what it wrote.
        #expect(checklist.items.count == 89)
        #expect(summary.written == 89)
        #expect(summary.lines.contains { $0.hasPrefix("89 items written: 4 line(s) became") }, "\(summary.lines)")
        // 29 fences by the corpus's own counting rule: 27 under task items, 2 items of their own.
        #expect(summary.codeBlocks == 29)
        #expect(summary.attachedBlocks == 27)
        #expect(summary.unattachedBlocks.isEmpty)
        #expect(checklist.item("quick-rollback")?.phase == .rollback)
        #expect(checklist.item("quick-rollback")?.isAction == true)
        #expect(checklist.item("deployment-commands")?.isManual == true)
        // Five of the automated are kinds the titles name: CHANGELOG, CORS, rate limiting, security
        // headers, environment variables (and the secrets item, a grep before, is the scan now).
        // The Lighthouse scores are a headless Lighthouse run, its report parsed.
        #expect(summary.automated == 29)
        #expect(summary.actions == 5)
        #expect(summary.manual == 51)
        #expect(summary.probes == 4)
        let lighthouse = checklist.item("lighthouse-scores-90")
        #expect(lighthouse?.expectations.map(\.description).contains("lighthouse.best-practices > 90") == true)
        #expect(result.yaml.contains("parse: { lighthouse: reports/lighthouse-performance-accessibility-"))
        #expect(result.yaml.contains(#"lighthouse "${{ vars.BASE_URL }}/" --quiet"#))
        #expect(summary.triggers == 5)
        // "Re-run all tests locally" (three checks) sits under a deploy heading but runs here: pre-deploy.
        #expect(checklist.phases.map { $0.items.count } == [53, 20, 11, 5])
        #expect(checklist.item("re-run-all-tests-locally-pytest")?.phase == .preDeploy)
        // The re-run repeats the quality items' commands: one check each, run once.
        for (rerun, first) in [
            ("re-run-all-tests-locally-pytest", "all-tests-passing"),
            ("re-run-all-tests-locally-ruff", "no-linting-errors-ruff"),
            ("re-run-all-tests-locally-black", "no-linting-errors-black"),
        ] {
            #expect(checklist.item(rerun)?.checkKey == checklist.item(first)?.checkKey, "\(rerun)")
            #expect(result.yaml.contains("the same check as `\(first)`: it runs once for both"), "\(rerun)")
        }
        // No base URL is written into a command: they read vars.BASE_URL.
        #expect(!result.yaml.contains("curl -f https://mina.replit.app"))
        #expect(checklist.item("run-deployment-smoke-tests")?.phase == .deploy)
        #expect(checklist.triggers.filter { $0.condition != nil }.count == 3)
    }

    /// Each of the 16 `# Verify:` comments, and what it became.
    @Test func verifyCommentsBecomeExpectations() throws {
        let (_, checklist) = try Self.imported()
        func expectations(_ id: String) -> [String] {
            checklist.item(id)?.expectations.map(\.description) ?? ["<missing \(id)>"]
        }
        #expect(expectations("all-tests-passing") == ["tests.failed == 0"])
        #expect(expectations("coverage-meets-80-threshold") == ["coverage.percent >= 80"])
        // ruff, safety and bandit write their reports, and the prose's bar judges the figures; black has
        // no report to read.
        #expect(expectations("no-linting-errors-ruff") == ["findings.total == 0"])
        #expect(expectations("no-linting-errors-black") == ["exit == 0"])
        #expect(expectations("no-security-vulnerabilities-safety") == ["vulns.critical == 0", "vulns.high == 0"])
        #expect(expectations("no-security-vulnerabilities-bandit") == ["findings.high == 0"])
        #expect(checklist.item("no-linting-errors-ruff")?.title == "No linting errors (ruff)")
        #expect(checklist.item("no-linting-errors-black")?.source == checklist.item("no-linting-errors-ruff")?.source)
        // The upgrade with the count of migration heads, then the tests after it.
        #expect(expectations("migration-tested-locally") == ["heads == 1", "exit == 0"])
        #expect(expectations("migration-tested-locally-after-upgrade") == ["tests.failed == 0"])
        #expect(checklist.item("migration-tested-locally-after-upgrade")?.needs == ["migration-tested-locally"])
        #expect(expectations("load-testing-completed") == ["exit == 0"])
        // The grep the seed shows is replaced by the secret scan, with its own expectation.
        #expect(checklist.item("no-hardcoded-secrets")?.kindName == "secrets")
        // "Axe-core tests passing": the title, with pytest, asks for a JUnit report and no failed test.
        #expect(expectations("axe-core-tests-passing") == ["exit == 0", "tests.failed == 0"])
        #expect(expectations("health-checks-passing") == [#"json.status == "healthy""#])
        #expect(expectations("verify-branch-is-up-to-date") == [#"stdout contains "Your branch is up to date""#])
        #expect(expectations("verify-migration") == ["exit == 0"])
        #expect(expectations("check-error-rates") == ["error_rate < 1"])
        #expect(expectations("all-smoke-tests-passing") == ["tests.failed == 0"])
        #expect(expectations("database-healthy") == ["exit == 0"])
        // "Backup created and encrypted": the item prompts (gpg --symmetric), so it stays manual.
        #expect(checklist.item("database-backup-taken")?.isManual == true)
        let tests = try #require(checklist.item("all-tests-passing"))
        guard case .check(_, let check) = tests.body else {
            Issue.record("not a check")
            return
        }
        #expect(check.summary == "pytest --junitxml=reports/all-tests-passing.junit.xml")
    }

    @Test func commandsThatChangeStateOrNeverEndAreNotChecks() throws {
        let (result, checklist) = try Self.imported()
        #expect(checklist.item("merge-to-main-branch")?.isAction == true)
        #expect(checklist.item("tag-release")?.isAction == true)
        #expect(checklist.item("apply-migration")?.isAction == true)
        #expect(checklist.item("take-database-backup")?.isAction == true)
        #expect(checklist.item("watch-logs-for-15-minutes")?.isManual == true)
        #expect(result.yaml.contains("`tail -f logs/application.log` follows a file; watch it by hand"))
        #expect(result.yaml.contains("`gpg --symmetric --cipher-algo AES256 backup_*.sql` asks for a passphrase"))
    }

    @Test func rolesPhasesAndTypes() throws {
        let (_, checklist) = try Self.imported()
        guard case .manual(let review) = checklist.item("pr-approved-by-at-least-2-reviewers")?.body else {
            Issue.record("not manual")
            return
        }
        #expect(review == SignoffRequirement(count: 2, distinct: true, role: "reviewer"))
        // "On-call engineer notified": the on-call is told, not asked to sign; no role for it.
        #expect(checklist.roles.keys.sorted() == ["reviewer", "security-champion", "tech-lead"])
        #expect(checklist.item("tests-passing")?.when?.description == #"type == "hotfix""#)
        #expect(checklist.item("create-incident-report")?.phase == .rollback)
        #expect(checklist.deployTypes.keys.sorted() == ["emergency-rollback", "hotfix", "standard"])
        #expect(
            checklist.item("verify-critical-paths")?.needs == [
                "homepage-loads", "user-can-login", "live-transcription-works", "api-endpoints-respond",
            ])
    }

    @Test func outputIsDeterministic() throws {
        let data = try Data(contentsOf: Corpus.seed)
        let importer = ChecklistImporter(sourceName: "DEPLOYMENT_CHECKLIST.md", toolVersion: "test")
        #expect(try importer.importChecklist(data: data).yaml == importer.importChecklist(data: data).yaml)
    }
}

@Suite(.enabled(if: SharedFiles.available, "needs ../shared/ (the seed checklist and corpus), absent in a plain clone"))
struct CorpusImportTests {
    @Test(arguments: Corpus.corpusFiles)
    func importsAndValidates(file: URL) throws {
        let data = try Data(contentsOf: file)
        let result = try ChecklistImporter(sourceName: file.lastPathComponent).importChecklist(data: data)
        _ = try ConfigLoader(kinds: CheckKinds.all).load(yaml: result.yaml, file: file.lastPathComponent + ".yml")
        let text = String(decoding: data, as: UTF8.self)
        let counts = Corpus.count(text)
        let summary = result.summary
        #expect(
            summary.items - summary.lookalikes - summary.blockItems == counts.tasks,
            "task items in \(file.lastPathComponent)")
        #expect(summary.lookalikes == counts.lookalikes, "look-alikes in \(file.lastPathComponent)")
        Self.expectEveryBlockAccountedFor(summary, fences: counts.fences, in: file)
    }

    /// Every fenced block, by an independent count, is under a task item, an item of its own,
    /// read as expected output, or listed with a reason; none is dropped.
    static func expectEveryBlockAccountedFor(_ summary: ImportSummary, fences: Int, in file: URL) {
        #expect(summary.codeBlocks == fences, "code blocks in \(file.lastPathComponent)")
        let accounted =
            summary.attachedBlocks + summary.blockItems + summary.expectedOutputBlocks + summary.listedBlocks.count
        #expect(accounted == fences, "blocks accounted for in \(file.lastPathComponent)")
        #expect(summary.unattachedBlocks.isEmpty, "blocks dropped in \(file.lastPathComponent)")
        #expect(summary.listedBlocks.allSatisfy { !$0.reason.isEmpty })
    }

    /// Procedural runbooks (numbered steps and fences, few or no checkboxes) import, validate, and
    /// place every block; their steps run in order.
    @Test(arguments: Corpus.runbookFiles)
    func runbooksImportAsOrderedSteps(file: URL) throws {
        let data = try Data(contentsOf: file)
        let result = try ChecklistImporter(sourceName: file.lastPathComponent).importChecklist(data: data)
        let checklist = try ConfigLoader(kinds: CheckKinds.all).load(
            yaml: result.yaml, file: file.lastPathComponent + ".yml")
        Self.expectEveryBlockAccountedFor(
            result.summary, fences: Corpus.count(String(decoding: data, as: UTF8.self)).fences, in: file)
        if result.summary.blockItems >= 2 {
            #expect(checklist.items.contains { !$0.needs.isEmpty }, "steps in order in \(file.lastPathComponent)")
        }
    }

    @Test func corpusIsPresent() {
        #expect(Corpus.corpusFiles.count == 16, "the corpus is expected at \(Corpus.corpusDirectory.path)")
    }
}

@Suite struct MarkdownFormsTests {
    func importText(_ text: String) throws -> (ImportResult, Checklist) {
        let result = try ChecklistImporter(sourceName: "c.md", toolVersion: "test").importChecklist(
            data: Data(text.utf8))
        return (result, try ConfigLoader(kinds: CheckKinds.all).load(yaml: result.yaml, file: "c.yml"))
    }

    @Test func everyTaskForm() throws {
        let (result, checklist) = try importText(
            """
            # Release
            ## Before deploying
            - [ ] dash item
            * [x] star item done
            + [X] plus item
            1. [ ] numbered item
            2) [ ] numbered paren
            > - [ ] quoted item
            - [ ] **Bold title** (if API changes)
              continuation line of the bold item
            - [ ] 🚀 Émoji and ünïcode — 日本語のタイトル
            ```bash
            - [ ] not an item: inside a fence
            ```
            - Reviewer: ________
            - Staging verified ☐
            | Check | Done |
            |---|---|
            | Logs clean | ☐ |
            """.replacingOccurrences(of: "\n", with: "\r\n"))
        #expect(result.summary.items == 11, "\(checklist.items.map(\.title))")
        #expect(result.summary.lookalikes == 3)
        #expect(checklist.items.map(\.title).contains("Bold title (if API changes)"))
        #expect(checklist.items.contains { $0.title.contains("日本語") })
        #expect(checklist.item("bold-title-if-api-changes")?.description == "continuation line of the bold item")
        #expect(checklist.items.map(\.title).contains("Reviewer"))
        #expect(checklist.items.map(\.title).contains("Logs clean"))
        guard case .manual(let signoff) = checklist.item("reviewer")?.body else {
            Issue.record("not manual")
            return
        }
        #expect(signoff.groups.first?.role == "reviewer")
    }

    @Test func inlineCommandsBecomeChecks() throws {
        let (_, checklist) = try importText(
            """
            ## Pre-deployment
            - [ ] Run `npm test` and `npm run lint`
            - [ ] Mentioning `docker` alone is not a command
            - [ ] Tests pass: `pytest -q`
            """)
        guard case .check(_, let check) = checklist.item("run-npm-test-and-npm-run-lint")?.body else {
            Issue.record("expected a check")
            return
        }
        #expect(check.summary == "set -e\nnpm test\nnpm run lint")
        #expect(checklist.item("mentioning-docker-alone-is-not-a-command")?.isManual == true)
    }

    @Test func consolePromptsAndOutputLines() throws {
        let (_, checklist) = try importText(
            """
            ## Pre-deploy
            - [ ] Health is ok
              ```console
              $ curl -fsS http://127.0.0.1:9/health
              {"status": "ok"}
              # Expected: {"status": "ok"}
              ```
            """)
        let item = try #require(checklist.item("health-is-ok"))
        guard case .check(_, let check) = item.body else {
            Issue.record("expected a check")
            return
        }
        #expect(check.summary == "curl -fsS http://127.0.0.1:9/health")
        #expect(item.expectations.map(\.description) == [#"json.status == "ok""#])
    }

    @Test(arguments: [
        ("", "is empty"),
        ("just prose\n\nno checklist here\n", "has no checklist items"),
        ("\u{0}\u{1}\u{2}binary", "binary"),
    ])
    func badInputsAreClearErrors(text: String, fragment: String) {
        #expect {
            _ = try ChecklistImporter(sourceName: "x.md").importChecklist(data: Data(text.utf8))
        } throws: { error in
            "\(error)".contains(fragment)
        }
    }

    @Test func hugeAndPathologicalInputsAreBounded() throws {
        let huge = Data(repeating: UInt8(ascii: "a"), count: 10 * 1_048_576)
        #expect { _ = try ChecklistImporter(sourceName: "big.md").importChecklist(data: huge) } throws: {
            "\($0)".contains("at most 8 MiB")
        }
        let notUTF8 = Data([0x2D, 0x20, 0x5B, 0x20, 0x5D, 0x20, 0xC3, 0x28])
        #expect(throws: ImportError.self) { try ChecklistImporter(sourceName: "bad.md").importChecklist(data: notUTF8) }

        var deep = ""
        for depth in 0..<1500 { deep += String(repeating: " ", count: depth * 2) + "- [ ] level \(depth)\n" }
        deep += String(repeating: ">", count: 20_000) + " - [ ] quoted deep\n"
        deep += String(repeating: "`", count: 50_000) + "\n"
        let result = try ChecklistImporter(sourceName: "deep.md").importChecklist(data: Data(deep.utf8))
        #expect(result.summary.items >= 1500)
    }
}

@Suite struct ImportFuzzTests {
    /// Mutations of the corpus: every import ends in a result or a clean error.
    @Test(
        .enabled(if: SharedFiles.available, "needs ../shared/ (the seed checklist and corpus), absent in a plain clone")
    ) func mutatedChecklistsNeverCrash() throws {
        var generator = SeededGenerator(seed: 0x1A9_0127)
        let sources = try ([Corpus.seed] + Corpus.corpusFiles + Corpus.runbookFiles).map { try Data(contentsOf: $0) }
        let fragments = [
            "- [ ] ", "```", "~~~", "\n", "#", "> ", "**", "`", "☐", "___", "\r\n", "    ", "1. [x] ", "# Verify: ",
            "{\"a\": ", "$ ", "\\", "|", "<<EOF\n", "$(", "Expected output:\n", "### Step 1: ", "1. ", "**Verify:**\n",
            "Signature: ____ Date: ____\n", "<hash>", " # >= 1.5", "> 98% or < 85%", "sudo -u x ", "=",
        ].map { Array($0.utf8) }
        var imported = 0
        var rejected = 0
        for round in 0..<300 {
            var bytes = [UInt8](sources[round % sources.count])
            for _ in 0..<Int.random(in: 1...20, using: &generator) where !bytes.isEmpty {
                let index = Int.random(in: 0..<bytes.count, using: &generator)
                switch Int.random(in: 0..<4, using: &generator) {
                case 0: bytes[index] = UInt8.random(in: 0...255, using: &generator)
                case 1: bytes.insert(contentsOf: fragments.randomElement(using: &generator)!, at: index)
                case 2:
                    bytes.removeSubrange(index..<min(bytes.count, index + Int.random(in: 1...200, using: &generator)))
                default: bytes = Array(bytes.prefix(index))
                }
            }
            do {
                let result = try ChecklistImporter(sourceName: "fuzz.md").importChecklist(data: Data(bytes))
                // Whatever was found must still be valid configuration.
                _ = try ConfigLoader(kinds: CheckKinds.all).load(yaml: result.yaml, file: "fuzz.yml")
                imported += 1
            } catch is ImportError {
                rejected += 1
            }
        }
        #expect(imported + rejected == 300)
        #expect(imported > 100)
    }
}
