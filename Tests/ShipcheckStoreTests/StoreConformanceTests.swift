import Foundation
import ShipcheckStore
import Testing

@testable import ShipcheckCore

/// One suite, every store: what a store must do, run on memory, SQLite and a real PostgreSQL.
@Suite struct StoreConformanceTests {
    @Test(arguments: BackendKind.allCases)
    func aRunReadsBackAsItWasRecorded(_ kind: BackendKind) async throws {
        guard let test = try await TestStore.make(kind) else { return }
        let header = Runs.header("r1")
        let items = [
            Runs.item("tests", .pass, facts: ["exit": .number(0), "stdout": .string("12 passed")]),
            Runs.item("lint", .fail, facts: ["exit": .number(1), "duration": .duration(2.5)]),
            Runs.item("signoff", .pending),
        ]
        try await Runs.record(test.store, header, items)
        let stored = try #require(try await test.store.run("r1"))
        #expect(stored.header == header)
        #expect(stored.status == .finished(.failed))
        #expect(stored.items.map(\.id).sorted() == ["lint", "signoff", "tests"])
        let result = stored.result
        #expect(result.items.map(\.id) == ["tests", "lint", "signoff"])
        #expect(result.items[0].facts["stdout"] == .string("12 passed"))
        #expect(result.items[1].facts["duration"] == .duration(2.5))
        #expect(result.items[1].expectations.first?.held == false)
        #expect(result.verdict == .failed)
        #expect(result.provenance?.commit == "abc123")
        #expect(try await test.store.run("nope") == nil)
        try await test.store.backend.close()
    }

    /// A run restricted by `--only`/`--skip`, or one shard, never stands for the environment's gate:
    /// not for `recorded:` and plan, not for reuse, not for the runway, not for delivery metrics.
    @Test(arguments: BackendKind.allCases)
    func aPartialRunNeverCountsAsTheGate(_ kind: BackendKind) async throws {
        guard let test = try await TestStore.make(kind) else { return }
        var partial = Runs.header("partial", phase: .deploy, startedAt: Runs.start.addingTimeInterval(3600))
        partial.provenance.partial = "--only tests"
        var item = Runs.item("tests", .pass)
        item.reuseKey = "key-1"
        try await test.store.begin(partial)
        try await test.store.record([item], runID: "partial", reusable: false)
        try await test.store.finish(Runs.result(partial, [item]), header: partial)
        let match = HistoryMatch(phase: "deploy", environment: "staging", commit: "abc123")
        #expect(try await test.store.latestResult(of: "tests", matching: match) == nil)
        #expect(try await test.store.reusable(key: "key-1", since: Runs.start) == nil)
        let whole = HistoryQuery(phase: "deploy", wholeGatesOnly: true)
        #expect(try await test.store.history(whole).isEmpty)
        #expect(try await test.store.history(HistoryQuery(phase: "deploy")).map(\.shard) == ["partial"])
        let metrics = try await test.store.metrics(
            since: Runs.start, until: Runs.start.addingTimeInterval(86_400), environment: nil)
        #expect(metrics.deploys == 0)

        try await Runs.record(test.store, Runs.header("whole", phase: .deploy), [Runs.item("tests", .pass)])
        #expect(try await test.store.latestResult(of: "tests", matching: match)?.runID == "whole")
        #expect(try await test.store.history(whole).map(\.runID) == ["whole"])
        let after = try await test.store.metrics(
            since: Runs.start, until: Runs.start.addingTimeInterval(86_400), environment: nil)
        #expect(after.deploys == 1)
        try await test.store.backend.close()
    }

