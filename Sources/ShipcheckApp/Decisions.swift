public import Foundation
import ShipcheckChecks
public import ShipcheckCore
public import ShipcheckStore

/// The decisions people make about a gate (sign-offs, waivers, overrides, freezes and their end),
/// each checked against the `Policy` and its inputs before anything is written: the command line,
/// and later the server, only say what was asked and print what came of it.
public struct Decisions: Sendable {
    public let checklist: Checklist
    public let configURL: URL
    /// Opened only once a decision passed every check: a refusal writes nothing, not even a new store.
    public let openStore: @Sendable () async throws -> RunStore
    public let processEnvironment: [String: String]
    public let now: Date
    /// The SSH key to sign with (`--key`); else SHIPCHECK_SIGNING_KEY, else git's signing key.
    public var signingKey: String?
    let policy: Policy

    public init(
        checklist: Checklist, configURL: URL, processEnvironment: [String: String], now: Date = Date(),
        signingKey: String? = nil, openStore: @escaping @Sendable () async throws -> RunStore
    ) {
        self.checklist = checklist
        self.configURL = configURL
        self.openStore = openStore
        self.processEnvironment = processEnvironment
        // To the millisecond, as the store keeps it: what is signed is what is read back.
        self.now = Date(timeIntervalSince1970: Double(DecisionStatement.milliseconds(now)) / 1000)
        self.signingKey = signingKey
        self.policy = Policy(checklist)
    }

    /// Decisions recorded in the store the command line names (`--store`, SHIPCHECK_STORE, `store:`).
    public static func recordedIn(
        storeFlag: String?, checklist: Checklist, configURL: URL, processEnvironment: [String: String],
        signingKey: String? = nil
    ) -> Decisions {
        Decisions(
            checklist: checklist, configURL: configURL, processEnvironment: processEnvironment, signingKey: signingKey
        ) {
            try await StoreViews.open(flag: storeFlag, configURL: configURL, environment: processEnvironment)
        }
    }

    var directory: URL { configURL.deletingLastPathComponent() }

    /// Who acts, checked as any text a record keeps.
    func identity(_ actor: String?) async throws(CommandFailure) -> Identity {
        if let actor { _ = try DecisionInput.text(actor, field: "--actor", limit: DecisionInput.nameLimit) }
        let who = await GateRunner.resolveActor(actor, directory: directory, environment: processEnvironment)
        _ = try DecisionInput.text(
            who.name, field: "the actor (\(who.source.rawValue))", limit: DecisionInput.nameLimit)
        return who
    }

    func environment(_ name: String) throws(CommandFailure) -> EnvironmentConfig {
        guard let environment = checklist.environments[name] else {
            throw CommandFailure(
                "--env: `\(name)` is not an environment of \(configURL.lastPathComponent); "
                    + Suggestions.hint(for: name, among: checklist.environments.keys.sorted()), .usage)
        }
        return environment
    }

    func item(_ id: String) throws(CommandFailure) -> Item {
        guard let item = checklist.item(id) else {
            let hint =
                Suggestions.closest(to: id, in: checklist.items.map(\.id)).map { "; did you mean `\($0)`?" } ?? ""
            throw CommandFailure("no item `\(id)` in \(configURL.lastPathComponent)\(hint)", .usage)
        }
        return item
    }

    func bypasser(_ actor: String?, environment: String, toDo doWhat: String) async throws(CommandFailure) -> Identity {
        let who = try await identity(actor)
        if let refusal = policy.bypassRefusal(who.name, environment: environment, toDo: doWhat) {
            throw CommandFailure(refusal, .refused)
        }
        return who
    }

    /// The signature of `statement`, made with the person's SSH key and checked against
    /// `allowed_signers` before anything is recorded; nil when there is no key to sign with and the
    /// environment takes unsigned decisions. git's signing key is used only once an allowed_signers
    /// file exists; a key named with --key or SHIPCHECK_SIGNING_KEY always signs.
    func signature(for statement: DecisionStatement) async throws(CommandFailure) -> String? {
        let required = policy.requiresSignature(statement.environment)
        guard let text = statement.canonicalText else {
            throw CommandFailure("a decision's text may not hold a line break", .usage)
        }
        guard
            let signature = try await sign(
                text, signer: statement.actor,
                unlessRequired: required
                    ? "\(statement.environment ?? "") counts only signed decisions (`identity: signed`)" : nil)
        else { return nil }
        if case .rejected(let why) = policy.signers.trust(of: statement, signature: signature, now: now) {
            throw CommandFailure("the signature would count for nothing, so nothing was recorded: \(why)", .refused)
        }
        return signature
    }

