import Foundation
import ShipcheckCore
import ShipcheckTestSupport
import Testing

@testable import ShipcheckChecks

/// `${{ vars.NAME }}` and `${{ env.NAME }}` mean the same in every string parameter of every kind:
/// each is a template expanded at run time by `CheckContext.expand`, except a few fixed
/// vocabularies, where the loader refuses a reference instead of passing it on literally.
@Suite(.serialized) struct VariableExpansionTests {
    /// Parameters whose values come from a fixed vocabulary (or are patterns over output), by kind.
    static let fixedValues: Set<String> = [
        "run.shell", "run.capture", "http.method", "http.ok-status", "headers.method", "cors.method",
        "rate-limit.method",
        "prometheus.aggregate", "dns.type", "recorded.item", "recorded.phase", "recorded.commit",
        "backup-postgres.key-env", "restore-postgres.key-env",
    ]

    /// Every string-valued leaf of every kind's parameters, as `kind.parameter`.
    static func stringLeaves() -> [String] {
        var leaves: [String] = []
        func walk(_ type: ParameterType, _ path: String, _ kind: String) {
            switch type {
            case .string: leaves.append(kind + "." + path)
            case .list(let element), .map(let element): walk(element, path, kind)
            case .oneOf(let types): for type in types { walk(type, path, kind) }
            case .object(let parameters), .probe(let parameters):
                for parameter in parameters { walk(parameter.type, parameter.name, kind) }
            default: break
            }
        }
        for kind in CheckKinds.all {
            for parameter in kind.parameters { walk(parameter.type, parameter.name, kind.key) }
        }
        return leaves
    }

    @Test func everyStringParameterIsATemplateOrAFixedVocabulary() {
        let leaves = Set(Self.stringLeaves())
        #expect(
            leaves.subtracting(Self.fixedValues).isEmpty,
            "not templates: \(leaves.subtracting(Self.fixedValues).sorted())")
    }

    @Test func aReferenceInAFixedValueIsRefusedWhereItStands() {
        let problems = Harness.problems(
            """
            version: 1
            vars: { M: GET }
            phases:
              pre-deploy:
                items:
                  - { id: h, title: H, http: { url: "http://127.0.0.1:9/", method: "${{ vars.M }}" } }
                  - { id: c, title: C, run: echo hi, shell: "${{ vars.M }}" }
            """)
        #expect(problems.contains("test.yml:6:"), "\(problems)")
        #expect(problems.contains("`phases.pre-deploy.items[0].http.method` takes a fixed value"), "\(problems)")
        #expect(problems.contains("`phases.pre-deploy.items[1].shell` takes a fixed value"), "\(problems)")
    }

    @Test func corsAllowedOriginsAreExpanded() async throws {
        let base = try await TestServer.shared.start()
        let run = try await Harness.run(
            items: """
                - { id: cors, title: C, cors: { url: "${{ vars.BASE_URL }}/cors-good", allowed-origins: ["${{ vars.APP_ORIGIN }}", "${{ env.ADMIN_ORIGIN }}"] } }
                """, environment: ["ADMIN_ORIGIN": "https://admin.example.org"],
            vars: "{ BASE_URL: \"\(base)\", APP_ORIGIN: \"https://app.example.org\" }")
        #expect(run["cors"]?.outcome == .pass, "\(run["cors"]?.reason ?? "")")
    }

    @Test func repositoryKindsExpandEveryParameter() async throws {
        let directory = try Harness.temporaryDirectory()
        let files = [
            "docs/RUNBOOK.md": "alert: HighErrorRate\n",
            ".env.example": "DATABASE_URL=\n",
            "fixtures/keys.py": "token = \"ghp_" + String(repeating: "a1B2", count: 9) + "\"\n",
            "src/app.py": "print('hi')\n",
            "CHANGELOG.md": "# Changelog\n\n## [1.2.3] - 2026-11-30\n- Fixed\n",
        ]
        for (path, text) in files {
            let url = directory.appendingPathComponent(path)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        // The runbook is newer than the code it documents.
        let past = Date().addingTimeInterval(-3600)
        try FileManager.default.setAttributes(
            [.modificationDate: past], ofItemAtPath: directory.appendingPathComponent("src/app.py").path)
        let git = Process()
        git.executableURL = URL(fileURLWithPath: "/bin/sh")
        git.arguments = [
            "-c",
            "git init -q -b release/7 && git add -A && git -c user.email=t@example.org -c user.name=T commit -qm i",
        ]
        git.currentDirectoryURL = directory
        try git.run()
        git.waitUntilExit()
        let run = try await Harness.run(
            items: """
                - { id: file, title: F, file: { path: "${{ vars.DOCS }}/RUNBOOK.md", contains: "${{ vars.ALERT }}", newer-than: ["${{ vars.SRC }}/**"] } }
                - { id: git, title: G, git: { branch: "release/${{ vars.TRAIN }}" } }
                - { id: git-list, title: G, git: { branch: ["main", "${{ env.RELEASE_BRANCH }}"] } }
                - { id: secrets, title: S, secrets: { paths: ["${{ vars.SRC }}", "${{ vars.FIXTURES }}"], exclude: ["${{ vars.FIXTURES }}/**"] } }
                - { id: env, title: E, env-parity: { names: ["${{ vars.REQUIRED }}"] } }
                - { id: changelog, title: C, changelog: { version: "${{ vars.VERSION }}" } }
                """, in: directory, environment: ["RELEASE_BRANCH": "release/7", "MINA_REQUIRED_SET": "yes"],
            vars: """
                { DOCS: docs, ALERT: HighErrorRate, SRC: src, TRAIN: "7", FIXTURES: fixtures, REQUIRED: MINA_REQUIRED_SET, VERSION: 1.2.3 }
                """)
        for id in ["file", "git", "git-list", "secrets", "env", "changelog"] {
            #expect(run[id]?.outcome == .pass, "\(id): \(run[id]?.reason ?? "")")
        }
        #expect(run["file"]?.facts["file.matches"] == .bool(true))
        #expect(run["secrets"]?.facts["findings.total"] == .number(0), "the excluded fixture is not scanned")
        #expect(run["env"]?.facts["env.expected"] == .number(1))
    }

    @Test func postgresQueryIsExpanded() async throws {
        guard let url = Services.url("POSTGRES") else { return }
        let run = try await Harness.run(
            items: """
                - { id: pg, title: P, postgres: { url: "${{ vars.PG }}", query: "SELECT '${{ vars.REVISION }}' AS version_num" }, expect: row.version_num == "abc123" }
                """, vars: "{ PG: \"\(url)\", REVISION: abc123 }")
        #expect(run["pg"]?.outcome == .pass, "\(run["pg"]?.reason ?? "")")
    }
}
