import Foundation
import ShipcheckTestSupport
import Testing

/// scripts/verify-audit.py, an independent verifier on Python's standard library, agrees with
/// `shipcheck audit verify` on SQLite and PostgreSQL: intact, an edited row, an edited event, a
/// deleted event, an inserted row.
@Suite struct AuditVerifierCLITests {
    static let verifier = CLI.packageRoot.appendingPathComponent("scripts/verify-audit.py").path

    struct Verdicts {
        let shipcheck: CLI.Output
        let python: CLI.Output

        /// The first problem's `event #N`, as each names it (nil when intact or not about an event).
        static func firstEvent(_ text: String) -> String? {
            guard let range = text.range(of: #"event #\d+"#, options: .regularExpression) else { return nil }
            return String(text[range])
        }
    }

    static func verdicts(_ store: [String], in directory: URL) throws -> Verdicts {
        let shipcheck = try CLI.run(["audit", "verify"] + store, in: directory)
        let export = try CLI.run(["audit", "export", "--rows"] + store, in: directory)
        #expect(export.status == 0, "\(export.stderr)")
        try export.stdout.write(to: directory.appendingPathComponent("audit.jsonl"), atomically: true, encoding: .utf8)
        let python = try CLI.shell("python3 '\(verifier)' audit.jsonl", in: directory)
        return Verdicts(shipcheck: shipcheck, python: python)
    }

    static func expectAgreement(_ verdicts: Verdicts, intact: Bool, _ what: String) {
        #expect(verdicts.shipcheck.status == (intact ? 0 : 1), "\(what): \(verdicts.shipcheck.stderr)")
        #expect(
            verdicts.python.status == (intact ? 0 : 1), "\(what): \(verdicts.python.stdout)\(verdicts.python.stderr)")
        #expect(
            Verdicts.firstEvent(verdicts.shipcheck.stderr) == Verdicts.firstEvent(verdicts.python.stdout),
            "\(what): both name the same first broken event:\n\(verdicts.shipcheck.stderr)\n\(verdicts.python.stdout)")
    }

    /// A statement run straight into the SQLite store, as someone with the file would.
    static func sqlite(_ statement: String, in directory: URL) throws {
        let script = """
            import sqlite3, sys
            connection = sqlite3.connect(".shipcheck/shipcheck.db")
            connection.execute(sys.argv[1])
            connection.commit()
            """
        try script.write(to: directory.appendingPathComponent("tamper.py"), atomically: true, encoding: .utf8)
        let quoted = "'" + statement.replacingOccurrences(of: "'", with: "'\\''") + "'"
        let result = try CLI.shell("python3 tamper.py \(quoted)", in: directory)
        #expect(result.status == 0, "\(result.stderr)")
    }

    static let config = """
        version: 1
        environments: { production: {} }
        phases:
          pre-deploy:
            items:
              - { id: one, title: One, run: "echo one" }
              - { id: two, title: Two, run: "echo two" }
        """

    /// Two gates and a lock: runs, item results and records, each written through the chain.
    static func recorded(_ store: [String], in directory: URL) throws {
        for _ in 0..<2 { #expect(try CLI.run(["run", "--env", "production"] + store, in: directory).status == 0) }
        let lock = ["lock", "--env", "production", "--for", "1h", "--reason", "maintenance"] + store
        #expect(try CLI.run(lock, in: directory).status == 0)
    }

    @Test func agreesOnSQLite() throws {
        let directory = try CLI.temporaryDirectory(with: Self.config)
        try Self.recorded([], in: directory)
        Self.expectAgreement(try Self.verdicts([], in: directory), intact: true, "untouched")
        func sql(_ statement: String) throws { try Self.sqlite(statement, in: directory) }
        try sql("UPDATE item_results SET outcome = 'fail' WHERE item_id = 'two'")
        Self.expectAgreement(try Self.verdicts([], in: directory), intact: false, "a row edited")
        try sql("UPDATE audit_events SET kind = 'run-began' WHERE seq = 3")
        Self.expectAgreement(try Self.verdicts([], in: directory), intact: false, "an event edited")
    }

    @Test func agreesOnSQLiteWhenAnEventIsDeletedOrARowInserted() throws {
        let directory = try CLI.temporaryDirectory(with: Self.config)
        try Self.recorded([], in: directory)
        func sql(_ statement: String) throws { try Self.sqlite(statement, in: directory) }
        try sql(
            "INSERT INTO records (kind, id, actor, at, body) VALUES ('waiver', 'forged', 'cto@example.com', '2026-01-01T00:00:00.000Z', '{}')"
        )
        Self.expectAgreement(try Self.verdicts([], in: directory), intact: false, "a row inserted")
        try sql("DELETE FROM audit_events WHERE seq = 2")
        Self.expectAgreement(try Self.verdicts([], in: directory), intact: false, "an event deleted")
    }

    @Test func agreesOnPostgreSQL() throws {
        guard let base = Services.url("POSTGRES") else { return }
        let schema = "audit_\(UUID().uuidString.prefix(8).lowercased())"
        let store = ["--store", Services.storeURL(base) + "?schema=\(schema)"]
        let directory = try CLI.temporaryDirectory(with: Self.config)
        try Self.recorded(store, in: directory)
        Self.expectAgreement(try Self.verdicts(store, in: directory), intact: true, "untouched")
        func sql(_ statement: String) throws {
            var plain = URLComponents(string: base)
            let password = plain?.password ?? ""
            plain?.password = nil
            let result = try CLI.shell(
                "PGPASSWORD='\(password)' psql -X -q -v ON_ERROR_STOP=1 '\(plain?.string ?? "")' -c \"SET search_path TO \(schema); \(statement)\"",
                in: directory)
            #expect(result.status == 0, "\(result.stderr)")
        }
        try sql("UPDATE runs SET verdict = 'failed' WHERE phase = 'pre-deploy'")
        try sql("UPDATE item_results SET outcome = 'fail' WHERE item_id = 'one'")
        Self.expectAgreement(try Self.verdicts(store, in: directory), intact: false, "rows edited")
        try sql("UPDATE audit_events SET row_digest = 'x' WHERE seq = 4")
        Self.expectAgreement(try Self.verdicts(store, in: directory), intact: false, "an event edited")
    }
}