    /// `text` signed with the person's key under the `shipcheck` namespace; nil when there is no
    /// key and `required` is nil, else a refusal saying why a signature is needed.
    func sign(_ text: String, signer: String, unlessRequired required: String?) async throws(CommandFailure)
        -> String?
    {
        var key = signingKey ?? processEnvironment["SHIPCHECK_SIGNING_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        if key == nil, checklist.allowedSigners != nil || required != nil {
            key = await SSHSigner.configuredKey(explicit: nil, in: directory, environment: processEnvironment)
        }
        guard let key else {
            if let required {
                throw CommandFailure(
                    "\(required): sign with --key PATH (an SSH key allowed_signers lists for \(signer)), SHIPCHECK_SIGNING_KEY, or git's user.signingkey with gpg.format ssh",
                    .refused)
            }
            return nil
        }
        do {
            return try await SSHSigner.sign(
                text, key: key, namespace: DecisionStatement.namespace, environment: processEnvironment)
        } catch {
            throw CommandFailure(error.description, .refused)
        }
    }

    /// Signs the audit chain's head now and keeps the checkpoint in the store; returns it, to be
    /// kept elsewhere too (`audit verify --checkpoint FILE`).
    public func checkpoint(actor: String?) async throws(CommandFailure) -> AuditCheckpoint {
        let who = try await identity(actor)
        let head = try await recording { store in try await store.auditHead() }
        guard let head else { throw CommandFailure("the audit chain is empty: there is no head to sign", .usage) }
        var checkpoint = AuditCheckpoint(seq: head.seq, hash: head.hash, at: now, signer: who.name)
        guard let text = checkpoint.canonicalText else {
            throw CommandFailure("the signer's name may not hold a line break", .usage)
        }
        checkpoint.signature =
            try await sign(text, signer: who.name, unlessRequired: "a checkpoint is signed, or it proves nothing")
            ?? ""
        if case .rejected(let why) = policy.signers.verify(
            Data(text.utf8), signature: checkpoint.signature, as: who.name, signedAt: checkpoint.date, now: now)
        {
            throw CommandFailure(
                "the checkpoint's signature would count for nothing, so nothing was kept: \(why)", .refused)
        }
        let signed = checkpoint
        try await recording { store in try await store.recordCheckpoint(signed) }
        return signed
    }

    /// Opens the store, writes, and closes it; a store that fails is "could not evaluate".
    func recording<T: Sendable>(_ body: (RunStore) async throws -> T) async throws(CommandFailure) -> T {
        try await withStore(openStore, body)
    }

    /// What every bypass in writing takes, checked in this order: the environment, the reason, the
    /// end (within `max-bypass:`), and that the actor may bypass the environment.
    func bypassInputs(environment name: String, until: String, reason: String, actor: String?, toDo doWhat: String)
        async throws(CommandFailure) -> (reason: String, end: Date, who: Identity)
    {
        _ = try environment(name)
        let reason = try DecisionInput.text(reason, field: "--reason")
        let end = try DecisionInput.end(
            until, field: "--until", now: now, zone: checklist.timeZone, horizon: checklist.maxBypass)
        return (reason, end, try await bypasser(actor, environment: name, toDo: doWhat))
    }

    /// What a hold anyone may declare takes (a freeze, a lock by hand): the environment, the reason,
    /// how long (within `max-bypass:`), and who.
    func spanInputs(environment name: String, for duration: String, reason: String, actor: String?)
        async throws(CommandFailure) -> (reason: String, seconds: Double, who: Identity)
    {
        _ = try environment(name)
        let reason = try DecisionInput.text(reason, field: "--reason")
        let seconds = try DecisionInput.duration(duration, field: "--for", horizon: checklist.maxBypass)
        return (reason, seconds, try await identity(actor))
    }

    // MARK: - Decisions

    /// A waiver of `item` in `environment` until `until` (a duration or a time), by a bypass role.
    public func waive(item id: String, environment name: String, until: String, reason: String, actor: String?)
        async throws(CommandFailure) -> RunStore.StoredWaiver
    {
        _ = try item(id)
        let (reason, end, who) = try await bypassInputs(
            environment: name, until: until, reason: reason, actor: actor, toDo: "waive `\(id)` in \(name)")
        let signature = try await signature(
            for: RunStore.bypassStatement(
                .waiver, subject: id, environment: name, actor: who.name, reason: reason, at: now, until: end))
        return try await recording { store in
            try await store.recordWaiver(
                item: id, environment: name, actor: who, reason: reason, at: now, until: end, signature: signature)
        }
    }

