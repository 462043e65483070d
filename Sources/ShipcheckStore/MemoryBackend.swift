/// Rows in memory, for unit tests of what sits above the store.
public actor MemoryBackend: StoreBackend {
    private var rows: [StoreTable: [String: StoreRow]] = [:]
    private var chain: [AuditEvent] = []

    public init() {}

    public nonisolated var location: String { "memory" }

    public func write(_ events: [PendingEvent], condition: WriteCondition) async throws -> WriteOutcome {
        if condition != .always, let first = events.first {
            let current = rows[first.row.table]?[first.row.key]
            guard condition.holds(for: current) else { return .refused(current: current) }
        }
        for pending in events {
            let event = pending.linked(after: chain.last.map { ($0.seq, $0.hash) })
            rows[pending.row.table, default: [:]][pending.row.key] = pending.row
            chain.append(event)
        }
        return .written
    }

    public func select(_ query: RowQuery) async throws -> [StoreRow] {
        var found = (rows[query.table] ?? [:]).values.filter(query.matches)
        let keys = query.table.keyColumns
        found.sort { left, right in
            if let column = query.orderBy, left[column] != right[column] {
                let ascending = (left[column] ?? "") < (right[column] ?? "")
                return query.descending ? !ascending : ascending
            }
            let ascending = keys.map { left[$0] ?? "" }.lexicographicallyPrecedes(keys.map { right[$0] ?? "" })
            return query.descending && query.orderBy != nil ? !ascending : ascending
        }
        if let limit = query.limit { found = Array(found.prefix(limit)) }
        return found
    }

    public func events() async throws -> [AuditEvent] { chain }

    public func close() async throws {}

    /// Tampering, for the verifier's tests: what plain SQL does to a real store.
    public func tamper(_ change: (inout [StoreTable: [String: StoreRow]], inout [AuditEvent]) -> Void) {
        change(&rows, &chain)
    }
}
