import Foundation
import ShipcheckTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The side doors an attacker (or a hurried adopter) tried, through the binary: each one now refused
/// with a reason, and the refusal recorded where a deploy is refused.
@Suite struct SideDoorCLITests {
    static let config = """
        version: 1
        roles: { cto: [frank@example.com], engineer: [erin@example.com] }
        environments:
          staging: {}
          production: { require: all, bypass: [cto] }
        phases:
          pre-deploy:
            items:
              - { id: quick, title: Quick check, run: "true" }
              - { id: broken, title: Broken check, run: "test -f fixed" }
          deploy:
            items:
              - { id: ship, title: Ship, run: "echo shipped >> shipped.txt" }
        """

    static func repository() throws -> URL {
        let directory = try CLI.temporaryDirectory(with: config)
        #expect(try CLI.shell("git init -q", in: directory).status == 0)
        #expect(try CLI.commit("first", in: directory).status == 0)
        return directory
    }

    static func shipped(_ directory: URL) -> Bool {
        FileManager.default.fileExists(atPath: directory.appendingPathComponent("shipped.txt").path)
    }

    /// Runs SQL on the SQLite store with Python's sqlite3 module (no shipcheck in between).
    static func sql(_ statement: String, in directory: URL) throws -> CLI.Output {
        let script =
            "import sqlite3,sys; c=sqlite3.connect('.shipcheck/shipcheck.db'); c.execute(sys.argv[1]); c.commit()"
        return try CLI.shell(
            "python3 -c \"\(script)\" '\(statement.replacingOccurrences(of: "'", with: "'\\''"))'", in: directory)
    }

    @Test func onlyIsRefusedWhereEveryItemIsRequiredAndAPartialRunNeverCounts() throws {
        let directory = try Self.repository()
        let only = try CLI.run(["run", "--env", "production", "--only", "quick"], in: directory)
        #expect(only.status == 64, "\(only.stdout)\(only.stderr)")
        #expect(only.stderr.contains("--only: production requires every item (`require: all`)"), "\(only.stderr)")
        #expect(!only.stdout.contains("Gate passed"))
        #expect(
            !FileManager.default.fileExists(atPath: directory.appendingPathComponent(".shipcheck").path),
            "a refused run writes nothing")

