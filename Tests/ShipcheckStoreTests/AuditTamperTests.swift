import Foundation
import ShipcheckStore
import Testing

@testable import ShipcheckCore

/// Someone with database access changes the store with plain SQL: `verify` finds each change and
/// names the event where the chain breaks.
@Suite struct AuditTamperTests {
    static let realStores: [BackendKind] = [.sqlite, .postgres]

    /// Two runs, seven events, verified intact before anything is touched.
    func recorded(_ kind: BackendKind) async throws -> (TestStore, [AuditEvent])? {
        guard let test = try await TestStore.make(kind) else { return nil }
        try await Runs.record(test.store, Runs.header("a"), [Runs.item("tests", .pass), Runs.item("lint", .pass)])
        try await Runs.record(test.store, Runs.header("b"), [Runs.item("tests", .fail)])
        #expect(try await test.store.verifyAudit().intact)
        return (test, try await test.store.auditEvents())
    }

    func problems(_ test: TestStore) async throws -> [AuditProblem] {
        let report = try await test.store.verifyAudit()
        #expect(!report.intact)
        return report.problems
    }

    @Test(arguments: realStores)
    func anOutcomeChangedWithSQLIsFound(_ kind: BackendKind) async throws {
        guard let (test, events) = try await recorded(kind) else { return }
        try await test.execute(["UPDATE item_results SET outcome = 'pass' WHERE run_id = 'b' AND item_id = 'tests'"])
        let found = try await problems(test)
        let first = try #require(found.first)
        #expect(first.message == "item_results b/tests was changed after this event recorded it")
        #expect(first.eventID == events[5].id && first.seq == 6)
        #expect(found.count == 1)
        try await test.store.backend.close()
    }

    @Test(arguments: realStores)
    func aRunRowChangedWithSQLIsFound(_ kind: BackendKind) async throws {
        guard let (test, events) = try await recorded(kind) else { return }
        try await test.execute(["UPDATE runs SET verdict = 'passed' WHERE id = 'b'"])
        let first = try #require(try await problems(test).first)
        #expect(first.message == "runs b was changed after this event recorded it")
        #expect(first.eventID == events[6].id)
        try await test.store.backend.close()
    }

    @Test(arguments: realStores)
    func aDeletedEventIsFound(_ kind: BackendKind) async throws {
        guard let (test, events) = try await recorded(kind) else { return }
        try await test.execute(["DELETE FROM audit_events WHERE seq = 3"])
        let first = try #require(try await problems(test).first)
        #expect(first.seq == 4 && first.eventID == events[3].id)
        #expect(first.message.hasPrefix("deleted before it"), "\(first)")
        try await test.store.backend.close()
    }

    @Test(arguments: realStores)
    func twoSwappedEventsAreFound(_ kind: BackendKind) async throws {
        guard let (test, events) = try await recorded(kind) else { return }
        try await test.execute([
            "UPDATE audit_events SET seq = 100 WHERE seq = 3",
            "UPDATE audit_events SET seq = 3 WHERE seq = 4",
            "UPDATE audit_events SET seq = 4 WHERE seq = 100",
        ])
        let first = try #require(try await problems(test).first)
        #expect(first.seq == 3 && first.eventID == events[3].id)
        #expect(first.message.hasPrefix("reordered"), "\(first)")
        try await test.store.backend.close()
    }

    @Test(arguments: realStores)
    func anInsertedEventIsFound(_ kind: BackendKind) async throws {
        guard let (test, events) = try await recorded(kind) else { return }
        let forged = AuditEvent.hash(
            id: "forged", at: events[1].at, kind: "item-finished", table: "item_results", key: "a/deploy",
            rowDigest: events[1].rowDigest, previousHash: events[1].hash)
        try await test.execute([
            "UPDATE audit_events SET seq = seq + 1000 WHERE seq > 2",
            "UPDATE audit_events SET seq = seq - 999 WHERE seq > 1000",
            """
            INSERT INTO audit_events (seq, id, at, kind, row_table, row_key, row_digest, previous_hash, hash) \
            VALUES (3, 'forged', '\(events[1].at)', 'item-finished', 'item_results', 'a/deploy', \
            '\(events[1].rowDigest)', '\(events[1].hash)', '\(forged)')
            """,
        ])
        let found = try await problems(test)
        let first = try #require(found.first)
        #expect(first.seq == 3 && first.eventID == "forged")
        #expect(first.message.hasPrefix("inserted"), "\(first)")
        try await test.store.backend.close()
    }

