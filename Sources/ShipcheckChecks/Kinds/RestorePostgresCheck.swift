import Foundation
import ShipcheckCore

/// `restore-postgres:` — a `backup-postgres` file decrypted and restored into a database, in one
/// transaction: the rollback counterpart of a backup.
struct RestorePostgresCheck: Check {
    var touchesLiveSystems: Bool { true }
    var url: Template
    var from: Template
    var keyEnvironment: String?
    var keyFile: Template?

    static let description = KindDescription(
        key: "restore-postgres",
        name: "PostgreSQL restore",
        summary:
            "Restores a `backup-postgres` file into a database: its SHA-256 checked against the one written beside it, decrypted as it streams into psql (one transaction, stopping at the first error; the dump drops and recreates what it holds), then every table's row count compared with the dump's. `from:` is a backup file, or a directory whose newest backup of the database is taken.",
        parameters: [
            Parameter(
                "restore-postgres",
                .object([
                    Parameter("url", .template, "The database to restore into.", required: true),
                    Parameter(
                        "from", .template, "A backup file, or the directory of backups (the newest).", required: true),
                    Parameter("key-env", .string, "The environment variable holding the backup's key."),
                    Parameter("key-file", .template, "A file holding the key, instead of `key-env`."),
                ]), "What to restore, and where.", required: true)
        ],
        facts: [
            FactDescription("restore.file", "string", "The backup restored."),
            FactDescription("restore.tables / restore.rows", "number", "Tables and rows in the dump."),
            FactDescription("restore.matched", "boolean", "Every table holds the rows the dump holds."),
            FactDescription("restore.differences", "string", "The tables whose counts differ, when any."),
        ],
        examples: [
            KindExample(
                "a backup restored",
                yaml: """
                    id: restore-database
                    title: Restore the database from the deploy's backup
                    restore-postgres: { url: "${{ vars.POSTGRES_URL }}", from: backups/example.sql.enc, key-file: backup.key }
                    """, outcome: .pass, facts: ["restore.matched": .bool(true), "restore.rows": .number(2)],
                files: ["make_backup.py": Self.exampleBackupScript], setup: "python3 make_backup.py"),
            KindExample(
                "the wrong key",
                yaml: """
                    id: restore-database
                    title: Restore the database from the deploy's backup
                    restore-postgres: { url: "${{ vars.POSTGRES_URL }}", from: backups/example.sql.enc, key-file: other.key }
                    """, outcome: .error, files: ["make_backup.py": Self.exampleBackupScript],
                setup: "python3 make_backup.py"),
        ],
        make: make)

    /// Writes a backup the way `backup-postgres` does, from an independent implementation of the
    /// format (Python's `cryptography`): a schema of its own, so a restore touches nothing else.
    static let exampleBackupScript = #"""
        import base64, os, struct
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM
        key, other = os.urandom(32), os.urandom(32)
        open("backup.key", "w").write(base64.b64encode(key).decode())
        open("other.key", "w").write(base64.b64encode(other).decode())
        dump = (
            "DROP TABLE IF EXISTS shipcheck_example_restore.items;\n"
            "CREATE SCHEMA IF NOT EXISTS shipcheck_example_restore;\n"
            "CREATE TABLE shipcheck_example_restore.items (id integer, name text);\n"
            "COPY shipcheck_example_restore.items (id, name) FROM stdin;\n1\tapples\n2\tpears\n\\.\n"
        ).encode()
        magic = b"SHIPCHECK-BACKUP-1\n"
        nonce = os.urandom(12)
        sealed = nonce + AESGCM(key).encrypt(nonce, dump, magic + struct.pack(">Q", 0) + b"\x01")
        os.makedirs("backups", exist_ok=True)
        open("backups/example.sql.enc", "wb").write(magic + struct.pack(">I", len(sealed)) + sealed)
        """#

    static func make(_ reader: KindReader) -> (any Check)? {
        guard let node = reader["restore-postgres"],
            let fields = node.fields(allowed: ["url", "from", "key-env", "key-file"])
        else { return nil }
        let vars = reader.knownVariables
        guard let urlNode = fields["url"], let fromNode = fields["from"] else {
            node.report("`restore-postgres:` needs `url:` and `from:`")
            return nil
        }
        guard let url = urlNode.template(knownVars: vars), let from = fromNode.template(knownVars: vars),
            let key = BackupKeySource.read(fields, in: node, knownVars: vars)
        else { return nil }
        return RestorePostgresCheck(url: url, from: from, keyEnvironment: key.0, keyFile: key.1)
    }

    var defaultExpectations: [FactExpression] {
        [.compare(.fact("restore.matched"), .equal, .literal(.bool(true)))]
    }
    var guardExpectations: [FactExpression] { defaultExpectations }

    var summary: String { "restore \(from) → \(url)" }

    func run(in context: CheckContext) async throws(CheckError) -> Facts {
        let tools = try PostgresTools(url: try context.expand(url, quoting: .none), context: context)
        let key = try BackupCipher.key(
            environmentName: keyEnvironment, file: try context.expand(keyFile).map(context.resolve), context: context)
        let file = try Self.backup(
            at: context.resolve(try context.expand(from, quoting: .none)), database: tools.database)
        try Self.checkDigest(file)
        let dumped = try await tools.restore(file, key: key)
        let restored = try await tools.rowCounts()
        let differences = PostgresTools.differences(
            dumped: dumped, restored: restored.filter { dumped[$0.key] != nil })
        var facts: Facts = [
            "restore.file": .string(file.path), "restore.tables": .number(Double(dumped.count)),
            "restore.rows": .number(Double(dumped.values.reduce(0, +))), "restore.matched": .bool(differences.isEmpty),
        ]
        if !differences.isEmpty { facts["restore.differences"] = .string(differences.joined(separator: "; ")) }
        return facts
    }

    /// The file itself, or the newest backup of `database` in the directory.
    static func backup(at url: URL, database: String) throws(CheckError) -> URL {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw CheckError("no backup at \(url.path)", retriable: false)
        }
        guard isDirectory.boolValue else { return url }
        let prefix = BackupPostgresCheck.safeName(database) + "-"
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? [])
            .filter { $0.hasPrefix(prefix) && $0.hasSuffix(".sql.enc") }.sorted()
        guard let newest = names.last else {
            throw CheckError("no backup of \(database) in \(url.path) (\(prefix)*.sql.enc)", retriable: false)
        }
        return url.appendingPathComponent(newest)
    }

    /// A backup whose recorded checksum no longer matches is not restored.
    static func checkDigest(_ file: URL) throws(CheckError) {
        let sidecar = file.appendingPathExtension("sha256")
        guard let recorded = try? String(contentsOf: sidecar, encoding: .utf8) else { return }
        let expected = recorded.split(separator: " ").first.map(String.init) ?? ""
        guard let handle = FileHandle(forReadingAtPath: file.path) else {
            throw CheckError("cannot read \(file.path)", retriable: false)
        }
        defer { try? handle.close() }
        var hasher = SHA256Stream()
        while let chunk = try? handle.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(chunk) }
        let actual = hasher.finish()
        guard actual == expected else {
            throw CheckError(
                "\(file.lastPathComponent) does not match its recorded SHA-256 (\(expected.prefix(12))…, now \(actual.prefix(12))…): not restored",
                retriable: false)
        }
    }
}
