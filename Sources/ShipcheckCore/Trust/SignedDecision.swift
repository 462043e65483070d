public import Foundation

/// A decision as it is signed: its canonical text is what `ssh-keygen -Y sign -n shipcheck` signs
/// when it is made and what is verified each time it is read, rebuilt from the record's own fields,
/// so that changing any of them (the item, the environment, the end, the reason, who, when) breaks
/// the signature. docs/trust.md writes the format down.
public struct DecisionStatement: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case signoff, waiver, override, freeze, unfreeze
    }

    public var kind: Kind
    /// The item, the rule overridden, or the freeze ended.
    public var subject: String
    public var environment: String?
    public var commit: String?
    public var role: String?
    public var actor: String
    public var until: Date?
    /// The reason, or a sign-off's note.
    public var reason: String?
    public var at: Date

    public static let namespace = "shipcheck"
    static let header = "shipcheck-decision-v1"

    public init(
        kind: Kind, subject: String, environment: String?, commit: String? = nil, role: String? = nil, actor: String,
        until: Date? = nil, reason: String?, at: Date
    ) {
        self.kind = kind
        self.subject = subject
        self.environment = environment
        self.commit = commit
        self.role = role
        self.actor = actor
        self.until = until
        self.reason = reason
        self.at = at
    }

    /// One `name=value` line per field, in this order, times as milliseconds since 1970 (UTC); nil
    /// when a value holds a line break, which no decision may.
    public var canonicalText: String? {
        let fields: [(String, String)] = [
            ("kind", kind.rawValue), ("subject", subject), ("environment", environment ?? ""),
            ("commit", commit ?? ""), ("role", role ?? ""), ("actor", actor),
            ("until", until.map { String(Self.milliseconds($0)) } ?? ""), ("reason", reason ?? ""),
            ("at", String(Self.milliseconds(at))),
        ]
        guard !fields.contains(where: { $0.1.contains(where: \.isNewline) }) else { return nil }
        return ([Self.header] + fields.map { "\($0.0)=\($0.1)" }).joined(separator: "\n") + "\n"
    }

    /// Rounded to the nearest millisecond, as the store keeps times.
    public static func milliseconds(_ date: Date) -> Int64 {
        let value = (date.timeIntervalSince1970 * 1000).rounded()
        guard value.isFinite, abs(value) < 9e15 else { return 0 }
        return Int64(value)
    }
}

/// How far a decision's author is known.
public enum DecisionTrust: Sendable, Hashable, Codable {
    /// Not signed: who it names is what `--actor`, SHIPCHECK_ACTOR or git said.
    case claimed
    /// Signed by a key that `allowed_signers` lists for its actor (the key's SHA-256 fingerprint).
    case signed(key: String)
    /// Signed, but the signature does not hold (why): the decision counts for nothing.
    case rejected(String)

    public var key: String? {
        if case .signed(let key) = self { return key }
        return nil
    }
}

/// Verifies decisions' signatures against the configuration's `allowed_signers`.
public struct DecisionVerifier: Sendable {
    public var allowedSigners: AllowedSigners?

    public init(allowedSigners: AllowedSigners?) { self.allowedSigners = allowedSigners }

    /// How far `decision`'s actor is known, given its armored SSH signature (nil: unsigned), read at `now`.
    public func trust(of decision: DecisionStatement, signature: String?, now: Date = Date()) -> DecisionTrust {
        guard let signature, !signature.isEmpty else { return .claimed }
        guard let text = decision.canonicalText else {
            return .rejected("it holds a line break, which no decision may")
        }
        return verify(Data(text.utf8), signature: signature, as: decision.actor, signedAt: decision.at, now: now)
    }

    /// Whether `signature` signs `message` under the `shipcheck` namespace with a key listed for `principal`.
    public func verify(_ message: Data, signature: String, as principal: String, signedAt: Date, now: Date)
        -> DecisionTrust
    {
        let parsed: SSHSignature
        do {
            parsed = try SSHSignature(armored: signature)
            try parsed.verify(message, namespace: DecisionStatement.namespace)
        } catch .mismatch {
            return .rejected("its signature does not match it: the record was changed after it was signed")
        } catch {
            return .rejected(error.description)
        }
        guard let allowedSigners else {
            return .rejected(
                "it is signed with \(parsed.fingerprint), but no allowed_signers file says whose key that is")
        }
        if let refusal = allowedSigners.refusal(
            of: parsed.publicKey, as: principal, namespace: DecisionStatement.namespace, signedAt: signedAt, now: now)
        {
            return .rejected(refusal)
        }
        return .signed(key: parsed.fingerprint)
    }
}
