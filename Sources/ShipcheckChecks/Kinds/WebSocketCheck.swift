import Foundation
import ShipcheckCore

/// `websocket:` — connect, send, time the reply, close.
struct WebSocketCheck: Check {
    var touchesLiveSystems: Bool { true }
    var url: Template
    var headers: [(name: String, value: Template)] = []
    var message: Template?
    var samples = 1
    var timeout: Double = 10
    var tls = TLSOptions()
    var maxMessage = 1_048_576

    static let description = KindDescription(
        key: "websocket",
        name: "WebSocket probe",
        summary:
            "Connects to a ws:// or wss:// URL, sends a text message and times the reply; with `samples`, sends that many one after another on the same connection and reports latency percentiles (HdrHistogram). Then closes with 1000 and records the close code the server answered (or closed with first). A refused upgrade is a fact (`connected` false, with the HTTP `status`); a refused connection, a TLS failure or an unknown host is an error. A reply that does not come within `timeout` ends the sampling (`timeouts` 1).",
        parameters: [
            Parameter(
                "websocket",
                .object(
                    [
                        Parameter("url", .template, "ws://HOST[:PORT]/PATH or wss://…", required: true),
                        Parameter(
                            "headers", .map(.template), "Headers of the upgrade request, e.g. Authorization or Origin."),
                        Parameter(
                            "send", .template,
                            "A text message to send; each reply is timed. Without it the probe connects and closes."),
                        Parameter("samples", .integer, "Messages to send, one after another (default 1)."),
                        Parameter(
                            "timeout", .duration,
                            "Longest wait for the connection, the upgrade and each reply (default 10s)."),
                        Parameter(
                            "max-message", .size,
                            "Largest message to accept (default 1MiB); a larger one closes with 1009."),
                    ] + TLSOptions.parameters), "The connection.", required: true)
        ],
        facts: [
            FactDescription("connected", "boolean", "The server upgraded the connection (101)."),
            FactDescription("status", "number", "The HTTP status of the upgrade answer."),
            FactDescription("connect_time", "duration", "Connection, TLS and upgrade."),
            FactDescription("headers.NAME", "string", "Headers of the upgrade answer, names in lower case."),
            FactDescription("latency", "duration", "One message: send to reply."),
            FactDescription("latency.p50/p90/p95/p99/max", "duration", "With samples."),
            FactDescription("replies / timeouts", "number", "Replies received; replies that did not come in time."),
            FactDescription(
                "reply / reply.bytes / json.*", "string, number, any",
                "The last reply, and its JSON fields when it is JSON."),
            FactDescription(
                "close_code / close_reason", "number, string",
                "How the connection ended: the server's close code, 1006 when it dropped without one."),
            FactDescription(
                "tls.days_left / tls.expires / tls.version", "number, string, string",
                "For wss://: the server certificate."),
        ],
        examples: [
            KindExample(
                "echo latency",
                yaml: """
                    id: ws-latency
                    title: WebSocket latency under 400ms
                    websocket: { url: "${{ vars.WS_URL }}/ws/echo", send: '{"type": "ping"}', samples: 20 }
                    expect: [latency.p95 < 400ms, close_code == 1000]
                    """, outcome: .pass,
                facts: [
                    "connected": .bool(true), "replies": .number(20), "json.type": .string("ping"),
                    "close_code": .number(1000),
                ]),
            KindExample(
                "a server that closes with an error",
                yaml: """
                    id: ws-latency
                    title: WebSocket latency under 400ms
                    websocket: { url: "${{ vars.WS_URL }}/ws/crash", send: hello, samples: 3 }
                    """, outcome: .fail,
                facts: ["connected": .bool(true), "replies": .number(0), "close_code": .number(1011)]),
            KindExample(
                "an upgrade refused",
                yaml: """
                    id: ws-up
                    title: WebSocket endpoint up
                    websocket: { url: "${{ vars.WS_URL }}/health" }
                    """, outcome: .fail, facts: ["connected": .bool(false)]),
        ],
        make: make)

