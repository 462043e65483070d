import Foundation
import ShipcheckStore
import Testing

@testable import ShipcheckCore

/// A history with known deploys, rollbacks and refused gates gives exactly the hand-computed figures.
@Suite struct MetricsTests {
    /// Monday 2026-01-05 00:00 UTC.
    static let monday = Date(timeIntervalSince1970: 1_767_571_200)
    static let hour = 3600.0
    static let day = 86_400.0

    static func record(
        _ store: RunStore, _ id: String, _ phase: PhaseName, at start: Double, took: Double = 600,
        passed: Bool = true, environment: String = "production", commit: Double? = nil, interrupted: Bool = false
    ) async throws {
        var header = Runs.header(
            id, environment: environment, phase: phase, startedAt: monday.addingTimeInterval(start), items: ["x"])
        header.provenance.commitTime = commit.map { monday.addingTimeInterval($0) }
        let items = [Runs.item("x", passed ? .pass : .fail)]
        var result = Runs.result(header, items, finishedAt: header.startedAt.addingTimeInterval(took))
        result.interrupted = interrupted
        try await store.begin(header)
        for item in items { try await store.record(item, runID: id) }
        try await store.finish(result, header: header)
    }

    @Test(arguments: BackendKind.allCases)
    func knownHistoryGivesTheHandComputedFigures(_ kind: BackendKind) async throws {
        guard let test = try await TestStore.make(kind) else { return }
        let store = test.store
        try await Self.record(store, "p1", .preDeploy, at: 1 * Self.hour, passed: false)  // refused by the gate
        try await Self.record(store, "d1", .deploy, at: 2 * Self.hour, commit: 0)  // lead 2h10m
        try await Self.record(store, "d2", .deploy, at: Self.day, commit: Self.day - 4 * Self.hour)
        try await Self.record(store, "r1", .rollback, at: Self.day + Self.hour, took: 300)  // rolls d2 back: 55m
        try await Self.record(store, "d3", .deploy, at: 2 * Self.day, passed: false)  // failed
        // d4 restores d3 after 2h.
        try await Self.record(store, "d4", .deploy, at: 2 * Self.day + 2 * Self.hour, commit: 2 * Self.day)
        try await Self.record(store, "d5", .deploy, at: 8 * Self.day, commit: 7 * Self.day)  // lead 1d 10m
        try await Self.record(store, "s1", .deploy, at: 3 * Self.day, environment: "staging")  // another environment
        try await Self.record(store, "d6", .deploy, at: 9 * Self.day, interrupted: true)  // not a deploy
        try await Self.record(store, "p2", .preDeploy, at: 8 * Self.day, passed: false)
        try await Self.record(store, "p3", .preDeploy, at: 8 * Self.day + Self.hour)

        let metrics = try await store.metrics(
            since: Self.monday, until: Self.monday.addingTimeInterval(14 * Self.day), environment: "production")
        #expect(metrics.deploys == 5)
        #expect(metrics.successfulDeploys == 4)
        #expect(metrics.deploysPerWeek == 2.0)
        #expect(metrics.leadTimeMedian == 7800)
        #expect(metrics.changeFailureRate == 0.4)
        #expect(metrics.timeToRestoreMedian == 5250)
        #expect(metrics.notRestored == 0)
        #expect(metrics.stoppedByGate == 2)
        #expect(metrics.weeks.map(\.deploys) == [4, 1, 0])
        #expect(metrics.weeks.map(\.successfulDeploys) == [3, 1, 0])
        #expect(metrics.weeks.map(\.failedOrRolledBack) == [2, 0, 0])
        #expect(metrics.weeks.map(\.stoppedByGate) == [1, 1, 0])
        #expect(metrics.weeks.first?.start == Self.monday)

        // Every environment: staging's deploy counts too.
        let all = try await store.metrics(
            since: Self.monday, until: Self.monday.addingTimeInterval(14 * Self.day), environment: nil)
        #expect(all.deploys == 6 && all.successfulDeploys == 5)
        try await store.backend.close()
    }

    @Test func aFailureNobodyRestoredIsCountedApart() {
        let deploy = DeliveryMetrics.Run(
            phase: "deploy", environment: "production", startedAt: Self.monday,
            finishedAt: Self.monday.addingTimeInterval(60), verdict: "failed", commitTime: nil)
        let metrics = DeliveryMetrics.compute(
            [deploy], since: Self.monday, until: Self.monday.addingTimeInterval(Self.day), environment: nil)
        #expect(metrics.changeFailureRate == 1 && metrics.timeToRestoreMedian == nil && metrics.notRestored == 1)
        #expect(metrics.leadTimeMedian == nil)
        let empty = DeliveryMetrics.compute([], since: Self.monday, until: Self.monday, environment: nil)
        #expect(empty.changeFailureRate == nil && empty.deploys == 0)
    }
}
