import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import ShipcheckCore

/// `redis:` — PING and INFO over the Redis protocol (TCP, or TLS with rediss://).
struct RedisCheck: Check {
    var touchesLiveSystems: Bool { true }
    var url: Template
    var connectTimeout: Double = 5

    static let description = KindDescription(
        key: "redis",
        name: "Redis",
        summary:
            "Connects with a redis:// (or rediss:// for TLS) URL, authenticates when the URL holds a password (never printed), sends PING and reads INFO: version, role, clients, memory. A refused connection is a fact (`redis.up` false).",
        parameters: [
            Parameter(
                "redis",
                .object([
                    Parameter(
                        "url", .template, "redis://[USER:PASSWORD@]HOST[:PORT][/DB], e.g. ${{ env.REDIS_URL }}.",
                        required: true),
                    Parameter("connect-timeout", .duration, "How long to wait (default 5s)."),
                ]), "The server.", required: true)
        ],
        facts: [
            FactDescription("redis.up", "boolean", "PING answered PONG."),
            FactDescription("redis.latency", "duration", "Time of PING."),
            FactDescription("redis.version / redis.role", "string", "From INFO."),
            FactDescription(
                "redis.connected_clients / redis.used_memory / redis.maxmemory / redis.memory_pct", "number",
                "From INFO."),
            FactDescription("redis.error", "string", "Why it is not up."),
        ],
        examples: [
            KindExample(
                "connection established",
                yaml: """
                    id: redis
                    title: Redis connection established
                    redis: { url: "${{ vars.REDIS_URL }}" }
                    expect: [redis.up, redis.latency < 1s]
                    """, outcome: .pass, facts: ["redis.up": .bool(true), "redis.role": .string("master")]),
            KindExample(
                "nobody listening",
                yaml: """
                    id: redis
                    title: Redis connection established
                    redis: { url: "redis://127.0.0.1:9", connect-timeout: 2s }
                    """, outcome: .fail, facts: ["redis.up": .bool(false)]),
        ],
        make: make)

    static func make(_ reader: KindReader) -> (any Check)? {
        guard let node = reader["redis"], let fields = node.fields(allowed: ["url", "connect-timeout"]) else {
            return nil
        }
        guard let urlNode = fields["url"] else {
            node.report("missing `url:`")
            return nil
        }
        guard let url = urlNode.template(knownVars: reader.knownVariables) else { return nil }
        var check = RedisCheck(url: url)
        if let timeout = fields["connect-timeout"] {
            guard let value = timeout.duration() else { return nil }
            check.connectTimeout = value
        }
        return check
    }

    var defaultExpectations: [FactExpression] { [.fact("redis.up")] }
    var guardExpectations: [FactExpression] { [.fact("redis.up")] }
    var summary: String { "redis \(url)" }

    func run(in context: CheckContext) async throws(CheckError) -> Facts {
        let text = try context.expand(url, quoting: .none)
        guard let components = URLComponents(string: text), ["redis", "rediss"].contains(components.scheme ?? ""),
            let host = components.host, !host.isEmpty
        else {
            throw CheckError("the redis URL is not of the form redis://[USER:PASSWORD@]HOST[:PORT][/DB]")
        }
        let tls = components.scheme == "rediss"
        let port = components.port ?? 6379
        do {
            let user = components.user.flatMap { $0.isEmpty ? nil : $0 }
            return try await session(host: host, port: port, tls: tls, user: user, password: components.password)
        } catch let error as CheckError {
            throw error
        } catch {
            return ["redis.up": .bool(false), "redis.error": .string(HTTPProbe.describe(error))]
        }
    }

