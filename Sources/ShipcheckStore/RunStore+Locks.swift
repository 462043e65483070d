public import Foundation
public import ShipcheckCore

/// An environment's deploy lock: who holds it, why, and until when it stands without a heartbeat.
/// One `lock` record per environment, changed only by compare-and-swap on the record its writer
/// read, so that two deploys to one environment never both hold it, across processes and machines
/// sharing the store. Every change is an audit event.
public struct DeployLock: Sendable, Hashable, Codable {
    public var environment: String
    public var owner: String
    public var via: Identity.Source?
    public var reason: String
    public var acquiredAt: Date
    /// The holder's last sign of life; the lock stands until `heartbeat + lease`.
    public var heartbeat: Date
    /// Seconds.
    public var lease: Double
    public var host: String?
    public var pid: Int32?
    /// The run or deployment that holds it, when one does.
    public var holder: String?
    public var released = false
    public var releasedBy: String? = nil
    /// The holder of a stale lock this one took over, when it did.
    public var takenOverFrom: String? = nil

    public var expires: Date { heartbeat.addingTimeInterval(lease) }

    public func isHeld(at date: Date) -> Bool { !released && date < expires }

    /// `alice@… (--actor) since 10:02:13Z for "deploy v1.2.3" (run R, host h pid 42)`.
    public var description: String {
        var text = Identity(owner, source: via ?? .flag).description
        text += " since \(StoreTime.text(acquiredAt)): \(reason)"
        var place: [String] = []
        if let holder { place.append("run \(holder)") }
        if let host { place.append("host \(host)" + (pid.map { " pid \($0)" } ?? "")) }
        if !place.isEmpty { text += " (" + place.joined(separator: ", ") + ")" }
        return text
    }
}

extension RunStore {
    static let lockKind = "lock"

    /// What came of asking for the lock.
    public enum LockOutcome: Sendable {
        /// Taken, perhaps over a stale holder's lock (named).
        case acquired(DeployLock, stale: DeployLock?)
        /// Someone holds it.
        case held(DeployLock)
    }

    /// The environment's lock as stored, with the row it was read from (for a compare-and-swap). A
    /// lock record that cannot be read stands as held by nobody known until its lease runs out
    /// (fail closed): it is taken only once its end, or the time it was written plus a day, passed.
    func storedLock(environment: String) async throws -> (lock: DeployLock, row: StoreRow)? {
        guard
            let row = try await backend.select(RowQuery(.records, equal: ["kind": Self.lockKind, "id": environment]))
                .first
        else { return nil }
        let record = Self.record(row)
        if let lock = try? Self.decoder().decode(DeployLock.self, from: Data(record.body.utf8)) {
            return (lock, row)
        }
        let unreadable = DeployLock(
            environment: environment, owner: record.actor ?? "?", via: nil,
            reason: "the lock record cannot be read", acquiredAt: record.at, heartbeat: record.at,
            lease: max(86_400, (record.until ?? record.at).timeIntervalSince(record.at)))
        return (unreadable, row)
    }

    public func lock(environment: String) async throws -> DeployLock? {
        try await storedLock(environment: environment)?.lock
    }

    func lockRecord(_ lock: DeployLock) throws -> StoredRecord {
        StoredRecord(
            kind: Self.lockKind, id: lock.environment, subject: lock.holder, environment: lock.environment,
            actor: lock.owner, at: lock.acquiredAt, until: lock.expires, body: try Self.json(lock))
    }

    /// Writes `lock` over the row `expected` (or where none is), as the audit event `kind`; false
    /// when another writer changed the row first.
    func swapLock(_ lock: DeployLock, expected: StoreRow?, kind: String) async throws -> Bool {
        let row = recordRow(try lockRecord(lock))
        let condition = expected.map { WriteCondition.unchanged(digest: $0.digest) } ?? .absent
        if case .written = try await backend.write([event(kind, row)], condition: condition) { return true }
        return false
    }

    /// Takes the environment's lock for `owner` unless someone holds it; a lock whose holder stopped
    /// beating for its lease is taken over, as its own audit event (`record-lock-takeover`).
    public func acquireLock(
        environment: String, owner: Identity, reason: String, lease: Double, holder: String? = nil, at now: Date
    ) async throws -> LockOutcome {
        for _ in 0..<8 {
            let current = try await storedLock(environment: environment)
            if let current, current.lock.isHeld(at: now) { return .held(current.lock) }
            let stale = current.flatMap { $0.lock.released ? nil : $0.lock }
            var lock = DeployLock(
                environment: environment, owner: owner.name, via: owner.source, reason: reason, acquiredAt: now,
                heartbeat: now, lease: lease, host: self.host, pid: self.pid, holder: holder)
            lock.takenOverFrom = stale?.owner
            let kind = stale == nil ? "record-lock" : "record-lock-takeover"
            if try await swapLock(lock, expected: current?.row, kind: kind) { return .acquired(lock, stale: stale) }
        }
        if let current = try await storedLock(environment: environment) { return .held(current.lock) }
        throw StoreError.failed(location: location, reason: "the deploy lock of \(environment) kept changing hands")
    }

    /// Renews the lease of a lock this process holds; false when it is no longer its (taken over,
    /// or ended by force).
    public func heartbeat(_ lock: inout DeployLock, at now: Date) async throws -> Bool {
        guard let current = try await storedLock(environment: lock.environment), current.lock == lock else {
            return false
        }
        var renewed = lock
        renewed.heartbeat = now
        guard try await swapLock(renewed, expected: current.row, kind: "record-lock-heartbeat") else { return false }
        lock = renewed
        return true
    }

    /// Ends the lock: `lock` when given (the one this process holds; nothing happens if it is no
    /// longer stored), else whatever is stored. Returns the lock as released, or nil when there was
    /// nothing to release.
    public func releaseLock(environment: String, expected lock: DeployLock? = nil, by actor: Identity, at now: Date)
        async throws -> DeployLock?
    {
        for _ in 0..<8 {
            guard let current = try await storedLock(environment: environment), !current.lock.released else {
                return nil
            }
            if let lock, current.lock != lock { return nil }
            var released = current.lock
            released.released = true
            released.releasedBy = actor.name
            released.heartbeat = now
            if try await swapLock(released, expected: current.row, kind: "record-lock-release") { return released }
        }
        return nil
    }
}
