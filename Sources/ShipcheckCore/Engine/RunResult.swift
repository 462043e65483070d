public import Foundation

/// Someone's decision on a manual item.
public struct Signoff: Sendable, Hashable, Codable {
    public var actor: String
    public var note: String?
    public var at: Date
    /// How the signer was known (`--actor`, git's user.email, …), when recorded.
    public var via: Identity.Source? = nil
    /// The environment it was given for, when that is not the run's own (`carry: same-commit`).
    public var carriedFrom: String? = nil
    /// The role the signer signed in, when the item asks for one.
    public var role: String? = nil
    /// Whether its signature holds, judged when it was read (nil: read before signatures existed).
    public var trust: DecisionTrust? = nil
    /// The armored SSH signature, when it was signed.
    public var signature: String? = nil

    public init(actor: String, note: String?, at: Date, via: Identity.Source? = nil) {
        self.actor = actor
        self.note = note
        self.at = at
        self.via = via
    }
}

/// A bypass of an item (or of a window or freeze), by whom, why and until when.
public struct Waiver: Sendable, Hashable, Codable {
    public var actor: String
    public var reason: String
    public var at: Date
    public var expires: Date?
    /// How the waiver's author was known, when recorded.
    public var via: Identity.Source? = nil
    /// Whether its signature holds, judged when it was read.
    public var trust: DecisionTrust? = nil
    public var signature: String? = nil

    public init(actor: String, reason: String, at: Date, expires: Date?, via: Identity.Source? = nil) {
        self.actor = actor
        self.reason = reason
        self.at = at
        self.expires = expires
        self.via = via
    }

    /// `waived by frank@mina.com until 2026-12-09T12:00:00Z`.
    public var byWhom: String {
        "by \(actor)\(expires.map { " until \(ISO8601DateFormatter().string(from: $0))" } ?? "")"
            + (trust == .claimed
                ? " (claimed with \(via?.rawValue ?? "--actor"))" : trust?.key != nil ? " (signed)" : "")
    }
}

/// Where a reused result came from.
public struct ReusedEvidence: Sendable, Hashable, Codable {
    public var runID: String
    public var recordedAt: Date

    public init(runID: String, recordedAt: Date) {
        self.runID = runID
        self.recordedAt = recordedAt
    }

    /// `2h`, `3d`: how long ago, in the largest whole unit.
    public static func age(_ seconds: Double) -> String {
        let seconds = max(0, seconds)
        if seconds < 60 { return "\(Int(seconds))s" }
        if seconds < 3600 { return "\(Int(seconds / 60))m" }
        if seconds < 86_400 { return "\(Int(seconds / 3600))h" }
        return "\(Int(seconds / 86_400))d"
    }
}

/// An expectation's verdict: held, did not hold (with why), or could not be evaluated.
public struct ExpectationResult: Sendable, Hashable, Codable {
    public var expression: String
    /// nil when it could not be evaluated.
    public var held: Bool?
    public var explanation: [String]
}

/// Everything recorded about one item in one run. Codable, so that a store can keep it and
/// a later run can reuse it.
public struct ItemResult: Sendable, Codable, Identifiable {
    public var id: String
    public var title: String
    public var phase: PhaseName
    public var section: String
    public var kind: String
    public var severity: Severity
    public var outcome: Outcome
    /// Why, in one sentence, for anything but a plain pass.
    public var reason: String?
    /// What ran, redacted.
    public var summary: String?
    public var facts: Facts
    public var expectations: [ExpectationResult]
    public var attempts: Int
    public var startedAt: Date?
    /// Seconds.
    public var duration: Double
    public var signoffs: [Signoff]
    public var waiver: Waiver?
    public var description: String?
    /// Where the item is declared, for annotations.
    public var location: SourceLocation?
    /// Where an imported item came from (`CHECKLIST.md:14`), for the ticked export.
    public var source: String?
    /// The key this result can be reused under (its definition and inputs), when it declares inputs.
    public var reuseKey: String? = nil
    /// The earlier run this passing result was taken from, instead of running again.
    public var reusedFrom: ReusedEvidence? = nil
    /// Credentials found by their shape in what the check captured and masked before anything was
    /// kept, as `rule prefix…(n chars)`.
    public var masked: [String]? = nil
    /// Another item of this run with the same check, whose single run this result judges.
    public var ranWith: String? = nil

