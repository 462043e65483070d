import AsyncHTTPClient
public import Foundation
import NIOCore
public import ShipcheckCore

/// Who acts, as the CI's OpenID Connect ID token says (`--identity oidc`): the token's signature is
/// verified against the issuer's published keys, and its issuer, audience and expiry are checked,
/// before its claims (repository, workflow, ref, run) name the actor.
public enum OIDCIdentity {
    /// The issuer and audience: `oidc:` in the configuration, else the CI's own issuer.
    public static func settings(checklist: Checklist, environment: [String: String]) throws(CommandFailure)
        -> (issuer: String, audience: String)
    {
        let audience = checklist.oidc?.audience ?? "shipcheck"
        if let issuer = checklist.oidc?.issuer { return (issuer, audience) }
        if environment["GITHUB_ACTIONS"] == "true" { return ("https://token.actions.githubusercontent.com", audience) }
        if environment["GITLAB_CI"] == "true", let server = environment["CI_SERVER_URL"] { return (server, audience) }
        throw CommandFailure(
            "--identity oidc: no issuer to trust; name it under `oidc: { issuer: … }`, or run in GitHub Actions or GitLab CI",
            .usage)
    }

    /// The CI's ID token: SHIPCHECK_OIDC_TOKEN (GitLab's `id_tokens:` sets it), else one asked of
    /// GitHub Actions for `audience` (the job needs `permissions: id-token: write`).
    static func token(audience: String, environment: [String: String]) async throws(CommandFailure) -> String {
        if let token = environment["SHIPCHECK_OIDC_TOKEN"], !token.isEmpty { return token }
        guard let url = environment["ACTIONS_ID_TOKEN_REQUEST_URL"],
            let bearer = environment["ACTIONS_ID_TOKEN_REQUEST_TOKEN"]
        else {
            throw CommandFailure(
                "--identity oidc: no ID token; set SHIPCHECK_OIDC_TOKEN (GitLab: `id_tokens:`), or give the GitHub job `permissions: id-token: write`",
                .usage)
        }
        let separator = url.contains("?") ? "&" : "?"
        let text = try await fetch(
            "\(url)\(separator)audience=\(audience)", headers: ["Authorization": "bearer \(bearer)"],
            what: "the ID token")
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
            let value = object["value"] as? String
        else { throw CommandFailure("--identity oidc: GitHub answered without a token", .refused) }
        return value
    }

    /// The issuer's keys, found through its discovery document.
    static func keys(issuer: String) async throws(CommandFailure) -> JSONWebKeySet {
        guard let components = URLComponents(string: issuer), let host = components.host,
            components.scheme == "https"
                || (components.scheme == "http" && ["127.0.0.1", "localhost", "::1"].contains(host))
        else {
            throw CommandFailure("--identity oidc: the issuer \(issuer) is not an https:// URL", .usage)
        }
        let base = issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer
        let discovery = try await fetch(
            "\(base)/.well-known/openid-configuration", what: "the issuer's discovery document")
        guard let object = try? JSONSerialization.jsonObject(with: Data(discovery.utf8)) as? [String: Any],
            let jwks = object["jwks_uri"] as? String
        else { throw CommandFailure("--identity oidc: \(issuer) publishes no jwks_uri", .refused) }
        let keys = try await fetch(jwks, what: "the issuer's keys")
        guard let set = try? JSONDecoder().decode(JSONWebKeySet.self, from: Data(keys.utf8)) else {
            throw CommandFailure("--identity oidc: \(jwks) is not a JSON Web Key Set", .refused)
        }
        return set
    }

    static func fetch(_ url: String, headers: [String: String] = [:], what: String) async throws(CommandFailure)
        -> String
    {
        var request = HTTPClientRequest(url: url)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            let body = try await response.body.collect(upTo: 1_048_576)
            guard response.status.code == 200 else {
                throw CommandFailure("--identity oidc: \(what) answered HTTP \(response.status.code)", .refused)
            }
            return String(buffer: body)
        } catch let failure as CommandFailure {
            throw failure
        } catch {
            throw CommandFailure("--identity oidc: cannot fetch \(what): \(error)", .refused)
        }
    }

    /// The actor the CI's verified ID token names.
    public static func resolve(checklist: Checklist, environment: [String: String], now: Date = Date())
        async throws(CommandFailure) -> (identity: Identity, claims: OIDCClaims)
    {
        let (issuer, audience) = try settings(checklist: checklist, environment: environment)
        let token = try await token(audience: audience, environment: environment)
        let keys = try await keys(issuer: issuer)
        do {
            let claims = try JSONWebToken.verify(token, keys: keys, issuer: issuer, audience: audience, now: now)
            return (Identity(claims.actor, source: .oidc), claims)
        } catch {
            throw CommandFailure("--identity oidc: \(error.description); nothing ran", .refused)
        }
    }
}
