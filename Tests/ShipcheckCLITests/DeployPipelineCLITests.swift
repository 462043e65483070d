import Foundation
import ShipcheckTestSupport
import Testing

/// `shipcheck deploy` end to end on examples/deploy: a real service on loopback switched between
/// releases, real SQL migrations, the watch judging real samples, rollbacks that really run.
@Suite struct DeployPipelineCLITests {
    /// A copy of examples/deploy in a git repository of its own, on a free port.
    static func demo() throws -> URL {
        let directory = try CLI.temporaryDirectory()
        let example = CLI.packageRoot.appendingPathComponent("examples/deploy")
        #expect(try CLI.shell("cp -R '\(example.path)'/. . && rm -rf state .shipcheck", in: directory).status == 0)
        let port = try CLI.shell(
            "python3 -c \"import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])\"",
            in: directory
        ).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let config = directory.appendingPathComponent("shipcheck.yml")
        let text = try String(contentsOf: config, encoding: .utf8)
        try text.replacingOccurrences(of: "port: \"18431\"", with: "port: \"\(port)\"").write(
            to: config, atomically: true, encoding: .utf8)
        #expect(try CLI.shell("git init -q", in: directory).status == 0)
        #expect(try CLI.commit("first", in: directory).status == 0)
        return directory
    }

    static func stop(_ directory: URL) {
        _ = try? CLI.shell("python3 scripts/switch.py stop", in: directory)
    }

    static func deploy(_ version: String, in directory: URL, _ extra: [String] = []) throws -> CLI.Output {
        try CLI.run(["deploy", "--env", "demo", "--version", version] + extra, in: directory)
    }

    static func live(_ directory: URL) throws -> String {
        try CLI.shell("cat state/version 2>/dev/null", in: directory).stdout
    }

