public import Foundation
import GRDB
import GRDBSQLite

/// The default store: one SQLite file beside the configuration (`.shipcheck/shipcheck.db`), in WAL
/// mode so that readers never wait for a writer, with a busy timeout so that concurrent runs queue
/// for the short write transactions instead of failing.
public final class SQLiteBackend: StoreBackend {
    public let location: String
    private let pool: DatabasePool

    public init(path: String, busyTimeout: TimeInterval = 60) throws {
        location = path
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            var configuration = Configuration()
            configuration.busyMode = .timeout(busyTimeout)
            configuration.label = "shipcheck"
            // In WAL mode NORMAL never corrupts and loses nothing when a process dies (kill -9); only
            // a power cut or an OS crash may drop the last commits. FULL costs an fsync per write.
            configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
            pool = try Self.retryingWhileBusy(for: busyTimeout) {
                try DatabasePool(path: path, configuration: configuration)
            }
        } catch {
            throw StoreError.cannotOpen(location: path, reason: Self.reason(error))
        }
        do {
            try Self.retryingWhileBusy(for: busyTimeout) { try migrate() }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError.cannotOpen(location: path, reason: Self.reason(error))
        }
    }

    /// Switching a new file to WAL answers SQLITE_BUSY at once, without the busy handler, while
    /// another process does the same (twenty deploys starting together on a fresh store): opening
    /// is retried until the busy timeout instead.
    static func retryingWhileBusy<T>(for timeout: TimeInterval, _ body: () throws -> T) throws -> T {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            do {
                return try body()
            } catch let error where isBusy(error) && Date() < deadline {
                usleep(UInt32.random(in: 5_000...50_000))
            }
        }
    }

    static func isBusy(_ error: any Error) -> Bool {
        if let error = error as? DatabaseError {
            return error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED
        }
        return false
    }

    static func reason(_ error: any Error) -> String {
        if let error = error as? DatabaseError { return error.message ?? error.description }
        return "\(error)"
    }

    private func migrate() throws {
        let location = location
        let known = StoreSchema.migrations(.sqlite).count
        // Most opens find the schema current: a read says so without taking the write lock, so that
        // `history` or `plan` never queue behind a running gate's writes.
        let current = try? pool.read { db in try Int.fetchOne(db, sql: "SELECT max(version) FROM shipcheck_schema") }
        if let found = current ?? nil {
            if found == known { return }
            if found > known { throw StoreError.newerSchema(location: location, found: found, known: known) }
        }
        try pool.writeWithoutTransaction { db in
            try db.inTransaction(.immediate) {
                try db.execute(sql: StoreSchema.versionTable)
                let found = try Int.fetchOne(db, sql: "SELECT max(version) FROM shipcheck_schema") ?? 0
                let migrations = StoreSchema.migrations(.sqlite)
                guard found <= migrations.count else {
                    throw StoreError.newerSchema(location: location, found: found, known: migrations.count)
                }
                for version in found..<migrations.count {
                    for statement in migrations[version] { try db.execute(sql: statement) }
                }
                if found < migrations.count {
                    try db.execute(sql: "DELETE FROM shipcheck_schema")
                    try db.execute(
                        sql: "INSERT INTO shipcheck_schema (version) VALUES (?)", arguments: [migrations.count])
                }
                return .commit
            }
        }
    }

    public func write(_ events: [PendingEvent], condition: WriteCondition) async throws -> WriteOutcome {
        do {
            return try await pool.writeWithoutTransaction { db in
                var outcome = WriteOutcome.written
                // IMMEDIATE takes the write lock before reading the chain's end (and the row a
                // condition reads), so two processes never link to the same event.
                try db.inTransaction(.immediate) {
                    if condition != .always, let first = events.first {
                        let query = first.row.keyQuery
                        let (sql, values) = query.sql { _ in "?" }
                        let current = try Row.fetchOne(db, sql: sql, arguments: StatementArguments(values)).map { row in
                            let columns = query.table.columns
                            return StoreRow(
                                query.table, columns: columns, cells: columns.indices.map { row[$0] as String? })
                        }
                        guard condition.holds(for: current) else {
                            outcome = .refused(current: current)
                            return .rollback
                        }
                    }
                    var last = try Row.fetchOne(db, sql: StoreSchema.lastEvent).map {
                        ($0[0] as Int64, $0[1] as String)
                    }
                    for pending in events {
                        let event = pending.linked(after: last)
                        let row = pending.row
                        try db.execute(
                            sql: StoreSchema.upsert(row.table) { _ in "?" },
                            arguments: StatementArguments(row.table.columns.map { row[$0] }))
                        try db.execute(
                            sql: StoreSchema.appendEvent { _ in "?" },
                            arguments: StatementArguments(
                                [event.seq as (any DatabaseValueConvertible)?] + StoreSchema.eventValues(event)
                                    + [event.encoding]))
                        last = (event.seq, event.hash)
                    }
                    return .commit
                }
                return outcome
            }
        } catch {
            throw StoreError.failed(location: location, reason: Self.reason(error))
        }
    }

    public func select(_ query: RowQuery) async throws -> [StoreRow] {
        let (sql, values) = query.sql { _ in "?" }
        do {
            let columns = query.columns ?? query.table.columns
            return try await pool.read { db in
                // Columns by position: GRDB's lookup by name lower-cases the name on every access.
                var rows: [StoreRow] = []
                let cursor = try Row.fetchCursor(db, sql: sql, arguments: StatementArguments(values))
                while let row = try cursor.next() {
                    rows.append(
                        StoreRow(query.table, columns: columns, cells: columns.indices.map { row[$0] as String? }))
                }
                return rows
            }
        } catch {
            throw StoreError.failed(location: location, reason: Self.reason(error))
        }
    }

    public func select<Value: Sendable>(_ query: RowQuery, as reader: @Sendable (StoreCells) -> Value?)
        async throws -> [Value]
    {
        let (sql, values) = query.sql { _ in "?" }
        do {
            return try await pool.read { db in
                let statement = try db.makeStatement(sql: sql)
                statement.arguments = StatementArguments(values)
                var found: [Value] = []
                // GRDB steps the statement; the cells are read from SQLite's row in place.
                let cursor = try Row.fetchCursor(statement)
                while try cursor.next() != nil {
                    if let value = reader(StoreCells(sqliteStatement: statement.sqliteStatement)) {
                        found.append(value)
                    }
                }
                return found
            }
        } catch {
            throw StoreError.failed(location: location, reason: Self.reason(error))
        }
    }

    static func text(_ statement: OpaquePointer, _ index: Int) -> String? {
        guard let bytes = sqlite3_column_text(statement, Int32(index)) else { return nil }
        return String(cString: bytes)
    }

    static func milliseconds(_ statement: OpaquePointer, _ index: Int) -> Int64? {
        guard let bytes = sqlite3_column_text(statement, Int32(index)) else { return nil }
        let count = Int(sqlite3_column_bytes(statement, Int32(index)))
        let buffer = UnsafeBufferPointer(start: bytes, count: count)
        if let milliseconds = StoreTime.fixedFormatMilliseconds(buffer) { return milliseconds }
        return StoreTime.date(String(decoding: buffer, as: UTF8.self)).map(StoreTime.milliseconds)
    }

    public func events() async throws -> [AuditEvent] {
        do {
            return try await pool.read { db in
                try Row.fetchAll(db, sql: StoreSchema.allEvents).map { row in
                    AuditEvent(
                        seq: row[0], id: row[1], at: row[2], kind: row[3], table: row[4], key: row[5],
                        rowDigest: row[6],
                        previousHash: row[7], hash: row[8], encoding: row[9])
                }
            }
        } catch {
            throw StoreError.failed(location: location, reason: Self.reason(error))
        }
    }

    public func close() async throws {
        // Readers first: SQLite folds the WAL into the file and removes it only when the last
        // connection to close may write, and GRDB closes its writer first. A WAL left behind is
        // read again by every later open (tens of milliseconds for a large one).
        pool.releaseMemory()
        try pool.close()
    }
}