    @Test(arguments: realStores)
    func anEditedEventIsFound(_ kind: BackendKind) async throws {
        guard let (test, events) = try await recorded(kind) else { return }
        try await test.execute(["UPDATE audit_events SET kind = 'run-began' WHERE seq = 2"])
        let first = try #require(try await problems(test).first)
        #expect(first.seq == 2 && first.eventID == events[1].id)
        #expect(first.message.hasPrefix("edited"), "\(first)")
        try await test.store.backend.close()
    }

    @Test(arguments: realStores)
    func aRowWrittenOutsideTheStoreIsFound(_ kind: BackendKind) async throws {
        guard let (test, _) = try await recorded(kind) else { return }
        try await test.execute([
            "INSERT INTO records (kind, id, at, body) VALUES ('waiver', 'sneaky', '2026-01-01T00:00:00.000Z', '{}')"
        ])
        let found = try await problems(test)
        #expect(found.map(\.message) == ["records waiver/sneaky: a row no event recorded (written outside shipcheck)"])
        try await test.store.backend.close()
    }

    /// An older shipcheck meets a store a newer one migrated: it refuses, naming both versions.
    @Test(arguments: realStores)
    func aNewerSchemaIsRefusedNamingBothVersions(_ kind: BackendKind) async throws {
        guard let (test, _) = try await recorded(kind) else { return }
        try await test.store.backend.close()
        try await test.execute(["UPDATE shipcheck_schema SET version = 99"])
        do {
            _ = try await StoreLocation.open(
                test.location, environment: [:], configDirectory: URL(fileURLWithPath: "/"))
            Issue.record("a newer schema was opened")
        } catch let error as StoreError {
            #expect(
                error.description.contains("has schema version 99, and this shipcheck knows versions up to 3"),
                "\(error)")
        }
    }

    /// A store written by the first schema (version 1, its events hashed with encoding 1) is
    /// migrated on open: its rows and audit chain are untouched, so the chain still verifies, and
    /// the events written after it (encoding 2) extend it.
    @Test(arguments: realStores)
    func aVersionOneStoreIsMigratedWithItsChainIntact(_ kind: BackendKind) async throws {
        guard let (test, events) = try await recorded(kind) else { return }
        try await test.store.backend.close()
        let columns = "(phase, started_at, environment, finished_at, verdict, commit_time, id)"
        // The chain as the first schema hashed it.
        var previous = AuditEvent.genesis
        var rehashed: [String] = []
        for event in events {
            let hash = AuditEvent.hash(
                id: event.id, at: event.at, kind: event.kind, table: event.table, key: event.key,
                rowDigest: event.rowDigest, previousHash: previous)
            rehashed.append(
                "UPDATE audit_events SET previous_hash = '\(previous)', hash = '\(hash)' WHERE seq = \(event.seq)")
            previous = hash
        }
        try await test.execute(
            [
                "DROP INDEX runs_metrics_whole", "CREATE INDEX runs_metrics ON runs \(columns)",
                "ALTER TABLE audit_events DROP COLUMN encoding", "UPDATE shipcheck_schema SET version = 1",
            ] + rehashed)
        let store = try await StoreLocation.open(
            test.location, environment: [:], configDirectory: URL(fileURLWithPath: "/"))
        try await Runs.record(store, Runs.header("after"), [Runs.item("tests", .pass)])
        let encodings = Set(try await store.auditEvents().map(\.encoding))
        #expect(encodings == [1, 2])
        let report = try await store.verifyAudit()
        #expect(report.intact, "\(report.problems)")
        #expect(report.events > 0)
        try await store.backend.close()
    }

    /// The memory store's chain is verified by the same code: a deleted event there too.
    @Test func theMemoryStoreIsVerifiedAlike() async throws {
        let backend = MemoryBackend()
        let store = RunStore(backend: backend)
        try await Runs.record(store, Runs.header("a"), [Runs.item("tests", .pass)])
        await backend.tamper { _, chain in chain.remove(at: 1) }
        let first = try #require(try await store.verifyAudit().problems.first)
        #expect(first.seq == 3 && first.message.hasPrefix("deleted before it"))
    }
}