    /// An override of a calendar rule (window, freeze, runway) in `environment`, by a bypass role.
    public func override(
        rule: PolicyBlock.Rule, environment name: String, until: String, reason: String, actor: String?
    ) async throws(CommandFailure) -> RunStore.StoredWaiver {
        guard Self.overridable.contains(rule) else {
            let emergency = rule == .emergency ? " (an emergency freeze ends with `shipcheck unfreeze`)" : ""
            throw CommandFailure(
                "`\(rule.rawValue)` is not a rule that can be overridden; expected window, freeze or runway\(emergency)",
                .usage)
        }
        let (reason, end, who) = try await bypassInputs(
            environment: name, until: until, reason: reason, actor: actor,
            toDo: "override the \(rule.rawValue) of \(name)")
        let signature = try await signature(
            for: RunStore.bypassStatement(
                .override, subject: rule.rawValue, environment: name, actor: who.name, reason: reason, at: now,
                until: end))
        return try await recording { store in
            try await store.recordOverride(
                rule: rule, environment: name, actor: who, reason: reason, at: now, until: end, signature: signature)
        }
    }

    public static let overridable: [PolicyBlock.Rule] = [.window, .freeze, .runway]

    /// An emergency freeze of `environment` for `duration`: anyone may declare one.
    public func freeze(environment name: String, for duration: String, reason: String, actor: String?)
        async throws(CommandFailure) -> EmergencyFreeze
    {
        let (reason, seconds, who) = try await spanInputs(
            environment: name, for: duration, reason: reason, actor: actor)
        let until = now.addingTimeInterval(seconds)
        let signature = try await signature(
            for: RunStore.freezeStatement(environment: name, reason: reason, actor: who.name, from: now, until: until))
        return try await recording { store in
            try await store.declareFreeze(
                environment: name, reason: reason, actor: who, from: now, until: until, signature: signature)
        }
    }

    /// Ends the environment's emergency freezes in force, by a bypass role.
    public func unfreeze(environment name: String, actor: String?) async throws(CommandFailure) -> [EmergencyFreeze] {
        _ = try environment(name)
        let who = try await bypasser(actor, environment: name, toDo: "end a freeze of \(name)")
        let signature = try await signature(
            for: RunStore.unfreezeStatement(environment: name, actor: who.name, at: now))
        return try await recording { store in
            try await store.endFreezes(environment: name, actor: who, at: now, policy: policy, signature: signature)
        }
    }

    /// Holds the environment's deploy lock by hand (maintenance, an incident) for `duration`: no
    /// deploy starts there until it ends or is unlocked. Anyone may take a free lock.
    public func lock(environment name: String, for duration: String, reason: String, actor: String?)
        async throws(CommandFailure) -> DeployLock
    {
        let (reason, seconds, who) = try await spanInputs(
            environment: name, for: duration, reason: reason, actor: actor)
        let outcome = try await recording { store in
            try await store.acquireLock(environment: name, owner: who, reason: reason, lease: seconds, at: now)
        }
        switch outcome {
        case .acquired(let lock, _): return lock
        case .held(let holder):
            throw CommandFailure("the deploy lock of \(name) is held by \(holder.description)", .refused)
        }
    }

    /// Ends the environment's deploy lock: its owner may; anyone else needs `force` and a role the
    /// environment's `bypass:` names. Returns the lock as released, or nil when none was held.
    public func unlock(environment name: String, force: Bool, actor: String?) async throws(CommandFailure)
        -> DeployLock?
    {
        _ = try environment(name)
        let who = try await identity(actor)
        let policy = policy
        return try await recording { store in
            guard let held = try await store.lock(environment: name), held.isHeld(at: now) else { return nil }
            if held.owner != who.name {
                guard force else {
                    throw CommandFailure(
                        "the deploy lock of \(name) is held by \(held.description); only its owner ends it, or someone with --force and a `bypass:` role",
                        .refused)
                }
                if let refusal = policy.bypassRefusal(
                    who.name, environment: name, toDo: "end another's deploy lock of \(name)")
                {
                    throw CommandFailure(refusal, .refused)
                }
            }
            return try await store.releaseLock(environment: name, expected: held, by: who, at: now)
        }
    }

