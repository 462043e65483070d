public import Foundation

/// The phases of a deployment, in the order a deploy runs them. `watch` holds the probes a deploy
/// samples before it changes anything (the baseline) and after (the watch); run as a gate it takes
/// one sample.
public enum PhaseName: String, Sendable, Hashable, Codable, CaseIterable {
    case preDeploy = "pre-deploy"
    case deploy
    case watch
    case postDeploy = "post-deploy"
    case rollback
}

public enum Severity: String, Sendable, Hashable, Codable {
    /// A failure blocks the gate.
    case block
    /// A failure is reported as a warning and does not block.
    case warn
}

/// One way to satisfy a sign-off: how many people, in which role.
public struct SignoffGroup: Sendable, Hashable, Codable {
    public var count: Int
    /// Each sign-off must come from a different person.
    public var distinct: Bool
    /// The role signers must hold, from the config's `roles:`.
    public var role: String?

    public init(count: Int = 1, distinct: Bool = true, role: String? = nil) {
        self.count = count
        self.distinct = distinct
        self.role = role
    }

    /// `2 sign-offs from role engineer`, `1 sign-off from anyone`.
    public var summary: String {
        "\(count) sign-off\(count == 1 ? "" : "s") from \(role.map { "role \($0)" } ?? "anyone")"
    }
}

/// Who must sign off a manual item: one of its groups ("2 engineers, or 1 cto"), under shared rules.
public struct SignoffRequirement: Sendable, Hashable, Codable {
    /// Where a sign-off counts.
    public enum Carry: String, Sendable, Hashable, Codable {
        /// Only in the environment it was given for (the default).
        case environment
        /// In any environment, for the same commit: staging's sign-off for X counts for X in production.
        case sameCommit = "same-commit"
    }

    /// Any one of them satisfies the item (`any-of:`); a plain `count`/`role` is a single group.
    public var groups: [SignoffGroup]
    /// How long a sign-off counts (`expires: 24h`); nil for as long as the commit stands.
    public var expires: Double? = nil
    /// Who may not sign: `deployer` (whoever runs the gate), `author` (the commit's author).
    public var not: [String] = []
    public var carry = Carry.environment

    public static let excludable = ["deployer", "author"]

    public init(count: Int = 1, distinct: Bool = true, role: String? = nil) {
        self.groups = [SignoffGroup(count: count, distinct: distinct, role: role)]
    }

    public init(anyOf groups: [SignoffGroup]) {
        self.groups = groups
    }

    /// The most sign-offs any way of satisfying it needs: what a prompt asks for at most.
    public var mostNeeded: Int { groups.map(\.count).max() ?? 1 }
}

/// One item of a checklist: a check or action with expectations, or a manual item.
/// What an item's result depends on besides its definition: files (globs), environment variables,
/// and commands whose output says a tool's version.
public struct ItemInputs: Sendable, Hashable {
    public var paths: [String]
    public var environment: [String]
    public var commands: [String]

    public init(paths: [String] = [], environment: [String] = [], commands: [String] = []) {
        self.paths = paths
        self.environment = environment
        self.commands = commands
    }
}

public struct Item: Sendable, Identifiable {
    public enum Body: Sendable {
        case check(kind: String, any Check)
        case manual(SignoffRequirement)
    }

    public let id: String
    public var title: String
    public var description: String?
    public var phase: PhaseName
    public var section: String
    public var body: Body
    public var needs: [String]
    public var when: FactExpression?
    public var timeout: Double
    public var retries: Int
    public var retryDelay: Double
    public var severity: Severity
    /// Explicit expectations; when empty the check's defaults apply.
    public var expectations: [FactExpression]
    /// What to run to undo this item, kept for the deploy pipeline.
    public var rollback: Template?
    /// Changes the world (backup, migrate, deploy) rather than observing it.
    public var isAction: Bool = false
    /// An action that may run again after it was cut off halfway (`idempotent: true`): a resumed
    /// deploy runs it again without asking.
    public var isIdempotent: Bool = false
    /// Where the item came from in an imported checklist (`CHECKLIST.md:14`), for the ticked export.
    public var source: String?
    public var location: SourceLocation?
    /// What the result depends on (`inputs:`), for reuse of an earlier passing result.
    public var inputs: ItemInputs? = nil
    /// How long a passing result stays reusable (`reuse-ttl:`).
    public var reuseTTL: Double? = nil
    /// `reuse: true` lets a live probe reuse; `reuse: false` never reuses.
    public var reuse: Bool? = nil
    /// The item's definition in a canonical form (keys sorted, formatting gone): part of its reuse key.
    public var definition: String = ""
    /// What the check runs, canonical, without how it is judged or presented (`expect`, `title`,
    /// `needs`…): items of one run with the same key run their check once (`ranWith`). Nil for
    /// manual items and actions, which must each happen on their own.
    public var checkKey: String? = nil

    /// The fields that judge, place or describe an item rather than say what its check runs. (Reuse
    /// settings are not among them: items that may reuse differently are different checks.)
    public static let judgementFields: Set<String> = [
        "id", "title", "description", "expect", "needs", "when", "severity", "source", "signoffs", "rollback",
        "manual", "idempotent",
    ]