    func session(host: String, port: Int, tls: Bool, user: String?, password: String?) async throws -> Facts {
        let sslContext = tls ? try NIOSSLContext(configuration: .makeClientConfiguration()) : nil
        // Connect first, wrap after: an async channel made for a connection that then fails would be
        // dropped unfinished, which NIO treats as a programming error.
        let plain = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.milliseconds(Int64(connectTimeout * 1000)))
            .connect(host: host, port: port).get()
        let channel = try await plain.eventLoop.submit {
            if let sslContext {
                try plain.pipeline.syncOperations.addHandler(
                    try NIOSSLClientHandler(context: sslContext, serverHostname: host))
            }
            return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: plain)
        }.get()
        return try await channel.executeThenClose { inbound, outbound in
            var reader = RESPReader(inbound.makeAsyncIterator())
            func send(_ words: [String]) async throws -> RESPReader.Reply {
                var buffer = ByteBuffer(string: "*\(words.count)\r\n")
                for word in words { buffer.writeString("$\(word.utf8.count)\r\n\(word)\r\n") }
                try await outbound.write(buffer)
                return try await reader.next()
            }
            if let password = password?.removingPercentEncoding ?? password {
                let auth = try await send(user.map { ["AUTH", $0, password] } ?? ["AUTH", password])
                if case .error(let message) = auth {
                    return [
                        "redis.up": .bool(false),
                        "redis.error": .string("authentication failed: \(message.prefix(120))"),
                    ]
                }
            }
            let start = ContinuousClock.now
            let pong = try await send(["PING"])
            var facts: Facts = ["redis.latency": .duration((ContinuousClock.now - start).seconds)]
            guard case .simple("PONG") = pong else {
                facts["redis.up"] = .bool(false)
                facts["redis.error"] = .string("PING answered \(pong)")
                return facts
            }
            facts["redis.up"] = .bool(true)
            if case .bulk(let info) = try await send(["INFO"]) {
                var fields: [String: String] = [:]
                for line in info.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
                    let parts = line.split(separator: ":", maxSplits: 1)
                    if parts.count == 2 { fields[String(parts[0])] = String(parts[1]) }
                }
                facts["redis.version"] = .string(fields["redis_version"] ?? "")
                facts["redis.role"] = .string(fields["role"] ?? "")
                for key in ["connected_clients", "used_memory", "maxmemory", "uptime_in_seconds", "blocked_clients"] {
                    if let value = fields[key].flatMap(Double.init) { facts["redis." + key] = .number(value) }
                }
                if case .number(let used) = facts["redis.used_memory"],
                    case .number(let max) = facts["redis.maxmemory"], max > 0
                {
                    facts["redis.memory_pct"] = .number((used / max * 10_000).rounded() / 100)
                }
            }
            return facts
        }
    }
}

/// Just enough of RESP for PING, AUTH and INFO: simple strings, errors, integers, bulk strings.
struct RESPReader {
    enum Reply: CustomStringConvertible {
        case simple(String)
        case error(String)
        case integer(Int)
        case bulk(String)
        case null

        var description: String {
            switch self {
            case .simple(let text): "+\(text)"
            case .error(let text): "-\(text.prefix(120))"
            case .integer(let value): ":\(value)"
            case .bulk(let text): "$\(text.utf8.count) bytes"
            case .null: "nil"
            }
        }
    }

    struct ProtocolError: Error, CustomStringConvertible {
        let description: String
    }

    private var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    private var pending = ByteBuffer()
    static let maximumReply = 16 * 1_048_576

    init(_ iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator) {
        self.iterator = iterator
    }

    private mutating func fill() async throws {
        guard var more = try await iterator.next() else {
            throw ProtocolError(description: "the server closed the connection")
        }
        pending.writeBuffer(&more)
        if pending.readableBytes > Self.maximumReply { throw ProtocolError(description: "reply larger than 16 MiB") }
    }

    private mutating func line() async throws -> String {
        while true {
            if let index = pending.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
                let length = index - pending.readerIndex + 1
                var bytes = pending.readBytes(length: length) ?? []
                bytes.removeLast()
                if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
                return String(decoding: bytes, as: UTF8.self)
            }
            try await fill()
        }
    }

    mutating func next() async throws -> Reply {
        let header = try await line()
        guard let kind = header.first else { throw ProtocolError(description: "empty reply") }
        let rest = String(header.dropFirst())
        switch kind {
        case "+": return .simple(rest)
        case "-": return .error(rest)
        case ":": return .integer(Int(rest) ?? 0)
        case "$":
            guard let length = Int(rest) else { throw ProtocolError(description: "bad bulk length") }
            if length < 0 { return .null }
            guard length <= Self.maximumReply else { throw ProtocolError(description: "reply larger than 16 MiB") }
            while pending.readableBytes < length + 2 { try await fill() }
            let text = pending.readString(length: length) ?? ""
            pending.moveReaderIndex(forwardBy: 2)
            return .bulk(text)
        default:
            throw ProtocolError(description: "unexpected reply `\(header.prefix(40))`")
        }
    }
}
