import Crypto
public import Foundation

/// A Dead Simple Signing Envelope (DSSE v1): the payload, its type, and signatures over the
/// pre-authentication encoding of both, so that a signature never covers bytes of another type.
public struct DSSEEnvelope: Sendable, Codable, Hashable {
    public struct Signature: Sendable, Codable, Hashable {
        public var keyid: String
        /// Base64 of the raw signature.
        public var sig: String
    }

    /// Base64 of the payload's bytes.
    public var payload: String
    public var payloadType: String
    public var signatures: [Signature]

    public static let inTotoType = "application/vnd.in-toto+json"

    /// `DSSEv1 SP LEN(type) SP type SP LEN(body) SP body`, lengths in decimal bytes.
    public static func pae(type: String, body: [UInt8]) -> [UInt8] {
        Array("DSSEv1 \(type.utf8.count) \(type) \(body.count) ".utf8) + body
    }

    public init(payload: [UInt8], payloadType: String, signatures: [Signature] = []) {
        self.payload = Data(payload).base64EncodedString()
        self.payloadType = payloadType
        self.signatures = signatures
    }

    public var payloadBytes: [UInt8]? { Data(base64Encoded: payload).map(Array.init) }
}

/// An in-toto Statement v1 about a commit (and any artifacts): that its gate ran, with what verdict.
public struct GateStatement: Sendable, Codable, Hashable {
    public struct Subject: Sendable, Codable, Hashable {
        public var name: String
        public var digest: [String: String]
    }

    public var type = "https://in-toto.io/Statement/v1"
    public var subject: [Subject]
    public var predicateType = GatePredicate.type
    public var predicate: GatePredicate

    enum CodingKeys: String, CodingKey {
        case type = "_type"
        case subject, predicateType, predicate
    }

    public init(subject: [Subject], predicate: GatePredicate) {
        self.subject = subject
        self.predicate = predicate
    }
}

/// What a gate's attestation says: the run, its configuration, every item's outcome with the
/// digest of its evidence, the decisions that counted (with their signatures, so that they can be
/// verified again), and the audit chain's head when it was made. Times are milliseconds since 1970.
public struct GatePredicate: Sendable, Codable, Hashable {
    public static let type = "https://shipcheck.dev/attestation/gate/v1"

    public struct ItemOutcome: Sendable, Codable, Hashable {
        public var id: String
        public var outcome: String
        /// SHA-256 (hex) of the item's recorded result as JSON with sorted keys.
        public var evidence: String
    }

    public struct Decision: Sendable, Codable, Hashable {
        public var kind: String
        public var item: String
        public var environment: String?
        public var commit: String?
        public var role: String?
        public var actor: String
        public var at: Int64
        public var until: Int64?
        public var reason: String?
        public var signature: String?

        public init(
            kind: String, item: String, environment: String?, commit: String? = nil, role: String? = nil,
            actor: String, at: Date, until: Date? = nil, reason: String?, signature: String?
        ) {
            self.kind = kind
            self.item = item
            self.environment = environment
            self.commit = commit
            self.role = role
            self.actor = actor
            self.at = DecisionStatement.milliseconds(at)
            self.until = until.map(DecisionStatement.milliseconds)
            self.reason = reason
            self.signature = signature
        }

        /// The decision as it was signed.
        public var statement: DecisionStatement? {
            guard let kind = DecisionStatement.Kind(rawValue: kind) else { return nil }
            return DecisionStatement(
                kind: kind, subject: item, environment: environment, commit: commit, role: role, actor: actor,
                until: until.map { Date(timeIntervalSince1970: Double($0) / 1000) }, reason: reason,
                at: Date(timeIntervalSince1970: Double(at) / 1000))
        }
    }

    public struct AuditHead: Sendable, Codable, Hashable {
        public var seq: Int64
        public var hash: String
    }

    public var run: String
    public var project: String?
    public var phase: String
    public var environment: String?
    public var deployType: String?
    public var verdict: String
    /// Why the run covers only part of its phase; nil for a whole gate.
    public var partial: String?
    public var commit: String?
    public var dirty: Bool?
    public var configDigest: String?
    public var toolVersion: String
    public var startedAt: Int64
    public var finishedAt: Int64
    public var items: [ItemOutcome]
    public var signoffs: [Decision]
    public var waivers: [Decision]
    /// The environment's bypass roles and their members when it was made, for verifiers without the configuration.
    public var bypassRoles: [String: [String]]
    public var auditHead: AuditHead?
}

