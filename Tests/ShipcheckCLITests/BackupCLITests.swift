import Foundation
import ShipcheckTestSupport
import Testing

/// `backup-postgres` and `restore-postgres` on a real PostgreSQL, through the binary: the backup
/// holds no plaintext row, restores into a scratch database with equal row counts, and brings a
/// damaged database back; a wrong key, a changed file or a missing key is an error, never a pass.
@Suite struct BackupCLITests {
    struct Database {
        let base: URLComponents
        let name: String

        /// The URL of this database, with the password (for the checks, through a variable).
        var url: String {
            var components = base
            components.path = "/" + name
            return components.string ?? ""
        }

        func psql(_ sql: String, in directory: URL) throws -> CLI.Output {
            var plain = base
            plain.password = nil
            plain.path = "/" + name
            return try CLI.shell(
                "PGPASSWORD='\(base.password ?? "")' psql -X -q -tA -v ON_ERROR_STOP=1 '\(plain.string ?? "")' -c \"\(sql)\"",
                in: directory)
        }
    }

    /// A database of its own (restores drop and recreate what they hold: never the shared one).
    static func database(in directory: URL) throws -> Database? {
        guard let url = Services.url("POSTGRES"), let base = URLComponents(string: url) else { return nil }
        let name = "shipcheck_bk_\(UUID().uuidString.prefix(8).lowercased())"
        let shared = Database(base: base, name: String(base.path.dropFirst()))
        let created = try shared.psql("CREATE DATABASE \(name)", in: directory)
        #expect(created.status == 0, "\(created.stderr)")
        let database = Database(base: base, name: name)
        let seeded = try database.psql(
            "CREATE TABLE items (id serial PRIMARY KEY, note text); CREATE TABLE empty_one (id int); INSERT INTO items (note) SELECT 'plaintext-marker-' || g FROM generate_series(1, 1500) g",
            in: directory)
        #expect(seeded.status == 0, "\(seeded.stderr)")
        return database
    }

    static func config(_ items: String) -> String {
        """
        version: 1
        vars: { DB: "${{ env.TEST_DATABASE_URL }}" }
        phases:
          pre-deploy:
            items:
        \(items)
        """
    }

    static let key = Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()

    @Test func aBackupIsEncryptedVerifiedAndRestoresADamagedDatabase() throws {
        let directory = try CLI.temporaryDirectory()
        guard let database = try Self.database(in: directory) else { return }
        defer {
            _ = try? Database(base: database.base, name: String(database.base.path.dropFirst())).psql(
                "DROP DATABASE IF EXISTS \(database.name) WITH (FORCE)", in: directory)
        }
        let environment = ["TEST_DATABASE_URL": database.url, "BACKUP_KEY": Self.key]
        try Self.config(
            """
                  - id: backup
                    title: Backup the database
                    backup-postgres: { url: "${{ vars.DB }}", to: backups, key-env: BACKUP_KEY, keep: 2 }
            """
        ).write(to: directory.appendingPathComponent("shipcheck.yml"), atomically: true, encoding: .utf8)
        let backup = try CLI.run(
            ["run", "--no-store", "--format", "json", "--output-dir", "reports"], in: directory,
            environment: environment)
        #expect(backup.status == 0, "\(backup.stdout)\(backup.stderr)")
        let report = try String(contentsOf: directory.appendingPathComponent("reports/shipcheck.json"), encoding: .utf8)
        #expect(report.contains("\"backup.verified\" : true"), "\(report)")
        #expect(report.contains("\"backup.rows\" : 1500"), "\(report)")
        #expect(report.contains("\"backup.tables\" : 2"), "\(report)")
        #expect(!report.contains(database.base.password ?? "no password"), "the password is never shown")

        let files = try FileManager.default.contentsOfDirectory(
            atPath: directory.appendingPathComponent("backups").path)
        let file = try #require(files.first { $0.hasSuffix(".sql.enc") })
        #expect(files.contains(file + ".sha256"))
        let bytes = try Data(contentsOf: directory.appendingPathComponent("backups/" + file))
        #expect(bytes.starts(with: Data("SHIPCHECK-BACKUP-1\n".utf8)))
        #expect(bytes.range(of: Data("plaintext-marker".utf8)) == nil, "the file holds no plaintext row")
        #expect(bytes.range(of: Data("CREATE TABLE".utf8)) == nil)
        // No scratch database is left behind.
        let scratch = try database.psql(
            "SELECT count(*) FROM pg_database WHERE datname LIKE 'shipcheck_verify_%'", in: directory)
        #expect(scratch.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0", "\(scratch.stdout)")

        // A migration gone wrong, then the restore.
        #expect(
            try database.psql(
                "DELETE FROM items WHERE id > 100; ALTER TABLE items ADD COLUMN broken int", in: directory
            ).status == 0)
        try Self.config(
            """
                  - id: restore
                    title: Restore the database
                    restore-postgres: { url: "${{ vars.DB }}", from: backups, key-env: BACKUP_KEY }
            """
        ).write(to: directory.appendingPathComponent("shipcheck.yml"), atomically: true, encoding: .utf8)
        let restore = try CLI.run(["run", "--no-store"], in: directory, environment: environment)
        #expect(restore.status == 0, "\(restore.stdout)\(restore.stderr)")
        #expect(try database.psql("SELECT count(*) FROM items", in: directory).stdout.contains("1500"))

