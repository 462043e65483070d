import Foundation
import Testing

/// `recorded:` through the binary and a real SQLite store: a production gate passes only when the
/// staging deploy of the same commit passed the item it names.
@Suite struct RecordedCLITests {
    static let config = """
        version: 1
        environments: { staging: { skip: [migration-tested-in-staging] }, production: {} }
        phases:
          pre-deploy:
            items:
              - id: migration-tested-in-staging
                title: Migration tested in staging
                recorded: { item: test-new-schema, env: staging, phase: deploy }
              - { id: lint, title: Lint, run: "true" }
          deploy:
            items:
              - id: test-new-schema
                title: Test application with new schema
                run: "test -f schema-ok"
        """

    @Test func aProductionGateReadsTheStagingDeployOfTheSameCommit() throws {
        let directory = try CLI.temporaryDirectory(with: Self.config)
        func commit(_ message: String) throws {
            let done = try CLI.commit(message, in: directory)
            #expect(done.status == 0, "\(done.stderr)")
        }
        #expect(try CLI.shell("git init -q", in: directory).status == 0)
        try commit("first")
        let production = ["run", "pre-deploy", "--env", "production"]

        // Nothing recorded in staging yet: a fail that says what it looked for.
        let before = try CLI.run(production, in: directory)
        #expect(before.status == 1, "\(before.stdout)\(before.stderr)")
        #expect(before.stdout.contains("recorded.passed"), "\(before.stdout)")

        // A deploy starts only after its own pre-deploy gate passed for the commit.
        let ungated = try CLI.run(["run", "deploy", "--env", "staging"], in: directory)
        #expect(
            ungated.status == 1 && ungated.stderr.contains("gate: no whole pre-deploy gate of commit"),
            "\(ungated.stderr)")
        #expect(try CLI.run(["run", "pre-deploy", "--env", "staging"], in: directory).status == 0)
        // Staging's migration test fails, then passes: the newest result counts.
        #expect(try CLI.run(["run", "deploy", "--env", "staging"], in: directory).status == 1)
        #expect(try CLI.run(production, in: directory).status == 1)
        try "".write(to: directory.appendingPathComponent("schema-ok"), atomically: true, encoding: .utf8)
        let staged = try CLI.run(["run", "deploy", "--env", "staging"], in: directory)
        #expect(staged.status == 0, "\(staged.stdout)\(staged.stderr)")
        let after = try CLI.run(production, in: directory)
        #expect(after.status == 0, "\(after.stdout)\(after.stderr)")

        // A new commit was never tested in staging.
        try commit("second")
        #expect(try CLI.run(production, in: directory).status == 1)

        // Without the store there is nothing to read: could not evaluate, never a pass.
        let unrecorded = try CLI.run(production + ["--no-store"], in: directory)
        #expect(unrecorded.status == 2, "\(unrecorded.stdout)\(unrecorded.stderr)")
        #expect(unrecorded.stdout.contains("reads the run store"), "\(unrecorded.stdout)")
    }
}
