import Foundation
import ShipcheckStore
import Testing

@testable import ShipcheckCore

/// `recorded:` reads the store: the newest decided result of an item among the runs that match.
@Suite struct RecordedHistoryTests {
    /// A clock that moves a minute each time it is read, so that every write has its own time.
    final class TickingClock: @unchecked Sendable {
        private let lock = NSLock()
        private var minutes = 0.0

        func now() -> Date {
            lock.lock()
            defer { lock.unlock() }
            minutes += 1
            return Runs.start.addingTimeInterval(minutes * 60)
        }
    }

    @Test(arguments: BackendKind.allCases)
    func theNewestDecidedResultOfTheMatchingRunsCounts(_ kind: BackendKind) async throws {
        let clock = TickingClock()
        guard let test = try await TestStore.make(kind, now: { clock.now() }) else { return }
        let store = test.store
        func deploy(_ id: String, environment: String, commit: String, _ outcome: Outcome) async throws {
            let header = Runs.header(id, environment: environment, phase: .deploy, items: ["schema"], commit: commit)
            try await Runs.record(store, header, [Runs.item("schema", outcome)])
        }
        try await deploy("s1", environment: "staging", commit: "c1", .pass)
        try await deploy("s2", environment: "staging", commit: "c2", .fail)
        try await deploy("p1", environment: "production", commit: "c2", .pass)
        try await deploy("s3", environment: "staging", commit: "c2", .skipped)  // says nothing
        // A run that never finished does not count, even with a passing row.
        let running = Runs.header("s4", environment: "staging", phase: .deploy, items: ["schema"], commit: "c2")
        try await store.begin(running)
        try await store.record(Runs.item("schema", .pass), runID: "s4")

        let staging = HistoryMatch(phase: "deploy", environment: "staging")
        #expect(try await store.latestResult(of: "schema", matching: staging).map(\.runID) == "s2")
        var sameCommit = staging
        sameCommit.commit = "c1"
        let found = try #require(try await store.latestResult(of: "schema", matching: sameCommit))
        #expect(found.runID == "s1" && found.outcome == .pass && found.commit == "c1")
        #expect(found.environment == "staging" && found.phase == "deploy" && found.dirty == false)
        sameCommit.commit = "c3"
        #expect(try await store.latestResult(of: "schema", matching: sameCommit) == nil)
        #expect(
            try await store.latestResult(of: "schema", matching: HistoryMatch(environment: "production"))?.runID
                == "p1")
        #expect(try await store.latestResult(of: "other", matching: HistoryMatch()) == nil)
        // Too old: the results were written in the clock's first minutes.
        #expect(
            try await store.latestResult(
                of: "schema", matching: HistoryMatch(since: Runs.start.addingTimeInterval(3600))) == nil)
        try await store.backend.close()
    }
}
