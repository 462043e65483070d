import Foundation
import Testing

@testable import ShipcheckCore

/// A recorder that keeps what it was told, in order.
actor RecordedEvents: RunRecorder {
    private(set) var events: [String] = []
    private(set) var header: RunHeader?
    private(set) var finished: [ItemResult] = []
    private(set) var last: RunResult?

    func runBegan(_ run: RunHeader) {
        header = run
        events.append("begin \(run.runID)")
    }

    func itemStarted(_ item: Item, runID: String) {
        events.append("start \(item.id) \(runID)")
    }

    func itemFinished(_ result: ItemResult, runID: String) {
        finished.append(result)
        events.append("finish \(result.id) \(runID)")
    }

    func runFinished(_ result: RunResult) {
        last = result
        events.append("end \(result.runID)")
    }
}

/// The engine reports to a recorder as it goes, under the id its caller chose, and a resumed run
/// keeps the results an earlier attempt finished.
@Suite struct RecorderTests {
    static let yaml = """
        version: 1
        phases:
          pre-deploy:
            items:
              - { id: a, title: A, fake: { facts: { n: 1 } } }
              - { id: b, title: B, fake: { facts: { n: 2 } }, needs: [a] }
              - { id: c, title: C, fake: { error: "broke" } }
              - { id: d, title: D, manual: true }
        """

    func engine(_ recorder: RecordedEvents) throws -> Engine {
        Engine(
            checklist: try Fixtures.load(Self.yaml), options: Fixtures.options(jobs: 1),
            environment: Fixtures.environment, recorder: recorder)
    }

    @Test func everyStepIsRecordedInOrderUnderTheCallersID() async throws {
        let recorder = RecordedEvents()
        let result = try await engine(recorder).run(id: "run-from-caller")
        #expect(result.runID == "run-from-caller")
        let events = await recorder.events
        #expect(events.first == "begin run-from-caller")
        #expect(events.last == "end run-from-caller")
        for id in ["a", "b", "c", "d"] {
            let start = try #require(events.firstIndex(of: "start \(id) run-from-caller"))
            let finish = try #require(events.firstIndex(of: "finish \(id) run-from-caller"))
            #expect(start < finish)
        }
        #expect(
            try #require(events.firstIndex(of: "finish a run-from-caller")) < events.firstIndex(
                of: "start b run-from-caller")!)
        let header = try #require(await recorder.header)
        #expect(header.itemIDs == ["a", "b", "c", "d"] && header.resumedItemIDs.isEmpty)
        #expect(header.actor == "tester@example.com" && header.phase == .preDeploy)
        // What was recorded item by item is what the run returns.
        let finished = await recorder.finished
        #expect(Set(finished.map(\.id)) == Set(result.items.map(\.id)))
        #expect(await recorder.last?.items.map(\.outcome) == result.items.map(\.outcome))
    }

    @Test func aResumedRunKeepsWhatFinishedAndRunsTheRest() async throws {
        let first = try await engine(RecordedEvents()).run(id: "run-7")
        // The earlier attempt ended after `a` and `c`: only they are handed back.
        let kept = first.items.filter { $0.id == "a" || $0.id == "c" }
        let recorder = RecordedEvents()
        let resumed = try await engine(recorder).run(id: "run-7", completed: kept)
        let events = await recorder.events
        #expect(!events.contains("start a run-7") && !events.contains("start c run-7"))
        #expect(events.contains("start b run-7"), "b needs a, which the earlier attempt passed")
        #expect(await recorder.header?.resumedItemIDs == ["a", "c"])
        #expect(resumed.items.map(\.id) == ["a", "b", "c", "d"])
        #expect(resumed.items.first { $0.id == "c" }?.outcome == .error)
        #expect(resumed.items.first { $0.id == "b" }?.outcome == .pass)
        #expect(resumed.items.first { $0.id == "a" }?.facts == kept.first { $0.id == "a" }?.facts)
    }
}
