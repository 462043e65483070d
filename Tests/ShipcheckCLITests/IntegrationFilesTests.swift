import Foundation
import ShipcheckTestSupport
import Testing

/// The files that fit Shipcheck into pipelines teams already have: pre-commit hooks, run by real
/// pre-commit against a temporary repository, and the GitHub Action.
@Suite struct IntegrationFilesTests {
    static func preCommitPresent() throws -> Bool {
        try CLI.toolsPresent(
            "pre-commit --version", otherwise: "the pre-commit hook test needs pre-commit (pip install pre-commit)")
    }

    @Test func preCommitRunsTheHooksOnStagedChanges() throws {
        guard try Self.preCommitPresent() else { return }
        let directory = try CLI.temporaryDirectory(
            with: """
                version: 1
                phases:
                  pre-deploy:
                    items:
                      - { id: hello, title: Says hello, run: echo hello }
                """)
        let binDirectory = CLI.binary.deletingLastPathComponent().path
        // The hooks file, committed in a repository of its own (try-repo reads committed and tracked files).
        let hooks = try CLI.temporaryDirectory()
        try FileManager.default.copyItem(
            at: CLI.packageRoot.appendingPathComponent(".pre-commit-hooks.yaml"),
            to: hooks.appendingPathComponent(".pre-commit-hooks.yaml"))
        let hooksRepo = try CLI.shell(
            "git init -q -b main && git add -A && git -c user.email=t@example.org -c user.name=T commit -qm hooks",
            in: hooks)
        #expect(hooksRepo.status == 0, "\(hooksRepo.stderr)")
        let token = "ghp_" + String(repeating: "Qw3rTy9Z", count: 4) + "Lm12"
        // Real pre-commit runs the hooks, with the built binary on PATH.
        func hook(_ id: String) throws -> CLI.Output {
            try CLI.shell(
                "PATH='\(binDirectory)':\"$PATH\" PRE_COMMIT_HOME='\(directory.path)/.pre-commit-home' "
                    + "pre-commit try-repo '\(hooks.path)' \(id) --verbose 2>&1", in: directory)
        }
        let setup = try CLI.shell(
            """
            git init -q -b main && git add -A && git -c user.email=t@example.org -c user.name=T commit -qm init
            printf 'print("hi")\\n' > app.py && git add app.py
            """, in: directory)
        #expect(setup.status == 0, "\(setup.stderr)")
        let clean = try hook("shipcheck-secrets")
        #expect(clean.status == 0, "\(clean.stdout)")

        try "GITHUB_TOKEN = \"\(token)\"\n".write(
            to: directory.appendingPathComponent("settings.py"), atomically: true, encoding: .utf8)
        _ = try CLI.shell("git add settings.py", in: directory)
        let leaked = try hook("shipcheck-secrets")
        #expect(leaked.status != 0, "\(leaked.stdout)")
        #expect(leaked.stdout.contains("github-token"), "\(leaked.stdout)")
        #expect(!leaked.stdout.contains(token), "the secret itself never appears")

        _ = try CLI.shell("git rm -q --cached settings.py && rm settings.py", in: directory)
        try "version: 1\nphases: { pre-deploy: { items: [ { id: x, title: X, rn: echo } ] } }\n"
            .write(to: directory.appendingPathComponent("shipcheck.yml"), atomically: true, encoding: .utf8)
        _ = try CLI.shell("git add shipcheck.yml", in: directory)
        let invalid = try hook("shipcheck-validate")
        #expect(invalid.status != 0, "\(invalid.stdout)")
        #expect(invalid.stdout.contains("did you mean `run`"), "\(invalid.stdout)")
    }
}

/// Configuration that can never be satisfied, and messages a user met, said plainly.
@Suite struct PlainMessagesTests {
    @Test func anEmptyRoleWarnsAndStrictRefusesIt() throws {
        let directory = try CLI.temporaryDirectory(
            with: """
                version: 1
                roles: { reviewer: [] }
                phases:
                  pre-deploy:
                    items:
                      - { id: pr, title: PR approved, manual: true, signoffs: { count: 2, role: reviewer } }
                """)
        let plain = try CLI.run(["validate"], in: directory)
        #expect(plain.status == 0)
        #expect(plain.stderr.contains("warning: shipcheck.yml:2:"), "\(plain.stderr)")
        #expect(plain.stderr.contains("role `reviewer` has nobody in it"), "\(plain.stderr)")
        let strict = try CLI.run(["validate", "--strict"], in: directory)
        #expect(strict.status == 64, "\(strict.stderr)")
        let run = try CLI.run(["run"], in: directory)
        #expect(run.stdout.contains("nobody holds it"), "\(run.stdout)")
        #expect(run.stderr.contains("1 item from"), "no \"1 items\": \(run.stderr)")
    }

    @Test func envAndTypeWithNothingDeclaredAreRefused() throws {
        let directory = try CLI.temporaryDirectory(
            with: """
                version: 1
                phases: { pre-deploy: { items: [ { id: a, title: A, run: "true" } ] } }
                """)
        let env = try CLI.run(["run", "--env", "prodution"], in: directory)
        #expect(env.status == 64)
        #expect(env.stderr.contains("declares no environments"), "\(env.stderr)")
        let type = try CLI.run(["run", "--type", "hotfix"], in: directory)
        #expect(type.status == 64)
        #expect(type.stderr.contains("declares no deploy types"), "\(type.stderr)")
    }

    @Test func aMisspelledKindAndDeepNestingAreSaidShortly() throws {
        let typo = try CLI.temporaryDirectory(
            with: """
                version: 1
                phases: { pre-deploy: { items: [ { id: a, title: A, rn: "make test" } ] } }
                """)
        let result = try CLI.run(["validate"], in: typo)
        #expect(result.status == 64)
        #expect(result.stderr.contains("did you mean `run`"), "\(result.stderr)")
        #expect(!result.stderr.contains("has nothing to run"), "\(result.stderr)")
        let deep = try CLI.temporaryDirectory(with: "version: 1\nx: " + String(repeating: "[", count: 3000) + "\n")
        let nested = try CLI.run(["validate"], in: deep)
        #expect(nested.status == 64)
        #expect(!nested.stderr.contains("yaml_set_max_nest_level"), "\(nested.stderr)")
        #expect(nested.stderr.contains("nest deeper"), "\(nested.stderr)")
    }

    @Test func helpSaysEachDefaultOnceAndCompletionsOfferFormats() throws {
        let directory = try CLI.temporaryDirectory()
        let help = try CLI.run(["run", "--help"], in: directory)
        #expect(!help.stdout.contains("(default: 2)"), "\(help.stdout)")
        #expect(help.stdout.contains("(default: the number"), "\(help.stdout)")
        let completion = try CLI.run(["--generate-completion-script", "bash"], in: directory)
        #expect(
            completion.stdout.contains("json junit markdown github") || completion.stdout.contains("junit"),
            "\(completion.stdout.prefix(400))")
    }

    @Test func secretsOutsideARepositorySaySo() throws {
        let directory = try CLI.temporaryDirectory()
        let result = try CLI.run(["secrets"], in: directory)
        #expect(result.status != 0)
        #expect((result.stdout + result.stderr).contains("is not a git repository"), "\(result.stdout)\(result.stderr)")
    }
}
