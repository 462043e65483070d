public import ShipcheckCore

/// The store as the history `recorded:` checks read.
extension RunStore: RunHistory {
    /// Reads the item's results newest first (an index serves it) and returns the first whose run
    /// matches; only the newest `limit` results of the item are looked at.
    public func latestResult(of itemID: String, matching: HistoryMatch) async throws -> RecordedResult? {
        var query = RowQuery(.itemResults, equal: ["item_id": itemID], orderBy: "finished_at", descending: true)
        if let since = matching.since { query.atLeast["finished_at"] = StoreTime.text(since) }
        query.columns = ["run_id", "outcome", "finished_at"]
        query.limit = 1_000
        var runs: [String: StoreRow?] = [:]
        for row in try await backend.select(query) {
            guard let runID = row["run_id"], let outcome = row["outcome"].flatMap(Outcome.init(rawValue:)),
                RecordedResult.decided.contains(outcome), let finishedAt = row["finished_at"].flatMap(StoreTime.date)
            else { continue }
            if runs[runID] == nil {
                var runQuery = RowQuery(.runs, equal: ["id": runID])
                runQuery.columns = ["phase", "environment", "commit_sha", "dirty", "finished_at", "shard"]
                runs[runID] = try await backend.select(runQuery).first
            }
            // A run still going (or interrupted) has not finished what it was checking; a partial run
            // or a single shard is not the environment's gate.
            guard let run = runs[runID] ?? nil, run["finished_at"] != nil, Self.isWholeGate(shard: run["shard"])
            else { continue }
            let result = RecordedResult(
                runID: runID, itemID: itemID, phase: run["phase"] ?? "", environment: run["environment"],
                commit: run["commit_sha"], dirty: run["dirty"].map { $0 == "true" }, finishedAt: finishedAt,
                outcome: outcome)
            if matching.matches(result) { return result }
        }
        return nil
    }
}