    @Test(arguments: BackendKind.allCases)
    func historyFiltersAndOrdersNewestFirst(_ kind: BackendKind) async throws {
        guard let test = try await TestStore.make(kind) else { return }
        for index in 0..<6 {
            let header = Runs.header(
                "run-\(index)", environment: index.isMultiple(of: 2) ? "staging" : "production",
                deployType: index == 5 ? "hotfix" : "standard",
                startedAt: Runs.start.addingTimeInterval(Double(index) * 3600))
            try await Runs.record(test.store, header, [Runs.item("tests", index == 3 ? .fail : .pass)])
        }
        let all = try await test.store.history(HistoryQuery())
        #expect(all.map(\.runID) == (0..<6).reversed().map { "run-\($0)" })
        #expect(
            try await test.store.history(HistoryQuery(environment: "production")).map(\.runID) == [
                "run-5", "run-3", "run-1",
            ])
        #expect(try await test.store.history(HistoryQuery(deployType: "hotfix")).map(\.runID) == ["run-5"])
        #expect(try await test.store.history(HistoryQuery(outcome: "failed")).map(\.runID) == ["run-3"])
        #expect(
            try await test.store.history(HistoryQuery(since: Runs.start.addingTimeInterval(4 * 3600))).map(\.runID)
                == ["run-5", "run-4"])
        #expect(try await test.store.history(HistoryQuery(limit: 2)).map(\.runID) == ["run-5", "run-4"])
        let summary = try #require(all.first)
        #expect(summary.environment == "production" && summary.commit == "abc123" && summary.branch == "main")
        #expect(summary.outcome == "passed")
        try await test.store.backend.close()
    }

    @Test(arguments: BackendKind.allCases)
    func anUnfinishedRunIsInterruptedOnlyWhenItsProcessIsGone(_ kind: BackendKind) async throws {
        guard let test = try await TestStore.make(kind) else { return }
        var dead = test.store
        dead.pid = 999_999
        dead.isAlive = { _ in false }
        try await dead.begin(Runs.header("killed"))
        try await dead.record(Runs.item("tests", .pass), runID: "killed")
        var alive = test.store
        alive.isAlive = { _ in true }
        try await alive.begin(Runs.header("going", startedAt: Runs.start.addingTimeInterval(10)))

        let killed = try #require(try await dead.run("killed"))
        #expect(killed.status == .interrupted)
        #expect(killed.items.map(\.id) == ["tests"])
        #expect(killed.result.verdict == .interrupted)
        #expect(try await alive.run("going")?.status == .running)
        #expect(try await dead.history(HistoryQuery(outcome: "interrupted")).map(\.runID).contains("killed"))
        // Another host's unfinished run may be alive there: running, never interrupted.
        var elsewhere = dead
        elsewhere.host = "another-host"
        #expect(try await elsewhere.run("killed")?.status == .running)
        try await test.store.backend.close()
    }

    @Test func closingTheLastConnectionFoldsTheWALIntoTheFile() async throws {
        guard let test = try await TestStore.make(.sqlite) else { return }
        try await test.store.begin(Runs.header("wal"))
        _ = try await test.store.history(HistoryQuery(limit: 1))  // a reader connection is open too
        #expect(FileManager.default.fileExists(atPath: test.location + "-wal"))
        try await test.store.backend.close()
        // Left behind, every later open would read the whole WAL again.
        #expect(!FileManager.default.fileExists(atPath: test.location + "-wal"))
        let reopened = RunStore(backend: try SQLiteBackend(path: test.location))
        #expect(try await reopened.run("wal") != nil)
        try await reopened.backend.close()
    }

    @Test(arguments: BackendKind.allCases)
    func aPidReusedByAnotherProcessDoesNotKeepADeadRunRunning(_ kind: BackendKind) async throws {
        guard let test = try await TestStore.make(kind) else { return }
        var writer = test.store
        writer.pid = 4242
        writer.isAlive = { _ in true }
        writer.processStart = { _ in "1000" }
        try await writer.begin(Runs.header("reused"))
        #expect(try await writer.run("reused")?.status == .running, "the same process, still alive")
        #expect(try await writer.run("reused")?.pid == 4242)
        var later = writer
        later.processStart = { _ in "2000" }
        #expect(try await later.run("reused")?.status == .interrupted, "pid 4242 now belongs to a later process")
        var unreadable = writer
        unreadable.processStart = { _ in nil }
        #expect(try await unreadable.run("reused")?.status == .running, "no start to compare: the pid decides")
        // This process's own start is readable where the tests run.
        #expect(RunStore.processStartTime(ProcessInfo.processInfo.processIdentifier) != nil)
        try await test.store.backend.close()
    }

    @Test(arguments: BackendKind.allCases)
    func recordsAreKeptByKindAndReplacedByID(_ kind: BackendKind) async throws {
        guard let test = try await TestStore.make(kind) else { return }
        let at = Runs.start
        try await test.store.put(
            StoredRecord(kind: "signoff", id: "s1", subject: "qa", environment: "production", actor: "ana", at: at))
        try await test.store.put(
            StoredRecord(
                kind: "signoff", id: "s2", subject: "qa", environment: "staging", actor: "bo",
                at: at.addingTimeInterval(1)))
        try await test.store.put(
            StoredRecord(
                kind: "waiver", id: "w1", subject: "lint", environment: "production", actor: "cto", at: at,
                until: at.addingTimeInterval(86_400), body: #"{"reason":"flaky"}"#))
        #expect(try await test.store.records(kind: "signoff").map(\.id) == ["s1", "s2"])
        #expect(try await test.store.records(kind: "signoff", environment: "staging").map(\.actor) == ["bo"])
        let waiver = try #require(try await test.store.records(kind: "waiver", subject: "lint").first)
        #expect(waiver.until == at.addingTimeInterval(86_400))
        #expect(waiver.body == #"{"reason":"flaky"}"#)
        try await test.store.put(
            StoredRecord(kind: "signoff", id: "s1", subject: "qa", actor: "ana", at: at, body: "{\"v\":2}"))
        #expect(try await test.store.records(kind: "signoff").first { $0.id == "s1" }?.body == "{\"v\":2}")
        #expect(try await test.store.verifyAudit().intact)
        try await test.store.backend.close()
    }

    @Test(arguments: BackendKind.allCases)
    func everyWriteIsChainedAndTheChainVerifies(_ kind: BackendKind) async throws {
        guard let test = try await TestStore.make(kind) else { return }
        try await Runs.record(test.store, Runs.header("a"), [Runs.item("tests", .pass), Runs.item("lint", .pass)])
        try await Runs.record(test.store, Runs.header("b"), [Runs.item("tests", .fail)])
        let events = try await test.store.auditEvents()
        #expect(
            events.map(\.kind) == [
                "run-began", "item-finished", "item-finished", "run-finished", "run-began", "item-finished",
                "run-finished",
            ])
        #expect(events.map(\.seq) == Array(1...7))
        #expect(events.first?.previousHash == AuditEvent.genesis)
        for (previous, event) in zip(events, events.dropFirst()) { #expect(event.previousHash == previous.hash) }
        let report = try await test.store.verifyAudit()
        #expect(report.intact, "\(report.problems)")
        #expect(report.events == 7 && report.rows == 5)
        try await test.store.backend.close()
    }

    @Test(arguments: BackendKind.allCases)
    func evidenceIsCappedWithHeadAndTail(_ kind: BackendKind) async throws {
        guard let test = try await TestStore.make(kind) else { return }
        let big = "HEAD" + String(repeating: "x", count: 300_000) + "TAIL"
        try await Runs.record(
            test.store, Runs.header("big"), [Runs.item("tests", .pass, facts: ["stdout": .string(big)])])
        let stored = try #require(try await test.store.run("big")?.items.first?.facts["stdout"]?.plain)
        #expect(stored.hasPrefix("HEAD") && stored.hasSuffix("TAIL"))
        #expect(stored.utf8.count < 70_000)
        #expect(stored.contains("bytes not stored"))
        try await test.store.backend.close()
    }
}

/// Timestamps are stored as text that sorts in time order and reads back to the millisecond.
@Suite struct StoreTimeTests {
    @Test func timesRoundTripToTheMillisecond() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let milliseconds = Double(Int64.random(in: -2_000_000_000_000...4_000_000_000_000, using: &generator))
            let date = Date(timeIntervalSince1970: milliseconds / 1000)
            let text = StoreTime.text(date)
            let read = StoreTime.date(text)
            #expect(read.map { abs($0.timeIntervalSince(date)) < 0.001 } == true, "\(text)")
            #expect(read.map(StoreTime.text) == text)
        }
        #expect(StoreTime.text(Date(timeIntervalSince1970: 1_767_571_200.25)) == "2026-01-05T00:00:00.250Z")
        #expect(StoreTime.date("2026-02-30T00:00:00.000Z") != nil, "the general parser decides odd dates")
        #expect(StoreTime.date("not a time") == nil)
        for bad in ["2026-0a-05T00:00:00.250Z", "2026-01-05T00:0/:00.250Z", "2026-13-05T00:00:00.250Z"] {
            #expect(StoreTime.date(bad) == nil, "\(bad)")
        }
        #expect(StoreTime.text(Date(timeIntervalSince1970: 1)) < StoreTime.text(Date(timeIntervalSince1970: 2)))
    }
}
