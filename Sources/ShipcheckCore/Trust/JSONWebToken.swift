import Crypto
public import Foundation
import _CryptoExtras

/// The keys an OpenID Connect issuer publishes (its `jwks_uri`).
public struct JSONWebKeySet: Sendable, Decodable {
    public struct Key: Sendable, Decodable {
        public var kty: String
        public var kid: String?
        public var alg: String?
        public var n: String?
        public var e: String?
        public var crv: String?
        public var x: String?
        public var y: String?
    }

    public var keys: [Key]
}

/// What a CI's ID token says about the job that holds it, once its signature, issuer, audience and
/// times are verified.
public struct OIDCClaims: Sendable, Hashable, Codable {
    public var issuer: String
    public var subject: String
    /// GitHub's `repository`, GitLab's `project_path`.
    public var repository: String?
    /// GitHub's `workflow_ref` (or `workflow`); GitLab's `ci_config_ref_uri`.
    public var workflow: String?
    public var ref: String?
    /// GitHub's `run_id`, GitLab's `pipeline_id`.
    public var run: String?

    /// Who acts, as records keep it: `repo:owner/name` for a repository's CI, else the subject.
    public var actor: String { repository.map { "ci:\($0)" } ?? "ci:\(subject)" }

    /// `workflow deploy.yml@refs/heads/main, ref refs/heads/main, run 42`.
    public var details: String {
        [workflow.map { "workflow \($0)" }, ref.map { "ref \($0)" }, run.map { "run \($0)" }]
            .compactMap { $0 }.joined(separator: ", ")
    }
}

/// Verifies a JSON Web Token signed with RS256 or ES256 (what GitHub Actions and GitLab issue).
public enum JSONWebToken {
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    static func base64URL(_ text: Substring) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }

    /// The token's claims when it is signed by one of `keys`, names `issuer`, is meant for
    /// `audience`, and is valid at `now` (with `leeway` seconds for clocks that differ).
    public static func verify(
        _ token: String, keys: JSONWebKeySet, issuer: String, audience: String, now: Date, leeway: Double = 60
    ) throws(Failure) -> OIDCClaims {
        let parts = token.trimmingCharacters(in: .whitespacesAndNewlines).split(
            separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerData = base64URL(parts[0]), let payloadData = base64URL(parts[1]),
            let signature = base64URL(parts[2]),
            let header = try? JSONSerialization.jsonObject(with: headerData) as? [String: Any],
            let claims = try? JSONSerialization.jsonObject(with: payloadData) as? [String: Any]
        else { throw Failure("the ID token is not a JSON Web Token (header.payload.signature)") }
        let algorithm = header["alg"] as? String ?? "none"
        let kid = header["kid"] as? String
        let signed = Data((parts[0] + "." + parts[1]).utf8)
        let candidates = keys.keys.filter { kid == nil || $0.kid == kid }
        guard !candidates.isEmpty else {
            throw Failure("the issuer publishes no key `\(kid ?? "?")` (the token's kid)")
        }
        guard candidates.contains(where: { verifySignature(signature, of: signed, algorithm: algorithm, key: $0) })
        else {
            throw Failure(
                algorithm == "RS256" || algorithm == "ES256"
                    ? "the ID token's signature does not verify with the issuer's keys"
                    : "the ID token is signed with `\(algorithm)`; only RS256 and ES256 are accepted")
        }
        guard let tokenIssuer = claims["iss"] as? String, tokenIssuer == issuer else {
            throw Failure("the ID token was issued by \(claims["iss"] as? String ?? "nobody"), not \(issuer)")
        }
        let audiences = (claims["aud"] as? [String]) ?? [(claims["aud"] as? String)].compactMap { $0 }
        guard audiences.contains(audience) else {
            throw Failure(
                "the ID token is meant for \(audiences.isEmpty ? "no audience" : audiences.joined(separator: ", ")), not \(audience)"
            )
        }
        func time(_ name: String) -> Date? {
            (claims[name] as? NSNumber).map { Date(timeIntervalSince1970: $0.doubleValue) }
        }
        guard let expires = time("exp") else { throw Failure("the ID token has no expiry (`exp`)") }
        guard now.timeIntervalSince(expires) < leeway else {
            throw Failure("the ID token expired at \(ISO8601DateFormatter().string(from: expires))")
        }
        if let notBefore = time("nbf"), notBefore.timeIntervalSince(now) > leeway {
            throw Failure("the ID token is not valid before \(ISO8601DateFormatter().string(from: notBefore))")
        }
        func text(_ names: String...) -> String? {
            for name in names {
                if let value = claims[name] as? String, !value.isEmpty { return value }
                if let value = claims[name] as? NSNumber { return value.stringValue }
            }
            return nil
        }
        guard let subject = text("sub") else { throw Failure("the ID token names no subject (`sub`)") }
        return OIDCClaims(
            issuer: tokenIssuer, subject: subject, repository: text("repository", "project_path"),
            workflow: text("workflow_ref", "workflow", "ci_config_ref_uri"), ref: text("ref"),
            run: text("run_id", "pipeline_id"))
    }

    static func verifySignature(_ signature: Data, of data: Data, algorithm: String, key: JSONWebKeySet.Key) -> Bool {
        switch (algorithm, key.kty) {
        case ("RS256", "RSA"):
            guard let n = key.n.flatMap({ base64URL(Substring($0)) }),
                let e = key.e.flatMap({ base64URL(Substring($0)) }),
                let publicKey = try? _RSA.Signing.PublicKey(n: n, e: e)
            else { return false }
            return publicKey.isValidSignature(
                _RSA.Signing.RSASignature(rawRepresentation: signature), for: SHA256.hash(data: data),
                padding: .insecurePKCS1v1_5)
        case ("ES256", "EC"):
            guard key.crv == "P-256", let x = key.x.flatMap({ base64URL(Substring($0)) }),
                let y = key.y.flatMap({ base64URL(Substring($0)) }),
                let publicKey = try? P256.Signing.PublicKey(x963Representation: [0x04] + x + y),
                let parsed = try? P256.Signing.ECDSASignature(rawRepresentation: signature)
            else { return false }
            return publicKey.isValidSignature(parsed, for: data)
        default:
            return false
        }
    }
}
