import Foundation
import ShipcheckCore
import Testing

@testable import ShipcheckChecks

@Suite struct RepositoryKindsTests {
    static let gitEnvironment: [String: String] = [
        "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_NOSYSTEM": "1",
    ]

    func sh(_ script: String, in directory: URL) async throws {
        var environment = ProcessInfo.processInfo.environment
        environment.merge(Self.gitEnvironment) { _, new in new }
        environment["HOME"] = directory.path
        let outcome = try await ProcessRunner().run(
            arguments: ["/bin/sh", "-c", script], environment: environment,
            workingDirectory: directory.path)
        #expect(outcome.termination == .exited(0), "\(script): \(outcome.stderr.text)")
    }

    /// A clone behind its upstream (a local bare repository: no network), fetched by the check.
    @Test func upToDateCountsBehindAndAheadAfterAFetch() async throws {
        let root = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        try await sh(
            """
            git init -q --bare -b main origin.git
            git clone -q origin.git work 2>/dev/null
            cd work && echo a > a && git add a && git commit -qm a && git push -q origin main
            cd .. && git clone -q origin.git other && cd other && echo b > b && git add b && git commit -qm b && git push -q origin main
            cd ../work && echo c > c && git add c && git commit -qm c
            """, in: root)
        let work = root.appendingPathComponent("work")
        let stale = try await Harness.run(
            items: "- { id: fresh, title: Up to date, git: { up-to-date: true } }", in: work,
            environment: Self.gitEnvironment)
        #expect(
            stale["fresh"]?.outcome == .pass, "without a fetch the clone does not know: \(stale["fresh"]?.reason ?? "")"
        )
        let fetched = try await Harness.run(
            items: "- { id: fresh, title: Up to date, git: { up-to-date: true, fetch: true, since: HEAD~1 } }",
            in: work, environment: Self.gitEnvironment)
        let item = try #require(fetched["fresh"])
        #expect(item.outcome == .fail)
        #expect(item.facts["behind"] == .number(1))
        #expect(item.facts["ahead"] == .number(1))
        #expect(item.facts["upstream"] == .string("origin/main"))
        #expect(item.facts["commits"] == .number(1))
        #expect(item.facts["changed"] == .list([.string("c")]))
        #expect(item.reason == "behind = 1, expected == 0")
    }

    @Test func outsideARepositoryIsAnError() async throws {
        let run = try await Harness.run(items: "- { id: g, title: G, git: { clean: true } }")
        #expect(run["g"]?.outcome == .error)
        #expect(run["g"]?.reason?.contains("is not inside a git repository") == true)
    }

    @Test func changelogVariants() {
        let entries = ChangelogCheck.entries(
            """
            # Changelog
            ## [Unreleased]
            - coming
            ## v2.0.0 (2025-11-01)
            - big
            ### Breaking
            - thing
            # 1.9.0 — October 2, 2025
            ## 1.8.0
            - undated
            """)
        #expect(entries.map(\.version) == [nil, "2.0.0", "1.9.0", "1.8.0"])
        #expect(entries.map(\.date) == [nil, "2025-11-01", "October 2, 2025", nil])
        #expect(entries[1].lines == 3)
    }

    @Test func dotenvParsingAndPlaceholders() {
        let parsed = EnvParityCheck.parse(
            """
            # comment
            export API_URL="https://api.example.org"
            DEBUG=false # inline comment
            EMPTY=
            not a variable line
            """)
        #expect(parsed.map(\.name) == ["API_URL", "DEBUG", "EMPTY"])
        #expect(parsed.map(\.value) == ["https://api.example.org", "false", ""])
        #expect(EnvParityCheck.isPlaceholder(name: "DEBUG", value: "true"))
        #expect(!EnvParityCheck.isPlaceholder(name: "DEBUG", value: "false"))
        #expect(EnvParityCheck.isPlaceholder(name: "STRIPE_KEY", value: "sk_test_123"))
        #expect(EnvParityCheck.isPlaceholder(name: "REDIS_URL", value: "redis://localhost:6379"))
        #expect(EnvParityCheck.isPlaceholder(name: "SECRET_KEY", value: "changeme"))
        #expect(!EnvParityCheck.isPlaceholder(name: "SECRET_KEY", value: "8f3c1e9a7b"))
    }

    @Test func envParityReadsTheProcessEnvironmentByDefault() async throws {
        let directory = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try "SHIPCHECK_TEST_SET=\nSHIPCHECK_TEST_UNSET=\n".write(
            to: directory.appendingPathComponent(".env.example"), atomically: true, encoding: .utf8)
        let run = try await Harness.run(
            items: "- { id: env, title: Env, env-parity: {} }", in: directory,
            environment: ["SHIPCHECK_TEST_SET": "a-real-value-9"])
        let item = try #require(run["env"])
        #expect(item.facts["env.missing.names"] == .list([.string("SHIPCHECK_TEST_UNSET")]))
        // Values are never facts.
        #expect(!JSONReporter().render(run).contains("a-real-value-9"))
    }

    @Test func fileNewerThanTheCodeItDocuments() async throws {
        let directory = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let fm = FileManager.default
        try fm.createDirectory(at: directory.appendingPathComponent("app"), withIntermediateDirectories: true)
        try "code".write(to: directory.appendingPathComponent("app/main.py"), atomically: true, encoding: .utf8)
        try "docs".write(to: directory.appendingPathComponent("RUNBOOK.md"), atomically: true, encoding: .utf8)
        try fm.setAttributes(
            [.modificationDate: Date(timeIntervalSinceNow: -3600)],
            ofItemAtPath: directory.appendingPathComponent("RUNBOOK.md").path)
        let run = try await Harness.run(
            items: "- { id: runbook, title: Runbook, file: { path: RUNBOOK.md, newer-than: [\"app/**\"] } }",
            in: directory)
        #expect(run["runbook"]?.outcome == .fail)
        #expect(run["runbook"]?.facts["file.newest_other"] == .string("app/main.py"))
    }

    @Test func openAPIVersionMustMoveWhenTheAPIChanges() async throws {
        let directory = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        func document(version: String, extraPath: Bool) -> String {
            var text = "openapi: 3.1.0\ninfo: { title: Mina, version: \(version) }\npaths:\n"
            text += "  /health:\n    get:\n      responses:\n        '200': { description: ok }\n"
            if extraPath { text += "  /users:\n    get:\n      responses:\n        '200': { description: ok }\n" }
            return text
        }
        try document(version: "1.0.0", extraPath: false).write(
            to: directory.appendingPathComponent("openapi.yaml"), atomically: true, encoding: .utf8)
        try await sh("git init -q -b main && git add . && git commit -qm v1 && git tag v1", in: directory)
        try document(version: "1.0.0", extraPath: true).write(
            to: directory.appendingPathComponent("openapi.yaml"), atomically: true, encoding: .utf8)
        let item = "- { id: api, title: API, openapi: { path: openapi.yaml, since: v1 } }"
        let unchangedVersion = try await Harness.run(items: item, in: directory, environment: Self.gitEnvironment)
        #expect(unchangedVersion["api"]?.outcome == .fail)
        #expect(unchangedVersion["api"]?.facts["openapi.api_changed"] == .bool(true))
        #expect(unchangedVersion["api"]?.facts["openapi.operations"] == .number(2))
        try document(version: "1.1.0", extraPath: true).write(
            to: directory.appendingPathComponent("openapi.yaml"), atomically: true, encoding: .utf8)
        let bumped = try await Harness.run(items: item, in: directory, environment: Self.gitEnvironment)
        #expect(bumped["api"]?.outcome == .pass, "\(bumped["api"]?.reason ?? "")")
        #expect(bumped["api"]?.facts["openapi.previous_version"] == .string("1.0.0"))
    }
}
