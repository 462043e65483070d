import Crypto
public import Foundation

/// One row of a store table as text: every column is stored as text (or NULL) in both SQLite and
/// PostgreSQL, so that a row reads back byte for byte and its digest is the same in every store.
public struct StoreRow: Sendable, Hashable {
    public var table: StoreTable
    public var values: [String: String]

    public init(_ table: StoreTable, _ values: [String: String?]) {
        self.table = table
        self.values = values.compactMapValues { $0 }
    }

    public subscript(column: String) -> String? { values[column] }

    /// The row's primary key as one string (`RUN` or `RUN/ITEM`), as audit events name it.
    public var key: String { table.keyColumns.map { values[$0] ?? "" }.joined(separator: "/") }

    /// SHA-256 over every column of the table in order, NULL distinct from empty: an audit event
    /// holds this, so that a row changed behind the store's back no longer matches.
    public var digest: String {
        var text = table.rawValue
        for column in table.columns {
            if let value = values[column] {
                text += "\u{1F}\(column)=\(value.utf8.count):\(value)"
            } else {
                text += "\u{1F}\(column)"
            }
        }
        return StoreDigest.hex(Data(text.utf8))
    }
}

/// The tables a store keeps. Policy and deploy records (sign-offs, waivers, freezes, locks,
/// deployments) are rows of `records` told apart by `kind`, so that later features add rows and
/// not a second store.
public enum StoreTable: String, Sendable, CaseIterable, Hashable {
    case runs
    case itemResults = "item_results"
    case records

    public var keyColumns: [String] {
        switch self {
        case .runs: ["id"]
        case .itemResults: ["run_id", "item_id"]
        case .records: ["kind", "id"]
        }
    }

    /// Every column, in the order the digest reads them.
    public var columns: [String] {
        switch self {
        case .runs:
            [
                "id", "run_group", "shard", "phase", "environment", "deploy_type", "actor", "project", "config",
                "config_digest", "commit_sha", "commit_time", "dirty", "branch", "tool_version", "release",
                "started_at", "finished_at", "verdict", "host", "pid", "header",
            ]
        case .itemResults:
            [
                "run_id", "item_id", "outcome", "severity", "duration", "attempts", "reuse_key", "reused_from",
                "finished_at", "result",
            ]
        case .records:
            ["kind", "id", "subject", "environment", "actor", "at", "until", "body"]
        }
    }
}

/// Which rows to read: equal columns, NULL columns, columns at least a value (text order, which
/// is time order for the store's timestamps), newest first or oldest first, how many.
public struct RowQuery: Sendable {
    public var table: StoreTable
    public var equal: [String: String] = [:]
    public var null: [String] = []
    public var atLeast: [String: String] = [:]
    public var orderBy: String?
    public var descending = false
    public var limit: Int?
    /// Only these columns (others read as NULL): a query over many rows need not read every run's header.
    public var columns: [String]?

    public init(
        _ table: StoreTable, equal: [String: String] = [:], null: [String] = [], atLeast: [String: String] = [:],
        orderBy: String? = nil, descending: Bool = false, limit: Int? = nil
    ) {
        self.table = table
        self.equal = equal
        self.null = null
        self.atLeast = atLeast
        self.orderBy = orderBy
        self.descending = descending
        self.limit = limit
    }

    /// The WHERE/ORDER/LIMIT text with numbered placeholders (`$1`, or `?` for SQLite) and the values.
    func sql(placeholder: (Int) -> String) -> (sql: String, values: [String]) {
        var conditions: [String] = []
        var values: [String] = []
        for (column, value) in equal.sorted(by: { $0.key < $1.key }) {
            values.append(value)
            conditions.append("\(column) = \(placeholder(values.count))")
        }
        for column in null.sorted() { conditions.append("\(column) IS NULL") }
        for (column, value) in atLeast.sorted(by: { $0.key < $1.key }) {
            values.append(value)
            conditions.append("\(column) >= \(placeholder(values.count))")
        }
        var sql = "SELECT \((columns ?? table.columns).joined(separator: ", ")) FROM \(table.rawValue)"
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        if let orderBy {
            sql += " ORDER BY \(orderBy) \(descending ? "DESC" : "ASC")"
            // Ties (runs started in the same millisecond) in key order, the same in every store.
            for key in table.keyColumns where key != orderBy { sql += ", \(key) \(descending ? "DESC" : "ASC")" }
        }
        if let limit { sql += " LIMIT \(max(0, limit))" }
        return (sql, values)
    }

    func matches(_ row: StoreRow) -> Bool {
        for (column, value) in equal where row[column] != value { return false }
        for column in null where row[column] != nil { return false }
        for (column, value) in atLeast {
            guard let have = row[column], have >= value else { return false }
        }
        return true
    }
}

enum StoreDigest {
    static func hex(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }
}

/// Timestamps as text that sorts in time order and reads back exactly to the millisecond.
public enum StoreTime {
    public static func text(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    public static func date(_ text: String) -> Date? {
        try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text)
    }
}
