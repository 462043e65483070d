import Foundation

/// One link of the audit log: every write to a store appends one, in the same transaction. Its hash
/// covers the previous event's hash and the digest of the row it wrote, so that editing, deleting,
/// reordering or inserting an event, or editing a row, breaks the chain where it happened.
public struct AuditEvent: Sendable, Hashable, Codable {
    public var seq: Int64
    public var id: String
    public var at: String
    /// What was written: `run-began`, `item-finished`, `run-finished`, `record`.
    public var kind: String
    public var table: String
    public var key: String
    public var rowDigest: String
    public var previousHash: String
    public var hash: String

    public static let genesis = String(repeating: "0", count: 64)

    public static func hash(
        id: String, at: String, kind: String, table: String, key: String, rowDigest: String, previousHash: String
    ) -> String {
        StoreDigest.hex(Data([previousHash, id, at, kind, table, key, rowDigest].joined(separator: "\n").utf8))
    }

    public var computedHash: String {
        Self.hash(id: id, at: at, kind: kind, table: table, key: key, rowDigest: rowDigest, previousHash: previousHash)
    }
}

/// An event waiting for its place in the chain: the store gives it the sequence number and the
/// previous hash inside the write's transaction.
public struct PendingEvent: Sendable {
    public var id: String
    public var at: String
    public var kind: String
    public var row: StoreRow

    public func linked(after previous: (seq: Int64, hash: String)?) -> AuditEvent {
        let previousHash = previous?.hash ?? AuditEvent.genesis
        let digest = row.digest
        return AuditEvent(
            seq: (previous?.seq ?? 0) + 1, id: id, at: at, kind: kind, table: row.table.rawValue, key: row.key,
            rowDigest: digest, previousHash: previousHash,
            hash: AuditEvent.hash(
                id: id, at: at, kind: kind, table: row.table.rawValue, key: row.key, rowDigest: digest,
                previousHash: previousHash))
    }
}

/// What `audit verify` found: nothing, or every broken link, the first one first.
public struct AuditReport: Sendable {
    public var events: Int
    public var rows: Int
    public var problems: [AuditProblem]
    public var intact: Bool { problems.isEmpty }
}

public struct AuditProblem: Sendable, Hashable, CustomStringConvertible {
    /// The event where the chain breaks (or the last event that wrote the row), when there is one.
    public var eventID: String?
    public var seq: Int64?
    public var message: String

    public var description: String {
        (seq.map { "event #\($0)" + (eventID.map { " (\($0))" } ?? "") + ": " } ?? "") + message
    }
}

/// Walks the chain and compares every row with the last event that wrote it.
public enum AuditVerifier {
    public static func verify(events: [AuditEvent], rows: [StoreRow]) -> AuditReport {
        var problems: [AuditProblem] = []
        let ordered = events.sorted { $0.seq < $1.seq }
        let positionOfHash = Dictionary(
            ordered.enumerated().map { ($0.element.hash, $0.offset) }, uniquingKeysWith: { first, _ in first })
        let linkedTo = Set(ordered.map(\.previousHash))
        var previous: AuditEvent?
        for (position, event) in ordered.enumerated() {
            let expected = previous?.hash ?? AuditEvent.genesis
            func problem(_ message: String) {
                problems.append(AuditProblem(eventID: event.id, seq: event.seq, message: message))
            }
            // An event nothing links to, while the next one links to the event before it, was put in.
            if position + 1 < ordered.count, ordered[position + 1].previousHash == expected,
                !linkedTo.contains(event.hash)
            {
                problem("inserted: no event links to it, and the next one links to the event before it")
                continue
            }
            if event.computedHash != event.hash {
                problem(
                    "edited: its hash does not match its contents (kind \(event.kind), \(event.table) \(event.key))")
            } else if event.previousHash != expected {
                if let target = positionOfHash[event.previousHash] {
                    if target > position {
                        problem(
                            "reordered: it links to event #\(ordered[target].seq) (\(ordered[target].id)), which comes after it"
                        )
                    } else {
                        let between = ordered[(target + 1)..<position].map { "#\($0.seq) (\($0.id))" }
                        problem(
                            "out of place: it links to event #\(ordered[target].seq) (\(ordered[target].id)), not to "
                                + between.joined(separator: ", "))
                    }
                } else if let previous, previous.seq + 1 < event.seq {
                    problem("deleted before it: it links to an event that is gone (#\(previous.seq + 1))")
                } else if previous == nil, event.seq > 1 {
                    problem("deleted before it: it links to an event that is gone (#1)")
                } else {
                    problem(
                        "the event before it was edited or replaced: it links to a hash no event has (\(event.previousHash.prefix(12))…)"
                    )
                }
            }
            previous = event
        }
        // The last event that wrote each row holds the row's digest.
        var lastWrite: [String: AuditEvent] = [:]
        for event in ordered { lastWrite[event.table + "\u{1F}" + event.key] = event }
        var seen = Set<String>()
        for row in rows.sorted(by: { ($0.table.rawValue, $0.key) < ($1.table.rawValue, $1.key) }) {
            let name = row.table.rawValue + "\u{1F}" + row.key
            seen.insert(name)
            guard let event = lastWrite[name] else {
                problems.append(
                    AuditProblem(
                        eventID: nil, seq: nil,
                        message: "\(row.table.rawValue) \(row.key): a row no event recorded (written outside shipcheck)"
                    ))
                continue
            }
            if event.rowDigest != row.digest {
                problems.append(
                    AuditProblem(
                        eventID: event.id, seq: event.seq,
                        message: "\(row.table.rawValue) \(row.key) was changed after this event recorded it"))
            }
        }
        for (name, event) in lastWrite.sorted(by: { $0.value.seq < $1.value.seq }) where !seen.contains(name) {
            problems.append(
                AuditProblem(
                    eventID: event.id, seq: event.seq,
                    message: "\(event.table) \(event.key), which this event recorded, is gone"))
        }
        // The first broken link first.
        problems.sort { ($0.seq ?? .max) < ($1.seq ?? .max) }
        return AuditReport(events: ordered.count, rows: rows.count, problems: problems)
    }
}
