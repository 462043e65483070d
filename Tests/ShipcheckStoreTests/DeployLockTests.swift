import Foundation
import ShipcheckStore
import Testing

@testable import ShipcheckCore

/// The deploy lock in every store: one holder at a time, renewed by heartbeats, released by its
/// holder, taken over only once its lease ran out (as its own audit event), and changed only from
/// the row its writer read.
@Suite struct DeployLockTests {
    static let ana = Identity("ana@example.com", source: .flag)
    static let bo = Identity("bo@example.com", source: .flag)

    @Test(arguments: BackendKind.allCases)
    func oneHolderAtATimeUntilReleasedOrStale(_ kind: BackendKind) async throws {
        guard let test = try await TestStore.make(kind) else { return }
        let store = test.store
        let start = Runs.start
        guard
            case .acquired(var lock, nil) = try await store.acquireLock(
                environment: "production", owner: Self.ana, reason: "deploy v1", lease: 60, holder: "run-1", at: start)
        else {
            Issue.record("a free lock was not taken")
            return
        }
        guard
            case .held(let holder) = try await store.acquireLock(
                environment: "production", owner: Self.bo, reason: "deploy v2", lease: 60,
                at: start.addingTimeInterval(30))
        else {
            Issue.record("a held lock was taken")
            return
        }
        #expect(holder.owner == "ana@example.com" && holder.holder == "run-1")
        // Another environment has a lock of its own.
        guard
            case .acquired = try await store.acquireLock(
                environment: "staging", owner: Self.bo, reason: "deploy v2", lease: 60, at: start)
        else {
            Issue.record("staging's lock was taken by production's")
            return
        }

        // Heartbeats keep it past its first lease; a stale copy cannot beat or release it.
        #expect(try await store.heartbeat(&lock, at: start.addingTimeInterval(50)))
        guard
            case .held = try await store.acquireLock(
                environment: "production", owner: Self.bo, reason: "deploy v2", lease: 60,
                at: start.addingTimeInterval(100))
        else {
            Issue.record("a renewed lock was taken")
            return
        }
        var stale = holder
        #expect(try await store.heartbeat(&stale, at: start.addingTimeInterval(60)) == false)
        #expect(
            try await store.releaseLock(environment: "production", expected: holder, by: Self.ana, at: start) == nil)

        // Its holder stopped beating: after the lease it is taken over, and the chain says so.
        guard
            case .acquired(let taken, let previous?) = try await store.acquireLock(
                environment: "production", owner: Self.bo, reason: "deploy v2", lease: 60,
                at: start.addingTimeInterval(111))
        else {
            Issue.record("a stale lock was not taken over")
            return
        }
        #expect(previous.owner == "ana@example.com" && taken.takenOverFrom == "ana@example.com")
        #expect(try await store.heartbeat(&lock, at: start.addingTimeInterval(112)) == false, "the old holder lost it")
        let kinds = try await store.auditEvents().map(\.kind)
        #expect(kinds.contains("record-lock-takeover") && kinds.contains("record-lock-heartbeat"), "\(kinds)")

        // Released, it is free at once.
        let released = try await store.releaseLock(
            environment: "production", expected: taken, by: Self.bo, at: start.addingTimeInterval(120))
        #expect(released?.released == true && released?.releasedBy == "bo@example.com")
        guard
            case .acquired(_, nil) = try await store.acquireLock(
                environment: "production", owner: Self.ana, reason: "deploy v3", lease: 60,
                at: start.addingTimeInterval(121))
        else {
            Issue.record("a released lock was not free")
            return
        }
        #expect(try await store.verifyAudit().intact)
        try await store.backend.close()
    }

    /// Many takers at once, in one process: exactly one gets it.
    @Test(arguments: BackendKind.allCases)
    func concurrentTakersGetItOnce(_ kind: BackendKind) async throws {
        guard let test = try await TestStore.make(kind) else { return }
        let store = test.store
        let winners = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<12 {
                group.addTask {
                    let who = Identity("taker-\(index)@example.com", source: .flag)
                    if case .acquired = try await store.acquireLock(
                        environment: "production", owner: who, reason: "race", lease: 60, at: Date())
                    {
                        return true
                    }
                    return false
                }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(winners == 1)
        try await store.backend.close()
    }
}
