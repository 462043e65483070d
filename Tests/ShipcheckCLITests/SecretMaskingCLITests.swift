import Foundation
import ShipcheckTestSupport
import Testing

/// Credentials a check prints, serves or parses, whatever variable they came from: masked by their
/// shape before anything keeps them (the SQLite file, PostgreSQL, every report, `show`, `export`,
/// `audit export`), with the findings saying what was masked; and checks never see Shipcheck's own
/// store password.
@Suite struct SecretMaskingCLITests {
    static func random(_ count: Int, from alphabet: String) -> String {
        let characters = Array(alphabet)
        return String((0..<count).map { _ in characters.randomElement() ?? "x" })
    }

    static let upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    static let alphanumeric = upper + "abcdefghijklmnopqrstuvwxyz0123456789"

    /// Planted credentials, made at run time so that none is in the repository.
    static func planted() -> [String: String] {
        let jwtPart = { "eyJ" + random(30, from: alphanumeric) }
        return [
            "github": "ghp_" + random(36, from: alphanumeric),
            "aws-id": "AKIA" + random(16, from: upper + "234567"),
            "aws-secret": random(40, from: alphanumeric + "/+"),
            "slack": "xoxb-" + random(12, from: "0123456789") + "-" + random(24, from: alphanumeric),
            "key-body": random(64, from: alphanumeric),
            "jwt": jwtPart() + "." + jwtPart() + "." + random(40, from: alphanumeric + "_-"),
        ]
    }

    static func leak(_ secrets: [String: String]) -> String {
        """
        GITHUB_TOKEN=\(secrets["github"] ?? "")
        aws_access_key_id = \(secrets["aws-id"] ?? "")
        aws_secret_access_key = \(secrets["aws-secret"] ?? "")
        slack: \(secrets["slack"] ?? "")
        -----BEGIN RSA PRIVATE KEY-----
        \(secrets["key-body"] ?? "")
        \(secrets["key-body"].map { String($0.reversed()) } ?? "")
        -----END RSA PRIVATE KEY-----
        Authorization: Bearer \(secrets["jwt"] ?? "")

        """
    }

    @Test func plantedCredentialsAreMaskedEverywhereTheyCouldBeKept() throws {
        let secrets = Self.planted()
        let storePassword = "store-pw-" + Self.random(12, from: Self.alphanumeric)
        let serving = try CLI.temporaryDirectory()
        let document: [String: Any] = [
            "token": secrets["github"] ?? "", "nested": ["jwt": secrets["jwt"] ?? "", "slack": secrets["slack"] ?? ""],
        ]
        try JSONSerialization.data(withJSONObject: document).write(to: serving.appendingPathComponent("leak.json"))
        let (server, base) = try CLI.startFileServer(in: serving)
        defer { server.stop() }
        let directory = try CLI.temporaryDirectory(
            with: """
                version: 1
                phases:
                  pre-deploy:
                    items:
                      - { id: printed, title: Prints credentials, run: "cat leak.txt; cat leak.txt >&2" }
                      - id: served
                        title: Serves credentials
                        http: { url: "\(base)/leak.json" }
                        expect: body contains "token"
                      - id: parsed
                        title: Parses credentials
                        run: "cat '\(serving.appendingPathComponent("leak.json").path)'"
                        parse: { json: stdout }
                        expect: json.token != ""
                      - id: own-password
                        title: Reads the store's password
                        run: 'echo "[${SHIPCHECK_STORE_PASSWORD:-}]"'
                        expect: stdout contains "[]"
                      - { id: failing, title: Fails with a credential, run: "cat leak.txt; exit 3" }
                """)
        try Self.leak(secrets).write(
            to: directory.appendingPathComponent("leak.txt"), atomically: true, encoding: .utf8)
        let environment = ["SHIPCHECK_STORE_PASSWORD": storePassword]
        let run = try CLI.run(
            ["run", "--format", "json,junit,markdown,html,github", "--output-dir", "out"], in: directory,
            environment: environment)
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
        var kept = run.stdout + run.stderr
        for file in ["shipcheck.json", "shipcheck-junit.xml", "shipcheck.md", "shipcheck.html"] {
            kept += try String(contentsOf: directory.appendingPathComponent("out/\(file)"), encoding: .utf8)
        }
        let id = try #require(
            run.stderr.range(of: #"recording run (\S+)"#, options: .regularExpression).map {
                String(run.stderr[$0].dropFirst("recording run ".count))
            })
        for command in [
            ["show", id, "--format", "json"], ["export", id, "--format", "html"], ["export", id, "--format", "junit"],
            ["export", id, "--format", "markdown"], ["audit", "export"],
        ] {
            let output = try CLI.run(command, in: directory)
            #expect(output.status == 0, "\(command): \(output.stderr)")
            kept += output.stdout
        }
        for name in try FileManager.default.contentsOfDirectory(
            atPath: directory.appendingPathComponent(".shipcheck").path) where name.hasPrefix("shipcheck.db")
        {
            kept += String(
                decoding: FileManager.default.contents(
                    atPath: directory.appendingPathComponent(".shipcheck/\(name)").path) ?? Data(), as: UTF8.self)
        }
        for (name, secret) in secrets { #expect(!kept.contains(secret), "\(name) kept in clear") }
        #expect(!kept.contains(storePassword), "the store's password reached a check")
        // The findings say what was masked, in the report and the store.
        let report = try String(contentsOf: directory.appendingPathComponent("out/shipcheck.json"), encoding: .utf8)
        for rule in ["github-token", "aws-access-key-id", "aws-secret-access-key", "slack-token", "private-key", "jwt"]
        {
            #expect(report.contains("[masked \(rule) "), "\(rule) is named where it was masked")
        }
        #expect(report.contains("\"masked\""), "each item lists what was masked")
        #expect(report.contains("ghp_…(40 chars)"))

        guard let postgres = Services.url("POSTGRES") else { return }
        let schema = "mask_\(UUID().uuidString.prefix(8).lowercased())"
        let store = Services.storeURL(postgres) + "?schema=\(schema)"
        // The real password this time (the store needs it); the check still prints nothing of it.
        let pgRun = try CLI.run(["run", "--store", store], in: directory)
        #expect(pgRun.status == 1, "\(pgRun.stderr)")
        let dump = try CLI.shell("pg_dump --data-only --schema=\(schema) '\(postgres)'", in: directory)
        #expect(dump.status == 0, "\(dump.stderr)")
        #expect(dump.stdout.contains("[masked github-token"))
        for (name, secret) in secrets { #expect(!dump.stdout.contains(secret), "\(name) in PostgreSQL") }
        #expect(!dump.stdout.contains(Services.storePassword ?? "?"), "the store's own password")
    }

    @Test func aFailedCommandIsNeverHiddenBehindItsParser() throws {
        let directory = try CLI.temporaryDirectory(
            with: """
                version: 1
                phases:
                  pre-deploy:
                    items:
                      - id: status
                        title: Reads the status page
                        run: "curl -sS --max-time 5 http://shipcheck-no-such-host.invalid/status"
                        parse: { json: stdout }
                """)
        let run = try CLI.run(["run", "--format", "json", "--output-dir", "out"], in: directory)
        #expect(run.status == 2, "\(run.stdout)\(run.stderr)")
        let report = try String(contentsOf: directory.appendingPathComponent("out/shipcheck.json"), encoding: .utf8)
        #expect(report.contains("the command exited 6 without a usable json report"), "\(report)")
        #expect(report.contains("Could not resolve host"), "\(report)")
        #expect(report.contains("\"exit\" : 6"), "the facts are kept: \(report.prefix(2000))")
    }
}