    /// A sign-off of a manual item, by someone the item's rule lets sign, for the commit checked out.
    public func signoff(item id: String, environment name: String?, note: String?, actor: String?)
        async throws(CommandFailure) -> RunStore.StoredSignoff
    {
        if let name { _ = try environment(name) }
        let found = try item(id)
        guard case .manual(let requirement) = found.body else {
            throw CommandFailure(
                "`\(id)` is checked by machine (\(found.kindName)); only manual items are signed off", .usage)
        }
        let note = try note.map { note throws(CommandFailure) in try DecisionInput.text(note, field: "--note") }
        let who = try await identity(actor)
        let roles = requirement.groups.compactMap(\.role)
        if roles.count == requirement.groups.count, !checklist.holdsRole(who.name, among: roles) {
            throw CommandFailure(
                "\(who.name) may not sign off `\(id)`: it needs the role \(roles.map { "`\($0)`" }.joined(separator: " or "))",
                .refused)
        }
        let revision = await GitInfo.revision(in: directory, environment: processEnvironment)
        if requirement.not.contains("author"), let author = revision?.author, author == who.name {
            throw CommandFailure(
                "\(who.name) wrote this commit and may not sign off `\(id)` (`not: [author]`)", .refused)
        }
        let role = roles.first { checklist.holdsRole(who.name, among: [$0]) }
        let signature = try await signature(
            for: RunStore.signoffStatement(
                item: id, environment: name, commit: revision?.commit, actor: who.name, role: role, note: note, at: now
            ))
        return try await recording { store in
            try await store.recordSignoff(
                item: id, environment: name, commit: revision?.commit, actor: who, role: role, note: note, at: now,
                signature: signature)
        }
    }
}

/// What a decision's inputs may be: text a record keeps is bounded and printable (no control or
/// bidirectional-override characters that would make a reason read as something else), ends lie
/// ahead within `max-bypass:`, and a time that does not exist is refused, never bent.
public enum DecisionInput {
    public static let textLimit = 4096
    public static let nameLimit = 256

    /// `text`, trimmed, when it is non-empty, at most `limit` bytes and free of control and
    /// bidirectional formatting characters.
    public static func text(_ text: String, field: String, limit: Int = textLimit) throws(CommandFailure) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw CommandFailure("\(field): say it, in writing (it is empty)", .usage) }
        guard trimmed.utf8.count <= limit else {
            throw CommandFailure(
                "\(field): \(trimmed.utf8.count) bytes is longer than the \(limit) a record keeps; say it shorter (link to the rest)",
                .usage)
        }
        for (offset, scalar) in trimmed.unicodeScalars.enumerated() where isForbidden(scalar) {
            let code = "U+" + String(scalar.value, radix: 16, uppercase: true).leftPadded(to: 4)
            throw CommandFailure(
                "\(field): character \(offset + 1) is \(code) (\(kind(of: scalar))), which a record does not keep: it could make the text read as something else",
                .usage)
        }
        return trimmed
    }

    static func isForbidden(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x08, 0x0A...0x1F, 0x7F...0x9F: true
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }

    static func kind(of scalar: Unicode.Scalar) -> String {
        switch scalar.value {
        case 0x202A...0x202E, 0x2066...0x2069, 0x061C, 0x200E, 0x200F: "a bidirectional formatting character"
        default: "a control character"
        }
    }

    /// A duration (24h) above zero and within `horizon` seconds.
    public static func duration(_ text: String, field: String, horizon: Double) throws(CommandFailure) -> Double {
        guard let seconds = parseDuration(text), seconds.isFinite else {
            throw CommandFailure("\(field): `\(shown(text))` is not a duration; expected e.g. 4h, 30m or 1h30m", .usage)
        }
        try within(seconds, field: field, text: text, horizon: horizon)
        return seconds
    }

    /// Until when: a duration from `now` (24h) or a time still to come (YYYY-MM-DDTHH:MM, in `zone`
    /// unless it ends in Z or ±HH:MM), within `horizon` seconds of now.
    public static func end(_ text: String, field: String, now: Date, zone: TimeZone, horizon: Double)
        throws(CommandFailure) -> Date
    {
        if let seconds = parseDuration(text), seconds.isFinite {
            try within(seconds, field: field, text: text, horizon: horizon)
            return now.addingTimeInterval(seconds)
        }
        guard let date = DeployCalendar.parseTime(text, zone: zone) else {
            throw CommandFailure(
                "\(field): `\(shown(text))` is neither a duration (24h) nor a time that exists (2026-12-09T12:00)",
                .usage)
        }
        guard date > now else { throw CommandFailure("\(field): \(text) has already passed", .usage) }
        try within(date.timeIntervalSince(now), field: field, text: text, horizon: horizon)
        return date
    }

    static func within(_ seconds: Double, field: String, text: String, horizon: Double) throws(CommandFailure) {
        guard seconds > 0 else {
            throw CommandFailure("\(field): `\(shown(text))` is no time at all; give a span above zero", .usage)
        }
        guard seconds <= horizon else {
            throw CommandFailure(
                "\(field): `\(shown(text))` ends more than \(Value.formatDuration(horizon)) from now, the most `max-bypass:` allows",
                .usage)
        }
    }

    /// The input as a message may quote it: short, and without the characters refused above.
    static func shown(_ text: String) -> String {
        let cleaned = String(String.UnicodeScalarView(text.unicodeScalars.map { isForbidden($0) ? "?" : $0 }))
        return cleaned.count > 60 ? String(cleaned.prefix(60)) + "…" : cleaned
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
