public import Foundation

/// The configuration's rules as one value: what an environment or a deploy type leaves out, who holds
/// which role and may bypass, whether sign-offs satisfy an item, and what the calendar blocks. The
/// engine consults it before each item; `plan`, the sign-off, waiver and freeze commands (and later
/// the deploy pipeline and the server) ask it the same questions, so that they cannot disagree.
public struct Policy: Sendable {
    public var environments: [String: EnvironmentConfig]
    public var deployTypes: [String: DeployType]
    public var roles: [String: [String]]
    public var calendar: DeployCalendar
    /// Verifies decisions' signatures against `allowed_signers`.
    public var signers: DecisionVerifier

    public init(_ checklist: Checklist) {
        self.environments = checklist.environments
        self.deployTypes = checklist.deployTypes
        self.roles = checklist.roles
        self.calendar = checklist.calendar
        self.signers = DecisionVerifier(allowedSigners: checklist.allowedSigners)
    }

    // MARK: - Identity

    /// Whether only signed decisions count in `environment` (`identity: signed`).
    public func requiresSignature(_ environment: String?) -> Bool {
        environment.flatMap { environments[$0]?.requireSigned } ?? false
    }

    /// Why a decision read from the store counts for nothing in `environment`: its signature does
    /// not hold, or it is unsigned where only signed decisions count. Nil when it counts.
    public func distrust(_ trust: DecisionTrust?, via: Identity.Source?, environment: String?) -> String? {
        switch trust ?? .claimed {
        case .rejected(let why): return why
        case .claimed where requiresSignature(environment):
            return
                "it is not signed (claimed with \(via?.rawValue ?? "--actor")), and \(environment ?? "") counts only signed decisions (`identity: signed`)"
        default: return nil
        }
    }

    // MARK: - Items

    /// Why a run leaves `item` out without looking at it (`--skip`, the environment's skip list, the
    /// deploy type), or nil when the policy lets it run.
    public func leavesOut(_ item: Item, environment: String?, deployType: String?, skip: [String] = []) -> String? {
        if skip.contains(item.id) { return "skipped with --skip" }
        if let environment, environments[environment]?.skip.contains(item.id) == true {
            return "the \(environment) environment skips it"
        }
        if let deployType, let type = deployTypes[deployType], let reason = type.leavesOut(item) { return reason }
        return nil
    }

    // MARK: - Roles

    public func holds(_ actor: String, anyOf roles: [String]) -> Bool {
        roles.contains { self.roles[$0]?.contains(actor) == true }
    }

    /// Why `actor` may not bypass the environment's rules (end a freeze, waive an item, override the
    /// window), naming the role needed; nil when they may.
    public func bypassRefusal(_ actor: String, environment: String, toDo doWhat: String) -> String? {
        let bypass = environments[environment]?.bypass ?? []
        guard !holds(actor, anyOf: bypass) else { return nil }
        let needed =
            bypass.isEmpty
            ? "nobody may: \(environment) names no role under `bypass:`"
            : "it needs the role \(bypass.map { "`\($0)`" }.joined(separator: " or "))"
        return "\(actor) may not \(doWhat): \(needed)"
    }

    /// Why a bypass recorded by `actor` (a waiver, an override, the end of a freeze) counts for
    /// nothing in `environment`: judged when the record is read, not only when it was written, so
    /// that a row written straight into the store by anyone else is ignored. Nil when it counts.
    public func ignoredBypass(by actor: String, environment: String) -> String? {
        let bypass = environments[environment]?.bypass ?? []
        guard !holds(actor, anyOf: bypass) else { return nil }
        return bypass.isEmpty
            ? "\(environment) names no role under `bypass:`, so nobody may bypass it"
            : "\(actor) holds no role under \(environment)'s `bypass:` (\(bypass.joined(separator: ", ")))"
    }