    public static let defaultReuseTTL: Double = 24 * 3600

    public var kindName: String {
        switch body {
        case .check(let kind, _): kind
        case .manual: "manual"
        }
    }

    public var isManual: Bool {
        if case .manual = body { return true }
        return false
    }

    /// The expectations that judge this item's facts.
    public var effectiveExpectations: [FactExpression] {
        guard case .check(_, let check) = body else { return expectations }
        return FactExpression.judging(
            stated: expectations, defaults: check.defaultExpectations, guards: check.guardExpectations)
    }
}

public struct Section: Sendable {
    public var title: String
    public var items: [Item]
}

public struct Phase: Sendable {
    public var name: PhaseName
    public var sections: [Section]

    public var items: [Item] { sections.flatMap(\.items) }
}

public struct EnvironmentConfig: Sendable {
    public var name: String
    public var description: String?
    public var variables: [String: String]
    /// Items this environment does not run (recorded as skipped with the reason).
    public var skip: [String]
    /// `require: all`: every item runs here; neither the environment nor `--skip` leaves one out.
    public var requireAll = false
    /// Roles whose members may bypass this environment's rules: end a freeze, waive an item.
    public var bypass: [String] = []
    /// `identity: signed`: only decisions signed with a key `allowed_signers` lists count here.
    public var requireSigned = false
}

/// A condition that rolls a deploy back: watched by the deploy pipeline, or judged by a person.
public struct RollbackTrigger: Sendable {
    /// What the watch does when the trigger fires.
    public enum Action: String, Sendable, CaseIterable, Codable {
        /// Rolls the deploy back at once.
        case rollback
        /// Tells the `notify:` targets and goes on watching.
        case notify
        /// Asks the person at the terminal; without one, does `otherwise`.
        case ask
    }

    /// `above-baseline:`: the fact's samples during the watch are judged larger than its baseline
    /// samples grown by `by` (0.5 for +50%), with a one-sided Mann-Whitney U test.
    public struct AboveBaseline: Sendable {
        public var fact: String
        public var by: Double

        public init(fact: String, by: Double) {
            self.fact = fact
            self.by = by
        }
    }

    public var title: String
    public var priority: String?
    /// nil for a trigger a person decides (`manual: true`) or one judged against the baseline.
    public var condition: FactExpression?
    public var aboveBaseline: AboveBaseline? = nil
    public var action = Action.rollback
    /// What `ask` does when nobody can answer (no terminal).
    public var otherwise = Action.rollback
    public var description: String?
    public var location: SourceLocation?

    public init(
        title: String, priority: String? = nil, condition: FactExpression? = nil,
        aboveBaseline: AboveBaseline? = nil, action: Action = .rollback, otherwise: Action = .rollback,
        description: String? = nil, location: SourceLocation? = nil
    ) {
        self.title = title
        self.priority = priority
        self.condition = condition
        self.aboveBaseline = aboveBaseline
        self.action = action
        self.otherwise = otherwise
        self.description = description
        self.location = location
    }

    /// Whether the watch judges it (a person judges a manual one).
    public var isWatched: Bool { condition != nil || aboveBaseline != nil }

    /// The watch probes whose facts it reads (`health` for `health.status`, also through `baseline.`).
    public var probes: Set<String> {
        let paths = (condition?.factPaths ?? []) + (aboveBaseline.map { [$0.fact] } ?? [])
        return Set(
            paths.compactMap { path in
                let parts = path.split(separator: ".")
                let probe = parts.first == "baseline" ? parts.dropFirst().first : parts.first
                return probe.map(String.init)
            })
    }

    /// `P1 Error rate > 5%`.
    public var label: String { (priority.map { "\($0) " } ?? "") + title }
}

/// How a deploy watches the service once it changed it (`watch:`): the `watch` phase's probes are
/// sampled `baseline` times before anything changes, then every `interval` for `duration`, and the
/// triggers judge each sample.
public struct WatchSettings: Sendable {
    /// Seconds (`for:`); the seed watches for 15 minutes.
    public var duration: Double = 15 * 60
    public var interval: Double = 30
    public var baselineSamples = 10
    /// Consecutive samples a probe may fail to measure before the triggers reading it count it as failing.
    public var tolerate = 4
    /// The confidence at which `above-baseline` judges a regression (p below 1 − confidence).
    public var confidence = 0.95
    /// Samples after the deploy that an `above-baseline` trigger needs before it judges.
    public var minimumSamples = 5

    public init() {}
}

public struct DeployType: Sendable {
    public var name: String
    public var description: String?
    /// Items this type runs: in each phase where it names any, the others are skipped by the type.
    public var only: Set<String> = []
    /// The phases `only` names items of.
    public var onlyPhases: Set<PhaseName> = []
    /// Items this type does not run.
    public var skip: Set<String> = []

    /// Why this type leaves the item out, or nil when it runs it.
    public func leavesOut(_ item: Item) -> String? {
        if skip.contains(item.id) { return "skipped by type \(name)" }
        if onlyPhases.contains(item.phase), !only.contains(item.id) {
            return "skipped by type \(name), which runs only its own items in \(item.phase.rawValue)"
        }
        return nil
    }
}