/// Signed attestations of a gate's verdict: an in-toto Statement v1 about the commit (and any
/// artifacts) in a DSSE envelope, signed with an SSH key; and their verification, for a deploy job
/// or the target itself to refuse a commit that no passing, whole, properly waived gate vouches for.
public enum Attestations {
    /// The statement about `run`, recorded in a store whose audit head is `auditHead`.
    public static func statement(
        run: RunResult, policy: Policy?, auditHead: (seq: Int64, hash: String)?,
        artifacts: [(name: String, sha256: String)]
    ) throws -> GateStatement {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .millisecondsSince1970
        let commit = run.provenance?.commit
        var subjects: [GateStatement.Subject] = []
        if let commit {
            subjects.append(.init(name: run.project.map { "git+\($0)" } ?? "git", digest: ["gitCommit": commit]))
        }
        subjects += artifacts.map { .init(name: $0.name, digest: ["sha256": $0.sha256]) }
        var signoffs: [GatePredicate.Decision] = []
        var waivers: [GatePredicate.Decision] = []
        var items: [GatePredicate.ItemOutcome] = []
        for item in run.items {
            let evidence = Data(SHA256.hash(data: try encoder.encode(item))).map { String(format: "%02x", $0) }.joined()
            items.append(.init(id: item.id, outcome: item.outcome.rawValue, evidence: evidence))
            for signoff in item.signoffs {
                signoffs.append(
                    .init(
                        kind: "signoff", item: item.id, environment: signoff.carriedFrom ?? run.environment,
                        commit: commit, role: signoff.role, actor: signoff.actor, at: signoff.at, reason: signoff.note,
                        signature: signoff.signature))
            }
            if let waiver = item.waiver {
                waivers.append(
                    .init(
                        kind: "waiver", item: item.id, environment: run.environment, actor: waiver.actor, at: waiver.at,
                        until: waiver.expires, reason: waiver.reason, signature: waiver.signature))
            }
        }
        var roles: [String: [String]] = [:]
        if let policy, let environment = run.environment {
            for role in policy.environments[environment]?.bypass ?? [] { roles[role] = policy.roles[role] ?? [] }
        }
        let predicate = GatePredicate(
            run: run.runID, project: run.project, phase: run.phase.rawValue, environment: run.environment,
            deployType: run.deployType, verdict: run.verdict.rawValue, partial: run.partial, commit: commit,
            dirty: run.provenance?.dirty, configDigest: run.provenance?.configDigest, toolVersion: run.toolVersion,
            startedAt: DecisionStatement.milliseconds(run.startedAt),
            finishedAt: DecisionStatement.milliseconds(run.finishedAt), items: items, signoffs: signoffs,
            waivers: waivers, bypassRoles: roles,
            auditHead: auditHead.map { GatePredicate.AuditHead(seq: $0.seq, hash: $0.hash) })
        return GateStatement(subject: subjects, predicate: predicate)
    }

    /// The statement as JSON (sorted keys), signed in a DSSE envelope.
    public static func envelope(_ statement: GateStatement, key: SSHPrivateKey) throws -> DSSEEnvelope {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let payload = Array(try encoder.encode(statement))
        var envelope = DSSEEnvelope(payload: payload, payloadType: DSSEEnvelope.inTotoType)
        let signature = try key.sign(DSSEEnvelope.pae(type: envelope.payloadType, body: payload))
        envelope.signatures = [.init(keyid: key.fingerprint, sig: Data(signature).base64EncodedString())]
        return envelope
    }

    /// What a verification found: the problems (none: the commit may deploy), who signed, and the statement.
    public struct Verification: Sendable {
        public var problems: [String] = []
        public var signer: String?
        public var statement: GateStatement?
    }

