import Foundation
import NIOCore
import NIOPosix
import ShipcheckCore

/// `tcp:` — a port accepts connections within a timeout.
struct TCPCheck: Check {
    var touchesLiveSystems: Bool { true }
    var host: Template
    var port: Template
    var connectTimeout: Double = 5

    static let description = KindDescription(
        key: "tcp",
        name: "TCP port",
        summary:
            "Opens a TCP connection to host:port and closes it. A refused or timed-out connection is a fact (`tcp.open` false), not an error.",
        parameters: [
            Parameter(
                "tcp",
                .object([
                    Parameter("host", .template, "Host name or address.", required: true),
                    Parameter("port", .oneOf([.integer, .template]), "Port.", required: true),
                    Parameter("connect-timeout", .duration, "How long to wait (default 5s)."),
                ]), "Where to connect.", required: true)
        ],
        facts: [
            FactDescription("tcp.open", "boolean", "The connection was accepted."),
            FactDescription("tcp.connect_time", "duration", "How long it took."),
            FactDescription("tcp.error", "string", "Why not, when it was not."),
        ],
        examples: [
            KindExample(
                "the test server's port",
                yaml: """
                    id: port
                    title: Service port open
                    tcp: { host: 127.0.0.1, port: "${{ vars.PORT }}" }
                    """, outcome: .pass, facts: ["tcp.open": .bool(true)]),
            KindExample(
                "a closed port",
                yaml: """
                    id: port
                    title: Service port open
                    tcp: { host: 127.0.0.1, port: 9, connect-timeout: 2s }
                    """, outcome: .fail, facts: ["tcp.open": .bool(false)]),
        ],
        make: make)

    static func make(_ reader: KindReader) -> (any Check)? {
        guard let node = reader["tcp"], let fields = node.fields(allowed: ["host", "port", "connect-timeout"]) else {
            return nil
        }
        guard let hostNode = fields["host"], let portNode = fields["port"] else {
            node.report("`tcp` needs `host` and `port`")
            return nil
        }
        guard let host = hostNode.template(knownVars: reader.knownVariables),
            let port = portNode.template(knownVars: reader.knownVariables)
        else { return nil }
        if port.parts.count == 1, case .text(let literal) = port.parts[0],
            !(Int(literal).map { (1...65535).contains($0) } ?? false)
        {
            portNode.report("expected a port from 1 to 65535, got `\(literal)`")
            return nil
        }
        var check = TCPCheck(host: host, port: port)
        if let timeout = fields["connect-timeout"] {
            guard let value = timeout.duration() else { return nil }
            check.connectTimeout = value
        }
        return check
    }

    var defaultExpectations: [FactExpression] { [.fact("tcp.open")] }
    var summary: String { "tcp \(host):\(port)" }

    func run(in context: CheckContext) async throws(CheckError) -> Facts {
        let host = try context.expand(self.host, quoting: .none)
        let portText = try context.expand(self.port, quoting: .none)
        guard let port = Int(portText), (1...65535).contains(port) else {
            throw CheckError("`\(portText)` is not a port number")
        }
        let start = ContinuousClock.now
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.milliseconds(Int64(connectTimeout * 1000)))
                .connect(host: host, port: port).get()
            let elapsed = (ContinuousClock.now - start).seconds
            try? await channel.close().get()
            return ["tcp.open": .bool(true), "tcp.connect_time": .duration(elapsed)]
        } catch {
            return [
                "tcp.open": .bool(false), "tcp.connect_time": .duration((ContinuousClock.now - start).seconds),
                "tcp.error": .string(HTTPProbe.describe(error)),
            ]
        }
    }
}
