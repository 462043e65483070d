import Foundation
import ShipcheckChecks
import ShipcheckCore
import Testing

@testable import ShipcheckImport

/// Titles that name the job of one of Shipcheck's kinds become that kind, with the reason in the
/// report, instead of a manual item or the command the checklist happened to show.
@Suite struct BuiltInKindTests {
    static let checklist = """
        # Release checklist

        ## Pre-Deployment

        - [ ] **CHANGELOG.md updated**
          - Version number incremented

        - [ ] **No hardcoded secrets**
          ```bash
          git diff main | grep -i "password\\|secret\\|api_key\\|token"
          # Verify: No sensitive data exposed
          ```

        - [ ] **Environment variables verified**
          - Production config matches config/.env.example
          - All required secrets present

        - [ ] **Security headers configured**
          - HSTS enabled

        - [ ] **CORS configuration reviewed**
          - No wildcard origins in production

        - [ ] **Rate limiting configured**
          - API endpoints protected

        - [ ] **Keyboard navigation tested**
        """

    @Test func kindsAreNamedByWholeWords() {
        #expect(BuiltInKind.named(by: "Escorts and décors reviewed", description: [])?.kind.name == nil)
        #expect(BuiltInKind.named(by: "Prevent variance in the dev environment", description: [])?.kind.name == nil)
        #expect(BuiltInKind.named(by: "CORS: only our origins", description: [])?.kind.name == "cors")
        #expect(BuiltInKind.named(by: "Env vars set in staging", description: [])?.kind.name == "env-parity")
        #expect(BuiltInKind.named(by: "All env-var names match", description: [])?.kind.name == "env-parity")
    }

    @Test func titlesThatNameAKindsJobBecomeThatKind() throws {
        let result = try ChecklistImporter(sourceName: "c.md", toolVersion: "test").importChecklist(
            data: Data(Self.checklist.utf8))
        let checklist = try ConfigLoader(kinds: CheckKinds.all).load(yaml: result.yaml, file: "c.yml")
        let kinds = Dictionary(uniqueKeysWithValues: checklist.items.map { ($0.title, $0.kindName) })
        #expect(kinds["CHANGELOG.md updated"] == "changelog")
        #expect(kinds["No hardcoded secrets"] == "secrets")
        #expect(kinds["Environment variables verified"] == "env-parity")
        #expect(kinds["Security headers configured"] == "headers")
        #expect(kinds["CORS configuration reviewed"] == "cors")
        #expect(kinds["Rate limiting configured"] == "rate-limit")
        #expect(kinds["Keyboard navigation tested"] == "manual", "a title no kind does stays for a person")

        // The file the text names; the grep the kind replaces kept as a comment; the address to fill in.
        #expect(result.yaml.contains("env-parity: { example: config/.env.example }"), "\(result.yaml)")
        #expect(result.yaml.contains("#   git diff main | grep"), "\(result.yaml)")
        #expect(result.yaml.contains("BASE_URL: \"\""), "\(result.yaml)")
        #expect(result.summary.placeholderVariables.contains("BASE_URL"))

        let rows = Dictionary(uniqueKeysWithValues: result.report.map { ($0.title, $0) })
        #expect(rows["Security headers configured"]?.became == "headers")
        #expect(rows["Security headers configured"]?.why.contains("its title names security headers") == true)
        #expect(rows["Security headers configured"]?.todos.contains { $0.contains("vars.BASE_URL") } == true)
        #expect(result.summary.automated == 6)
    }

    /// A base URL the commands repeat becomes `BASE_URL`, so that one imported file serves every
    /// target; the kinds that probe the service read it, with nothing left to fill in.
    @Test func aRepeatedBaseURLBecomesAVariable() throws {
        let text = """
            # Release

            ## Pre-Deployment

            - [ ] **Health check passing**
              ```bash
              curl https://shop.acme.dev/health
              ```

            - [ ] **Security headers configured**

            ## Post-Deployment

            - [ ] **Check the home page**
              ```bash
              curl -s https://shop.acme.dev/ | grep Welcome
              ```

            - [ ] **Docs still answer**
              ```bash
              curl https://docs.acme.dev/
              ```
            """
        let result = try ChecklistImporter(sourceName: "c.md", toolVersion: "test").importChecklist(
            data: Data(text.utf8))
        let checklist = try ConfigLoader(kinds: CheckKinds.all).load(yaml: result.yaml, file: "c.yml")
        #expect(result.summary.targets == ["BASE_URL (https://shop.acme.dev)"])
        // The environment variable of the same name when it is set, else the checklist's URL.
        let value = try #require(checklist.variables["BASE_URL"])
        #expect(value == "${{ env.BASE_URL || 'https://shop.acme.dev' }}", "\(result.yaml)")
        let template = try Template.parse(value)
        #expect(try template.expand(environment: [:], variables: [:], quoting: .none) == "https://shop.acme.dev")
        #expect(
            try template.expand(environment: ["BASE_URL": "http://127.0.0.1:5000"], variables: [:], quoting: .none)
                == "http://127.0.0.1:5000")
        #expect(!result.yaml.contains("curl -f https://shop.acme.dev"), "no command names the host itself")
        #expect(result.yaml.contains("curl -f ${{ vars.BASE_URL }}/health"), "\(result.yaml)")
        #expect(result.yaml.contains("https://docs.acme.dev/"), "a host used once stays as written")
        #expect(!result.summary.placeholderVariables.contains("BASE_URL"), "nothing to fill in")
    }
}

/// A command the checklist says to run locally against a database refuses one that is not local.
@Suite struct LocalDatabaseTests {
    func guardStatus(_ url: String?) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-eo", "pipefail", "-c", ConfigWriter.localDatabaseGuard + "\necho ran"]
        var environment = ["PATH": "/usr/bin:/bin"]
        environment["DATABASE_URL"] = url
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    @Test func onlyALocalDatabaseIsAccepted() throws {
        for local in [
            nil, "", "postgres://app@localhost/app", "postgresql://app:pw@127.0.0.1:5432/app",
            "postgres://app@[::1]/app", "postgres:///app", "postgres://app@/app?host=/var/run/postgresql",
            "sqlite:///tmp/app.db", "mysql://root@localhost:3306/app",
        ] {
            #expect(try guardStatus(local) == 0, "\(local ?? "unset") is local")
        }
        for remote in [
            "postgres://app:pw@db.prod.internal/app", "postgres://app@localhost.evil.com/app",
            "postgresql://app@10.0.0.5:5432/app", "mysql://root@staging-db:3306/app",
        ] {
            #expect(try guardStatus(remote) == 2, "\(remote) is not local")
        }
    }

    @Test func theSeedsLocalMigrationItemCarriesTheGuard() throws {
        let text = """
            # Release

            ## Pre-Deployment

            - [ ] **Migration tested locally**
              ```bash
              flask db upgrade
              ```
            """
        let result = try ChecklistImporter(sourceName: "c.md", toolVersion: "test").importChecklist(
            data: Data(text.utf8))
        _ = try ConfigLoader(kinds: CheckKinds.all).load(yaml: result.yaml, file: "c.yml")
        #expect(result.yaml.contains(#"case "${DATABASE_URL:-}" in"#), "\(result.yaml)")
        #expect(result.yaml.contains("flask db upgrade"))
    }
}
