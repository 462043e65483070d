import Foundation
import Testing

/// `shipcheck plan` on examples/mina at chosen times: the seed's window refuses a standard
/// production deploy at 18:30 Pacific and lets it through at 11:00, and a hotfix is never held
/// to the window. A deploy outside its window does not start.
@Suite struct PlanCLITests {
    static func plan(_ arguments: [String]) throws -> CLI.Output {
        try CLI.run(
            ["plan", "--config", "examples/mina/shipcheck.yml", "--env", "production", "--no-store"] + arguments,
            in: CLI.packageRoot)
    }

    @Test func theSeedsWindowHoldsStandardDeploysOnly() throws {
        // Tuesday 2026-12-08, Pacific time.
        let evening = try Self.plan(["--type", "standard", "--at", "2026-12-08T18:30"])
        #expect(evening.status == 1, "\(evening.stdout)\(evening.stderr)")
        #expect(evening.stdout.contains("BLOCKED"))
        #expect(
            evening.stdout.contains(
                "window: outside the deploy window: `business-hours` (mon-fri 10:00-16:00 America/Los_Angeles); it opens Wed 2026-12-09 10:00 -08:00"
            ), "\(evening.stdout)")
        // Abbreviated checklists are never silent: the hotfix items are left out by the type.
        #expect(evening.stdout.contains("hotfix-tests — Tests passing: skipped by type standard"), "\(evening.stdout)")

        let morning = try Self.plan(["--type", "standard", "--at", "2026-12-08T11:00"])
        #expect(morning.status == 0, "\(morning.stdout)\(morning.stderr)")
        #expect(morning.stdout.contains("nothing blocks it"))

        let night = try Self.plan(["--type", "hotfix", "--at", "2026-12-08T23:00", "--format", "json"])
        #expect(night.status == 0, "\(night.stdout)\(night.stderr)")
        let plan = try #require(
            try JSONSerialization.jsonObject(with: Data(night.stdout.utf8)) as? [String: Any], "\(night.stdout)")
        #expect((plan["blocks"] as? [Any])?.isEmpty == true)
        let leftOut = (plan["leftOut"] as? [[String: Any]]) ?? []
        #expect(
            leftOut.contains {
                $0["item"] as? String == "tests"
                    && ($0["reason"] as? String)?.hasPrefix("skipped by type hotfix, which runs only its own items")
                        == true
            }, "\(leftOut)")
        #expect(!leftOut.contains { $0["item"] as? String == "hotfix-tests" })

        // Daylight saving time: 09:30 on a July Tuesday is outside, 10:00 inside.
        #expect(try Self.plan(["--type", "standard", "--at", "2026-07-14T09:30"]).status == 1)
        #expect(try Self.plan(["--type", "standard", "--at", "2026-07-14T17:00:00Z"]).status == 0)
    }

    @Test func badTimesAndNamesAreUsageErrors() throws {
        let time = try Self.plan(["--type", "standard", "--at", "tomorrow"])
        #expect(time.status == 64 && time.stderr.contains("--at: `tomorrow` is not a time"), "\(time.stderr)")
        let type = try Self.plan(["--type", "weekly"])
        #expect(type.status == 64 && type.stderr.contains("--type: `weekly` is not a deploy type"), "\(type.stderr)")
    }

    @Test func aDeployOutsideItsWindowDoesNotStart() throws {
        // A window open only on the day after tomorrow (UTC): closed now, whatever the time.
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let later = calendar.component(.weekday, from: Date().addingTimeInterval(2 * 86_400))
        let day = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"][later - 1]
        let directory = try CLI.temporaryDirectory(
            with: """
                version: 1
                types: { standard: {} }
                windows:
                  - { name: never, type: standard, days: "\(day)", hours: "00:00-24:00" }
                phases:
                  deploy:
                    items:
                      - { id: ship, title: Ship, run: "echo shipped > shipped.txt" }
                """)
        let refused = try CLI.run(["run", "deploy", "--type", "standard"], in: directory)
        #expect(refused.status == 1, "\(refused.stdout)\(refused.stderr)")
        #expect(refused.stderr.contains("the deploy may not start now:"), "\(refused.stderr)")
        #expect(refused.stderr.contains("window: outside the deploy window: `never`"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("shipped.txt").path))
    }
}

/// An emergency freeze through the binary: declared by anyone, it blocks plans and deploys; only a
/// role the environment's `bypass:` names ends it early, and the record says who.
@Suite struct FreezeCLITests {
    @Test func anEmergencyFreezeBlocksUntilSomeoneAllowedEndsIt() throws {
        let directory = try CLI.temporaryDirectory(
            with: """
                version: 1
                roles: { cto: [frank@example.com], engineer: [erin@example.com] }
                environments: { production: { bypass: [cto] } }
                phases:
                  deploy:
                    items:
                      - { id: ship, title: Ship, run: "echo shipped >> shipped.txt" }
                """)
        let frozen = try CLI.run(
            [
                "freeze", "--env", "production", "--for", "4h", "--reason", "incident #123", "--actor",
                "erin@example.com",
            ],
            in: directory)
        #expect(frozen.status == 0, "\(frozen.stdout)\(frozen.stderr)")
        #expect(frozen.stdout.contains("production is frozen until"), "\(frozen.stdout)")

        let plan = try CLI.run(["plan", "--env", "production"], in: directory)
        #expect(plan.status == 1, "\(plan.stdout)\(plan.stderr)")
        #expect(plan.stdout.contains("emergency freeze of production declared by erin@example.com: incident #123"))
        let deploy = try CLI.run(["run", "deploy", "--env", "production"], in: directory)
        #expect(deploy.status == 1 && deploy.stderr.contains("incident #123"), "\(deploy.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("shipped.txt").path))

        let refused = try CLI.run(["unfreeze", "--env", "production", "--actor", "erin@example.com"], in: directory)
        #expect(refused.status == 1, "\(refused.stdout)\(refused.stderr)")
        #expect(refused.stderr.contains("erin@example.com may not end a freeze of production: it needs the role `cto`"))

        let ended = try CLI.run(["unfreeze", "--env", "production", "--actor", "frank@example.com"], in: directory)
        #expect(ended.status == 0 && ended.stdout.contains("declared by erin@example.com"), "\(ended.stdout)")
        #expect(try CLI.run(["plan", "--env", "production"], in: directory).status == 0)
        #expect(try CLI.run(["run", "deploy", "--env", "production"], in: directory).status == 0)
        // Both writes are in the audit chain.
        let audit = try CLI.run(["audit", "export"], in: directory)
        #expect(audit.stdout.components(separatedBy: "record-freeze").count - 1 == 2, "\(audit.stdout)")
    }
}