    /// The rules governing `environment` that are judged from the run store (waivers, overrides,
    /// emergency freezes, sign-offs, the gate's record): a phase run there needs its store.
    public func storeBoundRules(of environment: String?) -> [String] {
        guard let environment, let config = environments[environment] else { return [] }
        var rules: [String] = []
        if config.requireAll { rules.append("`require: all`") }
        if !config.bypass.isEmpty { rules.append("bypass roles (\(config.bypass.joined(separator: ", ")))") }
        if calendar.windows.contains(where: { $0.environments.isEmpty || $0.environments.contains(environment) }) {
            rules.append("deploy windows")
        }
        if calendar.freezes.contains(where: { $0.governs(environment: environment) }) { rules.append("freezes") }
        return rules
    }

    // MARK: - Sign-offs

    /// Judges the sign-offs given for a manual item. `deployer` and `author` are who runs the gate
    /// and who wrote the commit, for `not:`; `now` decides expiry.
    public func judge(
        _ signoffs: [Signoff], against requirement: SignoffRequirement, environment: String?, deployer: String?,
        author: String?, at now: Date
    ) -> SignoffJudgement {
        var eligible: [Signoff] = []
        var rejected: [String] = []
        let roleNames = requirement.groups.compactMap(\.role)
        let everyGroupHasRole = roleNames.count == requirement.groups.count
        for signoff in signoffs {
            if let why = distrust(signoff.trust, via: signoff.via, environment: environment) {
                rejected.append("\(signoff.actor)'s sign-off: \(why)")
            } else if let key = signoff.trust?.key,
                let other = eligible.first(where: { $0.trust?.key == key && $0.actor != signoff.actor })
            {
                rejected.append(
                    "\(signoff.actor)'s sign-off is signed with the key of \(other.actor)'s (\(key)): one person, one sign-off"
                )
            } else if everyGroupHasRole, !holds(signoff.actor, anyOf: roleNames) {
                rejected.append(
                    roleNames.count == 1
                        ? "\(signoff.actor) does not hold the role \(roleNames[0])"
                        : "\(signoff.actor) holds none of the roles \(roleNames.joined(separator: ", "))")
            } else if requirement.not.contains("deployer"), signoff.actor == deployer {
                rejected.append("\(signoff.actor) runs this gate and may not approve it")
            } else if requirement.not.contains("author"), let author, signoff.actor == author {
                rejected.append("\(signoff.actor) wrote the change and may not approve it")
            } else if let expires = requirement.expires, now.timeIntervalSince(signoff.at) > expires {
                let span =
                    expires.truncatingRemainder(dividingBy: 3600) == 0
                    ? "\(Int(expires / 3600))h" : Value.formatDuration(expires)
                rejected.append("\(signoff.actor)'s sign-off expired (older than \(span))")
            } else {
                eligible.append(signoff)
            }
        }
        let progress = requirement.groups.map { group in
            var counted: [Signoff] = []
            for signoff in eligible where group.role.map({ holds(signoff.actor, anyOf: [$0]) }) ?? true {
                if group.distinct,
                    counted.contains(where: {
                        $0.actor == signoff.actor || ($0.trust?.key != nil && $0.trust?.key == signoff.trust?.key)
                    })
                {
                    continue
                }
                counted.append(signoff)
            }
            let excluded = Set(
                [
                    requirement.not.contains("deployer") ? deployer : nil,
                    requirement.not.contains("author") ? author : nil,
                ]
                .compactMap { $0 })
            let couldGive = group.role.map { role in
                (roles[role] ?? []).filter { !excluded.contains($0) && !counted.map(\.actor).contains($0) }
            }
            return SignoffJudgement.Progress(group: group, counted: counted, couldGive: couldGive)
        }
        return SignoffJudgement(
            satisfiedBy: progress.firstIndex { $0.missing == 0 }, progress: progress, rejected: rejected,
            nobodyHolds: roleNames.filter { (roles[$0] ?? []).isEmpty })
    }