        // Elsewhere a partial run is allowed, says so in every report, and never stands for the gate.
        let partial = try CLI.run(
            [
                "run", "--env", "staging", "--only", "quick", "--format", "json,junit,markdown,html", "--output-dir",
                "out",
            ],
            in: directory)
        #expect(partial.status == 0, "\(partial.stdout)\(partial.stderr)")
        #expect(partial.stdout.contains("Partial run passed (not the gate)"), "\(partial.stdout)")
        #expect(!partial.stdout.contains("Gate passed"))
        for file in ["shipcheck.json", "shipcheck-junit.xml", "shipcheck.md", "shipcheck.html"] {
            let text = try String(contentsOf: directory.appendingPathComponent("out/\(file)"), encoding: .utf8)
            #expect(text.contains("--only quick"), "\(file) says the run is partial")
        }
        let history = try CLI.run(["history"], in: directory)
        #expect(history.stdout.contains("passed (partial)"), "\(history.stdout)")
        let plan = try CLI.run(["plan", "--env", "staging"], in: directory)
        #expect(
            plan.status == 1 && plan.stdout.contains("✗ gate: no whole pre-deploy gate of commit"), "\(plan.stdout)")
        let deploy = try CLI.run(["run", "deploy", "--env", "staging"], in: directory)
        #expect(deploy.status == 1 && deploy.stderr.contains("gate: no whole pre-deploy gate"), "\(deploy.stderr)")
        #expect(!Self.shipped(directory))
    }

    @Test func aDeployAfterAFailedGateIsRefusedAndRecorded() throws {
        let directory = try Self.repository()
        #expect(try CLI.run(["run", "pre-deploy", "--env", "staging"], in: directory).status == 1)
        let plan = try CLI.run(["plan", "--env", "staging"], in: directory)
        #expect(plan.status == 1, "\(plan.stdout)")
        let deploy = try CLI.run(["run", "deploy", "--env", "staging"], in: directory)
        #expect(deploy.status == 1, "\(deploy.stdout)\(deploy.stderr)")
        #expect(deploy.stderr.contains("the deploy may not start now:"))
        #expect(deploy.stderr.contains("failed: broken — Broken check: its newest result for this commit was fail"))
        #expect(deploy.stderr.contains("is failed, not passed"), "\(deploy.stderr)")
        // The same reasons in plan and in the refusal.
        #expect(plan.stdout.contains("broken — Broken check: its newest result for this commit was fail"))
        #expect(!Self.shipped(directory))
        let refusals = try CLI.run(["history", "--outcome", "refused", "--env", "staging"], in: directory)
        #expect(refusals.stdout.contains("failed, gate"), "\(refusals.stdout)")

        try "".write(to: directory.appendingPathComponent("fixed"), atomically: true, encoding: .utf8)
        #expect(try CLI.run(["run", "pre-deploy", "--env", "staging"], in: directory).status == 0)
        let shipped = try CLI.run(["run", "deploy", "--env", "staging"], in: directory)
        #expect(shipped.status == 0, "\(shipped.stderr)")
        #expect(Self.shipped(directory))
    }

    /// `--resume` of a deploy asks the plan again: an interrupted deploy run (or a row written
    /// straight into the store to look like one) does not finish once the commit's gate failed.
    @Test func aResumedDeployAsksThePlanAgain() throws {
        let marker = "shipcheck-resume-\(UUID().uuidString.prefix(8))"
        let directory = try CLI.temporaryDirectory(
            with: """
                version: 1
                environments: { staging: {} }
                phases:
                  pre-deploy:
                    items:
                      - { id: checked, title: Checked, run: "test -f ok" }
                  deploy:
                    items:
                      - { id: first, title: First, run: "echo first >> steps.txt" }
                      - { id: second, title: Second, run: "if [ -f hold ]; then sleep 60; fi # \(marker)", needs: [first] }
                      - { id: third, title: Third, run: "echo third >> steps.txt", needs: [second] }
                """)
        defer { _ = try? CLI.shell("pkill -9 -f '[s]\(marker.dropFirst())'", in: directory) }
        #expect(try CLI.shell("git init -q && touch ok hold", in: directory).status == 0)
        #expect(try CLI.commit("first", in: directory).status == 0)
        #expect(try CLI.run(["run", "--env", "staging"], in: directory).status == 0)
        let started = try CLI.shell(
            "SHIPCHECK_ACTOR=ci@example.com SHIPCHECK_LOCK_LEASE=1 NO_COLOR=1 '\(CLI.binary.path)' run deploy --env staging > deploy.log 2>&1 < /dev/null & echo $!",
            in: directory)
        let pid = try #require(Int32(started.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        let steps = directory.appendingPathComponent("steps.txt")
        for _ in 0..<300 where !FileManager.default.fileExists(atPath: steps.path) { usleep(100_000) }
        usleep(300_000)
        kill(pid, SIGKILL)
        try FileManager.default.removeItem(at: directory.appendingPathComponent("hold"))
        _ = try CLI.shell("pkill -9 -f '[s]\(marker.dropFirst())'", in: directory)
        let log = try String(contentsOf: directory.appendingPathComponent("deploy.log"), encoding: .utf8)
        let id = try #require(
            log.range(of: #"recording run (\S+)"#, options: .regularExpression).map {
                String(log[$0].dropFirst("recording run ".count))
            }, "\(log)")

        // The commit's gate fails now: the interrupted deploy does not finish.
        try FileManager.default.removeItem(at: directory.appendingPathComponent("ok"))
        #expect(try CLI.run(["run", "--env", "staging"], in: directory).status == 1)
        usleep(1_200_000)
        let refused = try CLI.run(["run", "--resume", id], in: directory)
        #expect(refused.status == 1, "\(refused.stdout)\(refused.stderr)")
        #expect(refused.stderr.contains("gate: the newest whole pre-deploy gate of commit"), "\(refused.stderr)")
        #expect(try String(contentsOf: steps, encoding: .utf8) == "first\n", "nothing more ran")

        try "".write(to: directory.appendingPathComponent("ok"), atomically: true, encoding: .utf8)
        #expect(try CLI.run(["run", "--env", "staging"], in: directory).status == 0)
        let resumed = try CLI.run(["run", "--resume", id], in: directory)
        #expect(resumed.status == 0, "\(resumed.stdout)\(resumed.stderr)")
        #expect(try String(contentsOf: steps, encoding: .utf8) == "first\nthird\n", "the rest ran once")
    }

    @Test func noStoreIsRefusedWhereTheRulesLiveInTheStore() throws {
        let directory = try Self.repository()
        #expect(
            try CLI.run(
                [
                    "freeze", "--env", "production", "--for", "4h", "--reason", "incident", "--actor",
                    "erin@example.com",
                ],
                in: directory
            ).status == 0)
        let bypass = try CLI.run(["run", "deploy", "--env", "production", "--no-store"], in: directory)
        #expect(bypass.status == 64, "\(bypass.stdout)\(bypass.stderr)")
        #expect(
            bypass.stderr.contains("--no-store: production has rules judged from the run store"), "\(bypass.stderr)")
        #expect(!Self.shipped(directory))
        // Where no rule needs the store, --no-store still runs a gate without recording it.
        #expect(try CLI.run(["run", "--env", "staging", "--no-store"], in: directory).status == 1)
    }

    @Test func aWaiverWrittenStraightIntoTheStoreByTheWrongPersonCountsForNothing() throws {
        let directory = try Self.repository()
        #expect(try CLI.run(["run", "--env", "production"], in: directory).status == 1)
        let inserted = try Self.sql(
            "INSERT INTO records (kind, id, subject, environment, actor, at, until, body) VALUES ('waiver', 'waiver-forged', 'broken', 'production', 'erin@example.com', '2026-01-01T00:00:00.000Z', '2999-01-01T00:00:00.000Z', '{\"reason\":\"trust me\"}')",
            in: directory)
        #expect(inserted.status == 0, "\(inserted.stderr)")
        let run = try CLI.run(
            ["run", "--env", "production", "--format", "json", "--output-dir", "out"], in: directory)
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
        #expect(!run.stdout.contains("waived"), "\(run.stdout)")
        #expect(
            run.stdout.contains(
                "ignored: waiver-forged (waiver of `broken` by erin@example.com): erin@example.com holds no role under production's `bypass:` (cto)"
            ), "\(run.stdout)")
        let report = try String(contentsOf: directory.appendingPathComponent("out/shipcheck.json"), encoding: .utf8)
        #expect(report.contains("waiver-forged"), "the report names the ignored waiver")
        let plan = try CLI.run(["plan", "--env", "production"], in: directory)
        #expect(plan.stdout.contains("! ignored: waiver-forged"), "\(plan.stdout)")
        #expect(plan.stdout.contains("✗ broken"), "\(plan.stdout)")

        // The same row by the CTO is a waiver (written by hand, it is still only as good as its author).
        #expect(
            try Self.sql("UPDATE records SET actor = 'frank@example.com' WHERE id = 'waiver-forged'", in: directory)
                .status == 0)
        let waived = try CLI.run(["run", "--env", "production"], in: directory)
        #expect(waived.stdout.contains("waived"), "\(waived.stdout)")
    }

    @Test func anUnreadableFreezeBlocksAndAnEndByTheWrongPersonIsIgnored() throws {
        let directory = try Self.repository()
        try "".write(to: directory.appendingPathComponent("fixed"), atomically: true, encoding: .utf8)
        #expect(try CLI.run(["run", "--env", "production"], in: directory).status == 0)
        #expect(
            try Self.sql(
                "INSERT INTO records (kind, id, subject, environment, actor, at, until, body) VALUES ('freeze', 'freeze-garbled', 'x', 'production', 'erin@example.com', '2026-01-01T00:00:00.000Z', '2026-01-02T00:00:00.000Z', 'not json')",
                in: directory
            ).status == 0)
        let plan = try CLI.run(["plan", "--env", "production"], in: directory)
        #expect(plan.status == 1, "\(plan.stdout)")
        #expect(plan.stdout.contains("record freeze-garbled cannot be read"), "\(plan.stdout)")
        let deploy = try CLI.run(["run", "deploy", "--env", "production"], in: directory)
        #expect(deploy.status == 1 && deploy.stderr.contains("freeze-garbled"), "\(deploy.stderr)")
        #expect(!Self.shipped(directory))

        // Someone without the role rewrites the freeze as ended: the end is ignored.
        #expect(
            try Self.sql(
                "UPDATE records SET body = '{\"reason\":\"x\",\"endedBy\":\"erin@example.com\"}', until = '2026-01-01T00:00:01.000Z' WHERE id = 'freeze-garbled'",
                in: directory
            ).status == 0)
        let stillFrozen = try CLI.run(["plan", "--env", "production"], in: directory)
        #expect(stillFrozen.status == 1, "\(stillFrozen.stdout)")
        #expect(stillFrozen.stdout.contains("! ignored: freeze-garbled (the end of a freeze by erin@example.com)"))

        // The CTO ends it through shipcheck, and the deploy goes.
        let ended = try CLI.run(["unfreeze", "--env", "production", "--actor", "frank@example.com"], in: directory)
        #expect(ended.status == 0 && ended.stdout.contains("ended freeze-garbled"), "\(ended.stdout)\(ended.stderr)")
        let shipped = try CLI.run(["run", "deploy", "--env", "production"], in: directory)
        #expect(shipped.status == 0, "\(shipped.stderr)")
    }

    @Test func storeLocationsAreParsedStrictlyAndReadsNeverCreateAStore() throws {
        let directory = try Self.repository()
        let missing = try CLI.run(["audit", "verify", "--store", "typo/shipcheck.db"], in: directory)
        #expect(missing.status == 2 && missing.stderr.contains("no store there"), "\(missing.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("typo").path))
        for command in [["history"], ["show", "latest"], ["plan", "--env", "staging"], ["metrics"]] {
            let read = try CLI.run(command, in: directory)
            #expect(read.status == 2 && read.stderr.contains("no store there"), "\(command): \(read.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent(".shipcheck").path))
        for location in ["mysql://u@h/db", "Postgres:/x", "postgres:/x", "ftp://h/f"] {
            let refused = try CLI.run(["history", "--store", location], in: directory)
            #expect(refused.status == 2, "\(location): \(refused.stderr)")
            #expect(refused.stderr.contains("the store `"), "\(location): \(refused.stderr)")
        }
        for mode in ["REQUIRE", "required", "on"] {
            let refused = try CLI.run(
                ["history", "--store", "postgres://u@127.0.0.1:1/db?sslmode=\(mode)"], in: directory)
            #expect(refused.stderr.contains("is not one PostgreSQL defines"), "\(mode): \(refused.stderr)")
        }
        // `require` means TLS: the test server offers none, so the store is refused, never used in clear.
        if let postgres = Services.url("POSTGRES") {
            let plain = Services.storeURL(postgres) + "?schema=tls_\(UUID().uuidString.prefix(8).lowercased())"
            #expect(
                try CLI.run(["run", "--env", "staging", "--store", plain + "&sslmode=prefer"], in: directory).status
                    == 1)
            let required = try CLI.run(["history", "--store", plain + "&sslmode=require"], in: directory)
            #expect(required.status == 2, "\(required.stdout)\(required.stderr)")
            #expect(required.stderr.contains("cannot open the store"), "\(required.stderr)")
            #expect(try CLI.run(["history", "--store", plain + "&sslmode=disable"], in: directory).status == 0)
        }
        let password = try CLI.run(["run", "--store", "postgres://u:secret-pw@127.0.0.1:1/db"], in: directory)
        #expect(password.status == 2 && password.stderr.contains("the URL holds a password"), "\(password.stderr)")
        #expect(!password.stderr.contains("secret-pw"))
    }
}
