import Foundation
import ShipcheckCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `dns:` — a name resolves (through the system resolver, as the service's clients would).
struct DNSCheck: Check {
    var name: Template

    static let description = KindDescription(
        key: "dns",
        name: "DNS name",
        summary: "Resolves a host name with the system resolver (getaddrinfo). Not resolving is a fact (`dns.resolved` false).",
        parameters: [
            Parameter("dns", .object([Parameter("name", .template, "The host name.", required: true)]), "What to resolve.", required: true),
        ],
        facts: [
            FactDescription("dns.resolved", "boolean", "The name resolved."),
            FactDescription("dns.addresses", "list", "The addresses, sorted."),
            FactDescription("dns.time", "duration", "How long resolution took."),
            FactDescription("dns.error", "string", "Why a malformed name was refused without a lookup."),
        ],
        examples: [
            KindExample("localhost resolves", yaml: """
                id: dns
                title: Name resolves
                dns: { name: localhost }
                """, outcome: .pass, facts: ["dns.resolved": .bool(true)]),
            KindExample("a malformed name is refused before any lookup", yaml: """
                id: dns
                title: Name resolves
                dns: { name: "api..example.org" }
                """, outcome: .fail, facts: ["dns.resolved": .bool(false)]),
        ],
        make: make)

    static func make(_ reader: KindReader) -> (any Check)? {
        guard let node = reader["dns"], let fields = node.fields(allowed: ["name"]) else { return nil }
        guard let nameNode = fields["name"] else {
            node.report("missing `name:`")
            return nil
        }
        return nameNode.template(knownVars: reader.knownVariables).map { DNSCheck(name: $0) }
    }

    var defaultExpectations: [FactExpression] { [.fact("dns.resolved")] }
    var summary: String { "resolve \(name)" }

    func run(in context: CheckContext) async throws(CheckError) -> Facts {
        let host = try context.expand(name, quoting: .none)
        if let problem = Self.syntaxProblem(host) {
            return ["dns.resolved": .bool(false), "dns.addresses": .list([]), "dns.error": .string(problem)]
        }
        let start = ContinuousClock.now
        let addresses: [String]? = await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: Self.resolve(host)) }.start()
        }
        var facts: Facts = ["dns.resolved": .bool(addresses != nil), "dns.time": .duration((ContinuousClock.now - start).seconds)]
        facts["dns.addresses"] = .list((addresses ?? []).map(Value.string))
        return facts
    }

    /// RFC 1123 host name rules, checked before asking any resolver.
    static func syntaxProblem(_ host: String) -> String? {
        let name = host.hasSuffix(".") ? String(host.dropLast()) : host
        if name.isEmpty || name.utf8.count > 253 { return "`\(host)` is not a valid host name (empty or over 253 characters)" }
        if name.contains(":") { return nil }  // an IPv6 literal
        for label in name.split(separator: ".", omittingEmptySubsequences: false) {
            guard !label.isEmpty, label.utf8.count <= 63, !label.hasPrefix("-"), !label.hasSuffix("-"),
                  label.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "-" })
            else { return "`\(host)` is not a valid host name (label `\(label)`)" }
        }
        return nil
    }

    static func resolve(_ host: String) -> [String]? {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &result) == 0, let first = result else { return nil }
        defer { freeaddrinfo(first) }
        var addresses = Set<String>()
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            if getnameinfo(entry.pointee.ai_addr, entry.pointee.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST) == 0 {
                addresses.insert(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
            }
            cursor = entry.pointee.ai_next
        }
        return addresses.sorted()
    }
}
