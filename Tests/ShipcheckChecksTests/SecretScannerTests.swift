import Foundation
import ShipcheckCore
import Testing

@testable import ShipcheckChecks

@Suite struct SecretScannerTests {
    let scanner = SecretScanner()

    func rules(_ line: String, entropy: Bool = true) -> [String] {
        SecretScanner(entropy: entropy).scan(file: "f", bytes: Array(line.utf8)).map(\.rule)
    }

    // Test values are built from pieces, so that this file does not itself look like it holds secrets.
    static let github = "ghp_" + String(repeating: "aB3dE5fG7h", count: 3) + "Jk9LmN"
    static let slack = "xoxb-" + "123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"
    static let stripe = "sk_" + "live_" + "4eC39HqLyjWDarjtT1zdp7dc"
    static let openai = "sk-" + "proj-" + "Ab3De5Gh7Jk9Mn1Pq3St5Vw7Yz9Bc1Ef3Hi5Kl7No9"
    static let google = "AIza" + "SyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q"
    static let jwt =
        "eyJ" + "hbGciOiJIUzI1NiJ9" + ".eyJ" + "zdWIiOiIxMjM0NTY3ODkwIn0"
        + ".dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"

    static let shapes: [(String, String)] = {
        var cases: [(String, String)] = []
        cases.append(("aws_access_key_id = \"AKIA" + "IOSFODNN7EXAMPLE\"", "aws-access-key-id"))
        cases.append(("token: " + github, "github-token"))
        cases.append(("SLACK=" + slack, "slack-token"))
        cases.append(("stripe.api_key = '" + stripe + "'", "stripe-key"))
        cases.append(("OPENAI_API_KEY=" + openai, "openai-key"))
        cases.append(("key = " + google, "google-api-key"))
        cases.append(("-----BEGIN RSA " + "PRIVATE KEY-----", "private-key"))
        cases.append(("Authorization: Bearer " + jwt, "jwt"))
        cases.append(("DATABASE_URL=postgres://app:" + "Hunter2Pass@db:5432/app", "url-password"))
        cases.append(("db_password = \"" + "c0rrect-h0rse-battery\"", "password-assignment"))
        return cases
    }()

    @Test(arguments: SecretScannerTests.shapes)
    func findsEachCredentialShape(line: String, rule: String) {
        #expect(rules(line, entropy: false).contains(rule), "\(line)")
    }

    @Test(arguments: [
        "password = os.environ[\"DB_PASSWORD\"]",
        "password = \"${DB_PASSWORD}\"",
        "DATABASE_URL=postgres://user:${PASSWORD}@db/app",
        "api_key = \"your-api-key-here\"",
        "let token = request.headers[\"Authorization\"]",
        "checksum = \"0000000000000000000000000000000000000000\"",
        "def get_password(self): return self._password",
        "version = \"1.2.3\"",
        "url = \"https://example.com/path/to/resource\"",
    ])
    func ignoresReferencesAndPlaceholders(line: String) {
        #expect(rules(line).isEmpty, "\(line) → \(rules(line))")
    }

    @Test func highEntropyStrings() {
        #expect(rules("blob = \"" + "q8Z3xLk2Vw9Np4Rt7Yb1Hc6Jm0Gf5Ds2Ea8Ku3Wz\"").contains("high-entropy-base64"))
        #expect(rules("h = \"" + "3f786850e387550fdab836ed7e6dc881de23001b\"").contains("high-entropy-hex"))
        #expect(rules("s = \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"").isEmpty)
    }

    @Test func allowMarkersSkipALine() {
        #expect(rules("token = \"" + Self.github + "\"  # pragma: allowlist secret").isEmpty)
        #expect(rules("token = \"" + Self.github + "\"  // shipcheck:allow-secret").isEmpty)
    }