    /// Whether `data` is an attestation, signed by a key `signers` lists, that the whole `phase` gate
    /// of `commit` passed in `environment`, every waiver signed by someone holding a bypass role
    /// (from `policy` when the configuration is at hand, else the roles the attestation lists), and
    /// each of `artifacts` among its subjects.
    public static func verify(
        _ data: Data, commit: String, environment: String, phase: String, artifacts: [(name: String, sha256: String)],
        signers: AllowedSigners, policy: Policy?, now: Date = Date()
    ) -> Verification {
        var result = Verification()
        guard let envelope = try? JSONDecoder().decode(DSSEEnvelope.self, from: data) else {
            result.problems.append("not a DSSE envelope (expected {payload, payloadType, signatures})")
            return result
        }
        guard envelope.payloadType == DSSEEnvelope.inTotoType, let payload = envelope.payloadBytes else {
            result.problems.append("its payload is not an in-toto statement (\(envelope.payloadType))")
            return result
        }
        let signed = DSSEEnvelope.pae(type: envelope.payloadType, body: payload)
        for signature in envelope.signatures {
            guard let raw = Data(base64Encoded: signature.sig).map(Array.init) else { continue }
            for entry in signers.entries where SSHSignature.verifyPlain(raw, of: signed, publicKey: entry.publicKey) {
                let principal = entry.principals.first ?? "?"
                if let refusal = signers.refusal(
                    of: entry.publicKey, as: principal, namespace: DecisionStatement.namespace, signedAt: now, now: now)
                {
                    result.problems.append("signed by \(principal), but \(refusal)")
                } else {
                    result.signer = principal
                }
            }
        }
        if result.signer == nil, result.problems.isEmpty {
            result.problems.append(
                "no signature verifies with a key in \(signers.path): it was changed after it was signed, or signed by a key nobody lists"
            )
        }
        guard result.signer != nil else { return result }
        guard let statement = try? JSONDecoder().decode(GateStatement.self, from: Data(payload)),
            statement.type == "https://in-toto.io/Statement/v1", statement.predicateType == GatePredicate.type
        else {
            result.problems.append("its payload is not a Shipcheck gate statement (in-toto Statement v1)")
            return result
        }
        result.statement = statement
        let predicate = statement.predicate
        let commits = statement.subject.compactMap { $0.digest["gitCommit"] }
        if !commits.contains(where: { $0 == commit || (commit.count >= 7 && $0.hasPrefix(commit)) }) {
            result.problems.append(
                "it is about commit \(commits.first.map { String($0.prefix(12)) } ?? "none"), not \(commit)")
        }
        for artifact in artifacts where !statement.subject.contains(where: { $0.digest["sha256"] == artifact.sha256 }) {
            result.problems.append("\(artifact.name) (sha256 \(artifact.sha256.prefix(12))…) is not among its subjects")
        }
        if predicate.environment != environment {
            result.problems.append("it is about \(predicate.environment ?? "no environment"), not \(environment)")
        }
        if predicate.phase != phase { result.problems.append("it is about the \(predicate.phase) phase, not \(phase)") }
        if predicate.verdict != Verdict.passed.rawValue {
            result.problems.append("the gate's verdict was \(predicate.verdict), not passed")
        }
        if let partial = predicate.partial { result.problems.append("the gate was partial: \(partial)") }
        let verifier = DecisionVerifier(allowedSigners: signers)
        let roles =
            policy.map { policy in
                Dictionary(
                    uniqueKeysWithValues: (policy.environments[environment]?.bypass ?? []).map {
                        ($0, policy.roles[$0] ?? [])
                    })
            } ?? predicate.bypassRoles
        for waiver in predicate.waivers {
            let name = "the waiver of \(waiver.item) by \(waiver.actor)"
            guard let statement = waiver.statement else {
                result.problems.append("\(name) is not a decision shipcheck knows")
                continue
            }
            switch verifier.trust(of: statement, signature: waiver.signature, now: now) {
            case .claimed: result.problems.append("\(name) is not signed: its author is only claimed")
            case .rejected(let why): result.problems.append("\(name) does not count: \(why)")
            case .signed:
                if !roles.values.contains(where: { $0.contains(waiver.actor) }) {
                    let names = roles.keys.sorted().joined(separator: ", ")
                    result.problems.append(
                        "\(name): \(waiver.actor) holds no bypass role of \(environment) (\(names.isEmpty ? "none named" : names))"
                    )
                }
            }
        }
        for signoff in predicate.signoffs where signoff.signature != nil {
            guard let statement = signoff.statement,
                case .rejected(let why) = verifier.trust(of: statement, signature: signoff.signature, now: now)
            else { continue }
            result.problems.append("the sign-off of \(signoff.item) by \(signoff.actor) does not count: \(why)")
        }
        return result
    }
}