        // A wrong key does not open it; a changed file is not restored.
        let otherKey = Data((0..<32).map { _ in UInt8(7) }).base64EncodedString()
        let wrong = try CLI.run(
            ["run", "--no-store"], in: directory,
            environment: ["TEST_DATABASE_URL": database.url, "BACKUP_KEY": otherKey])
        #expect(wrong.status == 2 && wrong.stdout.contains("does not open"), "\(wrong.stdout)")
        var changed = bytes
        changed[changed.count - 5] ^= 0xFF
        try changed.write(to: directory.appendingPathComponent("backups/" + file))
        let tampered = try CLI.run(["run", "--no-store"], in: directory, environment: environment)
        #expect(
            tampered.status == 2 && tampered.stdout.contains("does not match its recorded SHA-256"),
            "\(tampered.stdout)")
        let noKey = try CLI.run(["run", "--no-store"], in: directory, environment: ["TEST_DATABASE_URL": database.url])
        #expect(noKey.status == 2 && noKey.stdout.contains("BACKUP_KEY is not set"), "\(noKey.stdout)")
        #expect(
            try database.psql("SELECT count(*) FROM items", in: directory).stdout.contains("1500"),
            "nothing half-restored")
    }

    @Test func keepsTheNewestBackups() throws {
        let directory = try CLI.temporaryDirectory()
        guard let database = try Self.database(in: directory) else { return }
        defer {
            _ = try? Database(base: database.base, name: String(database.base.path.dropFirst())).psql(
                "DROP DATABASE IF EXISTS \(database.name) WITH (FORCE)", in: directory)
        }
        try Self.config(
            """
                  - id: backup
                    title: Backup the database
                    backup-postgres: { url: "${{ vars.DB }}", to: backups, key-env: BACKUP_KEY, keep: 2, verify: false }
            """
        ).write(to: directory.appendingPathComponent("shipcheck.yml"), atomically: true, encoding: .utf8)
        for _ in 0..<3 {
            let run = try CLI.run(
                ["run", "--no-store"], in: directory,
                environment: ["TEST_DATABASE_URL": database.url, "BACKUP_KEY": Self.key])
            #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        }
        let files = try FileManager.default.contentsOfDirectory(
            atPath: directory.appendingPathComponent("backups").path)
        #expect(files.filter { $0.hasSuffix(".sql.enc") }.count == 2, "\(files)")
    }
}
