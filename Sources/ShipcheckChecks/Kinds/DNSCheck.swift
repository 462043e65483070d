import Foundation
import NIOCore
import ShipcheckCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `dns:` — a name resolves: through the system resolver, as the service's clients would, or as one
/// given server answers it.
struct DNSCheck: Check {
    var touchesLiveSystems: Bool { true }
    var name: Template
    var server: Template?
    var type = DNSQuery.RecordType.a
    var timeout: Double = 5

    static let description = KindDescription(
        key: "dns",
        name: "DNS name",
        summary:
            "Resolves a host name with the system resolver (getaddrinfo), or, with `server`, asks that DNS server directly over UDP for one record type, as `dig @server` does (to see what an authoritative server publishes). Not resolving is a fact (`dns.resolved` false, with `dns.rcode` such as NXDOMAIN); a server that does not answer within `timeout` is an error.",
        parameters: [
            Parameter(
                "dns",
                .object([
                    Parameter("name", .template, "The host name.", required: true),
                    Parameter(
                        "server", .template,
                        "A DNS server's IP address, with :PORT when not 53 (`[::1]:5353` for IPv6)."),
                    Parameter("type", .string, "With `server`: A (default), AAAA, CNAME, MX, TXT or NS."),
                    Parameter(
                        "timeout", .duration,
                        "With `server`: how long to wait for an answer, over two tries (default 5s)."),
                ]), "What to resolve.", required: true)
        ],
        facts: [
            FactDescription(
                "dns.resolved", "boolean", "The name resolved (with `server`: records of the type came back)."),
            FactDescription("dns.addresses", "list", "The addresses, sorted (A and AAAA)."),
            FactDescription(
                "dns.records", "list",
                "With `server`: the records of the type, as text (\"10 mail.example.org\" for MX)."),
            FactDescription(
                "dns.rcode / dns.aliases / dns.ttl", "string, list, number",
                "With `server`: the response code, the CNAMEs on the way, the lowest TTL."),
            FactDescription("dns.time", "duration", "How long resolution took."),
            FactDescription("dns.error", "string", "Why a malformed name was refused without a lookup."),
        ],
        examples: [
            KindExample(
                "localhost resolves",
                yaml: """
                    id: dns
                    title: Name resolves
                    dns: { name: localhost }
                    """, outcome: .pass, facts: ["dns.resolved": .bool(true)]),
            KindExample(
                "records as one server publishes them",
                yaml: """
                    id: dns-published
                    title: API name published
                    dns: { name: api.shipcheck.test, server: "${{ vars.DNS_SERVER }}" }
                    expect: [dns.addresses contains "10.1.2.3", dns.ttl >= 60]
                    """, outcome: .pass,
                facts: [
                    "dns.rcode": .string("NOERROR"),
                    "dns.addresses": .list([.string("10.1.2.3"), .string("10.1.2.4")]),
                ]),
            KindExample(
                "a name the server does not know",
                yaml: """
                    id: dns-published
                    title: API name published
                    dns: { name: gone.shipcheck.test, server: "${{ vars.DNS_SERVER }}" }
                    """, outcome: .fail, facts: ["dns.resolved": .bool(false), "dns.rcode": .string("NXDOMAIN")]),
            KindExample(
                "a malformed name is refused before any lookup",
                yaml: """
                    id: dns
                    title: Name resolves
                    dns: { name: "api..example.org" }
                    """, outcome: .fail, facts: ["dns.resolved": .bool(false)]),
        ],
        make: make)

    static func make(_ reader: KindReader) -> (any Check)? {
        guard let node = reader["dns"], let fields = node.fields(allowed: ["name", "server", "type", "timeout"]) else {
            return nil
        }
        guard let nameNode = fields["name"] else {
            node.report("missing `name:`")
            return nil
        }
        guard let name = nameNode.template(knownVars: reader.knownVariables) else { return nil }
        var check = DNSCheck(name: name)
        if let serverNode = fields["server"] {
            guard let server = serverNode.template(knownVars: reader.knownVariables) else { return nil }
            check.server = server
        }
        if let typeNode = fields["type"], let text = typeNode.string() {
            guard let type = DNSQuery.RecordType(rawValue: text.uppercased()) else {
                typeNode.report(
                    "expected one of " + DNSQuery.RecordType.allCases.map(\.rawValue).joined(separator: ", ")
                        + ", got `\(text)`")
                return nil
            }
            guard check.server != nil else {
                typeNode.report("`type` needs `server`: the system resolver answers addresses only")
                return nil
            }
            check.type = type
        }
        if let timeout = fields["timeout"] {
            guard let value = timeout.duration() else { return nil }
            check.timeout = value
        }
        return check
    }

