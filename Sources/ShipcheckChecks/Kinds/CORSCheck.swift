import Foundation
import ShipcheckCore

/// `cors:` — no wildcard, no reflected foreign origin, and exactly the configured origins allowed.
struct CORSCheck: Check {
    var touchesLiveSystems: Bool { true }
    var request: HTTPRequestSpec
    var allowed: [Template] = []
    static let foreignOrigin = "https://shipcheck-foreign-origin.invalid"

    static let description = KindDescription(
        key: "cors",
        name: "CORS policy",
        summary:
            "Sends preflight and simple requests with a foreign Origin and with each allowed origin. Fails on `*` (worse with credentials), on a foreign origin reflected back, or when a configured origin is not allowed.",
        parameters: [
            Parameter(
                "cors",
                .object(
                    HTTPRequestSpec.parameters + [
                        Parameter("allowed-origins", .list(.template), "The origins that must be allowed.")
                    ]), "The endpoint to probe.", required: true)
        ],
        facts: [
            FactDescription("cors.violations", "list", "What is wrong, in words."),
            FactDescription(
                "cors.wildcard / cors.reflects_foreign / cors.credentials", "boolean", "What the server answered."),
            FactDescription("cors.allowed_missing", "list", "Configured origins the server did not allow."),
        ],
        examples: [
            KindExample(
                "only the approved domains",
                yaml: """
                    id: cors
                    title: CORS configuration reviewed
                    cors: { url: "${{ vars.BASE_URL }}/cors-good", allowed-origins: ["https://app.example.org"] }
                    """, outcome: .pass, facts: ["cors.violations": .list([])]),
            KindExample(
                "wildcard with credentials",
                yaml: """
                    id: cors
                    title: CORS configuration reviewed
                    cors: { url: "${{ vars.BASE_URL }}/cors-wildcard" }
                    """, outcome: .fail, facts: ["cors.wildcard": .bool(true), "cors.credentials": .bool(true)]),
        ],
        make: make)

    static func make(_ reader: KindReader) -> (any Check)? {
        guard let (request, fields) = HTTPRequestSpec.read(reader, key: "cors", extra: ["allowed-origins"]) else {
            return nil
        }
        var allowed: [Template] = []
        if let node = fields["allowed-origins"] {
            guard let templates = node.templates(knownVars: reader.knownVariables) else { return nil }
            allowed = templates
        }
        return CORSCheck(request: request, allowed: allowed)
    }

    var defaultExpectations: [FactExpression] { [FactExpression.builtIn("len(cors.violations) == 0")] }
    var summary: String { "CORS of \(request.url)" }

    func run(in context: CheckContext) async throws(CheckError) -> Facts {
        try await request.withClient(context) { client, _ throws(CheckError) in
            func ask(_ origin: String, preflight: Bool) async throws(CheckError) -> HTTPExchange {
                var extra = [("Origin", origin)]
                if preflight { extra.append(("Access-Control-Request-Method", request.method)) }
                return try await HTTPProbe.exchange(
                    client, try request.makeRequest(context, extraHeaders: extra, method: preflight ? "OPTIONS" : nil),
                    timeout: request.timeout, maxBody: 65_536)
            }
            var facts: Facts = [:]
            var violations: [String] = []
            var wildcard = false
            var reflects = false
            var credentials = false
            for preflight in [true, false] {
                let answer = try await ask(Self.foreignOrigin, preflight: preflight)
                let allowOrigin = answer.header("Access-Control-Allow-Origin")
                if allowOrigin == "*" { wildcard = true }
                if allowOrigin == Self.foreignOrigin { reflects = true }
                if answer.header("Access-Control-Allow-Credentials")?.lowercased() == "true" { credentials = true }
            }
            facts["cors.wildcard"] = .bool(wildcard)
            facts["cors.reflects_foreign"] = .bool(reflects)
            facts["cors.credentials"] = .bool(credentials)
            if wildcard {
                violations.append(credentials ? "allows any origin (*) with credentials" : "allows any origin (*)")
            }
            if reflects { violations.append("reflects a foreign Origin back in Access-Control-Allow-Origin") }
            var missing: [String] = []
            for origin in try context.expand(allowed) {
                let allowOrigin = try await ask(origin, preflight: true).header("Access-Control-Allow-Origin")
                if allowOrigin != origin && allowOrigin != "*" { missing.append(origin) }
            }
            facts["cors.allowed_missing"] = .list(missing.map(Value.string))
            if !missing.isEmpty {
                violations.append("does not allow configured origin(s) " + missing.joined(separator: ", "))
            }
            facts["cors.violations"] = .list(violations.map(Value.string))
            return facts
        }
    }
}