    // MARK: - Calendar

    /// What stands in the way of a deploy starting at `date`, with overrides (waivers of the window,
    /// freeze or runway rule) applied: those blocks are kept apart, as overridden, with the waiver.
    /// `emergencies` are the environment's declared freezes; only `unfreeze` ends one.
    public func blocks(
        at date: Date, environment: String?, deployType: String?, typicalDuration: Double?,
        emergencies: [EmergencyFreeze] = [], overrides: [PolicyBlock.Rule: Waiver] = [:]
    ) -> CalendarVerdict {
        var calendar = calendar
        calendar.emergencies = emergencies
        let all = calendar.blocks(
            at: date, environment: environment, type: deployType, typicalDuration: typicalDuration,
            overridden: Set(overrides.keys))
        var verdict = CalendarVerdict()
        for block in all {
            if let waiver = overrides[block.rule] {
                verdict.overridden.append(.init(block: block, waiver: waiver))
            } else {
                verdict.blocking.append(block)
            }
        }
        return verdict
    }
}

/// The calendar's answer for one instant: what blocks, and what would have but is overridden.
public struct CalendarVerdict: Sendable, Hashable, Codable {
    public struct Overridden: Sendable, Hashable, Codable {
        public var block: PolicyBlock
        public var waiver: Waiver

        public var message: String { "overridden \(waiver.byWhom): \(waiver.reason) (\(block.message))" }
    }

    public var blocking: [PolicyBlock] = []
    public var overridden: [Overridden] = []
    /// Overrides and ends of freezes read from the store that count for nothing, each with why.
    public var ignored: [String] = []
}

/// Whether an item's sign-offs satisfy it, group by group, with what was not counted and why.
public struct SignoffJudgement: Sendable {
    public struct Progress: Sendable {
        public var group: SignoffGroup
        /// The sign-offs this group counts, at most one per person when it is `distinct`.
        public var counted: [Signoff]
        /// Members of the group's role who have not signed and are not excluded; nil for "anyone".
        public var couldGive: [String]?

        public var missing: Int { max(0, group.count - counted.count) }
    }

    /// The index of the group that is satisfied, if one is.
    public var satisfiedBy: Int?
    public var progress: [Progress]
    /// Sign-offs that did not count, each with why.
    public var rejected: [String]
    /// Roles the rule names that nobody holds.
    public var nobodyHolds: [String]

    public var satisfied: Bool { satisfiedBy != nil }

    /// `signed off by alice, bob (carol in staging)` or `awaiting 1 sign-off from role cto (…)`.
    public var reason: String {
        if let index = satisfiedBy {
            let signers = progress[index].counted.map { signoff in
                signoff.actor + (signoff.carriedFrom.map { " in \($0)" } ?? "") + signoff.trustNote
            }
            let which = progress.count > 1 ? " (\(progress[index].group.summary))" : ""
            return "signed off by " + signers.joined(separator: ", ") + which
        }
        let ways = progress.map { step in
            var text =
                "\(step.missing) sign-off\(step.missing == 1 ? "" : "s")"
                + (step.group.role.map { " from role \($0)" } ?? "")
            if let role = step.group.role, nobodyHolds.contains(role) {
                text += " (nobody holds it: name its people under `roles:`)"
            }
            if !step.counted.isEmpty { text += " (\(step.counted.count) of \(step.group.count) given)" }
            return text
        }
        var reason = "awaiting " + ways.joined(separator: ", or ")
        if !rejected.isEmpty { reason += "; not counted: " + rejected.joined(separator: "; ") }
        return reason
    }
}

extension Signoff {
    /// ` (signed)`, ` (claimed with --actor)`, or nothing when it was not judged.
    public var trustNote: String {
        switch trust {
        case .claimed: " (claimed with \(via?.rawValue ?? "--actor"))"
        case .signed: " (signed)"
        case .rejected, nil: ""
        }
    }
}