    var defaultExpectations: [FactExpression] { [.fact("dns.resolved")] }
    var summary: String { "resolve \(name)" + (server.map { " \(type.rawValue) at \($0)" } ?? "") }

    func run(in context: CheckContext) async throws(CheckError) -> Facts {
        let host = try context.expand(name, quoting: .none)
        if let problem = Self.syntaxProblem(host) {
            return ["dns.resolved": .bool(false), "dns.addresses": .list([]), "dns.error": .string(problem)]
        }
        if let server { return try await ask(host, server: try context.expand(server, quoting: .none)) }
        let start = ContinuousClock.now
        let addresses: [String]? = await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: Self.resolve(host)) }.start()
        }
        var facts: Facts = [
            "dns.resolved": .bool(addresses != nil), "dns.time": .duration((ContinuousClock.now - start).seconds),
        ]
        facts["dns.addresses"] = .list((addresses ?? []).map(Value.string))
        return facts
    }

    func ask(_ host: String, server text: String) async throws(CheckError) -> Facts {
        guard let (address, port) = Self.serverAddress(text) else {
            throw CheckError("`\(text)` is not a DNS server address: give an IP address, with :PORT when not 53")
        }
        let start = ContinuousClock.now
        let (type, timeout) = (self.type, self.timeout)
        let result: Result<DNSQuery.Answer, DNSQuery.Failure> = await withCheckedContinuation { continuation in
            Thread {
                do throws(DNSQuery.Failure) {
                    continuation.resume(
                        returning: .success(
                            try DNSQuery.ask(host, type: type, server: address, port: port, timeout: timeout)))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }.start()
        }
        switch result {
        case .success(let answer):
            var facts: Facts = [
                "dns.resolved": .bool(answer.rcode == "NOERROR" && !answer.records.isEmpty),
                "dns.rcode": .string(answer.rcode),
                "dns.records": .list(answer.records.map(Value.string)),
                "dns.aliases": .list(answer.aliases.map(Value.string)),
                "dns.time": .duration((ContinuousClock.now - start).seconds),
                "dns.server": .string(text),
            ]
            if type == .a || type == .aaaa { facts["dns.addresses"] = .list(answer.records.sorted().map(Value.string)) }
            if let ttl = answer.minimumTTL { facts["dns.ttl"] = .number(Double(ttl)) }
            if answer.truncated { facts["dns.truncated"] = .bool(true) }
            return facts
        case .failure(.noAnswer(let seconds)):
            throw CheckError("the DNS server \(text) did not answer within \(Value.formatDuration(seconds))")
        case .failure(.malformed(let why)):
            throw CheckError("the DNS server \(text) sent a broken answer: \(why)")
        case .failure(.socket(let why)):
            throw CheckError(why)
        }
    }

    /// "10.0.0.53", "10.0.0.53:5353", "::1", "[::1]:5353".
    static func serverAddress(_ text: String) -> (String, Int)? {
        var host = text
        var port = 53
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":"), let value = Int(rest.dropFirst()) else { return nil }
                port = value
            }
        } else if text.filter({ $0 == ":" }).count == 1, let colon = text.firstIndex(of: ":") {
            host = String(text[..<colon])
            guard let value = Int(text[text.index(after: colon)...]) else { return nil }
            port = value
        }
        guard (1...65535).contains(port) else { return nil }
        guard (try? SocketAddress(ipAddress: host, port: port)) != nil else { return nil }
        return (host, port)
    }

    /// RFC 1123 host name rules, checked before asking any resolver.
    static func syntaxProblem(_ host: String) -> String? {
        let name = host.hasSuffix(".") ? String(host.dropLast()) : host
        if name.isEmpty || name.utf8.count > 253 {
            return "`\(host)` is not a valid host name (empty or over 253 characters)"
        }
        if name.contains(":") { return nil }  // an IPv6 literal
        for label in name.split(separator: ".", omittingEmptySubsequences: false) {
            guard !label.isEmpty, label.utf8.count <= 63, !label.hasPrefix("-"), !label.hasSuffix("-"),
                label.unicodeScalars.allSatisfy({
                    ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "-"
                })
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
            if getnameinfo(
                entry.pointee.ai_addr, entry.pointee.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0,
                NI_NUMERICHOST) == 0
            {
                addresses.insert(
                    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
            }
            cursor = entry.pointee.ai_next
        }
        return addresses.sorted()
    }
}