    static func schema(_ directory: URL) throws -> String {
        try CLI.shell(
            "python3 -c \"import sqlite3; print(sqlite3.connect('state/app.db').execute('SELECT coalesce(max(version), 0) FROM schema_version').fetchone()[0])\"",
            in: directory
        ).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func aGoodDeployPassesAndOneWhoseErrorsRiseIsRolledBackByItself() throws {
        let directory = try Self.demo()
        defer { Self.stop(directory) }
        let first = try Self.deploy("v1.0.0", in: directory)
        #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
        #expect(first.stdout.contains("Deployed v1.0.0 to demo"))
        #expect(try Self.schema(directory) == "2", "the migrations ran")
        let good = try Self.deploy("v1.1.0", in: directory)
        #expect(good.status == 0, "\(good.stdout)\(good.stderr)")
        #expect(try Self.live(directory) == "v1.1.0")

        let bad = try Self.deploy("v1.2.0-errors", in: directory)
        #expect(bad.status == 1, "\(bad.stdout)\(bad.stderr)")
        #expect(bad.stderr.contains("trigger fired: P1 Error rate > 5%"), "\(bad.stderr)")
        #expect(bad.stderr.contains("the service answers as before the deploy"), "\(bad.stderr)")
        #expect(bad.stdout.contains("Rolled back: P1 Error rate > 5%"))
        #expect(try Self.live(directory) == "v1.1.0", "the old version answers again")
        #expect(try Self.schema(directory) == "2", "a deploy that migrated nothing undoes nothing")

        let log = try String(contentsOf: directory.appendingPathComponent("state/DEPLOYMENTS.md"), encoding: .utf8)
        #expect(log.contains("## Deployment Log: v1.2.0-errors"))
        #expect(log.contains("- **Rollback**: Automatic (P1 Error rate > 5%); service restored on v1.1.0"), "\(log)")
        #expect(log.contains("- **Rollback**: Not required"))
        // Each phase is a run of its own, in the history and in the metrics.
        let history = try CLI.run(["history", "--env", "demo"], in: directory)
        #expect(history.stdout.contains("rollback"), "\(history.stdout)")
        let metrics = try CLI.run(["metrics", "--env", "demo", "--format", "json"], in: directory)
        #expect(metrics.stdout.contains("\"failedOrRolledBack\" : 1"), "\(metrics.stdout)")
        #expect(
            metrics.stdout.contains("\"automatic\" : 1") && metrics.stdout.contains("\"restored\" : 1"),
            "\(metrics.stdout)")
        let html = try CLI.run(["export", Self.deploymentID(bad.stdout), "--format", "html"], in: directory)
        #expect(html.status == 0 && html.stdout.contains("<h2>Steps</h2>"), "\(html.stderr)")
        #expect(html.stdout.contains("Undo: Switch the service to the new version"), "each step's run is in the page")
        let junit = try CLI.run(["export", Self.deploymentID(bad.stdout), "--format", "junit"], in: directory)
        #expect(
            junit.status == 64 && junit.stderr.contains("a deployment exports as html, json, markdown"),
            "\(junit.stderr)")
        let shown = try CLI.run(["show", Self.deploymentID(bad.stdout), "--format", "json"], in: directory)
        #expect(
            shown.status == 0 && shown.stdout.contains("\"status\" : \"rolled-back\""), "\(shown.stdout)\(shown.stderr)"
        )
        #expect(try CLI.run(["audit", "verify"], in: directory).status == 0)
    }

    static func deploymentID(_ stdout: String) -> String {
        stdout.components(separatedBy: "deployment ").last?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
    }

    @Test func onlyLatencyRisingIsJudgedAndRolledBack() throws {
        let directory = try Self.demo()
        defer { Self.stop(directory) }
        #expect(try Self.deploy("v1.0.0", in: directory).status == 0)
        let slow = try Self.deploy("v1.2.0-slow", in: directory)
        #expect(slow.status == 1, "\(slow.stdout)\(slow.stderr)")
        #expect(slow.stderr.contains("P1 Response time degradation > 50%: traffic.latency.p50"), "\(slow.stderr)")
        #expect(slow.stderr.contains("Mann-Whitney U"))
        #expect(try Self.live(directory) == "v1.0.0")
    }

    @Test func noisyButNotSlowerLatencyRollsNothingBack() throws {
        let directory = try Self.demo()
        defer { Self.stop(directory) }
        #expect(try Self.deploy("v1.0.0", in: directory).status == 0)
        let noisy = try Self.deploy("v1.2.0-noisy", in: directory)
        #expect(noisy.status == 0, "\(noisy.stdout)\(noisy.stderr)")
        #expect(!noisy.stderr.contains("trigger fired"), "\(noisy.stderr)")
        #expect(try Self.live(directory) == "v1.2.0-noisy")
    }

    @Test func aStepThatFailsUndoesTheActionsThatRanIncludingTheMigration() throws {
        let directory = try Self.demo()
        defer { Self.stop(directory) }
        let crashed = try Self.deploy("v1.2.0-crash", in: directory)
        #expect(crashed.status == 1, "\(crashed.stdout)\(crashed.stderr)")
        #expect(crashed.stderr.contains("the counterparts of 2 actions"), "\(crashed.stderr)")
        #expect(try Self.schema(directory) == "0", "the migration was rolled back")
        #expect(
            try Self.live(directory).isEmpty
                || !FileManager.default.fileExists(atPath: directory.appendingPathComponent("state/service.pid").path))
    }

    @Test func aFailingGateStopsBeforeAnyChange() throws {
        let directory = try Self.demo()
        defer { Self.stop(directory) }
        let dry = try Self.deploy("v1.0.0", in: directory, ["--dry-run"])
        #expect(dry.status == 0 && dry.stdout.contains("nothing refuses it now"), "\(dry.stdout)\(dry.stderr)")
        #expect(dry.stdout.contains("- migrate: Migrate the database (undone by: python3 scripts/migrate.py undo)"))
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("state").path))
        let missing = try Self.deploy("v9.9.9", in: directory)
        #expect(missing.status == 1, "\(missing.stdout)\(missing.stderr)")
        #expect(missing.stdout.contains("Stopped before any change"))
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("state/app.db").path))
        #expect(try Self.live(directory).isEmpty)
    }

    @Test func outsideItsWindowADeployIsRefusedAndRecorded() throws {
        let directory = try Self.demo()
        defer { Self.stop(directory) }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        let later = calendar.component(.weekday, from: Date().addingTimeInterval(2 * 86_400))
        let day = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"][later - 1]
        let config = directory.appendingPathComponent("shipcheck.yml")
        let text = try String(contentsOf: config, encoding: .utf8)
        try text.replacingOccurrences(
            of: "deployment-log:",
            with: "windows:\n  - { name: never, days: \"\(day)\", hours: \"00:00-24:00\" }\ndeployment-log:"
        ).write(to: config, atomically: true, encoding: .utf8)
        let refused = try Self.deploy("v1.0.0", in: directory)
        #expect(refused.status == 1, "\(refused.stdout)\(refused.stderr)")
        #expect(
            refused.stderr.contains("the deploy may not start now:") && refused.stderr.contains("window"),
            "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("state").path))
        let history = try CLI.run(["history", "--outcome", "refused"], in: directory)
        #expect(history.stdout.contains("window"), "\(history.stdout)")
    }

    @Test func webhooksHearTheDeployAndItsRollbackSignedAndADeadOneFailsNothing() throws {
        let directory = try Self.demo()
        defer { Self.stop(directory) }
        let log = directory.appendingPathComponent("received.jsonl")
        let daemon = try CLI.startDaemon(
            python: NotifyCLITests.receiver, arguments: ["hook-secret-2", log.path], in: directory)
        defer { daemon.stop() }
        let dead = try CLI.startDaemon(python: NotifyCLITests.receiver, arguments: ["x", "/dev/null"], in: directory)
        dead.stop()
        let config = directory.appendingPathComponent("shipcheck.yml")
        let text = try String(contentsOf: config, encoding: .utf8)
        try text.replacingOccurrences(
            of: "deployment-log:",
            with: """
                notify:
                  - { webhook: "http://127.0.0.1:\(daemon.port)/events", secret: "${{ env.HOOK_SECRET }}" }
                  - { webhook: "http://127.0.0.1:\(dead.port)/gone", secret: x }
                deployment-log:
                """
        ).write(to: config, atomically: true, encoding: .utf8)
        let environment = ["HOOK_SECRET": "hook-secret-2", "SHIPCHECK_NOTIFY_TIMEOUT": "1"]
        let good = try CLI.run(
            ["deploy", "--env", "demo", "--version", "v1.0.0"], in: directory, environment: environment)
        #expect(good.status == 0, "a dead receiver fails nothing: \(good.stdout)\(good.stderr)")
        let bad = try CLI.run(
            ["deploy", "--env", "demo", "--version", "v1.2.0-errors"], in: directory, environment: environment)
        #expect(bad.status == 1, "\(bad.stdout)\(bad.stderr)")
        let received = try String(contentsOf: log, encoding: .utf8).split(separator: "\n").compactMap {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(received.allSatisfy { $0["valid"] as? Bool == true }, "every signature holds: \(received)")
        let events = received.compactMap { ($0["body"] as? [String: Any])?["event"] as? String }
        #expect(
            events == ["deploy-started", "deploy-finished", "deploy-started", "rollback-started", "rollback-finished"],
            "\(events)")
    }

    @Test func aDeployStoppedDuringItsWatchReleasesTheLockAndSaysSo() throws {
        let directory = try Self.demo()
        defer { Self.stop(directory) }
        let started = try CLI.shell(
            "SHIPCHECK_ACTOR=ci@example.com NO_COLOR=1 '\(CLI.binary.path)' deploy --env demo --version v1.0.0 > out.log 2> err.log < /dev/null & echo $!",
            in: directory)
        let pid = try #require(Int32(started.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        let errors = directory.appendingPathComponent("err.log")
        for _ in 0..<300 where !((try? String(contentsOf: errors, encoding: .utf8)) ?? "").contains("▸ watch") {
            usleep(100_000)
        }
        kill(pid, SIGTERM)
        var status: Int32 = 0
        for _ in 0..<300 where kill(pid, 0) == 0 { usleep(100_000) }
        _ = waitpid(pid, &status, WNOHANG)
        let out = try String(contentsOf: directory.appendingPathComponent("out.log"), encoding: .utf8)
        #expect(out.contains("Interrupted — deployment deploy-"), "\(out)")
        let unlock = try CLI.run(["unlock", "--env", "demo"], in: directory)
        #expect(unlock.stdout.contains("is not held"), "the lock was released: \(unlock.stdout)\(unlock.stderr)")
        let listed = try CLI.run(["history", "--deployments"], in: directory)
        #expect(listed.stdout.contains("interrupted"), "\(listed.stdout)")
    }

    @Test func aRollbackByHandReturnsToTheVersionBefore() throws {
        let directory = try Self.demo()
        defer { Self.stop(directory) }
        #expect(try Self.deploy("v1.0.0", in: directory).status == 0)
        #expect(try Self.deploy("v1.1.0", in: directory).status == 0)
        let rollback = try CLI.run(["rollback", "--env", "demo"], in: directory)
        #expect(rollback.status == 1, "\(rollback.stdout)\(rollback.stderr)")
        #expect(rollback.stdout.contains("Rolled back: by hand"), "\(rollback.stdout)")
        #expect(rollback.stderr.contains("the service answers as before the deploy"), "\(rollback.stderr)")
        #expect(try Self.live(directory) == "v1.0.0")
        let listed = try CLI.run(["history", "--deployments"], in: directory)
        #expect(listed.stdout.contains("by hand: by hand"), "\(listed.stdout)")
        // The ticked checklist of each deployment sits beside the log.
        let ticked = try FileManager.default.contentsOfDirectory(
            atPath: directory.appendingPathComponent("state/deployments").path)
        #expect(ticked.count == 3, "\(ticked)")
    }

    @Test func repeatedAutomaticRollbacksFreezeTheEnvironment() throws {
        let directory = try Self.demo()
        defer { Self.stop(directory) }
        let config = directory.appendingPathComponent("shipcheck.yml")
        let text = try String(contentsOf: config, encoding: .utf8)
        try text.replacingOccurrences(of: "  confidence: 95%", with: "  confidence: 95%\n  freeze-after: 2")
            .replacingOccurrences(
                of: "  demo: { description: The service on 127.0.0.1:18431 }",
                with: "  demo: { bypass: [ops] }\nroles: { ops: [olga@example.com] }"
            ).write(to: config, atomically: true, encoding: .utf8)
        #expect(try Self.deploy("v1.0.0", in: directory).status == 0)
        #expect(try Self.deploy("v1.2.0-errors", in: directory).status == 1)
        let second = try Self.deploy("v1.2.0-errors", in: directory)
        #expect(second.status == 1)
        #expect(second.stderr.contains("demo is frozen: 2 automatic rollbacks in a row"), "\(second.stderr)")
        let refused = try Self.deploy("v1.1.0", in: directory)
        #expect(refused.status == 1 && refused.stderr.contains("freeze"), "\(refused.stderr)")
        let unfrozen = try CLI.run(
            ["unfreeze", "--env", "demo", "--actor", "olga@example.com"],
            in: directory)
        #expect(unfrozen.status == 0, "\(unfrozen.stdout)\(unfrozen.stderr)")
        #expect(try Self.deploy("v1.1.0", in: directory).status == 0)
    }
}
