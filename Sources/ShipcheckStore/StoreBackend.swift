public import Foundation

/// Where a store's rows live: in memory (tests), an SQLite file, or a PostgreSQL database. The one
/// `RunStore` above them holds all the logic, so every backend passes the same conformance suite.
public protocol StoreBackend: Sendable {
    /// Where the store is, without a password, for messages.
    var location: String { get }
    /// Writes each event's row (insert or replace by key) and appends the events to the audit
    /// chain, all in one transaction that no other writer interleaves with, when `condition` holds
    /// for the row stored under the first event's key; otherwise writes nothing and returns that
    /// row as it stands (the first writer wins a shard plan; a deploy lock changes hands only from
    /// the holder its taker saw).
    func write(_ events: [PendingEvent], condition: WriteCondition) async throws -> WriteOutcome
    func select(_ query: RowQuery) async throws -> [StoreRow]
    /// Reads each row through `reader` as it comes, without making a `StoreRow`: for queries over
    /// tens of thousands of rows (metrics), where a string per cell would cost more than the query.
    func select<Value: Sendable>(_ query: RowQuery, as reader: @Sendable (StoreCells) -> Value?) async throws
        -> [Value]
    /// The audit chain in sequence order.
    func events() async throws -> [AuditEvent]
    func close() async throws
}

/// When a conditional write may go ahead, judged in its transaction on the row stored under the
/// first event's key.
public enum WriteCondition: Sendable, Hashable {
    case always
    /// No row is stored there.
    case absent
    /// The row stored there is the one with this digest: a compare-and-swap.
    case unchanged(digest: String)

    /// Whether the write may go ahead over `current` (nil: no row).
    public func holds(for current: StoreRow?) -> Bool {
        switch self {
        case .always: true
        case .absent: current == nil
        case .unchanged(let digest): current?.digest == digest
        }
    }
}

/// What came of a conditional write.
public enum WriteOutcome: Sendable {
    case written
    /// The condition did not hold: nothing was written, and this is the row that stands (nil: none).
    case refused(current: StoreRow?)
}

extension StoreBackend {
    public func write(_ events: [PendingEvent]) async throws {
        _ = try await write(events, condition: .always)
    }

    public func select<Value: Sendable>(_ query: RowQuery, as reader: @Sendable (StoreCells) -> Value?)
        async throws -> [Value]
    {
        let columns = query.columns ?? query.table.columns
        return try await select(query).compactMap { row in
            // By position in the query's columns, whichever columns the backend gave.
            let cells =
                row.columns == columns ? row : StoreRow(row.table, columns: columns, cells: columns.map { row[$0] })
            return reader(StoreCells(row: cells))
        }
    }
}

/// The cells of one row as a query reads it, by position in the query's columns: from a
/// `StoreRow`, or straight from SQLite's current statement row.
public struct StoreCells {
    enum Source {
        case row(StoreRow)
        case sqlite(OpaquePointer)
    }

    let source: Source

    init(row: StoreRow) { source = .row(row) }
    init(sqliteStatement: OpaquePointer) { source = .sqlite(sqliteStatement) }

    public func text(_ index: Int) -> String? {
        switch source {
        case .row(let row): row.cells[index]
        case .sqlite(let statement): SQLiteBackend.text(statement, index)
        }
    }

    /// A timestamp cell as milliseconds since 1970.
    public func milliseconds(_ index: Int) -> Int64? {
        switch source {
        case .row(let row): row.cells[index].flatMap(StoreTime.date).map(StoreTime.milliseconds)
        case .sqlite(let statement): SQLiteBackend.milliseconds(statement, index)
        }
    }

    public func date(_ index: Int) -> Date? {
        milliseconds(index).map { Date(timeIntervalSince1970: Double($0) / 1000) }
    }
}

extension StoreRow {
    /// The query that reads this row back by its key.
    var keyQuery: RowQuery {
        RowQuery(table, equal: Dictionary(uniqueKeysWithValues: table.keyColumns.map { ($0, self[$0] ?? "") }))
    }
}

public enum StoreError: Error, CustomStringConvertible, Sendable {
    case newerSchema(location: String, found: Int, known: Int)
    case cannotOpen(location: String, reason: String)
    case badLocation(String)
    case failed(location: String, reason: String)
    case unreadableRow(table: String, key: String, reason: String)
    /// A call past its deadline (`StoreDeadline`): the server went away or hangs.
    case timedOut(location: String, reason: String)

    public var description: String {
        switch self {
        case .newerSchema(let location, let found, let known):
            "the store at \(location) has schema version \(found), and this shipcheck knows versions up to \(known): a newer shipcheck wrote it; upgrade shipcheck to read it"
        case .cannotOpen(let location, let reason): "cannot open the store at \(location): \(reason)"
        case .badLocation(let message): message
        case .failed(let location, let reason): "the store at \(location) failed: \(reason)"
        case .unreadableRow(let table, let key, let reason): "\(table) \(key) cannot be read: \(reason)"
        case .timedOut(let location, let reason): "the store at \(location) failed: \(reason)"
        }
    }
}

