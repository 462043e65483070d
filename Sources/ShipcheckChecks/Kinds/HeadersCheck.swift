import Foundation
import ShipcheckCore

/// `headers:` — the security headers a page must send, judged as a browser would use them.
struct HeadersCheck: Check {
    var touchesLiveSystems: Bool { true }
    var request: HTTPRequestSpec
    var hstsSubdomains = false

    static let description = KindDescription(
        key: "headers",
        name: "Security headers",
        summary:
            "Requests the URL twice and checks: a Content-Security-Policy that does not allow 'unsafe-inline' scripts without a nonce or hash, with a nonce that changes per response; HSTS with max-age of at least a year (and includeSubDomains when asked); X-Frame-Options or CSP frame-ancestors; X-Content-Type-Options nosniff; a Referrer-Policy. `headers.missing` names what is missing or weak.",
        parameters: [
            Parameter(
                "headers",
                .object(
                    HTTPRequestSpec.parameters + [
                        Parameter("hsts-subdomains", .boolean, "Require includeSubDomains in HSTS (default false).")
                    ]), "The page to check.", required: true)
        ],
        facts: [
            FactDescription("headers.missing", "list", "What is missing or too weak, in words."),
            FactDescription(
                "csp.present / csp.unsafe_inline / csp.nonce / csp.nonce_changes", "boolean", "Content-Security-Policy."
            ),
            FactDescription("hsts.max_age / hsts.subdomains", "number / boolean", "Strict-Transport-Security."),
            FactDescription("frame_protection / nosniff / referrer_policy", "boolean", "The other headers."),
        ],
        examples: [
            KindExample(
                "hardened page",
                yaml: """
                    id: security-headers
                    title: Security headers configured
                    headers: { url: "${{ vars.BASE_URL }}/secure", hsts-subdomains: true }
                    """, outcome: .pass, facts: ["headers.missing": .list([]), "csp.nonce_changes": .bool(true)]),
            KindExample(
                "weak page",
                yaml: """
                    id: security-headers
                    title: Security headers configured
                    headers: { url: "${{ vars.BASE_URL }}/insecure" }
                    """, outcome: .fail, facts: ["csp.unsafe_inline": .bool(true), "hsts.max_age": .number(3600)]),
        ],
        make: make)

    static func make(_ reader: KindReader) -> (any Check)? {
        guard let (request, fields) = HTTPRequestSpec.read(reader, key: "headers", extra: ["hsts-subdomains"]) else {
            return nil
        }
        return HeadersCheck(request: request, hstsSubdomains: fields["hsts-subdomains"]?.bool() ?? false)
    }

    var defaultExpectations: [FactExpression] { [FactExpression.builtIn("len(headers.missing) == 0")] }
    var summary: String { "security headers of \(request.url)" }

    func run(in context: CheckContext) async throws(CheckError) -> Facts {
        try await request.withClient(context) { client, _ throws(CheckError) in
            let first = try await HTTPProbe.exchange(
                client, try request.makeRequest(context), timeout: request.timeout, maxBody: 65_536)
            let second = try await HTTPProbe.exchange(
                client, try request.makeRequest(context), timeout: request.timeout, maxBody: 65_536)
            return Self.judge(first, second, hstsSubdomains: hstsSubdomains)
        }
    }

    static func nonces(_ csp: String) -> [String] {
        csp.split(whereSeparator: { $0 == " " || $0 == ";" }).filter { $0.hasPrefix("'nonce-") }.map(String.init)
    }

    static func judge(_ first: HTTPExchange, _ second: HTTPExchange, hstsSubdomains: Bool) -> Facts {
        var missing: [String] = []
        var facts: Facts = [:]
        let csp = first.header("Content-Security-Policy")
        facts["csp.present"] = .bool(csp != nil)
        if let csp {
            let directives = Dictionary(
                csp.split(separator: ";").map { part -> (String, String) in
                    let words = part.trimmingCharacters(in: .whitespaces).split(separator: " ", maxSplits: 1)
                    return (words.first.map { String($0).lowercased() } ?? "", words.count > 1 ? String(words[1]) : "")
                }, uniquingKeysWith: { first, _ in first })
            let scripts = directives["script-src"] ?? directives["default-src"] ?? ""
            let hasNonceOrHash =
                scripts.contains("'nonce-") || scripts.contains("'sha256-") || scripts.contains("'sha384-")
                || scripts.contains("'sha512-")
            let unsafeInline = scripts.contains("'unsafe-inline'") && !hasNonceOrHash
            facts["csp.unsafe_inline"] = .bool(unsafeInline)
            facts["csp.nonce"] = .bool(scripts.contains("'nonce-"))
            if unsafeInline { missing.append("CSP allows 'unsafe-inline' scripts without a nonce or hash") }
            if scripts.isEmpty { missing.append("CSP has no script-src or default-src") }
            if scripts.contains("'nonce-") {
                let changes = nonces(csp) != nonces(second.header("Content-Security-Policy") ?? "")
                facts["csp.nonce_changes"] = .bool(changes)
                if !changes { missing.append("the CSP nonce is the same on two responses") }
            }
            facts["frame_protection"] = .bool(
                directives["frame-ancestors"] != nil || first.header("X-Frame-Options") != nil)
        } else {
            missing.append("Content-Security-Policy")
            facts["frame_protection"] = .bool(first.header("X-Frame-Options") != nil)
        }
        if case .bool(false) = facts["frame_protection"] { missing.append("X-Frame-Options or CSP frame-ancestors") }
        if let frame = first.header("X-Frame-Options"), !["deny", "sameorigin"].contains(frame.lowercased()) {
            missing.append("X-Frame-Options is `\(frame)`, expected DENY or SAMEORIGIN")
        }
        if let hsts = first.header("Strict-Transport-Security") {
            let lower = hsts.lowercased()
            let maxAge =
                lower.split(separator: ";").compactMap { part -> Double? in
                    let trimmed = part.trimmingCharacters(in: .whitespaces)
                    return trimmed.hasPrefix("max-age=")
                        ? Double(trimmed.dropFirst(8).trimmingCharacters(in: CharacterSet(charactersIn: "\""))) : nil
                }.first ?? 0
            facts["hsts.max_age"] = .number(maxAge)
            facts["hsts.subdomains"] = .bool(lower.contains("includesubdomains"))
            if maxAge < 31_536_000 { missing.append("HSTS max-age is \(Int(maxAge))s, under a year") }
            if hstsSubdomains && !lower.contains("includesubdomains") {
                missing.append("HSTS without includeSubDomains")
            }
        } else {
            facts["hsts.max_age"] = .number(0)
            missing.append("Strict-Transport-Security")
        }
        let nosniff = first.header("X-Content-Type-Options")?.lowercased() == "nosniff"
        facts["nosniff"] = .bool(nosniff)
        if !nosniff { missing.append("X-Content-Type-Options: nosniff") }
        let referrer = first.header("Referrer-Policy")
        facts["referrer_policy"] = .bool(referrer != nil && referrer?.lowercased() != "unsafe-url")
        if referrer == nil || referrer?.lowercased() == "unsafe-url" { missing.append("Referrer-Policy") }
        facts["headers.missing"] = .list(missing.map(Value.string))
        facts["status"] = .number(Double(first.status))
        return facts
    }
}