    @Test func diffsGiveAddedLinesWithNewLineNumbers() {
        let diff = """
            diff --git a/app/config.py b/app/config.py
            --- a/app/config.py
            +++ b/app/config.py
            @@ -10,0 +11,2 @@ settings
            +DEBUG = False
            +GITHUB_TOKEN = "\(Self.github)"
            @@ -40 +42 @@
            -OLD_TOKEN = "\(Self.github)"
            +value = 1
            diff --git a/new.env b/new.env
            +++ b/new.env
            @@ -0,0 +1 @@
            +STRIPE=\(Self.stripe)
            """
        let findings = SecretScanner(entropy: false).scan(diff: Array(diff.utf8))
        #expect(
            findings.map { "\($0.file):\($0.line):\($0.rule)" } == [
                "app/config.py:12:github-token", "new.env:1:stripe-key",
            ])
    }

    @Test func findingsNeverHoldTheSecret() throws {
        let findings = scanner.scan(file: "f", bytes: Array(("a = \"" + Self.github + "\"\nb=" + Self.stripe).utf8))
        #expect(findings.count >= 2)
        let rendered = SecretsSARIF.render(findings, toolVersion: "t") + findings.map(\.description).joined()
        #expect(!rendered.contains(Self.github))
        #expect(!rendered.contains(Self.stripe))
        #expect(findings[0].masked == "ghp_…(40 chars)")
        let sarif =
            try JSONSerialization.jsonObject(with: Data(SecretsSARIF.render(findings, toolVersion: "t").utf8))
            as? [String: Any]
        #expect(sarif?["version"] as? String == "2.1.0")
    }

    @Test func allowlistByFingerprintPathAndRule() async throws {
        let directory = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent("src"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent("tests"), withIntermediateDirectories: true)
        try "A = \"\(Self.github)\"\nB = \"\(Self.stripe)\"\n".write(
            to: directory.appendingPathComponent("src/a.py"), atomically: true, encoding: .utf8)
        try "C = \"\(Self.slack)\"\n".write(
            to: directory.appendingPathComponent("tests/t.py"), atomically: true, encoding: .utf8)
        let search = SecretSearch(source: .paths(["."]), entropy: false)
        let all = try await search.run(in: directory, environment: [:])
        #expect(all.findings.count == 3)
        let github = try #require(all.findings.first { $0.rule == "github-token" })
        try "# reviewed\n\(github.fingerprint)\npath:tests/**\n".write(
            to: directory.appendingPathComponent("allow.txt"), atomically: true, encoding: .utf8)
        let allowed = try await SecretSearch(source: .paths(["."]), allowlist: "allow.txt", entropy: false).run(
            in: directory, environment: [:])
        #expect(allowed.findings.map(\.rule) == ["stripe-key"])
        #expect(allowed.allowed == 2)
        try "nonsense here\n".write(to: directory.appendingPathComponent("bad.txt"), atomically: true, encoding: .utf8)
        await #expect(throws: CheckError.self) {
            _ = try await SecretSearch(source: .paths(["src"]), allowlist: "bad.txt").run(
                in: directory, environment: [:])
        }
    }

    /// Rules compile their pattern on first use: every one of them must compile (a programming
    /// error otherwise, caught here rather than on the first line that needs it).
    @Test func everyRulesPatternCompiles() {
        for rule in SecretRules.all {
            #expect(rule.regex.pattern == rule.pattern, "\(rule.id)")
        }
    }

    /// A fingerprint is an HMAC under the repository's own key, so a weak password shown as
    /// `hunt…(8 chars)` cannot be confirmed offline by hashing guesses.
    @Test func fingerprintsAreKeyedPerRepository() async throws {
        let first = try Harness.temporaryDirectory()
        let second = try Harness.temporaryDirectory()
        let environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
        for directory in [first, second] {
            try "DB_PASSWORD = \"hunter2hunter2\"\n".write(
                to: directory.appendingPathComponent("settings.py"), atomically: true, encoding: .utf8)
            #expect(try await GitInfo.git(["init", "-q"], in: directory, environment: environment).status == 0)
        }
        let search = SecretSearch(source: .paths(["settings.py"]), entropy: false)
        let one = try #require(try await search.run(in: first, environment: [:]).findings.first)
        let again = try #require(try await search.run(in: first, environment: [:]).findings.first)
        let other = try #require(try await search.run(in: second, environment: [:]).findings.first)
        #expect(one.fingerprint == again.fingerprint, "stable within a repository, so allowlists keep working")
        #expect(one.fingerprint != other.fingerprint, "another repository, another key")
        let plain = SecretScanner.finding(file: "settings.py", line: 1, rule: one.rule, secret: "hunter2hunter2")
            .fingerprint
        #expect(one.fingerprint != plain, "not the guessable plain SHA-256")
        #expect(FileManager.default.fileExists(atPath: first.appendingPathComponent(".git/shipcheck/secrets-key").path))
        #expect(!FileManager.default.fileExists(atPath: first.appendingPathComponent(".shipcheck").path))

        // A key the team committed is read, never rewritten: every clone computes the same fingerprints.
        try FileManager.default.createDirectory(
            at: second.appendingPathComponent(".shipcheck"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: first.appendingPathComponent(".git/shipcheck/secrets-key"),
            to: second.appendingPathComponent(".shipcheck/secrets-key"))
        let shared = try #require(try await search.run(in: second, environment: [:]).findings.first)
        #expect(shared.fingerprint == one.fingerprint)
    }

    /// Outside a repository the key lives in the user's state folder, not in the folder scanned.
    @Test func aScanOutsideARepositoryWritesNothingIntoIt() async throws {
        let scanned = try Harness.temporaryDirectory()
        let state = try Harness.temporaryDirectory()
        try "DB_PASSWORD = \"hunter2hunter2\"\n".write(
            to: scanned.appendingPathComponent("settings.py"), atomically: true, encoding: .utf8)
        let search = SecretSearch(source: .paths(["."]), entropy: false)
        let outcome = try await search.run(in: scanned, environment: ["XDG_STATE_HOME": state.path])
        #expect(outcome.findings.count == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: scanned.path) == ["settings.py"])
        #expect(FileManager.default.fileExists(atPath: state.appendingPathComponent("shipcheck/secrets-key").path))
    }

    @Test func scansAGitDiffAgainstItsBase() async throws {
        let directory = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let env = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": directory.path,
            "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@x", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@x",
        ]
        func git(_ arguments: String...) async throws {
            let result = try await GitInfo.git(arguments, in: directory, environment: env)
            #expect(result.status == 0, "git \(arguments): \(result.stderr)")
        }
        try await git("init", "-q", "-b", "main")
        try "print('hello')\n".write(to: directory.appendingPathComponent("app.py"), atomically: true, encoding: .utf8)
        try await git("add", ".")
        try await git("commit", "-q", "-m", "base")
        try await git("checkout", "-q", "-b", "feature")
        try "print('hello')\nTOKEN = \"\(Self.github)\"\n".write(
            to: directory.appendingPathComponent("app.py"), atomically: true, encoding: .utf8)
        try await git("commit", "-q", "-am", "leak")
        let outcome = try await SecretSearch(source: .diff(base: nil), entropy: false).run(
            in: directory, environment: env)
        #expect(outcome.scope == "git diff main...HEAD")
        #expect(outcome.findings.map { "\($0.file):\($0.line)" } == ["app.py:2"])
    }
}
