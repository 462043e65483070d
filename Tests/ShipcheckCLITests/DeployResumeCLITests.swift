import Foundation
import ShipcheckTestSupport
import Testing

/// A deploy killed outright (kill -9) in its deploy phase: `--resume` takes the dead holder's lock
/// over after its lease (an audit event), keeps what finished, asks before running again an action
/// that may have been cut off, and completes the deployment.
@Suite struct DeployResumeCLITests {
    static func config(marker: String, idempotent: Bool) -> String {
        """
        version: 1
        environments: { production: {} }
        phases:
          pre-deploy:
            items:
              - { id: ready, title: Ready, run: "true" }
          deploy:
            items:
              - { id: first, title: First, action: true, run: "echo first >> done.txt" }
              - id: second
                title: Second
                action: true
                idempotent: \(idempotent)
                needs: [first]
                run: "if [ -f hold ]; then sleep 60; fi; echo second >> done.txt # \(marker)"
              - { id: third, title: Third, needs: [second], run: "echo third >> done.txt" }
        """
    }

    static func killedHalfway(idempotent: Bool) throws -> (URL, String) {
        let marker = "shipcheck-resume-\(UUID().uuidString.prefix(8))"
        let directory = try CLI.temporaryDirectory(with: config(marker: marker, idempotent: idempotent))
        #expect(try CLI.shell("git init -q && touch hold", in: directory).status == 0)
        #expect(try CLI.commit("first", in: directory).status == 0)
        let started = try CLI.shell(
            "SHIPCHECK_ACTOR=ci@example.com SHIPCHECK_LOCK_LEASE=2 NO_COLOR=1 '\(CLI.binary.path)' deploy --env production --version v2 > killed.log 2>&1 < /dev/null & echo $!",
            in: directory)
        let pid = try #require(Int32(started.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        let done = directory.appendingPathComponent("done.txt")
        for _ in 0..<300 where !((try? String(contentsOf: done, encoding: .utf8)) ?? "").contains("first") {
            usleep(100_000)
        }
        usleep(300_000)
        kill(pid, SIGKILL)
        _ = try CLI.shell("pkill -9 -f '[s]\(marker.dropFirst())'", in: directory)
        try FileManager.default.removeItem(at: directory.appendingPathComponent("hold"))
        let log = try String(contentsOf: directory.appendingPathComponent("killed.log"), encoding: .utf8)
        let id = try #require(
            log.split(separator: "\n").first { $0.hasPrefix("deployment deploy-") }?.split(separator: " ").dropFirst()
                .first
                .map(String.init), "\(log)")
        return (directory, id)
    }

    @Test func aKilledDeployIsResumedAfterItsLeaseAndAsksBeforeRunningACutOffActionAgain() throws {
        let (directory, id) = try Self.killedHalfway(idempotent: false)
        let lease = ["SHIPCHECK_LOCK_LEASE": "2"]
        usleep(2_600_000)
        // A unique start of the id names it, as `latest` names the newest.
        let unknown = try CLI.run(["deploy", "--resume", "nothing-like-it"], in: directory, environment: lease)
        #expect(unknown.status == 64 && unknown.stderr.contains("`latest` is the newest"), "\(unknown.stderr)")
        let refused = try CLI.run(
            ["deploy", "--resume", String(id.prefix(id.count - 4))], in: directory, environment: lease)
        #expect(refused.status == 1, "\(refused.stdout)\(refused.stderr)")
        #expect(refused.stderr.contains("`second` (Second) may have been cut off halfway"), "\(refused.stderr)")
        let resumed = try CLI.run(["deploy", "--resume", "latest", "--rerun"], in: directory, environment: lease)
        #expect(resumed.status == 0, "\(resumed.stdout)\(resumed.stderr)")
        #expect(
            resumed.stderr.contains("took over the deploy lock of production from ci@example.com"), "\(resumed.stderr)")
        let done = try String(contentsOf: directory.appendingPathComponent("done.txt"), encoding: .utf8)
        #expect(done == "first\nsecond\nthird\n", "what finished before the kill is kept, not run again: \(done)")
        // Nothing recorded before the kill is lost: the gate and the deploy run, one deployment.
        let shown = try CLI.run(["show", id], in: directory)
        #expect(shown.stdout.contains("deployment \(id): deployed"), "\(shown.stdout)")
        #expect(shown.stdout.contains("gate") && shown.stdout.contains("resumed by ci@example.com"), "\(shown.stdout)")
        let audit = try CLI.run(["audit", "export"], in: directory)
        #expect(audit.stdout.contains("\"record-lock-takeover\""))
        #expect(try CLI.run(["audit", "verify"], in: directory).status == 0)
    }

    @Test func anIdempotentActionRunsAgainWithoutAsking() throws {
        let (directory, id) = try Self.killedHalfway(idempotent: true)
        let lease = ["SHIPCHECK_LOCK_LEASE": "2"]
        let early = try CLI.run(["deploy", "--resume", id], in: directory, environment: lease)
        #expect(early.status == 1 && early.stderr.contains("is held by"), "its lease has not run out: \(early.stderr)")
        usleep(2_600_000)
        let resumed = try CLI.run(["deploy", "--resume", id], in: directory, environment: lease)
        #expect(resumed.status == 0, "\(resumed.stdout)\(resumed.stderr)")
        let again = try CLI.run(["deploy", "--resume", id], in: directory, environment: lease)
        #expect(again.status == 64 && again.stderr.contains("ended (deployed)"), "\(again.stderr)")
    }
}
