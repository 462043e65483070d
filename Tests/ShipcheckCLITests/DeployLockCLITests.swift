import Foundation
import ShipcheckTestSupport
import Testing

/// The deploy lock through the binary: twenty deploys to one environment at once, on SQLite and on
/// PostgreSQL, and exactly one runs while the others are refused naming the holder; a holder killed
/// outright is taken over after its lease; a lock held by hand is ended by its owner or by force.
@Suite struct DeployLockCLITests {
    static func config(marker: String) -> String {
        """
        version: 1
        roles: { cto: [frank@example.com], engineer: [erin@example.com] }
        environments: { production: { bypass: [cto] } }
        phases:
          deploy:
            items:
              - { id: ship, title: Ship, run: "echo shipped >> shipped.txt; sleep 2 # \(marker)" }
          rollback:
            items:
              - { id: revert, title: Revert, run: "echo reverted >> reverted.txt" }
        """
    }

    static func shippedCount(_ directory: URL) -> Int {
        let text = (try? String(contentsOf: directory.appendingPathComponent("shipped.txt"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").count
    }

    /// `command` is `run deploy` (the deploy phase alone) or `deploy` (the whole pipeline).
    static func race(store: String?, command: String = "run deploy") throws {
        let marker = "shipcheck-lock-\(UUID().uuidString.prefix(8))"
        // The deploy that runs holds the lock until the other 19 were refused (at most a minute), so
        // that a process the machine started late does not find the lock already released.
        let holding =
            "for i in $(seq 600); do [ $(grep -l 'is held by' out-*.log 2>/dev/null | wc -l) -ge 19 ] && break; sleep 0.1; done"
        let directory = try CLI.temporaryDirectory(
            with: config(marker: marker).replacingOccurrences(of: "sleep 2", with: holding))
        defer { _ = try? CLI.shell("pkill -9 -f \(marker)", in: directory) }
        let storeOption = store.map { "--store '\($0)'" } ?? ""
        let raced = try CLI.shell(
            """
            for i in $(seq 1 20); do NO_COLOR=1 SHIPCHECK_ACTOR=deployer-$i@example.com '\(CLI.binary.path)' \(command) \
              --env production \(storeOption) > out-$i.log 2>&1 & done; wait
            """, in: directory)
        #expect(raced.status == 0, "\(raced.stderr)")
        #expect(shippedCount(directory) == 1, "exactly one deploy ran")
        var refused = 0
        var others: [String] = []
        for index in 1...20 {
            let log = try String(contentsOf: directory.appendingPathComponent("out-\(index).log"), encoding: .utf8)
            if log.contains("the deploy lock of production is held by deployer-") {
                refused += 1
            } else {
                others.append(String(log.suffix(600)))
            }
        }
        #expect(refused == 19, "the others were refused naming the holder; the rest said: \(others)")
        let refusals = try CLI.run(
            ["history", "--outcome", "refused"] + (store.map { ["--store", $0] } ?? []), in: directory)
        #expect(refusals.stdout.components(separatedBy: "  lock").count - 1 == 19, "\(refusals.stdout)")
    }

    @Test func twentyDeploysAtOnceOnSQLiteRunOnce() throws {
        try Self.race(store: nil)
    }

    @Test func twentyPipelinesAtOnceOnSQLiteRunOnce() throws {
        try Self.race(store: nil, command: "deploy")
    }

    @Test func twentyPipelinesAtOnceOnPostgreSQLRunOnce() throws {
        guard let base = Services.url("POSTGRES") else { return }
        try Self.race(
            store: Services.storeURL(base) + "?schema=pipe_\(UUID().uuidString.prefix(8).lowercased())",
            command: "deploy")
    }

    @Test func twentyDeploysAtOnceOnPostgreSQLRunOnce() throws {
        guard let base = Services.url("POSTGRES") else { return }
        try Self.race(store: Services.storeURL(base) + "?schema=lock_\(UUID().uuidString.prefix(8).lowercased())")
    }

    @Test func aKilledHolderIsTakenOverAfterItsLease() throws {
        let marker = "shipcheck-stale-\(UUID().uuidString.prefix(8))"
        // The first deploy hangs in its item (while `hold` exists), the next one does not.
        let directory = try CLI.temporaryDirectory(
            with: Self.config(marker: marker).replacingOccurrences(
                of: "sleep 2", with: "if [ -f hold ]; then sleep 60; fi"))
        try "".write(to: directory.appendingPathComponent("hold"), atomically: true, encoding: .utf8)
        defer { _ = try? CLI.shell("pkill -9 -f \(marker)", in: directory) }
        let lease = ["SHIPCHECK_LOCK_LEASE": "2"]
        let started = try CLI.shell(
            "SHIPCHECK_ACTOR=ci@example.com SHIPCHECK_LOCK_LEASE=2 NO_COLOR=1 '\(CLI.binary.path)' run deploy --env production > killed.log 2>&1 < /dev/null & echo $!",
            in: directory)
        let pid = try #require(Int32(started.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        // Wait until the deploy holds the lock and runs its item, then kill it outright.
        for _ in 0..<300 where Self.shippedCount(directory) == 0 { usleep(100_000) }
        #expect(Self.shippedCount(directory) == 1)
        let held = try CLI.run(["run", "deploy", "--env", "production"], in: directory, environment: lease)
        #expect(held.status == 1 && held.stderr.contains("the deploy lock of production is held by"), "\(held.stderr)")
        kill(pid, SIGKILL)
        try FileManager.default.removeItem(at: directory.appendingPathComponent("hold"))
        // `[s]` keeps pkill's own shell (whose command line holds the pattern) out of its matches.
        _ = try CLI.shell("pkill -9 -f '[s]\(marker.dropFirst())'", in: directory)
        usleep(2_600_000)
        let taken = try CLI.run(["run", "deploy", "--env", "production"], in: directory, environment: lease)
        #expect(taken.status == 0, "\(taken.stdout)\(taken.stderr)")
        #expect(taken.stderr.contains("took over the deploy lock of production from ci@example.com"), "\(taken.stderr)")
        let audit = try CLI.run(["audit", "export"], in: directory)
        #expect(audit.stdout.contains("\"record-lock-takeover\""), "the takeover is in the audit chain")
        #expect(try CLI.run(["audit", "verify"], in: directory).status == 0)
    }

    @Test func aLockHeldByHandIsEndedByItsOwnerOrByForce() throws {
        let directory = try CLI.temporaryDirectory(with: Self.config(marker: "by-hand"))
        let locked = try CLI.run(
            [
                "lock", "--env", "production", "--for", "1h", "--reason", "database maintenance", "--actor",
                "erin@example.com",
            ],
            in: directory)
        #expect(locked.status == 0, "\(locked.stderr)")
        let plan = try CLI.run(["plan", "--env", "production"], in: directory)
        #expect(
            plan.status == 1
                && plan.stdout.contains("✗ lock: the deploy lock of production is held by erin@example.com"))
        let deploy = try CLI.run(["run", "deploy", "--env", "production"], in: directory)
        #expect(deploy.status == 1 && deploy.stderr.contains("database maintenance"), "\(deploy.stderr)")
        #expect(Self.shippedCount(directory) == 0)

        // A rollback takes the same lock: it does not run beside a deploy or another rollback.
        let rollback = try CLI.run(["run", "rollback", "--env", "production"], in: directory)
        #expect(
            rollback.status == 1 && rollback.stderr.contains("the rollback may not start now:"), "\(rollback.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("reverted.txt").path))

        let notOwner = try CLI.run(["unlock", "--env", "production"], in: directory)
        #expect(notOwner.status == 1 && notOwner.stderr.contains("only its owner ends it"), "\(notOwner.stderr)")
        let noRole = try CLI.run(["unlock", "--env", "production", "--force"], in: directory)
        #expect(noRole.status == 1 && noRole.stderr.contains("it needs the role `cto`"), "\(noRole.stderr)")
        let forced = try CLI.run(
            ["unlock", "--env", "production", "--force", "--actor", "frank@example.com"], in: directory)
        #expect(forced.status == 0 && forced.stdout.contains("held by erin@example.com"), "\(forced.stdout)")
        #expect(try CLI.run(["run", "deploy", "--env", "production"], in: directory).status == 0)
        #expect(Self.shippedCount(directory) == 1)
        // A deploy releases the lock it took; so does a rollback.
        #expect(try CLI.run(["unlock", "--env", "production"], in: directory).stdout.contains("is not held"))
        #expect(try CLI.run(["run", "rollback", "--env", "production"], in: directory).status == 0)
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("reverted.txt").path))
        #expect(try CLI.run(["unlock", "--env", "production"], in: directory).stdout.contains("is not held"))
    }
}