/// The schema's versions, as SQL both databases accept (types differ only in the sequence column).
/// A version is never edited once released: later versions add statements.
enum StoreSchema {
    enum Dialect { case sqlite, postgres }

    static func migrations(_ dialect: Dialect) -> [[String]] {
        let sequence = dialect == .sqlite ? "INTEGER" : "BIGINT"
        return [
            [
                """
                CREATE TABLE runs (id TEXT PRIMARY KEY, run_group TEXT, shard TEXT, phase TEXT NOT NULL, \
                environment TEXT, deploy_type TEXT, actor TEXT NOT NULL, project TEXT, config TEXT, config_digest TEXT, \
                commit_sha TEXT, commit_time TEXT, dirty TEXT, branch TEXT, tool_version TEXT, release TEXT, \
                started_at TEXT NOT NULL, finished_at TEXT, verdict TEXT, host TEXT, pid TEXT, header TEXT NOT NULL)
                """,
                "CREATE INDEX runs_started_at ON runs (started_at)",
                // Covers what `metrics` reads, so that it never touches the rows' headers.
                """
                CREATE INDEX runs_metrics ON runs (phase, started_at, environment, finished_at, verdict, commit_time, id)
                """,
                "CREATE INDEX runs_group ON runs (run_group)",
                """
                CREATE TABLE item_results (run_id TEXT NOT NULL, item_id TEXT NOT NULL, outcome TEXT NOT NULL, \
                severity TEXT, duration TEXT, attempts TEXT, reuse_key TEXT, reused_from TEXT, finished_at TEXT, \
                result TEXT NOT NULL, PRIMARY KEY (run_id, item_id))
                """,
                "CREATE INDEX item_results_reuse_key ON item_results (reuse_key)",
                "CREATE INDEX item_results_item ON item_results (item_id, finished_at)",
                """
                CREATE TABLE records (kind TEXT NOT NULL, id TEXT NOT NULL, subject TEXT, environment TEXT, actor TEXT, \
                at TEXT NOT NULL, until TEXT, body TEXT NOT NULL, PRIMARY KEY (kind, id))
                """,
                """
                CREATE TABLE audit_events (seq \(sequence) PRIMARY KEY, id TEXT NOT NULL, at TEXT NOT NULL, \
                kind TEXT NOT NULL, row_table TEXT NOT NULL, row_key TEXT NOT NULL, row_digest TEXT NOT NULL, \
                previous_hash TEXT NOT NULL, hash TEXT NOT NULL)
                """,
            ],
            // 2: metrics leave out partial runs by their shard column, still from the index alone.
            [
                """
                CREATE INDEX runs_metrics_whole ON runs (phase, started_at, environment, finished_at, verdict, \
                commit_time, shard, id)
                """,
                "DROP INDEX runs_metrics",
            ],
            // 3: how each event's hash is computed (docs/trust.md); events written before it are version 1.
            ["ALTER TABLE audit_events ADD COLUMN encoding INTEGER NOT NULL DEFAULT 1"],
        ]
    }

    static var version: Int { migrations(.sqlite).count }

    static let versionTable = "CREATE TABLE IF NOT EXISTS shipcheck_schema (version INTEGER NOT NULL)"

    static func upsert(_ table: StoreTable, placeholder: (Int) -> String) -> String {
        let columns = table.columns
        let values = columns.indices.map { placeholder($0 + 1) }.joined(separator: ", ")
        let updates = columns.filter { !table.keyColumns.contains($0) }.map { "\($0) = excluded.\($0)" }
        return "INSERT INTO \(table.rawValue) (\(columns.joined(separator: ", "))) VALUES (\(values)) "
            + "ON CONFLICT (\(table.keyColumns.joined(separator: ", "))) DO UPDATE SET \(updates.joined(separator: ", "))"
    }

    static func appendEvent(placeholder: (Int) -> String) -> String {
        "INSERT INTO audit_events (seq, id, at, kind, row_table, row_key, row_digest, previous_hash, hash, encoding) "
            + "VALUES (" + (1...10).map(placeholder).joined(separator: ", ") + ")"
    }

    static let lastEvent = "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1"
    static let allEvents =
        "SELECT seq, id, at, kind, row_table, row_key, row_digest, previous_hash, hash, encoding FROM audit_events "
        + "ORDER BY seq"

    /// The event's text columns after `seq`; `encoding`, an integer, follows them.
    static func eventValues(_ event: AuditEvent) -> [String] {
        [
            event.id, event.at, event.kind, event.table, event.key, event.rowDigest, event.previousHash,
            event.hash,
        ]
    }
}
