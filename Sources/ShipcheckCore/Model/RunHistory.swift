public import Foundation

/// Results of earlier runs, for checks that judge what was recorded (`recorded:`): the run store, or
/// a list in examples and tests.
public protocol RunHistory: Sendable {
    /// The newest decided result (pass, warn, fail or error) of `itemID` in a finished run that matches.
    func latestResult(of itemID: String, matching: HistoryMatch) async throws -> RecordedResult?
}

/// Which runs count: each field left nil matches anything.
public struct HistoryMatch: Sendable, Hashable {
    public var phase: String?
    public var environment: String?
    public var commit: String?
    public var since: Date?

    public init(phase: String? = nil, environment: String? = nil, commit: String? = nil, since: Date? = nil) {
        self.phase = phase
        self.environment = environment
        self.commit = commit
        self.since = since
    }

    public func matches(_ result: RecordedResult) -> Bool {
        (phase == nil || result.phase == phase) && (environment == nil || result.environment == environment)
            && (commit == nil || result.commit == commit) && (since.map { result.finishedAt >= $0 } ?? true)
    }
}

/// One item's result as an earlier run recorded it.
public struct RecordedResult: Sendable, Hashable {
    public var runID: String
    public var itemID: String
    public var phase: String
    public var environment: String?
    public var commit: String?
    public var dirty: Bool?
    public var finishedAt: Date
    public var outcome: Outcome

    public init(
        runID: String, itemID: String, phase: String, environment: String?, commit: String?, dirty: Bool? = nil,
        finishedAt: Date, outcome: Outcome
    ) {
        self.runID = runID
        self.itemID = itemID
        self.phase = phase
        self.environment = environment
        self.commit = commit
        self.dirty = dirty
        self.finishedAt = finishedAt
        self.outcome = outcome
    }

    /// Outcomes that say something about the item (a skip or a pending sign-off says nothing).
    public static let decided: Set<Outcome> = [.pass, .warn, .fail, .error]
}

/// A history held in memory: the kinds' documented examples and unit tests.
public struct ListedHistory: RunHistory {
    public let results: [RecordedResult]

    public init(_ results: [RecordedResult]) { self.results = results }

    public func latestResult(of itemID: String, matching: HistoryMatch) async throws -> RecordedResult? {
        results.filter { $0.itemID == itemID && RecordedResult.decided.contains($0.outcome) && matching.matches($0) }
            .max { $0.finishedAt < $1.finishedAt }
    }
}