    static func make(_ reader: KindReader) -> (any Check)? {
        guard let node = reader["websocket"],
            let fields = node.fields(allowed: [
                "url", "headers", "send", "samples", "timeout", "tls-verify", "ca", "max-message",
            ])
        else { return nil }
        guard let urlNode = fields["url"] else {
            node.report("missing `url:`")
            return nil
        }
        guard let url = urlNode.template(knownVars: reader.knownVariables) else { return nil }
        if url.parts.count == 1, case .text(let literal) = url.parts[0], !literal.hasPrefix("ws://"),
            !literal.hasPrefix("wss://")
        {
            urlNode.report("expected a ws:// or wss:// URL, got `\(literal)`")
            return nil
        }
        var check = WebSocketCheck(url: url)
        var ok = true
        if let headers = fields["headers"] {
            if let templates = headers.headerTemplates(knownVariables: reader.knownVariables) {
                check.headers = templates
            } else {
                ok = false
            }
        }
        if let send = fields["send"] {
            guard let template = send.template(knownVars: reader.knownVariables) else { return nil }
            check.message = template
        }
        if let samples = fields["samples"] {
            guard let value = samples.integer(in: 1...100_000) else { return nil }
            if check.message == nil, value > 1 {
                samples.report("`samples` needs `send`: there is nothing to time without a message")
                return nil
            }
            check.samples = value
        }
        if let timeout = fields["timeout"] {
            if let value = timeout.duration() { check.timeout = value } else { ok = false }
        }
        check.tls = TLSOptions.read(fields, knownVariables: reader.knownVariables)
        if let maxNode = fields["max-message"] {
            if let bytes = maxNode.size(in: 1...268_435_456) { check.maxMessage = bytes } else { ok = false }
        }
        return ok ? check : nil
    }

    var defaultExpectations: [FactExpression] {
        message == nil
            ? [.fact("connected")] : [.fact("connected"), FactExpression.builtIn("replies == \(samples)")]
    }

    var summary: String { "websocket \(url)" + (message != nil && samples > 1 ? " × \(samples)" : "") }

    func run(in context: CheckContext) async throws(CheckError) -> Facts {
        let text = try context.expand(url, quoting: .none)
        guard let url = URL(string: text), ["ws", "wss"].contains(url.scheme?.lowercased() ?? "") else {
            throw CheckError("`\(text)` is not a ws:// or wss:// URL")
        }
        var requestHeaders: [(String, String)] = []
        for (name, value) in headers { requestHeaders.append((name, try context.expand(value, quoting: .none))) }
        let outgoing = try message.map { message throws(CheckError) in try context.expand(message, quoting: .none) }
        let tlsConfiguration = url.scheme?.lowercased() == "wss" ? try tls.configuration(context) : nil

        let start = ContinuousClock.now
        let (handshake, opened) = try await WebSocketSession.open(
            url: url, headers: requestHeaders, tls: tlsConfiguration,
            timeout: timeout, maxMessage: maxMessage)
        var facts: Facts = handshake.tls
        facts["status"] = .number(Double(handshake.status))
        facts["connected"] = .bool(opened != nil)
        facts["connect_time"] = .duration((ContinuousClock.now - start).seconds)
        for (name, value) in handshake.headers { facts["headers." + name.lowercased()] = .string(value) }
        guard let session = opened else { return facts }

        var latencies: [Double] = []
        var last: WebSocketSession.Message?
        var timeouts = 0
        if let outgoing {
            sampling: for _ in 0..<samples {
                if Task.isCancelled { break }
                guard let sent = try? await session.send(outgoing) else { break }
                switch await session.receive(timeout: timeout) {
                case .message(let reply):
                    latencies.append((reply.arrived - sent).seconds)
                    last = reply
                case .timedOut:
                    timeouts += 1
                    facts["last_error"] = .string("no reply within \(Value.formatDuration(timeout))")
                    break sampling
                case .closed:
                    break sampling
                }
            }
        }
        let ended = await session.close(timeout: min(timeout, 5))
        facts["close_code"] = .number(Double(ended.code))
        if !ended.reason.isEmpty { facts["close_reason"] = .string(ended.reason) }
        guard outgoing != nil else { return facts }
        facts["replies"] = .number(Double(latencies.count))
        facts["timeouts"] = .number(Double(timeouts))
        if samples == 1, let latency = latencies.first {
            facts["latency"] = .duration(latency)
        } else if !latencies.isEmpty {
            facts.merge(LatencyFacts.percentiles(latencies)) { _, new in new }
        }
        if let last {
            facts["reply"] = .string(String(decoding: last.bytes, as: UTF8.self))
            facts["reply.bytes"] = .number(Double(last.bytes.count))
            facts.merge(JSONFacts.ifJSON(last.bytes, source: "the reply")) { _, new in new }
        }
        return facts
    }
}
