import Foundation
import ShipcheckTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The run store through the binary: every run recorded, history/show/export/audit, a run killed
/// with SIGKILL and resumed, and secrets kept out of the database.
@Suite struct StoreCLITests {
    static let gate = """
        version: 1
        project: store-demo
        environments: { staging: {}, production: {} }
        phases:
          pre-deploy:
            items:
              - id: tests
                title: Tests pass
                run: "echo 12 passed"
              - id: lint
                title: Lint is clean
                run: "echo 3 problems >&2; exit 1"
                severity: warn
        """

    static func json(_ text: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(text.utf8))
    }

    @Test func everyRunIsRecordedAndReadBack() throws {
        let directory = try CLI.temporaryDirectory(with: Self.gate)
        let first = try CLI.run(["run", "--env", "staging"], in: directory)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("recording run "))
        let second = try CLI.run(["run", "--env", "production", "--release", "v2"], in: directory)
        #expect(second.status == 0)
        #expect(
            FileManager.default.fileExists(atPath: directory.appendingPathComponent(".shipcheck/shipcheck.db").path))

        let history = try CLI.run(["history", "--format", "json"], in: directory)
        let runs = try #require(try Self.json(history.stdout) as? [[String: Any]])
        #expect(runs.map { $0["environment"] as? String } == ["production", "staging"])
        #expect(runs.allSatisfy { $0["outcome"] as? String == "passed" && $0["actor"] as? String == "ci@example.com" })
        let id = try #require(runs.first?["runID"] as? String)

        let table = try CLI.run(["history", "--env", "staging"], in: directory)
        #expect(table.stdout.hasPrefix("RUN "))
        #expect(table.stdout.split(separator: "\n").count == 2)

        let shown = try CLI.run(["show", id], in: directory)
        #expect(shown.status == 0)
        #expect(shown.stdout.hasPrefix("run \(id): passed\n"))
        #expect(shown.stdout.contains("! warn    lint — Lint is clean"))
        let shownJSON = try #require(
            try Self.json(CLI.run(["show", id, "--format", "json"], in: directory).stdout) as? [String: Any])
        #expect(shownJSON["runID"] as? String == id && shownJSON["release"] as? String == "v2")
        let items = try #require(shownJSON["items"] as? [[String: Any]])
        #expect(items.map { $0["id"] as? String } == ["tests", "lint"])

        let junit = try CLI.run(["export", id, "--format", "junit"], in: directory)
        #expect(junit.stdout.contains("<testsuites") && junit.stdout.contains("lint"))
        let page = directory.appendingPathComponent("run.html")
        #expect(try CLI.run(["export", id, "--format", "html", "--output", page.path], in: directory).status == 0)
        let html = try String(contentsOf: page, encoding: .utf8)
        #expect(html.hasPrefix("<!DOCTYPE html>") && html.contains("Lint is clean") && html.contains("3 problems"))
        #expect(!html.contains("http://") && !html.contains("https://") && !html.contains("<script"), "self-contained")

        let verified = try CLI.run(["audit", "verify"], in: directory)
        #expect(verified.status == 0, "\(verified.stderr)")
        #expect(verified.stdout.contains("8 events and 6 rows"))
        let events = try CLI.run(["audit", "export"], in: directory).stdout.split(separator: "\n")
        #expect(events.count == 8)
        #expect(try events.allSatisfy { try (Self.json(String($0)) as? [String: Any])?["hash"] is String })

        let missing = try CLI.run(["show", "no-such-run"], in: directory)
        #expect(missing.status == 64 && missing.stderr.contains("no run `no-such-run` in the store at "))
        let unrecorded = try CLI.run(["run", "--no-store"], in: directory)
        #expect(unrecorded.status == 0 && !unrecorded.stderr.contains("recording run"))
        #expect(
            try CLI.run(["history", "--format", "json"], in: directory).stdout.components(separatedBy: "\"runID\"")
                .count == 3)
    }

    @Test func aTamperedStoreFailsAuditVerifyThroughTheBinary() throws {
        let directory = try CLI.temporaryDirectory(with: Self.gate)
        #expect(try CLI.run(["run"], in: directory).status == 0)
        let database = directory.appendingPathComponent(".shipcheck/shipcheck.db").path
        let changed = try CLI.shell(
            "python3 -c \"import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(\\\"UPDATE item_results SET outcome='pass' WHERE item_id='lint'\\\"); c.commit()\" '\(database)'",
            in: directory)
        #expect(changed.status == 0, "\(changed.stderr)")
        let verified = try CLI.run(["audit", "verify"], in: directory)
        #expect(verified.status == 1)
        #expect(verified.stderr.contains("/lint was changed after this event recorded it"), "\(verified.stderr)")
    }

    /// SIGKILL in the middle of a run: the store opens, the run is interrupted with what finished
    /// before the kill, and `--resume` finishes it without running those items again.
    @Test func aKilledRunIsInterruptedAndResumesWithoutRerunningWhatFinished() throws {
        let marker = "shipcheck-kill-\(UUID().uuidString.prefix(8))"
        let directory = try CLI.temporaryDirectory(
            with: """
                version: 1
                phases:
                  pre-deploy:
                    items:
                      - id: first
                        title: First
                        run: "echo first >> ran.log"
                      - id: second
                        title: Second
                        run: "echo second >> ran.log"
                      - id: slow
                        title: Slow
                        needs: [first, second]
                        run: "echo slow >> ran.log; test -f fast || sleep 60 # \(marker)"
                """)
        defer { _ = try? CLI.shell("pkill -9 -f \(marker)", in: directory) }
        let started = try CLI.shell(
            "SHIPCHECK_ACTOR=ci@example.com NO_COLOR=1 '\(CLI.binary.path)' run > out.log 2>&1 < /dev/null & echo $!",
            in: directory)
        let pid = try #require(Int32(started.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        let log = directory.appendingPathComponent("ran.log")
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, !((try? String(contentsOf: log, encoding: .utf8)) ?? "").contains("slow") {
            usleep(20_000)
        }
        #expect(kill(pid, SIGKILL) == 0)
        usleep(200_000)
        _ = try CLI.shell("pkill -9 -f \(marker)", in: directory)

        let interrupted = try CLI.run(["history", "--outcome", "interrupted", "--format", "json"], in: directory)
        let runs = try #require(try Self.json(interrupted.stdout) as? [[String: Any]], "\(interrupted.stderr)")
        let id = try #require(runs.first?["runID"] as? String, "\(interrupted.stdout)")
        let shown = try CLI.run(["show", id], in: directory)
        #expect(shown.stdout.hasPrefix("run \(id): interrupted"), "\(shown.stdout)")
        #expect(shown.stdout.contains("not recorded: slow"))
        #expect(shown.stdout.contains("✓ pass    first") && shown.stdout.contains("✓ pass    second"))
        #expect(try CLI.run(["audit", "verify"], in: directory).status == 0)

        try Data().write(to: directory.appendingPathComponent("fast"))
        let resumed = try CLI.run(["run", "--resume", id], in: directory)
        #expect(resumed.status == 0, "\(resumed.stdout)\(resumed.stderr)")
        #expect(resumed.stderr.contains("resuming run \(id): 2 items already finished are kept"))
        let ran = try String(contentsOf: log, encoding: .utf8).split(separator: "\n")
        #expect(ran == ["first", "second", "slow", "slow"] || ran == ["second", "first", "slow", "slow"], "\(ran)")
        let finished = try CLI.run(["show", id], in: directory)
        #expect(finished.stdout.hasPrefix("run \(id): passed"), "\(finished.stdout)")
        #expect(!finished.stdout.contains("not recorded"))
        #expect(try CLI.run(["audit", "verify"], in: directory).status == 0)
        let again = try CLI.run(["run", "--resume", id], in: directory)
        #expect(again.status == 64 && again.stderr.contains("finished (passed); there is nothing left to run"))
    }

    /// Commands print secrets three ways (a secret-looking variable, one named in `secrets:`, a URL
    /// password): neither the SQLite file nor the PostgreSQL tables hold any of them.
    @Test func plantedSecretsNeverReachTheStore() throws {
        let secrets = ["ghp_PlantedToken0123456789abcdefABCDEF0123", "sig-Planted-9f8e7d6c5b", "hunter2-planted-pw"]
        let config = """
            version: 1
            secrets: [RELEASE_SIGNING]
            phases:
              pre-deploy:
                items:
                  - id: token
                    title: Prints a token
                    run: "echo token=$DEPLOY_TOKEN; echo signing=$RELEASE_SIGNING >&2"
                  - id: url
                    title: Prints a URL with a password
                    run: "echo connecting to postgres://app:\(secrets[2])@db.internal/app; exit 1"
            """
        let environment = ["DEPLOY_TOKEN": secrets[0], "RELEASE_SIGNING": secrets[1]]
        let directory = try CLI.temporaryDirectory(with: config)
        let run = try CLI.run(["run"], in: directory, environment: environment)
        #expect(run.status == 1)
        let files = try FileManager.default.contentsOfDirectory(
            atPath: directory.appendingPathComponent(".shipcheck").path
        )
        .filter { $0.hasPrefix("shipcheck.db") }
        #expect(files.contains("shipcheck.db"))
        var bytes = Data()
        for file in files {
            bytes +=
                FileManager.default.contents(atPath: directory.appendingPathComponent(".shipcheck/\(file)").path)
                ?? Data()
        }
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains("token=***"), "the evidence is kept, masked")
        for secret in secrets { #expect(!text.contains(secret), "\(secret) in the SQLite file") }

        guard let base = Services.url("POSTGRES") else { return }
        let schema = "cli_\(UUID().uuidString.prefix(8).lowercased())"
        let store = Services.storeURL(base) + "?schema=\(schema)"
        let postgresRun = try CLI.run(["run", "--store", store], in: directory, environment: environment)
        #expect(postgresRun.status == 1, "\(postgresRun.stderr)")
        let dump = try CLI.shell("pg_dump --data-only --schema=\(schema) '\(base)'", in: directory)
        #expect(dump.status == 0, "\(dump.stderr)")
        #expect(dump.stdout.contains("token=***"))
        for secret in secrets { #expect(!dump.stdout.contains(secret), "\(secret) in PostgreSQL") }
        #expect(!dump.stdout.contains("shipcheck-test-pw"), "the store's own password")
        let verified = try CLI.run(["audit", "verify", "--store", store], in: directory)
        #expect(verified.status == 0, "\(verified.stderr)")
    }
}
