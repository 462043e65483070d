import Foundation
import ShipcheckCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// pg_dump and psql as the backup kinds run them: the password only in PGPASSWORD (never on a
/// command line, where `ps` shows it), every run under the item's deadline.
struct PostgresTools {
    let target: PostgresCheck.Target
    let sslmode: String
    let context: CheckContext

    init(url text: String, context: CheckContext) throws(CheckError) {
        target = try PostgresCheck.target(text)
        guard target.database != nil else {
            throw CheckError(
                "the postgres URL names no database (postgres://USER@HOST:PORT/DATABASE)", retriable: false)
        }
        sslmode = URLComponents(string: text)?.queryItems?.first { $0.name == "sslmode" }?.value ?? "prefer"
        self.context = context
    }

    var database: String { target.database ?? "postgres" }

    /// A libpq URI for `database` without the password.
    func uri(_ database: String? = nil) -> String {
        var components = URLComponents()
        components.scheme = "postgresql"
        components.user = target.user
        components.host = target.host
        components.port = target.port
        components.path = "/" + (database ?? self.database)
        components.queryItems = [URLQueryItem(name: "sslmode", value: sslmode)]
        return components.string ?? ""
    }

    var environment: [String: String] {
        var environment = context.environment
        environment["PGPASSWORD"] = target.password
        environment["PGCONNECT_TIMEOUT"] = environment["PGCONNECT_TIMEOUT"] ?? "10"
        return environment
    }

    func run(
        _ arguments: [String], sink: (@Sendable (UnsafeRawBufferPointer) -> Void)? = nil,
        feeder: (@Sendable (Int32) -> Void)? = nil
    ) async throws(CheckError) -> ProcessOutcome {
        var runner = ProcessRunner(deadline: context.timeout)
        runner.stdoutSink = sink
        runner.stdinFeeder = feeder
        let outcome: ProcessOutcome
        do {
            outcome = try await runner.run(
                arguments: arguments, environment: environment, workingDirectory: context.workingDirectory.path)
        } catch {
            throw CheckError(error.description, retriable: false)
        }
        if outcome.timedOut { throw CheckError("\(arguments[0]) did not finish within the item's timeout") }
        guard outcome.termination == .exited(0) else {
            let said = context.redactor.redact(outcome.stderr.text.trimmingCharacters(in: .whitespacesAndNewlines))
            throw CheckError("\(arguments[0]) failed (\(outcome.termination)): \(said.suffix(600))")
        }
        return outcome
    }

    /// One SQL statement through psql, its rows as tab-separated text.
    func psql(_ sql: String, database: String? = nil) async throws(CheckError) -> String {
        try await run(
            [
                "psql", "--no-psqlrc", "-X", "-q", "-tA", "-F", "\t", "-v", "ON_ERROR_STOP=1", "--dbname",
                uri(database), "-c", sql,
            ]
        ).stdout.text
    }

    /// Rows in every table of `database` (outside the system schemas), by `schema.table`.
    func rowCounts(database: String? = nil) async throws(CheckError) -> [String: Int] {
        let sql = """
            SELECT table_schema || '.' || table_name, (xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I.%I', table_schema, table_name), false, true, '')))[1]::text
            FROM information_schema.tables
            WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')
            """
        var counts: [String: Int] = [:]
        for line in try await psql(sql, database: database).split(separator: "\n") {
            let fields = line.split(separator: "\t")
            if fields.count == 2, let count = Int(fields[1]) { counts[String(fields[0])] = count }
        }
        return counts
    }

    /// Streams the decrypted backup into psql (one transaction, stopping at the first error),
    /// counting the rows of each table as they pass.
    func restore(_ file: URL, key: Data, into database: String? = nil) async throws(CheckError)
        -> [String: Int]
    {
        let counter = DumpRowCounter()
        let problem = ProblemBox()
        _ = try await run(
            [
                "psql", "--no-psqlrc", "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction", "--dbname",
                uri(database), "-f", "-",
            ],
            feeder: { fd in
                do {
                    try BackupReader.decrypt(file, key: key) { chunk in
                        chunk.withUnsafeBytes { bytes in counter.feed(bytes) }
                        try Self.send(chunk, to: fd)
                    }
                } catch {
                    problem.set("\(error)")
                }
            })
        if let problem = problem.value { throw CheckError(problem, retriable: false) }
        return counter.counts
    }

    static func send(_ data: Data, to fd: Int32) throws {
        try data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            guard let base = bytes.baseAddress else { return }
            var offset = 0
            while offset < bytes.count {
                let written = write(fd, base + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw BackupReader.Failure(
                        description: "psql stopped reading the backup (\(String(cString: strerror(errno))))")
                }
                offset += written
            }
        }
    }

    /// Where two row counts differ: `public.items: 3 in the dump, 2 restored`.
    static func differences(dumped: [String: Int], restored: [String: Int]) -> [String] {
        Set(dumped.keys).union(restored.keys).sorted().compactMap { table in
            let before = dumped[table] ?? 0
            let after = restored[table] ?? 0
            return before == after ? nil : "\(table): \(before) in the dump, \(after) restored"
        }
    }
}

/// A problem set on another thread, read after it finished.
final class ProblemBox: @unchecked Sendable {
    private let lock = NSLock()
    private var problem: String?
    func set(_ text: String) { lock.withLock { problem = problem ?? text } }
    var value: String? { lock.withLock { problem } }
}
