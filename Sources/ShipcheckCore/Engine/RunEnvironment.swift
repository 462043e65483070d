public import Foundation

/// What a run reads from the outside world, injected so that tests are reproducible.
public struct RunEnvironment: Sendable {
    public var now: @Sendable () -> Date
    public var makeRunID: @Sendable () -> String
    /// Monotonic seconds, for durations.
    public var uptime: @Sendable () -> Double
    /// Waits between attempts; a test's clock returns at once and remembers what was asked.
    public var sleep: @Sendable (Double) async -> Void

    public init(
        now: @escaping @Sendable () -> Date, makeRunID: @escaping @Sendable () -> String,
        uptime: @escaping @Sendable () -> Double = RunEnvironment.monotonicSeconds,
        sleep: @escaping @Sendable (Double) async -> Void = RunEnvironment.taskSleep
    ) {
        self.now = now
        self.makeRunID = makeRunID
        self.uptime = uptime
        self.sleep = sleep
    }

    @Sendable public static func monotonicSeconds() -> Double {
        let (seconds, attoseconds) = (ContinuousClock.now - start).components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    private static let start = ContinuousClock.now

    @Sendable public static func taskSleep(_ seconds: Double) async {
        try? await Task.sleep(for: .seconds(seconds))
    }

    public static let live = RunEnvironment(
        now: { Date() },
        makeRunID: {
            let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 16)
            return UTCTime.compact(Date()) + "-" + String(repeating: "0", count: 8 - suffix.count) + suffix
        })
}

/// Where sign-offs for manual items come from: an interactive prompt, later the run store or the server.
public protocol SignoffSource: Sendable {
    /// Sign-offs given for `item` in this run. Called one item at a time.
    func signoffs(for item: Item) async -> [Signoff]
}

/// Waivers in force (the run store): an item someone allowed to bypassed, by whom, why, until when.
public protocol WaiverSource: Sendable {
    /// Waivers holding at `date` for the environment, by item id.
    func waivers(environment: String?, at date: Date) async -> [String: Waiver]
}

/// Earlier passing results an item may take instead of running (the run store). The engine asks
/// only for items that declare `inputs:` and may reuse (not manual, not a live probe unless `reuse: true`).
public protocol EvidenceReuse: Sendable {
    /// The item's key: its definition and the current state of its inputs; nil when the inputs
    /// cannot be read (the item then runs).
    func key(for item: Item, variables: [String: String], environment: String?) async -> String?
    /// The newest passing result recorded under `key` within `ttl` seconds, with its run.
    func find(key: String, within ttl: Double) async -> (result: ItemResult, runID: String, recordedAt: Date)?
}

/// Where a run is recorded as it goes (the run store, later the team server). The engine awaits
/// each call in order — the run first, each item as it starts and as it finishes, the whole run
/// last — so what a store holds after a crash is everything that finished before it.
public protocol RunRecorder: Sendable {
    func runBegan(_ run: RunHeader) async
    func itemStarted(_ item: Item, runID: String) async
    func itemFinished(_ result: ItemResult, runID: String) async
    func runFinished(_ result: RunResult) async
}

/// A run as it begins: who runs what, where, and which items it will decide.
public struct RunHeader: Sendable, Hashable, Codable {
    public var runID: String
    public var toolVersion: String
    public var project: String?
    public var config: String
    public var phase: PhaseName
    public var environment: String?
    public var deployType: String?
    public var actor: String
    public var startedAt: Date
    public var release: String?
    /// The items this run decides, in file order.
    public var itemIDs: [String]
    /// Items taken from an earlier attempt at the same run (`--resume`), not run again.
    public var resumedItemIDs: [String]
    public var provenance: RunProvenance
    /// The selection the run was asked for, so that `--resume` asks for the same.
    public var only: [String]
    public var skip: [String]

    public init(
        runID: String, toolVersion: String, project: String?, config: String, phase: PhaseName,
        environment: String?, deployType: String?, actor: String, startedAt: Date, release: String?,
        itemIDs: [String], resumedItemIDs: [String] = [], provenance: RunProvenance = RunProvenance(),
        only: [String] = [], skip: [String] = []
    ) {
        self.runID = runID
        self.toolVersion = toolVersion
        self.project = project
        self.config = config
        self.phase = phase
        self.environment = environment
        self.deployType = deployType
        self.actor = actor
        self.startedAt = startedAt
        self.release = release
        self.itemIDs = itemIDs
        self.resumedItemIDs = resumedItemIDs
        self.provenance = provenance
        self.only = only
        self.skip = skip
    }
}

/// What the engine tells an observer as the run goes (for live progress).
public enum EngineEvent: Sendable {
    case started(Item)
    case retrying(Item, attempt: Int, reason: String)
    case finished(ItemResult)
}
