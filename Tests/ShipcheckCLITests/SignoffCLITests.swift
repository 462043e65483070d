import Foundation
import Testing

/// Sign-offs through the binary and the SQLite store: recorded by people of the right role, picked
/// up by later runs of the same environment and commit, distinct people counted once each.
@Suite struct SignoffCLITests {
    @Test func storedSignoffsCountForTheSameCommit() throws {
        let directory = try CLI.temporaryDirectory(
            with: """
                version: 1
                roles: { reviewer: [alice@example.com, bob@example.com, dave@example.com] }
                environments: { production: {} }
                phases:
                  pre-deploy:
                    items:
                      - id: pr-approved
                        title: PR approved by at least 2 reviewers
                        manual: true
                        signoffs: { count: 2, distinct: true, role: reviewer }
                """)
        func commit(_ message: String) throws {
            let done = try CLI.commit(message, in: directory)
            #expect(done.status == 0, "\(done.stderr)")
        }
        #expect(try CLI.shell("git init -q", in: directory).status == 0)
        try commit("first")
        func signoff(_ actor: String) throws -> CLI.Output {
            try CLI.run(
                ["signoff", "pr-approved", "--env", "production", "--note", "LGTM", "--actor", actor], in: directory)
        }

        // Reading never creates a store: before anything is recorded, there is none to read.
        let none = try CLI.run(["signoffs", "--env", "production"], in: directory)
        #expect(none.status == 2 && none.stderr.contains("no store there"), "\(none.stderr)")
        let refused = try signoff("erin@example.com")
        #expect(refused.status == 1 && refused.stderr.contains("needs the role `reviewer`"), "\(refused.stderr)")
        #expect(
            !FileManager.default.fileExists(atPath: directory.appendingPathComponent(".shipcheck/shipcheck.db").path),
            "a refused sign-off writes nothing")
        #expect(try CLI.run(["run", "--env", "production"], in: directory).status == 1)
        let needed = try CLI.run(["signoffs", "--env", "production"], in: directory)
        #expect(needed.status == 1)
        #expect(
            needed.stdout.contains(
                "? pr-approved — PR approved by at least 2 reviewers: awaiting 2 sign-offs from role reviewer; could give it: alice@example.com, bob@example.com, dave@example.com"
            ), "\(needed.stdout)")

        #expect(try signoff("alice@example.com").status == 0)
        #expect(try signoff("alice@example.com").status == 0, "a second sign-off by the same person is kept")
        let pending = try CLI.run(["run", "--env", "production"], in: directory)
        #expect(pending.status == 1, "\(pending.stdout)")
        #expect(pending.stdout.contains("pending"), "\(pending.stdout)")

        let bob = try signoff("bob@example.com")
        #expect(bob.status == 0)
        #expect(bob.stdout.contains("by bob@example.com (--actor) as reviewer"), "\(bob.stdout)")
        let passed = try CLI.run(
            ["run", "--env", "production", "--format", "json", "--output-dir", "out"], in: directory)
        #expect(passed.status == 0, "\(passed.stdout)\(passed.stderr)")
        let report = try String(
            contentsOf: directory.appendingPathComponent("out/shipcheck.json"), encoding: .utf8)
        #expect(report.contains("bob@example.com") && report.contains("LGTM"), "\(report)")
        #expect(report.contains("\"role\"") && report.contains("\"via\""), "who signed in which role, and how known")
        let done = try CLI.run(["signoffs", "--env", "production"], in: directory)
        #expect(done.status == 0 && done.stdout.contains("✓ pr-approved"), "\(done.stdout)")
        #expect(
            done.stdout.contains(
                "signed off by alice@example.com (claimed with --actor), bob@example.com (claimed with --actor)"),
            "\(done.stdout)")

        // A new commit was approved by nobody yet.
        try commit("second")
        #expect(try CLI.run(["run", "--env", "production"], in: directory).status == 1)
        #expect(try CLI.run(["audit", "verify"], in: directory).status == 0)
    }
}
