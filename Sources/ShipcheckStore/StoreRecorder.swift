public import ShipcheckCore

/// Records a run into a store as the engine reports it. A write that fails does not stop the gate;
/// the failure is kept, and the caller reports it and exits as "could not evaluate" (a gate whose
/// record was lost is not a clean pass).
public actor StoreRecorder: RunRecorder {
    public let store: RunStore
    private var header: RunHeader?
    public private(set) var failures: [String] = []

    public init(store: RunStore) {
        self.store = store
    }

    private func attempt(_ what: String, _ body: () async throws -> Void) async {
        do {
            try await body()
        } catch {
            failures.append("could not record \(what) in the store at \(store.location): \(error)")
        }
    }

    public func runBegan(_ run: RunHeader) async {
        header = run
        await attempt("the run's start") { try await store.begin(run) }
    }

    public func itemStarted(_ item: Item, runID: String) async {}

    public func itemFinished(_ result: ItemResult, runID: String) async {
        await attempt("item \(result.id)") { try await store.record(result, runID: runID) }
    }

    public func runFinished(_ result: RunResult) async {
        guard let header else { return }
        await attempt("the run's end") { try await store.finish(result, header: header) }
    }
}
