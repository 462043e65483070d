public import Foundation
public import ShipcheckCore

/// Sign-offs as `signoff` records: who signed which manual item, in which environment, for which
/// commit, when, with what note; each one an audit event. Runs pick them up.
extension RunStore {
    static let signoffKind = "signoff"

    struct SignoffBody: Codable {
        var note: String?
        var commit: String?
        var via: Identity.Source?
        var role: String?
        /// The armored SSH signature of the decision's canonical text.
        var signature: String?
    }

    public struct StoredSignoff: Sendable, Hashable, Codable {
        public var id: String
        public var item: String
        public var environment: String?
        public var commit: String?
        public var signoff: Signoff
    }

    /// What a sign-off signs.
    public static func signoffStatement(
        item: String, environment: String?, commit: String?, actor: String, role: String?, note: String?, at: Date
    ) -> DecisionStatement {
        DecisionStatement(
            kind: .signoff, subject: item, environment: environment, commit: commit, role: role, actor: actor,
            reason: note, at: at)
    }

    public func recordSignoff(
        item: String, environment: String?, commit: String?, actor: Identity, role: String? = nil, note: String?,
        at: Date, signature: String? = nil
    )
        async throws -> StoredSignoff
    {
        var signoff = Signoff(actor: actor.name, note: note, at: at, via: actor.source)
        signoff.role = role
        signoff.signature = signature
        let stored = StoredSignoff(
            id: "signoff-\(Self.eventID())", item: item, environment: environment, commit: commit, signoff: signoff)
        try await put(
            StoredRecord(
                kind: Self.signoffKind, id: stored.id, subject: item, environment: environment, actor: actor.name,
                at: at,
                body: try Self.json(
                    SignoffBody(note: note, commit: commit, via: actor.source, role: role, signature: signature))))
        return stored
    }

    /// Sign-offs of `item`, oldest first: in `environment`, for `commit` only when one is given. With
    /// `carry: .sameCommit` and a commit, those given for it in any environment count too, marked with
    /// where they were given. Each one's signature is verified by `policy` as it is read.
    public func signoffs(
        item: String, environment: String?, commit: String?, carry: SignoffRequirement.Carry = .environment,
        policy: Policy
    ) async throws -> [StoredSignoff] {
        let carried = carry == .sameCommit && commit != nil
        return try await records(kind: Self.signoffKind, subject: item, environment: carried ? nil : environment)
            .compactMap { record in
                guard let body = try? JSONDecoder().decode(SignoffBody.self, from: Data(record.body.utf8)),
                    carried || record.environment == environment, commit == nil || body.commit == commit
                else { return nil }
                var signoff = Signoff(actor: record.actor ?? "", note: body.note, at: record.at, via: body.via)
                signoff.role = body.role
                signoff.signature = body.signature
                signoff.trust = policy.signers.trust(
                    of: Self.signoffStatement(
                        item: item, environment: record.environment, commit: body.commit, actor: signoff.actor,
                        role: body.role, note: body.note, at: record.at),
                    signature: body.signature)
                if record.environment != environment { signoff.carriedFrom = record.environment ?? "no environment" }
                return StoredSignoff(
                    id: record.id, item: item, environment: record.environment, commit: body.commit, signoff: signoff)
            }
    }
}

/// Sign-offs recorded in the store for this run's environment and commit (and, for items with
/// `carry: same-commit`, the commit's in other environments), then any other source (the terminal
/// prompt), which is asked only when the stored ones do not satisfy the item.
public struct StoreSignoffs: SignoffSource {
    public let store: RunStore
    public let policy: Policy
    public let environment: String?
    public let commit: String?
    public let also: (any SignoffSource)?
    /// Whether sign-offs satisfy an item (the policy's judgement, with the run's deployer and author).
    public let satisfies: @Sendable (Item, [Signoff]) -> Bool

    public init(
        store: RunStore, policy: Policy, environment: String?, commit: String?, also: (any SignoffSource)? = nil,
        satisfies: @escaping @Sendable (Item, [Signoff]) -> Bool
    ) {
        self.store = store
        self.policy = policy
        self.environment = environment
        self.commit = commit
        self.also = also
        self.satisfies = satisfies
    }

    public func signoffs(for item: Item) async -> [Signoff] {
        guard case .manual(let requirement) = item.body else { return [] }
        let stored =
            (try? await store.signoffs(
                item: item.id, environment: environment, commit: commit, carry: requirement.carry, policy: policy))
            ?? []
        let recorded = stored.map(\.signoff)
        guard !satisfies(item, recorded), let also else { return recorded }
        return recorded + (await also.signoffs(for: item))
    }
}
