import Foundation
import Testing

/// Calendar overrides and refused deploys through the binary and SQLite: a refused deploy is recorded,
/// an override needs the environment's bypass role and is recorded and audited, and then `plan` and
/// `run deploy` show the window as overridden instead of refusing. `plan` counts missing sign-offs
/// and says who could give them.
@Suite struct OverrideCLITests {
    /// A window open only on the day after tomorrow (UTC): closed now, whatever the time.
    static func closedWindowConfig() -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        let later = calendar.component(.weekday, from: Date().addingTimeInterval(2 * 86_400))
        let day = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"][later - 1]
        return """
            version: 1
            roles: { cto: [frank@example.com], engineer: [erin@example.com, ivan@example.com] }
            environments: { production: { bypass: [cto] } }
            types: { standard: {} }
            windows:
              - { name: never, type: standard, days: "\(day)", hours: "00:00-24:00" }
            phases:
              pre-deploy:
                items:
                  - id: risky
                    title: Risky change accepted
                    manual: true
                    signoffs: { any-of: [{ count: 2, role: engineer }, { role: cto }] }
              deploy:
                items:
                  - { id: ship, title: Ship, run: "echo shipped > shipped.txt" }
            """
    }

    @Test func anOverrideByTheBypassRoleLetsADeployStartOutsideItsWindow() throws {
        let directory = try CLI.temporaryDirectory(with: Self.closedWindowConfig())
        #expect(try CLI.shell("git init -q", in: directory).status == 0)
        #expect(try CLI.commit("first", in: directory).status == 0)
        let deploy = ["run", "deploy", "--env", "production", "--type", "standard"]
        let override = ["override", "window", "--env", "production", "--until", "1h", "--reason", "CVE-2026-1234 fix"]

        let refused = try CLI.run(deploy, in: directory)
        #expect(refused.status == 1, "\(refused.stdout)\(refused.stderr)")
        #expect(refused.stderr.contains("window: outside the deploy window: `never`"), "\(refused.stderr)")

        let engineer = try CLI.run(override + ["--actor", "erin@example.com"], in: directory)
        #expect(engineer.status == 1)
        #expect(
            engineer.stderr.contains(
                "erin@example.com may not override the window of production: it needs the role `cto`"),
            "\(engineer.stderr)")
        let emergency = try CLI.run(
            ["override", "emergency-freeze", "--env", "production", "--until", "1h", "--reason", "x"], in: directory)
        #expect(emergency.status == 64 && emergency.stderr.contains("`shipcheck unfreeze`"), "\(emergency.stderr)")

        let cto = try CLI.run(override + ["--actor", "frank@example.com"], in: directory)
        #expect(cto.status == 0, "\(cto.stderr)")
        #expect(cto.stdout.contains("by frank@example.com (--actor)"), "\(cto.stdout)")

        // plan: the window is overridden, but the pre-deploy gate still lacks a sign-off.
        let plan = try CLI.run(["plan", "--env", "production", "--type", "standard"], in: directory)
        #expect(plan.status == 1, "\(plan.stdout)\(plan.stderr)")
        #expect(
            plan.stdout.contains("~ window: overridden by frank@example.com until "), "\(plan.stdout)")
        #expect(plan.stdout.contains(": CVE-2026-1234 fix (outside the deploy window: `never`"), "\(plan.stdout)")
        #expect(
            plan.stdout.contains(
                "✗ risky — Risky change accepted: awaiting 2 sign-offs from role engineer, or 1 sign-off from role cto; could give it: engineer: erin@example.com, ivan@example.com; or cto: frank@example.com"
            ), "\(plan.stdout)")
        #expect(
            try CLI.run(["signoff", "risky", "--env", "production", "--actor", "frank@example.com"], in: directory)
                .status == 0)
        // Signed off, but no gate has run for the commit: plan and run deploy both say so.
        let ungated = try CLI.run(["plan", "--env", "production", "--type", "standard"], in: directory)
        #expect(
            ungated.status == 1 && ungated.stdout.contains("✗ gate: no whole pre-deploy gate of commit"),
            "\(ungated.stdout)")
        #expect(
            try CLI.run(["run", "pre-deploy", "--env", "production", "--type", "standard"], in: directory).status == 0)
        let clear = try CLI.run(["plan", "--env", "production", "--type", "standard"], in: directory)
        #expect(clear.status == 0 && clear.stdout.contains("nothing blocks it"), "\(clear.stdout)")

        let started = try CLI.run(deploy + ["--format", "markdown", "--output-dir", "out"], in: directory)
        #expect(started.status == 0, "\(started.stdout)\(started.stderr)")
        #expect(started.stderr.contains("window overridden by frank@example.com"), "\(started.stderr)")
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("shipped.txt").path))
        let report = try String(
            contentsOf: directory.appendingPathComponent("out/shipcheck.md"), encoding: .utf8)
        #expect(report.contains("**By**: ci@example.com (SHIPCHECK_ACTOR)"), "\(report)")

        // The refused attempt and the override are both in the audit chain, with who.
        let audit = try CLI.run(["audit", "export"], in: directory)
        #expect(audit.status == 0)
        let lines = audit.stdout.split(separator: "\n")
        #expect(lines.contains { $0.contains("\"kind\":\"record-refusal\"") }, "\(audit.stdout)")
        #expect(lines.contains { $0.contains("\"kind\":\"record-override\"") })
        let refusals = try CLI.run(["history", "--outcome", "refused", "--env", "production"], in: directory)
        #expect(refusals.status == 0)
        let refusal = refusals.stdout.split(separator: "\n").first { $0.contains("deploy  production  standard") }
        #expect(refusal?.contains("ci@example.com") == true, "\(refusals.stdout)")
        #expect(refusal?.contains("window, sign-offs, gate") == true, "\(refusals.stdout)")
        #expect(try CLI.run(["audit", "verify"], in: directory).status == 0)
    }
}
