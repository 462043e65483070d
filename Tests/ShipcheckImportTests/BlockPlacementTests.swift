import Foundation
import ShipcheckChecks
import ShipcheckCore
import Testing

@testable import ShipcheckImport

/// Documents written for these tests, one style each: where every fenced block goes, and what
/// the prose around it says to expect. Each import must also validate.
@Suite struct BlockPlacementTests {
    func importText(_ text: String) throws -> (ImportResult, Checklist) {
        let result = try ChecklistImporter(sourceName: "doc.md", toolVersion: "test").importChecklist(
            data: Data(text.utf8))
        let checklist = try ConfigLoader(kinds: CheckKinds.all).load(yaml: result.yaml, file: "doc.yml")
        #expect(result.summary.unattachedBlocks.isEmpty, "a block was dropped")
        return (result, checklist)
    }

    func command(_ item: Item?) -> String? {
        guard let item, case .check(_, let check) = item.body else { return nil }
        return check.summary
    }

    /// 1. A procedural runbook: numbered step headings with fences, no checkboxes.
    @Test func proceduralRunbookBecomesOrderedSteps() throws {
        let (result, checklist) = try importText(
            """
            # Worker queue backlog runbook

            ## Diagnosis

            ### Step 1: Look at the queue depth

            ```bash
            redis-cli -h queue.internal llen jobs
            ```

            ### Step 2: See which workers are alive

            ```bash
            celery -A app inspect ping
            ```

            ### Step 3: Check the broker's memory

            ```bash
            redis-cli -h queue.internal info memory
            ```
            """)
        #expect(result.summary.blockItems == 3)
        let ids = checklist.items.map(\.id)
        #expect(
            ids == [
                "step-1-look-at-the-queue-depth", "step-2-see-which-workers-are-alive",
                "step-3-check-the-broker-s-memory",
            ])
        #expect(checklist.items[1].needs == [ids[0]])
        #expect(checklist.items[2].needs == [ids[1]])
        #expect(checklist.items.allSatisfy { !$0.isManual })
    }

    /// 2. A validation script written before its checklist: one check the items refer to.
    @Test func validationScriptBeforeItsChecklist() throws {
        let (result, checklist) = try importText(
            """
            # Release checklist

            ## Configuration

            Validation script:

            ```bash
            ./scripts/validate-config.sh production
            ```

            Checklist:

            - [ ] All feature flags have an owner
            - [ ] Secrets rotated this quarter
            """)
        #expect(result.summary.blockItems == 1)
        let check = try #require(checklist.items.first)
        #expect(check.title == "Validation script")
        #expect(command(check) == "./scripts/validate-config.sh production")
        #expect(result.yaml.contains("the section's own check `validation-script`"))
        #expect(checklist.items.dropFirst().allSatisfy { $0.isManual })
    }

    /// A step's block before a task item is a step, not a check of the items after it.
    @Test func aStepBeforeItemsDoesNotVerifyThem() throws {
        let (result, _) = try importText(
            """
            # Deploy

            ## Deployment steps

            ### Step 1: Apply

            ```bash
            kubectl apply -f k8s/
            ```

            - [ ] Pods are running
            """)
        #expect(result.summary.blockItems == 1)
        #expect(!result.yaml.contains("the section's own check"))
    }

    /// 3. A block under a whole list belongs to the section, not to the list's last item.
    @Test func blockAfterAWholeListBelongsToTheSection() throws {
        let (result, checklist) = try importText(
            """
            # Pre-deploy

            ## Code quality

            - [ ] Lint is clean
            - [ ] Types check
            - [ ] Formatting is applied

            ```bash
            npm run lint
            npx tsc --noEmit
            ```
            """)
        #expect(result.summary.blockItems == 1)
        #expect(checklist.items.filter(\.isManual).count == 3)
        #expect(checklist.items.contains { $0.title == "Code quality (after the list)" && !$0.isManual })
        #expect(result.yaml.contains("the section's own check"))
    }

    /// 4. A numbered step with an indented fence, in a document that has checkboxes elsewhere.
    @Test func numberedStepWithAnIndentedFence() throws {
        let (result, checklist) = try importText(
            """
            # Deploy

            - [ ] Announce the deploy in #releases

            ## Restart sequence

            1. Drain the worker pool
               ```bash
               ./bin/drain-workers --all
               ```
            2. Confirm nothing is running
               ```bash
               ./bin/worker-status --running
               ```
            """)
        #expect(result.summary.blockItems == 2)
        let drain = try #require(checklist.items.first { $0.title == "Drain the worker pool" })
        let confirm = try #require(checklist.items.first { $0.title == "Confirm nothing is running" })
        #expect(confirm.needs.first.map { $0.hasPrefix(drain.id) } == true)
    }

    /// 5. A label line names its block; "Expected output:" becomes an expectation of the item before.
    @Test func labelledBlocksAndExpectedOutput() throws {
        let (result, checklist) = try importText(
            """
            # Post-deploy verification

            ## Service health

            **Health endpoint:**

            ```bash
            curl -s https://api.internal/healthz
            ```

            Expected output:

            ```
            {"status": "healthy"}
            ```
            """)
        #expect(result.summary.blockItems == 1)
        #expect(result.summary.expectedOutputBlocks == 1)
        let item = try #require(checklist.items.first)
        #expect(item.title == "Health endpoint")
        #expect(
            item.expectations.map(\.description) == [#"stdout contains "{\"status\": \"healthy\"}""#, "exit == 0"])
        #expect(command(item)?.contains("curl -f") == true)
    }

    /// 6. Blocks that are not commands are listed with why, never silently dropped.
    @Test func blocksThatAreNotCommandsAreListed() throws {
        let (result, _) = try importText(
            """
            # Release

            - [ ] Settings reviewed

            ## Reference

            ```python
            DEBUG = False
            ```

            ```bash
            # only a comment here
            ```
            """)
        #expect(result.summary.listedBlocks.map(\.line) == [7, 11])
        #expect(result.summary.listedBlocks[0].reason == "a python block, not a shell command")
        #expect(result.summary.lines.contains { $0.contains("2 listed, not commands") })
    }

    /// 7. What the comments at the end of a command line, and comments without a keyword, say.
    @Test func commentsStateExpectations() throws {
        let (_, checklist) = try importText(
            """
            # Pre-deploy

            - [ ] Toolchain is current
              ```bash
              terraform version  # >= 1.5
              ```
            - [ ] Cluster is calm
              ```bash
              # Verify cluster version
              # No pods in CrashLoopBackOff
              kubectl get pods -A
              ```
            """)
        let toolchain = try #require(checklist.items.first)
        #expect(
            toolchain.expectations.map(\.description) == [
                "version_major > 1 or version_major == 1 and version_minor >= 5"
            ])
        #expect(command(toolchain) == "terraform version")
        let cluster = try #require(checklist.items.last)
        #expect(cluster.expectations.map(\.description) == [#"not stdout contains "CrashLoopBackOff""#])
    }

    /// 8. "Expected: `healthy`" and "should return" sentences after a block.
    @Test func proseAfterTheBlockStatesTheExpectation() throws {
        let (result, checklist) = try importText(
            """
            # Smoke tests

            ## Database

            ```bash
            ./bin/db-ping
            ```

            Expected: `pong`
            """)
        #expect(result.summary.blockItems == 1)
        #expect(checklist.items.first?.expectations.map(\.description) == [#"stdout contains "pong""#])
    }

    /// 9. A ticked template: ticks are kept as notes, blocks still placed.
    @Test func tickedTemplateKeepsItsTicks() throws {
        let (result, checklist) = try importText(
            """
            # Release 2.4 (filled in)

            - [x] Migrations reviewed
            - [x] Load test run
              ```bash
              k6 run --quiet load/smoke.js
              ```
            - [ ] Release notes published
            """)
        #expect(result.summary.ticked == [3, 4])
        #expect(result.summary.attachedBlocks == 1)
        #expect(checklist.items.count == 3)
    }

    /// 10. Blocks under step headings of a checklist: state changes in the deploy phase are
    /// actions, in order; the reading steps are checks.
    @Test func deployStepsUnderHeadingsAreOrderedActions() throws {
        let (result, checklist) = try importText(
            """
            # Payments service

            - [ ] Change approved

            ## Deployment steps

            ### Step 1: Apply the manifests

            ```bash
            kubectl apply -f k8s/payments.yaml
            ```

            ### Step 2: Wait for the rollout

            ```bash
            kubectl rollout status deploy/payments --timeout=5m
            ```
            """)
        #expect(result.summary.blockItems == 2)
        let apply = try #require(checklist.items.first { $0.title == "Step 1: Apply the manifests" })
        let wait = try #require(checklist.items.first { $0.title == "Step 2: Wait for the rollout" })
        #expect(apply.isAction && apply.phase == .deploy)
        #expect(!wait.isManual && wait.needs == [apply.id])
    }

    /// 11. A Procfile line in a shell block is not a command to run.
    @Test func procfileLinesAreNotCommands() throws {
        let (_, checklist) = try importText(
            """
            # Heroku

            - [ ] Release phase migrates
              ```bash
              release: alembic upgrade head
              ```
            """)
        #expect(checklist.items.first?.isManual == true)
    }

    /// 12. A sign-off block: a role line with a signature blank beneath it is one item for that role;
    /// a blank labelled only "Sign-Off" takes its section's role.
    @Test func signoffBlocksArePerRole() throws {
        let (_, checklist) = try importText(
            """
            # Go-live approvals

            ## Approvals

            **Tech Lead**
            Signature: ____________ Date: ________

            - [ ] Security Team: _______________ Date: ________

            ### QA Team Sign-Off

            - [ ] QA confirms the regression suite passed

            **Sign-Off**: ______________ Date: ________
            """)
        func role(_ title: String) -> String? {
            guard case .manual(let signoffs) = checklist.items.first(where: { $0.title == title })?.body else {
                return nil
            }
            return signoffs.groups.first?.role
        }
        #expect(role("Tech Lead sign-off") == "tech-lead", "\(checklist.items.map(\.title))")
        #expect(role("Security Team") == "security-team")
        #expect(role("QA Team Sign-Off") == "qa")
        #expect(role("QA confirms the regression suite passed") == "qa")
        #expect(checklist.items.count == 4)
    }

    /// 13. The role that approves is the subject, never the object of the sentence.
    @Test func rolesApproveTheyAreNotTold() throws {
        let (_, checklist) = try importText(
            """
            # Release

            - [ ] Release approved by the tech lead
            - [ ] CTO sign-off for any exception
            - [ ] Invites sent to stakeholders
            - [ ] On-call engineer notified
            """)
        #expect(checklist.roles.keys.sorted() == ["cto", "tech-lead"])
        for title in ["Invites sent to stakeholders", "On-call engineer notified"] {
            guard case .manual(let signoffs) = checklist.items.first(where: { $0.title == title })?.body else {
                Issue.record("\(title) is not manual")
                continue
            }
            #expect(signoffs.groups.first?.role == nil, "\(title)")
        }
    }

    /// 14. Rollback triggers with two-sided ranges keep both sides; a metric the text names only
    /// loosely is marked for the user to confirm.
    @Test func twoSidedTriggersKeepBothSides() throws {
        let (result, checklist) = try importText(
            """
            # Cache release

            - [ ] Warm-up script reviewed

            ## When to roll back

            - **P1**: Cache hit rate > 98% or < 85%
            - **P2**: Response time degradation >50%
            """)
        let conditions = checklist.triggers.map { $0.condition?.description }
        #expect(conditions == ["cache_hit_rate > 98 or cache_hit_rate < 85", "latency.degradation > 50"])
        #expect(result.yaml.contains("# TODO: `latency.degradation` is the importer's name"))
        #expect(!result.yaml.contains("# TODO: `cache_hit_rate`"))
    }

    /// 15. Local builds and test runs are pre-deploy wherever their heading sits; tests under a
    /// deploy heading (against the deployed service) stay.
    @Test func localBuildsArePreDeploy() throws {
        let (_, checklist) = try importText(
            """
            # Web app

            ## Deployment steps

            - [ ] Production bundle builds
              ```bash
              npm run build
              ```
            - [ ] Tests pass locally
              ```bash
              npm test
              ```
            - [ ] Smoke tests against the new version
              ```bash
              npx playwright test smoke/
              ```
            """)
        #expect(checklist.item("production-bundle-builds")?.phase == .preDeploy)
        #expect(checklist.item("tests-pass-locally")?.phase == .preDeploy)
        #expect(checklist.item("smoke-tests-against-the-new-version")?.phase == .deploy)
    }

    /// 16. A here-document keeps its lines, indentation included, inside its command.
    @Test func hereDocumentsKeepTheirIndentation() throws {
        let analysis = CommandAnalysis.read([
            "cat <<'EOF' > /tmp/probe.yaml", "targets:", "  - name: api   # the public one", "EOF",
            "grep -c name /tmp/probe.yaml  # 1",
        ])
        #expect(
            analysis.commands == [
                "cat <<'EOF' > /tmp/probe.yaml\ntargets:\n  - name: api   # the public one\nEOF",
                "grep -c name /tmp/probe.yaml",
            ])
        let indented = CommandAnalysis.read(["psql <<-SQL", "\tSELECT 1;", "\tSQL", "echo done"])
        #expect(indented.commands == ["psql <<-SQL\n\tSELECT 1;\n\tSQL", "echo done"])
    }

    @Test func outputAndSettingsInABlockAreNotCommands() {
        let analysis = CommandAnalysis.read([
            "docker compose ps", "========", "✅ all services up", "SMTP_USER = ops@example.org", "VITE v5 ready",
        ])
        #expect(analysis.commands == ["docker compose ps", "VITE v5 ready"])
    }

    /// A block that only moves, sets or prints is not a check: it would pass without looking.
    @Test func blocksThatLookAtNothingAreNotChecks() {
        #expect(CommandAnalysis.read(["cd /opt/app", "export MODE=prod", "echo 'ready'"]).commands.isEmpty)
        #expect(CommandAnalysis.read(["DISABLE_RATE_LIMIT=true"]).commands.isEmpty)
        #expect(CommandAnalysis.read(["cd /opt/app", "./bin/health"]).commands == ["cd /opt/app", "./bin/health"])
        #expect(CommandAnalysis.read(["echo $(cat VERSION)"]).commands == ["echo $(cat VERSION)"])
    }

    @Test func runnersInFrontOfATool() {
        #expect(CommandRule.Words("sudo -u postgres ssh db1 hostname").tool == "ssh")
        #expect(CommandRule.Words("bunx wrangler deploy").tool == "wrangler")
        #expect(CommandRule.Words("pnpm dlx prisma migrate deploy").tool == "prisma")
        #expect(CommandRule.Words("FOO=1 env BAR=2 time nice -n 5 make deploy").tool == "make")
        #expect(
            CommandAnalysis(commands: [#"TOKEN=$(curl -X POST https://x/login -d '{}')"#], notes: []).hazard() != nil)
        #expect(CommandAnalysis(commands: ["./scripts/deploy-production.sh"], notes: []).hazard() != nil)
        #expect(CommandAnalysis(commands: ["./scripts/pre-deploy-checks.sh"], notes: []).hazard() == nil)
    }

    @Test(arguments: [
        (">= 1.5", 1, 5), ("≥ v20.1", 20, 1), ("1.5+", 1, 5), ("3.11 or later", 3, 11), ("at least 2.0", 2, 0),
    ])
    func versionFloors(text: String, major: Int, minor: Int) {
        #expect(ExpectationPatterns.versionFloor(text).map { [$0.0, $0.1] } == [major, minor])
    }

    @Test func commentsThatOnlyNameAStepAreDescriptions() {
        #expect(ExpectationPatterns.onlyNames("cluster version"))
        #expect(!ExpectationPatterns.onlyNames("no pods pending"))
        #expect(!ExpectationPatterns.onlyNames("returns 200"))
    }
}
