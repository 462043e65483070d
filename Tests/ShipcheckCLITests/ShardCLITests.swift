import Foundation
import ShipcheckTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// One gate split across three processes on PostgreSQL gives the verdict of the unsplit run; a
/// shard killed in the middle is reported missing, and the verdict exits 2.
@Suite struct ShardCLITests {
    /// Every item sleeps while the file `slow` exists, so that whichever items the plan gives
    /// shard 2, it is still running when it is killed.
    static func gate(marker: String) -> String {
        let slow = "if [ -f slow ]; then sleep 60; fi; : \(marker)"
        return """
            version: 1
            phases:
              pre-deploy:
                items:
                  - { id: build, title: Build, run: "echo build; \(slow)" }
                  - { id: unit, title: Unit tests, needs: [build], run: "echo unit; \(slow)" }
                  - { id: lint, title: Lint, run: "echo lint; \(slow)" }
                  - { id: types, title: Types, run: "\(slow); echo types >&2; exit 1" }
                  - { id: docs, title: Docs, run: "echo docs; \(slow)" }
                  - { id: audit, title: Audit, run: "echo audit; \(slow)", severity: warn }
            """
    }

    static func outcomes(_ json: String) throws -> [String: String] {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let items = try #require(object["items"] as? [[String: Any]])
        return Dictionary(
            uniqueKeysWithValues: items.map { ($0["id"] as? String ?? "", $0["outcome"] as? String ?? "") })
    }

    @Test func aSplitGateGivesTheUnsplitVerdictAndAKilledShardIsMissing() throws {
        guard let base = Services.url("POSTGRES") else { return }
        let store = Services.storeURL(base) + "?schema=shard_\(UUID().uuidString.prefix(8).lowercased())"
        let marker = "shipcheck-shard-\(UUID().uuidString.prefix(8))"
        let directory = try CLI.temporaryDirectory(with: Self.gate(marker: marker))
        defer { _ = try? CLI.shell("pkill -9 -f \(marker)", in: directory) }

        let unsplit = try CLI.run(
            ["run", "--store", store, "--format", "json", "--output-dir", "whole"], in: directory)
        #expect(unsplit.status == 1, "\(unsplit.stderr)")
        let expected = try Self.outcomes(
            String(contentsOf: directory.appendingPathComponent("whole/shipcheck.json"), encoding: .utf8))

        // Three runners at once.
        let binary = CLI.binary.path
        let shards = try CLI.shell(
            """
            export NO_COLOR=1 SHIPCHECK_ACTOR=ci@example.com
            for shard in 1/3 2/3 3/3; do '\(binary)' run --store '\(store)' --group g1 --shard $shard > "out-${shard%/*}.log" 2>&1 & done
            wait
            cat out-*.log
            """, in: directory)
        #expect(shards.stdout.contains("group g1, shard 1/3") && shards.stdout.contains("group g1, shard 3/3"))
        let verdict = try CLI.run(
            ["verdict", "--group", "g1", "--store", store, "--format", "json", "--output-dir", "split"], in: directory)
        #expect(verdict.status == 1, "\(verdict.stdout)\(verdict.stderr)")
        let split = try Self.outcomes(
            String(contentsOf: directory.appendingPathComponent("split/shipcheck.json"), encoding: .utf8))
        #expect(split == expected)
        #expect(split.count == 6)
        // `unit` needs `build`: they ran in one shard, so `unit` was not skipped for want of it.
        #expect(split["unit"] == "pass")

        // Shards 1 and 3 finish; shard 2 is killed with SIGKILL in the middle of its items.
        for shard in ["1/3", "3/3"] {
            _ = try CLI.run(["run", "--store", store, "--group", "g2", "--shard", shard], in: directory)
        }
        try Data().write(to: directory.appendingPathComponent("slow"))
        let started = try CLI.shell(
            "NO_COLOR=1 SHIPCHECK_ACTOR=ci@example.com '\(binary)' run --store '\(store)' --group g2 --shard 2/3 > killed.log 2>&1 < /dev/null & echo $!",
            in: directory)
        let pid = try #require(Int32(started.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, liveProcesses(containing: marker).isEmpty { usleep(20_000) }
        #expect(kill(pid, SIGKILL) == 0)
        usleep(200_000)
        _ = try CLI.shell("pkill -9 -f \(marker)", in: directory)
        let missing = try CLI.run(["verdict", "--group", "g2", "--store", store], in: directory)
        #expect(missing.status == 2, "\(missing.stdout)\(missing.stderr)")
        #expect(missing.stderr.contains("missing: shard 2/3 (run "), "\(missing.stderr)")
        #expect(missing.stderr.contains("died before it finished"))
        #expect(missing.stdout.contains("missing: shard 2/3"))

        // The killed shard resumed stays in its group, and the gate is whole again.
        try FileManager.default.removeItem(at: directory.appendingPathComponent("slow"))
        let interrupted = try CLI.run(
            ["history", "--group", "g2", "--outcome", "interrupted", "--format", "json", "--store", store],
            in: directory)
        let runs = try #require(
            try JSONSerialization.jsonObject(with: Data(interrupted.stdout.utf8)) as? [[String: Any]])
        let killedRun = try #require(runs.first?["runID"] as? String, "\(interrupted.stdout)\(interrupted.stderr)")
        #expect(try CLI.run(["run", "--resume", killedRun, "--store", store], in: directory).status != 64)
        let whole = try CLI.run(
            ["verdict", "--group", "g2", "--store", store, "--format", "json", "--output-dir", "g2"], in: directory)
        #expect(whole.status == 1, "\(whole.stdout)\(whole.stderr)")
        #expect(!whole.stderr.contains("missing"))
        #expect(
            try Self.outcomes(
                String(contentsOf: directory.appendingPathComponent("g2/shipcheck.json"), encoding: .utf8))
                == expected)
        // Each merged verdict is recorded and audited; the newest is read back by the group's name.
        let shown = try CLI.run(["show", "g2", "--format", "json", "--store", store], in: directory)
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(try Self.outcomes(shown.stdout) == expected)
        let audit = try CLI.run(["audit", "export", "--store", store], in: directory)
        #expect(audit.stdout.components(separatedBy: "\"kind\":\"record-group-verdict\"").count - 1 == 3)

        let unknown = try CLI.run(["verdict", "--group", "nobody", "--store", store], in: directory)
        #expect(unknown.status == 2 && unknown.stderr.contains("no shard of group `nobody` has started"))
        let mismatched = try CLI.run(["run", "--store", store, "--group", "g1", "--shard", "1/2"], in: directory)
        #expect(
            mismatched.status == 64 && mismatched.stderr.contains("group g1 was planned as 3 shards"),
            "\(mismatched.stderr)")
    }
}
