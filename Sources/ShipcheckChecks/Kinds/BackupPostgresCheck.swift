import Foundation
import ShipcheckCore

/// `backup-postgres:` — pg_dump of a database, streamed into an AES-256-GCM file (no plaintext on
/// disk), its SHA-256 recorded, verified by restoring it into a scratch database on the same
/// server and comparing every table's row count with the dump's; the last `keep` backups kept.
struct BackupPostgresCheck: Check {
    var touchesLiveSystems: Bool { true }
    var url: Template
    var directory: Template
    var keyEnvironment: String?
    var keyFile: Template?
    var keep = 7
    var verify = true
    var schema: Template?

    static let description = KindDescription(
        key: "backup-postgres",
        name: "PostgreSQL backup",
        summary:
            "Dumps a database with pg_dump (plain SQL with --clean, so it restores over a changed database) straight into an AES-256-GCM encrypted file in `to:` (chunks sealed in order, so a changed, reordered or cut-off file does not open), records its SHA-256 beside it, and verifies it by restoring it into a scratch database on the same server (the role needs CREATEDB) and comparing every table's row count with the dump's. The key comes from an environment variable or a file, never a command line; the password only through PGPASSWORD. Keeps the newest `keep` backups of the database.",
        parameters: [
            Parameter(
                "backup-postgres",
                .object([
                    Parameter(
                        "url", .template, "postgres://USER:PASSWORD@HOST:PORT/DB, e.g. ${{ env.DATABASE_URL }}.",
                        required: true),
                    Parameter("to", .template, "The directory backups go to (created if missing).", required: true),
                    Parameter(
                        "key-env", .string,
                        "The environment variable holding the key: 32 bytes as base64 or 64 hex digits (`openssl rand -base64 32`)."
                    ),
                    Parameter("key-file", .template, "A file holding the key, instead of `key-env`."),
                    Parameter("keep", .integer, "How many backups of the database to keep (default 7)."),
                    Parameter("schema", .template, "Only this schema (pg_dump --schema)."),
                    Parameter(
                        "verify", .boolean, "Restore into a scratch database and compare row counts (default true)."),
                ]), "The database and where its backups go.", required: true)
        ],
        facts: [
            FactDescription("backup.file", "string", "The backup written (DB-YYYYMMDD-HHMMSS-mmm.sql.enc)."),
            FactDescription("backup.bytes", "number", "Its size, encrypted."),
            FactDescription("backup.sha256", "string", "Its SHA-256, also written beside it as FILE.sha256."),
            FactDescription("backup.tables / backup.rows", "number", "Tables and rows in the dump."),
            FactDescription(
                "backup.verified", "boolean", "Restored into a scratch database with every table's row count equal."),
            FactDescription("backup.differences", "string", "The tables whose counts differ, when any."),
            FactDescription("backup.removed", "number", "Older backups removed to keep `keep`."),
        ],
        examples: [
            KindExample(
                "verified backup",
                yaml: """
                    id: backup-database
                    title: Backup the database
                    action: true
                    backup-postgres: { url: "${{ vars.POSTGRES_URL }}", schema: shipcheck_example_backup, to: backups, key-file: backup.key, keep: 3 }
                    """, outcome: .pass,
                facts: ["backup.verified": .bool(true), "backup.tables": .number(1), "backup.rows": .number(3)],
                setup: """
                    python3 -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())' > backup.key
                    psql -X -q -v ON_ERROR_STOP=1 "$SHIPCHECK_TEST_POSTGRES_URL" -c 'DROP SCHEMA IF EXISTS shipcheck_example_backup CASCADE' \
                      -c 'CREATE SCHEMA shipcheck_example_backup' -c 'CREATE TABLE shipcheck_example_backup.items (id int, name text)' \
                      -c "INSERT INTO shipcheck_example_backup.items VALUES (1, 'apples'), (2, 'pears'), (3, 'plums')"
                    """),
            KindExample(
                "no key",
                yaml: """
                    id: backup-database
                    title: Backup the database
                    backup-postgres: { url: "${{ vars.POSTGRES_URL }}", to: backups, key-env: SHIPCHECK_EXAMPLE_UNSET_KEY }
                    """, outcome: .error),
        ],
        make: make)

    static func make(_ reader: KindReader) -> (any Check)? {
        let names = ["url", "to", "key-env", "key-file", "keep", "verify", "schema"]
        guard let node = reader["backup-postgres"], let fields = node.fields(allowed: names) else { return nil }
        let vars = reader.knownVariables
        guard let urlNode = fields["url"], let toNode = fields["to"] else {
            node.report("`backup-postgres:` needs `url:` and `to:`")
            return nil
        }
        guard let url = urlNode.template(knownVars: vars), let directory = toNode.template(knownVars: vars) else {
            return nil
        }
        var check = BackupPostgresCheck(url: url, directory: directory)
        guard let key = BackupKeySource.read(fields, in: node, knownVars: vars) else { return nil }
        (check.keyEnvironment, check.keyFile) = key
        if let keepNode = fields["keep"] {
            guard let keep = keepNode.integer(in: 1...10_000) else { return nil }
            check.keep = keep
        }
        if let schemaNode = fields["schema"] {
            guard let schema = schemaNode.template(knownVars: vars) else { return nil }
            check.schema = schema
        }
        if let verifyNode = fields["verify"] {
            guard let verify = verifyNode.bool() else { return nil }
            check.verify = verify
        }
        return check
    }

