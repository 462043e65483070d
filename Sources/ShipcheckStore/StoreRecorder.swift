public import ShipcheckCore

/// Records a run into a store as the engine reports it. A write that fails does not stop the gate;
/// the failure is kept, and the caller reports it and exits as "could not evaluate" (a gate whose
/// record was lost is not a clean pass).
///
/// Item results are written behind the engine, not in its way: results that finish while a write
/// is in progress go together in the next transaction (a group commit), so a gate of many quick
/// (or reused) items waits neither for one transaction per item nor for the store at all. Only an
/// item with `needs` or an action waits for what came before it to be written.
public actor StoreRecorder: RunRecorder {
    public let store: RunStore
    private var header: RunHeader?
    public private(set) var failures: [String] = []
    private var pending: [ItemResult] = []
    private var pendingRunID = ""
    private var writer: Task<Void, Never>?

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

    /// An item that builds on others, or changes the world, starts only once every result before it
    /// is written: a process killed during it resumes without running those again.
    public func itemStarted(_ item: Item, runID: String) async {
        if !item.needs.isEmpty || item.isAction { await flush() }
    }

    public func itemFinished(_ result: ItemResult, runID: String) async {
        pending.append(result)
        pendingRunID = runID
        if writer == nil { writer = Task { await self.writePending() } }
    }

    private func writePending() async {
        while !pending.isEmpty {
            let batch = pending
            let runID = pendingRunID
            pending = []
            let names = batch.map(\.id).joined(separator: ", ")
            let reusable = header?.provenance.partial == nil
            await attempt("item \(names)") { try await store.record(batch, runID: runID, reusable: reusable) }
        }
        writer = nil
    }

    /// Waits until every result reported so far is written.
    public func flush() async {
        while let writer { await writer.value }
    }

    public func runFinished(_ result: RunResult) async {
        await flush()
        guard let header else { return }
        await attempt("the run's end") { try await store.finish(result, header: header) }
    }
}
