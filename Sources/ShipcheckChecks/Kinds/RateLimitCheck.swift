import Foundation
import ShipcheckCore

/// `rate-limit:` — a bounded burst must meet a 429 (or the configured status), then the limit must lift.
struct RateLimitCheck: Check {
    var touchesLiveSystems: Bool { true }
    var request: HTTPRequestSpec
    var limit = 100
    var status = 429
    var recovery: Double = 60

    static let description = KindDescription(
        key: "rate-limit",
        name: "Rate limiting",
        summary:
            "Sends requests one after another, at most `limit` + 1 of them, until the server answers with `status` (429 by default); then polls once a second, for at most `recovery`, until it answers normally again. Bounded in count and time, and aimed only at the configured URL.",
        parameters: [
            Parameter(
                "rate-limit",
                .object(
                    HTTPRequestSpec.parameters + [
                        Parameter(
                            "limit", .integer,
                            "The most requests the server should allow before limiting (default 100; at most 1000)."),
                        Parameter("status", .integer, "The status that means limited (default 429)."),
                        Parameter(
                            "recovery", .duration,
                            "How long the limit may last before requests pass again (default 60s)."),
                    ]), "The endpoint and its limit.", required: true)
        ],
        facts: [
            FactDescription("rate_limit.triggered", "boolean", "The server limited the burst."),
            FactDescription("rate_limit.after", "number", "Requests that passed before the first limited one."),
            FactDescription("rate_limit.retry_after", "string", "The Retry-After header, when sent."),
            FactDescription(
                "rate_limit.recovered / rate_limit.recovery", "boolean / duration",
                "Whether and when requests passed again."),
        ],
        examples: [
            KindExample(
                "limited after five",
                yaml: """
                    id: rate-limit
                    title: Rate limiting configured
                    rate-limit: { url: "${{ vars.BASE_URL }}/limited", limit: 10, recovery: 5s }
                    """, outcome: .pass,
                facts: ["rate_limit.triggered": .bool(true), "rate_limit.recovered": .bool(true)]),
            KindExample(
                "no limit at all",
                yaml: """
                    id: rate-limit
                    title: Rate limiting configured
                    rate-limit: { url: "${{ vars.BASE_URL }}/health", limit: 20 }
                    """, outcome: .fail, facts: ["rate_limit.triggered": .bool(false)]),
        ],
        make: make)

    static func make(_ reader: KindReader) -> (any Check)? {
        guard
            let (request, fields) = HTTPRequestSpec.read(
                reader, key: "rate-limit", extra: ["limit", "status", "recovery"])
        else {
            return nil
        }
        var check = RateLimitCheck(request: request)
        if let limit = fields["limit"] {
            guard let value = limit.integer(in: 1...1000) else { return nil }
            check.limit = value
        }
        if let status = fields["status"] {
            guard let value = status.integer(in: 400...599) else { return nil }
            check.status = value
        }
        if let recovery = fields["recovery"] {
            guard let value = recovery.duration() else { return nil }
            check.recovery = min(value, 600)
        }
        return check
    }

    var defaultExpectations: [FactExpression] {
        [FactExpression.builtIn("rate_limit.triggered and rate_limit.recovered")]
    }

    var summary: String { "rate limit of \(request.url): \(status) within \(limit + 1) requests" }

    func run(in context: CheckContext) async throws(CheckError) -> Facts {
        try await request.withClient(context) { client, _ throws(CheckError) in
            var facts: Facts = ["rate_limit.triggered": .bool(false), "rate_limit.recovered": .bool(false)]
            var passed = 0
            var limited: HTTPExchange?
            while passed <= limit, !Task.isCancelled {
                let answer = try await HTTPProbe.exchange(
                    client, try request.makeRequest(context), timeout: request.timeout, maxBody: 4096)
                if answer.status == status {
                    limited = answer
                    break
                }
                passed += 1
            }
            facts["rate_limit.after"] = .number(Double(passed))
            guard let limited else { return facts }
            facts["rate_limit.triggered"] = .bool(true)
            if let retry = limited.header("Retry-After") { facts["rate_limit.retry_after"] = .string(retry) }
            let start = ContinuousClock.now
            while (ContinuousClock.now - start).seconds < recovery, !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                let answer = try await HTTPProbe.exchange(
                    client, try request.makeRequest(context), timeout: request.timeout, maxBody: 4096)
                if answer.status != status {
                    facts["rate_limit.recovered"] = .bool(true)
                    facts["rate_limit.recovery"] = .duration((ContinuousClock.now - start).seconds)
                    break
                }
            }
            return facts
        }
    }
}