    var defaultExpectations: [FactExpression] {
        verify ? [.compare(.fact("backup.verified"), .equal, .literal(.bool(true)))] : []
    }
    /// An unverified backup passes only when the item says `verify: false`.
    var guardExpectations: [FactExpression] { defaultExpectations }

    var summary: String { "pg_dump \(url) → \(directory) (AES-256-GCM\(verify ? ", verified" : ""))" }

    func run(in context: CheckContext) async throws(CheckError) -> Facts {
        let tools = try PostgresTools(url: try context.expand(url, quoting: .none), context: context)
        let key = try BackupCipher.key(
            environmentName: keyEnvironment, file: try context.expand(keyFile).map(context.resolve), context: context)
        let folder = context.resolve(try context.expand(directory, quoting: .none))
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw CheckError("cannot create \(folder.path): \(error.localizedDescription)", retriable: false)
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd-HHmmss-SSS"
        let prefix = Self.safeName(tools.database) + "-"
        var file = folder.appendingPathComponent(prefix + formatter.string(from: context.now()) + ".sql.enc")
        var suffix = 1
        while FileManager.default.fileExists(atPath: file.path) {
            suffix += 1
            file = folder.appendingPathComponent(prefix + formatter.string(from: context.now()) + "-\(suffix).sql.enc")
        }

        let writer: BackupWriter
        do {
            writer = try BackupWriter(creating: file, key: key)
        } catch {
            throw CheckError("cannot create \(file.path): \(error)", retriable: false)
        }
        let counter = DumpRowCounter()
        do {
            let only = try context.expand(schema).map { ["--schema", $0] } ?? []
            _ = try await tools.run(
                ["pg_dump", "--no-owner", "--no-privileges", "--clean", "--if-exists"] + only + [
                    "--dbname", tools.uri(),
                ],
                sink: { bytes in
                    writer.append(bytes)
                    counter.feed(bytes)
                })
        } catch {
            _ = writer.finish()
            try? FileManager.default.removeItem(at: file)
            throw error
        }
        let digest = writer.finish()
        if let failure = writer.failure {
            try? FileManager.default.removeItem(at: file)
            throw CheckError(failure)
        }
        try? Data("\(digest)  \(file.lastPathComponent)\n".utf8).write(
            to: file.appendingPathExtension("sha256"))
        let dumped = counter.counts
        var facts: Facts = [
            "backup.file": .string(file.path), "backup.bytes": .number(Double(writer.bytesWritten)),
            "backup.sha256": .string(digest), "backup.tables": .number(Double(dumped.count)),
            "backup.rows": .number(Double(dumped.values.reduce(0, +))), "backup.verified": .bool(false),
        ]
        if verify {
            let differences = try await Self.verify(file, key: key, dumped: dumped, tools: tools)
            facts["backup.verified"] = .bool(differences.isEmpty)
            if !differences.isEmpty { facts["backup.differences"] = .string(differences.joined(separator: "; ")) }
        }
        facts["backup.removed"] = .number(Double(Self.prune(folder, prefix: prefix, keep: keep)))
        return facts
    }

    /// Restores the backup into a new database on the same server and compares row counts; the
    /// scratch database is dropped whatever happens.
    static func verify(_ file: URL, key: Data, dumped: [String: Int], tools: PostgresTools) async throws(CheckError)
        -> [String]
    {
        let scratch = "shipcheck_verify_" + Hex.string((0..<6).map { _ in UInt8.random(in: 0...255) })
        do {
            _ = try await tools.psql("CREATE DATABASE \(scratch)")
        } catch {
            throw CheckError(
                "verify: could not create a scratch database (the role needs CREATEDB, or say `verify: false`): \(error.message)",
                retriable: false)
        }
        let result: Result<[String], CheckError>
        do {
            _ = try await tools.restore(file, key: key, into: scratch)
            let restored = try await tools.rowCounts(database: scratch)
            result = .success(PostgresTools.differences(dumped: dumped, restored: restored))
        } catch {
            result = .failure(error)
        }
        _ = try? await tools.psql("DROP DATABASE IF EXISTS \(scratch) WITH (FORCE)")
        return try result.get()
    }

    /// Removes the oldest backups of the database beyond `keep` (names sort by time); how many.
    static func prune(_ folder: URL, prefix: String, keep: Int) -> Int {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
            .filter { $0.hasPrefix(prefix) && $0.hasSuffix(".sql.enc") }.sorted()
        let old = names.dropLast(keep)
        for name in old {
            try? FileManager.default.removeItem(at: folder.appendingPathComponent(name))
            try? FileManager.default.removeItem(at: folder.appendingPathComponent(name + ".sha256"))
        }
        return old.count
    }

    static func safeName(_ text: String) -> String {
        String(text.map { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" ? $0 : "_" })
    }
}

/// `key-env:` or `key-file:`, exactly one.
enum BackupKeySource {
    static func read(_ fields: [String: ConfigNode], in node: ConfigNode, knownVars: Set<String>) -> (
        String?, Template?
    )? {
        switch (fields["key-env"], fields["key-file"]) {
        case (let envNode?, nil):
            guard let name = envNode.string(expected: "an environment variable name") else { return nil }
            return (name, nil)
        case (nil, let fileNode?):
            guard let file = fileNode.template(knownVars: knownVars) else { return nil }
            return (nil, file)
        default:
            node.report("give the key with one of `key-env:` (a variable's name) or `key-file:` (a path), never inline")
            return nil
        }
    }
}