/// Where deploy events are sent (`notify:`): a Slack-compatible incoming webhook, or a JSON
/// webhook signed with HMAC-SHA256.
public struct NotifyTarget: Sendable {
    public enum Format: String, Sendable, CaseIterable {
        case slack, webhook
    }

    /// What is sent: a deploy starting, refused or finishing, a pre-deploy gate failing, a rollback.
    public static let events = [
        "deploy-started", "deploy-refused", "deploy-finished", "gate-failed", "trigger-fired", "rollback-started",
        "rollback-finished",
    ]

    public var format: Format
    public var url: Template
    /// The signing key of a JSON webhook.
    public var secret: Template?
    /// The events it receives; empty for every one.
    public var on: [String]
    public var location: SourceLocation?

    public init(format: Format, url: Template, secret: Template?, on: [String], location: SourceLocation?) {
        self.format = format
        self.url = url
        self.secret = secret
        self.on = on
        self.location = location
    }

    public func receives(_ event: String) -> Bool { on.isEmpty || on.contains(event) }
}

/// A loaded, validated checklist.
public struct Checklist: Sendable {
    public var project: String?
    /// Where runs are recorded (`store:`), when the configuration says.
    public var store: String? = nil
    /// How far ahead a waiver, override or emergency freeze may end (`max-bypass:`), in seconds.
    public var maxBypass: Double = 366 * 86_400
    /// Who may sign decisions (`allowed-signers:`, or `.shipcheck/allowed_signers` beside the file).
    public var allowedSigners: AllowedSigners? = nil
    /// The CI issuer whose ID tokens name who runs a gate (`oidc:`), for `--identity oidc`.
    public var oidc: OIDCSettings? = nil
    public var file: String
    public var variables: [String: String]
    /// Names of environment variables whose values are secret, beyond those that look secret.
    public var secretNames: [String]
    public var environments: [String: EnvironmentConfig]
    public var deployTypes: [String: DeployType]
    public var roles: [String: [String]]
    public var triggers: [RollbackTrigger] = []
    /// How `shipcheck deploy` watches the service (`watch:`).
    public var watch = WatchSettings()
    /// Rolled back by itself this many deploys in a row, an environment is frozen until someone
    /// with a bypass role unfreezes it.
    public var freezeAfterRollbacks = 3
    /// Where deploy events are sent.
    public var notify: [NotifyTarget] = []
    /// The file every deploy and rollback appends its entry to (`deployment-log:`), relative to the
    /// configuration's directory.
    public var deploymentLog: String? = nil
    public var phases: [Phase]
    /// What loads but cannot work as written (a role with nobody in it); `validate --strict` refuses them.
    public var warnings: [Diagnostic] = []
    /// When deploys may start (`windows:`, `freezes:`).
    public var calendar = DeployCalendar()
    /// The top-level `timezone:` (UTC without one): where a time given without a zone is read.
    public var timeZone = TimeZone(identifier: "UTC") ?? .current

    public var items: [Item] { phases.flatMap(\.items) }

    public func phase(_ name: PhaseName) -> Phase? {
        phases.first { $0.name == name }
    }

    public func item(_ id: String) -> Item? {
        items.first { $0.id == id }
    }

    /// Whether `actor` holds one of `roles` (as `roles:` lists them).
    public func holdsRole(_ actor: String, among roles: [String]) -> Bool {
        roles.contains { self.roles[$0]?.contains(actor) == true }
    }
}

extension Item {
    /// The item that undoes this one (its `rollback:` command as `check`), for a deploy rolled back
    /// step by step: in the rollback phase, an action with the same timeout.
    public func counterpart(running check: any Check) -> Item {
        Item(
            id: "undo-" + id, title: "Undo: " + title, description: rollback.map { "rollback: \($0)" },
            phase: .rollback,
            section: "Undo " + section, body: .check(kind: "run", check), needs: [], when: nil, timeout: timeout,
            retries: 0, retryDelay: 0, severity: .block, expectations: [], rollback: nil, isAction: true,
            source: source, location: location)
    }
}

extension Checklist {
    /// The same checklist whose rollback phase is `items`, run in order (each needs the one before
    /// it, so a failing one stops the rest): the counterparts of a deploy's actions.
    public func rollingBack(with items: [Item]) -> Checklist {
        var chained: [Item] = []
        for var item in items {
            if let last = chained.last { item.needs = [last.id] }
            chained.append(item)
        }
        var checklist = self
        checklist.phases.removeAll { $0.name == .rollback }
        checklist.phases.append(Phase(name: .rollback, sections: [Section(title: "Undo", items: chained)]))
        return checklist
    }
}

/// `oidc: { issuer, audience }`: whose ID tokens `--identity oidc` accepts, and for which audience.
public struct OIDCSettings: Sendable, Hashable {
    public var issuer: String?
    public var audience: String?

    public init(issuer: String? = nil, audience: String? = nil) {
        self.issuer = issuer
        self.audience = audience
    }
}