    /// An item decided without running it, such as one whose shard never reported.
    public static func undecided(_ item: Item, outcome: Outcome, reason: String) -> ItemResult {
        ItemResult(
            id: item.id, title: item.title, phase: item.phase, section: item.section, kind: item.kindName,
            severity: item.severity, outcome: outcome, reason: reason, summary: nil, facts: [:], expectations: [],
            attempts: 0, startedAt: nil, duration: 0, signoffs: [], waiver: nil, description: item.description,
            location: item.location, source: item.source)
    }

    public var isBlocking: Bool {
        switch outcome {
        case .fail, .pending: severity == .block
        case .error: true
        default: false
        }
    }
}

/// One run of one phase of a checklist.
public struct RunResult: Sendable, Codable {
    public static let schemaVersion = 1

    public var schemaVersion: Int
    public var runID: String
    public var toolVersion: String
    public var project: String?
    public var config: String
    public var phase: PhaseName
    public var environment: String?
    public var deployType: String?
    public var actor: String
    public var startedAt: Date
    public var finishedAt: Date
    public var interrupted: Bool
    public var items: [ItemResult]
    /// The version being deployed, when given.
    public var release: String?
    public var provenance: RunProvenance? = nil

    public init(
        schemaVersion: Int = RunResult.schemaVersion, runID: String, toolVersion: String, project: String?,
        config: String, phase: PhaseName, environment: String?, deployType: String?, actor: String, startedAt: Date,
        finishedAt: Date, interrupted: Bool, items: [ItemResult], release: String? = nil,
        provenance: RunProvenance? = nil
    ) {
        self.schemaVersion = schemaVersion
        self.runID = runID
        self.toolVersion = toolVersion
        self.project = project
        self.config = config
        self.phase = phase
        self.environment = environment
        self.deployType = deployType
        self.actor = actor
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.interrupted = interrupted
        self.items = items
        self.release = release
        self.provenance = provenance
    }

    public var duration: Double { finishedAt.timeIntervalSince(startedAt) }

    public var verdict: Verdict {
        if interrupted { return .interrupted }
        if items.contains(where: { $0.outcome == .fail && $0.severity == .block }) { return .failed }
        if items.contains(where: { $0.outcome == .error }) { return .error }
        if items.contains(where: { $0.outcome == .pending && $0.severity == .block }) { return .failed }
        if checkedNothing { return .error }
        return .passed
    }

    /// No item was judged (an empty phase, everything skipped): a gate never passes on no evidence.
    public var checkedNothing: Bool {
        !items.contains { [.pass, .warn, .waived, .fail, .error, .pending].contains($0.outcome) }
    }

    public func count(_ outcome: Outcome) -> Int {
        items.filter { $0.outcome == outcome }.count
    }
}

extension RunResult {
    /// Why the run covers only part of its phase, when it does: such a run never counts as the gate.
    public var partial: String? { provenance?.partial }

    /// Records the policy counted for nothing in this run, each with why.
    public var ignoredRecords: [String] { provenance?.ignored ?? [] }

    /// The lines every report adds about what this run does not stand for: partial, records ignored.
    public var caveats: [String] {
        (partial.map { ["partial run (\($0)): it does not count as the gate of its environment"] } ?? [])
            + ignoredRecords.map { "ignored: \($0)" }
    }

    /// `alice@mina.com (git user.email)`: who ran it, and how that was known when it was recorded.
    public var actorDescription: String {
        let details = provenance?.oidc.map { $0.details }.flatMap { $0.isEmpty ? nil : ": \($0)" } ?? ""
        return (provenance?.actorSource.map { Identity(actor, source: $0).description } ?? actor) + details
    }
}
