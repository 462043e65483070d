public import ShipcheckCore

/// Records a run into a store as the engine reports it. A write that fails does not stop the gate:
/// from then on the store is taken as gone (every later call would wait out its deadline), and what
/// the run decides goes to its spool (`RunSpool`), which the next run or `--resume` writes. The
/// failure is kept, and the caller reports it and exits as "could not evaluate": a gate whose record
/// was lost is never a clean pass.
///
/// Item results are written behind the engine, not in its way: results that finish while a write
/// is in progress go together in the next transaction (a group commit), so a gate of many quick
/// (or reused) items waits neither for one transaction per item nor for the store at all. Only an
/// item with `needs` or an action waits for what came before it to be written.
public actor StoreRecorder: RunRecorder {
    public nonisolated let store: RunStore
    public nonisolated let spool: RunSpool?
    private var header: RunHeader?
    public private(set) var failures: [String] = []
    /// Set at the first failed write: everything after goes to the spool.
    public private(set) var storeLost = false
    /// Whether the spool holds something of this run.
    public private(set) var spooled = false
    private var headerStored = false
    private var pending: [ItemResult] = []
    private var pendingRunID = ""
    private var writer: Task<Void, Never>?

    public init(store: RunStore, spool: RunSpool? = nil) {
        self.store = store
        self.spool = spool
    }

    /// Writes to the store, or once it failed, to the spool.
    private func attempt(_ what: String, store write: () async throws -> Void, spool keep: (RunSpool) throws -> Void)
        async
    {
        if !storeLost {
            do {
                try await write()
                return
            } catch {
                storeLost = true
                failures.append("could not record \(what) in the store at \(store.location): \(error)")
            }
        }
        guard let spool else { return }
        do {
            if !spooled, !headerStored, let header { try spool.keep(header: header) }
            try keep(spool)
            spooled = true
        } catch {
            failures.append("could not keep \(what) in the spool at \(spool.directory.path) either: \(error)")
        }
    }

    public func runBegan(_ run: RunHeader) async {
        header = run
        await attempt("the run's start", store: { try await store.begin(run) }, spool: { try $0.keep(header: run) })
        headerStored = !storeLost
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
            await attempt(
                "item \(names)", store: { try await store.record(batch, runID: runID, reusable: reusable) },
                spool: { try $0.keep(batch, runID: runID) })
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
        await attempt(
            "the run's end", store: { try await store.finish(result, header: header) },
            spool: { try $0.keep(finishedAt: result.finishedAt, verdict: result.verdict, runID: header.runID) })
    }
}
