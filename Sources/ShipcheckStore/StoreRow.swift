import Crypto
public import Foundation
import ShipcheckCore

/// One row of a store table as text: every column is stored as text (or NULL) in both SQLite and
/// PostgreSQL, so that a row reads back byte for byte and its digest is the same in every store.
public struct StoreRow: Sendable, Hashable {
    public var table: StoreTable
    /// The columns read, shared by every row of a query, and their values in that order: no
    /// dictionary per row, since a query may read a hundred thousand.
    public private(set) var columns: [String]
    public private(set) var cells: [String?]

    public init(_ table: StoreTable, _ values: [String: String?]) {
        self.table = table
        columns = table.columns
        cells = table.columns.map { values[$0] ?? nil }
    }

    public init(_ table: StoreTable, columns: [String], cells: [String?]) {
        self.table = table
        self.columns = columns
        self.cells = cells
    }

    public subscript(column: String) -> String? {
        guard let index = columns.firstIndex(of: column) else { return nil }
        return cells[index]
    }

    /// The row's primary key as one string (`RUN` or `RUN/ITEM`), as audit events name it.
    public var key: String { table.keyColumns.map { self[$0] ?? "" }.joined(separator: "/") }

    /// SHA-256 over every column of the table in order, NULL distinct from empty: an audit event
    /// holds this, so that a row changed behind the store's back no longer matches.
    public var digest: String {
        var text = table.rawValue
        for column in table.columns {
            if let value = self[column] {
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
        Hex.string(SHA256.hash(data: data))
    }
}

/// Timestamps as text that sorts in time order and reads back exactly to the millisecond.
public enum StoreTime {
    /// `YYYY-MM-DDTHH:MM:SS.sssZ`, rounded to the nearest millisecond, so that a time read back and
    /// written again gives the same text.
    public static func text(_ date: Date) -> String {
        let milliseconds = milliseconds(date)
        var days = milliseconds >= 0 ? milliseconds / 86_400_000 : (milliseconds - 86_399_999) / 86_400_000
        let inDay = milliseconds - days * 86_400_000
        // Civil date of a day count (H. Hinnant's civil_from_days).
        days += 719_468
        let era = (days >= 0 ? days : days - 146_096) / 146_097
        let dayOfEra = days - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func pad(_ value: Int64, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(inDay / 3_600_000, 2)):"
            + "\(pad(inDay / 60_000 % 60, 2)):\(pad(inDay / 1000 % 60, 2)).\(pad(inDay % 1000, 3))Z"
    }

    /// Clamped to the years 0000–9999 that `text` writes: a far-off or non-finite time never traps.
    public static func milliseconds(_ date: Date) -> Int64 {
        let value = (date.timeIntervalSince1970 * 1000).rounded()
        guard value.isFinite else { return value > 0 ? maximumMilliseconds : minimumMilliseconds }
        return Int64(min(max(value, Double(minimumMilliseconds)), Double(maximumMilliseconds)))
    }

    static let minimumMilliseconds: Int64 = -62_167_219_200_000
    static let maximumMilliseconds: Int64 = 253_402_300_799_999

    /// Reads `YYYY-MM-DDTHH:MM:SS.sssZ` (what `text` writes) by hand: metrics read tens of
    /// thousands of these; any other shape goes to the general parser.
    public static func date(_ text: String) -> Date? {
        if text.utf8.count == 24, let parsed = text.utf8.withContiguousStorageIfAvailable(fixedFormat),
            let date = parsed
        {
            return date
        }
        return try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text)
    }

    static func fixedFormat(_ bytes: UnsafeBufferPointer<UInt8>) -> Date? {
        fixedFormatMilliseconds(bytes).map { Date(timeIntervalSince1970: Double($0) / 1000) }
    }

    /// Milliseconds since 1970 of `YYYY-MM-DDTHH:MM:SS.sssZ`; nil for any other shape.
    static func fixedFormatMilliseconds(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard bytes.count == 24, bytes[4] == 45, bytes[7] == 45, bytes[10] == 84, bytes[13] == 58, bytes[16] == 58,
            bytes[19] == 46, bytes[23] == 90
        else { return nil }
        // Every digit is checked once, in one pass: a wrapped subtraction puts a non-digit above 9.
        var badDigit = false
        func number(_ from: Int, _ count: Int) -> Int {
            var value = 0
            for index in from..<(from + count) {
                let digit = bytes[index] &- 48
                badDigit = badDigit || digit > 9
                value = value &* 10 &+ Int(digit)
            }
            return value
        }
        let year = number(0, 4)
        let month = number(5, 2)
        let day = number(8, 2)
        let hour = number(11, 2)
        let minute = number(14, 2)
        let second = number(17, 2)
        let millisecond = number(20, 3)
        guard !badDigit, (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        // Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        return Int64((days * 86_400 + hour * 3600 + minute * 60 + second) * 1000 + millisecond)
    }
}
