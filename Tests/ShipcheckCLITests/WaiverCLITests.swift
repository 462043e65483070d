import Foundation
import Testing

/// Waivers through the binary: only a bypass role may waive; a waived item reports as waived
/// (never as passed) in every report and does not run; the waiver is in the audit export; an
/// expired one no longer applies.
@Suite struct WaiverCLITests {
    @Test func onlyTheCTOWaivesAndAWaiverIsNeverAPass() throws {
        let directory = try CLI.temporaryDirectory(
            with: """
                version: 1
                roles: { cto: [frank@example.com], engineer: [erin@example.com] }
                environments: { production: { require: all, bypass: [cto] } }
                phases:
                  pre-deploy:
                    items:
                      - { id: load-testing, title: Load testing completed, run: "echo ran >> ran.log; exit 1" }
                      - { id: lint, title: Lint, run: "true" }
                """)
        #expect(try CLI.shell("git init -q", in: directory).status == 0)
        #expect(try CLI.commit("first", in: directory).status == 0)
        let refused = try CLI.run(
            [
                "waive", "load-testing", "--env", "production", "--until", "1h", "--reason", "k6 is down",
                "--actor", "erin@example.com",
            ], in: directory)
        #expect(refused.status == 1, "\(refused.stdout)\(refused.stderr)")
        #expect(
            refused.stderr.contains(
                "erin@example.com may not waive `load-testing` in production: it needs the role `cto`"),
            "\(refused.stderr)")
        // Before any waiver, the failing item fails the gate, and plan names its failure.
        #expect(try CLI.run(["run", "--env", "production"], in: directory).status == 1)
        let failing = try CLI.run(["plan", "--env", "production"], in: directory)
        #expect(failing.status == 1)
        #expect(
            failing.stdout.contains("✗ load-testing — Load testing completed: its newest result"), "\(failing.stdout)")

        let waived = try CLI.run(
            [
                "waive", "load-testing", "--env", "production", "--until", "1h", "--reason",
                "k6 is down; tested yesterday",
                "--actor", "frank@example.com",
            ], in: directory)
        #expect(waived.status == 0, "\(waived.stdout)\(waived.stderr)")
        try? FileManager.default.removeItem(at: directory.appendingPathComponent("ran.log"))
        let run = try CLI.run(
            ["run", "--env", "production", "--format", "json,junit,markdown,html", "--output-dir", "out"], in: directory
        )
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("waived by frank@example.com until "), "\(run.stdout)")
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("ran.log").path))
        let out = directory.appendingPathComponent("out")
        let json = try String(contentsOf: out.appendingPathComponent("shipcheck.json"), encoding: .utf8)
        #expect(json.contains("\"outcome\" : \"waived\""), "\(json)")
        #expect(json.contains("k6 is down; tested yesterday"))
        for name in try FileManager.default.contentsOfDirectory(atPath: out.path) {
            let text = try String(contentsOf: out.appendingPathComponent(name), encoding: .utf8)
            #expect(text.lowercased().contains("waived"), "\(name) does not say waived")
        }
        let audit = try CLI.run(["audit", "export"], in: directory)
        #expect(audit.stdout.contains("record-waiver"), "\(audit.stdout)")
        // Waived now, its earlier failure no longer blocks.
        let plan = try CLI.run(["plan", "--env", "production"], in: directory)
        #expect(
            plan.stdout.contains("~ load-testing — Load testing completed: waived by frank@example.com"),
            "\(plan.stdout)")
        #expect(plan.status == 0 && !plan.stdout.contains("✗ load-testing"), "\(plan.stdout)")

    }

    @Test func anExpiredWaiverNoLongerApplies() throws {
        let directory = try CLI.temporaryDirectory(
            with: """
                version: 1
                roles: { cto: [frank@example.com] }
                environments: { production: { bypass: cto } }
                phases:
                  pre-deploy:
                    items:
                      - { id: flaky, title: Flaky, run: "exit 1" }
                """)
        let waived = try CLI.run(
            [
                "waive", "flaky", "--env", "production", "--until", "2s", "--reason", "brief", "--actor",
                "frank@example.com",
            ],
            in: directory)
        #expect(waived.status == 0, "\(waived.stderr)")
        #expect(try CLI.run(["run", "--env", "production"], in: directory).status == 0)
        usleep(2_200_000)
        let later = try CLI.run(["run", "--env", "production"], in: directory)
        #expect(later.status == 1, "\(later.stdout)")
        #expect(later.stdout.contains("fail") && !later.stdout.contains("waived by"), "\(later.stdout)")
        #expect(try CLI.run(["plan", "--env", "production"], in: directory).stdout.contains("expired"))
    }
}
