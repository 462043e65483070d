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
    /// How `hash` is computed (docs/trust.md): 1, fields joined by newlines; 2, the version and
    /// every field length-prefixed, the sequence number included. New events are version 2.
    public var encoding: Int = Self.currentEncoding

    public static let genesis = String(repeating: "0", count: 64)
    public static let currentEncoding = 2

    public init(
        seq: Int64, id: String, at: String, kind: String, table: String, key: String, rowDigest: String,
        previousHash: String, hash: String, encoding: Int = 1
    ) {
        self.seq = seq
        self.id = id
        self.at = at
        self.kind = kind
        self.table = table
        self.key = key
        self.rowDigest = rowDigest
        self.previousHash = previousHash
        self.hash = hash
        self.encoding = encoding
    }

    enum CodingKeys: String, CodingKey {
        case seq, id, at, kind, table, key, rowDigest, previousHash, hash, encoding
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            seq: try container.decode(Int64.self, forKey: .seq), id: try container.decode(String.self, forKey: .id),
            at: try container.decode(String.self, forKey: .at), kind: try container.decode(String.self, forKey: .kind),
            table: try container.decode(String.self, forKey: .table),
            key: try container.decode(String.self, forKey: .key),
            rowDigest: try container.decode(String.self, forKey: .rowDigest),
            previousHash: try container.decode(String.self, forKey: .previousHash),
            hash: try container.decode(String.self, forKey: .hash),
            encoding: try container.decodeIfPresent(Int.self, forKey: .encoding) ?? 1)
    }

    /// Version 1: SHA-256 of the fields joined by newlines.
    public static func hash(
        id: String, at: String, kind: String, table: String, key: String, rowDigest: String, previousHash: String
    ) -> String {
        StoreDigest.hex(Data([previousHash, id, at, kind, table, key, rowDigest].joined(separator: "\n").utf8))
    }

    /// Version 2: SHA-256 of `shipcheck-audit-v2` and the fields, each as a 4-byte big-endian
    /// length then its UTF-8 bytes, so that no field's content can pass for a boundary.
    public static func hashV2(
        seq: Int64, id: String, at: String, kind: String, table: String, key: String, rowDigest: String,
        previousHash: String
    ) -> String {
        var bytes: [UInt8] = []
        for field in ["shipcheck-audit-v2", previousHash, String(seq), id, at, kind, table, key, rowDigest] {
            let utf8 = Array(field.utf8)
            let count = UInt32(utf8.count)
            bytes += [UInt8(count >> 24), UInt8(count >> 16 & 0xFF), UInt8(count >> 8 & 0xFF), UInt8(count & 0xFF)]
            bytes += utf8
        }
        return StoreDigest.hex(Data(bytes))
    }

    /// Whether it is intact but was written under another sequence number, at most 1,000 away
    /// (encoding 2 hashes the number): an event moved, reported by its links rather than as edited.
    var wasMoved: Bool {
        guard encoding == 2 else { return false }
        var moved = self
        for original in max(1, seq - 1000)...(seq + 1000) where original != seq {
            moved.seq = original
            if moved.computedHash == hash { return true }
        }
        return false
    }

    /// The hash its encoding gives; nil for an encoding this shipcheck does not know.
    public var computedHash: String? {
        switch encoding {
        case 1:
            Self.hash(
                id: id, at: at, kind: kind, table: table, key: key, rowDigest: rowDigest, previousHash: previousHash)
        case 2:
            Self.hashV2(
                seq: seq, id: id, at: at, kind: kind, table: table, key: key, rowDigest: rowDigest,
                previousHash: previousHash)
        default: nil
        }
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
        let seq = (previous?.seq ?? 0) + 1
        return AuditEvent(
            seq: seq, id: id, at: at, kind: kind, table: row.table.rawValue, key: row.key,
            rowDigest: digest, previousHash: previousHash,
            hash: AuditEvent.hashV2(
                seq: seq, id: id, at: at, kind: kind, table: row.table.rawValue, key: row.key, rowDigest: digest,
                previousHash: previousHash),
            encoding: AuditEvent.currentEncoding)
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

    public init(eventID: String?, seq: Int64?, message: String) {
        self.eventID = eventID
        self.seq = seq
        self.message = message
    }

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
        var newestEncoding = 1
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
            if event.computedHash == nil {
                problem("its encoding \(event.encoding) is not one this shipcheck knows (1, 2)")
            } else if event.encoding < newestEncoding {
                problem(
                    "downgraded: encoding \(event.encoding) after an event of encoding \(newestEncoding), which no shipcheck writes"
                )
            } else if event.computedHash != event.hash, !event.wasMoved {
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
            newestEncoding = max(newestEncoding, event.encoding)
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
