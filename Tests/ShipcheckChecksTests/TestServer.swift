import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import ServiceLifecycle

#if canImport(Glibc)
    import Glibc
#endif

/// An in-process HTTP server on loopback whose endpoints misbehave on purpose, for the probe kinds.
actor TestServer {
    private var group: ServiceGroup?
    private var task: Task<Void, any Error>?
    private(set) var port = 0
    private let limiter = RateWindow(limit: 5, window: 1.0)
    /// The error counter the metrics target exposes; tests set it.
    nonisolated let errorCounter = MetricCounter()

    static let shared = TestServer()

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Starts the server once per test process; every test shares it.
    func start() async throws -> String {
        if port != 0 { return baseURL }
        let portBox = PortBox()
        let app = Application(
            router: Self.router(limiter: limiter),
            server: .http1WebSocketUpgrade(webSocketRouter: Self.webSocketRouter()),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in portBox.set(channel.localAddress?.port ?? 0) },
            logger: Logger(label: "test-server", factory: { _ in SwiftLogNoOpLogHandler() }))
        // The metrics target Prometheus scrapes: the port scripts/test-services.sh chose and configured.
        let metricsPort = ProcessInfo.processInfo.environment["SHIPCHECK_TEST_METRICS_PORT"].flatMap { Int($0) } ?? 9464
        let metricsRouter = Router()
        let errors = errorCounter
        metricsRouter.get("/metrics") { _, _ in
            Response(
                status: .ok,
                body: .init(
                    byteBuffer: ByteBuffer(
                        string: """
                            # TYPE shipcheck_test_errors_total counter
                            shipcheck_test_errors_total{service="api"} \(errors.value)

                            """)))
        }
        let metrics = Application(
            router: metricsRouter, configuration: .init(address: .hostname("127.0.0.1", port: metricsPort)),
            logger: Logger(label: "test-metrics", factory: { _ in SwiftLogNoOpLogHandler() }))
        let quiet = Logger(label: "test-server", factory: { _ in SwiftLogNoOpLogHandler() })
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: quiet))
        // Separate, so that a busy fixed port cannot take the main server down with it.
        let metricsGroup = ServiceGroup(
            configuration: .init(services: [metrics], gracefulShutdownSignals: [], logger: quiet))
        self.group = group
        task = Task { try await group.run() }
        Task { try? await metricsGroup.run() }
        for _ in 0..<500 where portBox.value == 0 { try await Task.sleep(for: .milliseconds(10)) }
        port = portBox.value
        guard port != 0 else { throw TestServerError.didNotStart }
        return baseURL
    }

    enum TestServerError: Error { case didNotStart }

    static func router(limiter: RateWindow) -> Router<BasicRequestContext> {
        let router = Router()
        for path in ["/health", "/api/health"] {
            router.get(RouterPath(path)) { _, _ in json(#"{"status": "healthy", "db": {"up": true, "pool": 4}}"#) }
        }
        router.get("/degraded") { _, _ in json(#"{"status": "degraded"}"#) }
        // Answers, with another shape than the checklist expects.
        router.get("/other-shape") { _, _ in json(#"{"ok": true}"#) }
        router.get("/status/500") { _, _ in
            Response(status: .internalServerError, body: .init(byteBuffer: ByteBuffer(string: "boom")))
        }
        router.get("/slow") { request, _ in
            let ms = Int(request.uri.queryParameters["ms"].map(String.init) ?? "") ?? 200
            try await Task.sleep(for: .milliseconds(ms))
            return json(#"{"status": "healthy"}"#)
        }
        router.get("/redirect") { _, _ in
            var headers = HTTPFields()
            headers[.location] = "/health"
            return Response(status: .found, headers: headers)
        }
        router.get("/secure") { _, _ in
            var headers = HTTPFields()
            let nonce = UUID().uuidString.replacingOccurrences(of: "-", with: "")
            headers[HTTPField.Name("Content-Security-Policy")!] =
                "default-src 'self'; script-src 'nonce-\(nonce)' 'strict-dynamic'; frame-ancestors 'none'"
            headers[HTTPField.Name("Strict-Transport-Security")!] = "max-age=63072000; includeSubDomains; preload"
            headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
            headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
            headers[HTTPField.Name("Referrer-Policy")!] = "strict-origin-when-cross-origin"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: "<html></html>")))
        }
        router.get("/insecure") { _, _ in
            var headers = HTTPFields()
            headers[HTTPField.Name("Content-Security-Policy")!] =
                "default-src 'self'; script-src 'self' 'unsafe-inline'"
            headers[HTTPField.Name("Strict-Transport-Security")!] = "max-age=3600"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: "<html></html>")))
        }
        for method in [HTTPRequest.Method.get, .options] {
            router.on("/cors-wildcard", method: method) { _, _ in
                var headers = HTTPFields()
                headers[HTTPField.Name("Access-Control-Allow-Origin")!] = "*"
                headers[HTTPField.Name("Access-Control-Allow-Credentials")!] = "true"
                return Response(status: .ok, headers: headers)
            }
            router.on("/cors-reflect", method: method) { request, _ in
                var headers = HTTPFields()
                if let origin = request.headers[HTTPField.Name("Origin")!] {
                    headers[HTTPField.Name("Access-Control-Allow-Origin")!] = origin
                    headers[HTTPField.Name("Vary")!] = "Origin"
                }
                return Response(status: .ok, headers: headers)
            }
            router.on("/cors-good", method: method) { request, _ in
                var headers = HTTPFields()
                let allowed = ["https://app.example.org", "https://admin.example.org"]
                if let origin = request.headers[HTTPField.Name("Origin")!], allowed.contains(origin) {
                    headers[HTTPField.Name("Access-Control-Allow-Origin")!] = origin
                    headers[HTTPField.Name("Access-Control-Allow-Methods")!] = "GET, POST"
                    headers[HTTPField.Name("Vary")!] = "Origin"
                }
                return Response(status: method == .options ? .noContent : .ok, headers: headers)
            }
        }
        router.get("/limited") { _, _ in
            if limiter.allow() { return json(#"{"ok": true}"#) }
            var headers = HTTPFields()
            headers[HTTPField.Name("Retry-After")!] = "1"
            return Response(status: .tooManyRequests, headers: headers)
        }
        router.get("/endless") { _, _ in
            Response(
                status: .ok,
                body: ResponseBody { writer in
                    let chunk = ByteBuffer(repeating: UInt8(ascii: "x"), count: 65_536)
                    while !Task.isCancelled { try await writer.write(chunk) }
                    try await writer.finish(nil)
                })
        }
        router.get("/big") { _, _ in
            Response(
                status: .ok,
                body: ResponseBody(contentLength: 100 * 1_048_576) { writer in
                    let chunk = ByteBuffer(repeating: UInt8(ascii: "y"), count: 1_048_576)
                    for _ in 0..<100 { try await writer.write(chunk) }
                    try await writer.finish(nil)
                })
        }
        return router
    }

    /// WebSocket endpoints: an echo, a slow echo, one that closes with 1011 on the first message,
    /// one that never answers, and one whose reply is 2 MiB.
    static func webSocketRouter() -> Router<BasicWebSocketRequestContext> {
        let router = Router(context: BasicWebSocketRequestContext.self)
        router.ws("/ws/echo") { inbound, outbound, _ in
            for try await message in inbound.messages(maxSize: 1 << 20) {
                if case .text(let text) = message { try await outbound.write(.text(text)) }
            }
        }
        router.ws("/ws/slow") { inbound, outbound, _ in
            for try await message in inbound.messages(maxSize: 1 << 20) {
                try await Task.sleep(for: .milliseconds(150))
                if case .text(let text) = message { try await outbound.write(.text(text)) }
            }
        }
        router.ws("/ws/crash") { inbound, outbound, _ in
            for try await _ in inbound.messages(maxSize: 1 << 20) {
                try await outbound.close(.unexpectedServerError, reason: "boom")
                return
            }
        }
        router.ws("/ws/silent") { inbound, _, _ in
            for try await _ in inbound.messages(maxSize: 1 << 20) {}
        }
        router.ws("/ws/big") { inbound, outbound, _ in
            for try await _ in inbound.messages(maxSize: 1 << 20) {
                try await outbound.write(.binary(ByteBuffer(repeating: 0x61, count: 2 * 1_048_576)))
            }
        }
        return router
    }

    static func json(_ text: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

final class MetricCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    var value: Int { lock.withLock { count } }
    func set(_ value: Int) { lock.withLock { count = value } }
}

final class PortBox: @unchecked Sendable {
    private let lock = NSLock()
    private var port = 0
    var value: Int { lock.withLock { port } }
    func set(_ value: Int) { lock.withLock { port = value } }
}

/// Allows `limit` requests per `window` seconds, like a real rate limiter.
final class RateWindow: @unchecked Sendable {
    private let lock = NSLock()
    private let limit: Int
    private let window: Double
    private var start = Date()
    private var count = 0

    init(limit: Int, window: Double) {
        self.limit = limit
        self.window = window
    }

    func allow() -> Bool {
        lock.withLock {
            if Date().timeIntervalSince(start) > window {
                start = Date()
                count = 0
            }
            count += 1
            return count <= limit
        }
    }
}

/// A bare TCP listener on loopback that accepts connections and closes them at once: a port that is
/// open but speaks nothing (for the tcp probe, and TLS to something that is not TLS).
final class RawListener: @unchecked Sendable {
    static let shared = RawListener()
    let port: Int
    private let socketFD: Int32

    private init() {
        (socketFD, port) = listenOnLoopback()
        let fd = socketFD
        Thread {
            while true {
                let client = accept(fd, nil, nil)
                if client < 0 { continue }
                close(client)
            }
        }.start()
    }
}

/// A bare TCP listener on loopback that accepts connections and then says nothing, ever: a server
/// that hangs (for bounded waits).
final class SilentListener: @unchecked Sendable {
    static let shared = SilentListener()
    let port: Int
    private let lock = NSLock()
    private var held: [Int32] = []

    private init() {
        let socketFD: Int32
        (socketFD, port) = listenOnLoopback()
        Thread { [self] in
            while true {
                let client = accept(socketFD, nil, nil)
                if client >= 0 { lock.withLock { held.append(client) } }
            }
        }.start()
    }
}

/// A listening TCP socket on 127.0.0.1 at a port the system picks.
func listenOnLoopback() -> (socket: Int32, port: Int) {
    let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketFD, $0, length) }
    }
    listen(socketFD, 128)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socketFD, $0, &length) }
    }
    return (socketFD, Int(UInt16(bigEndian: address.sin_port)))
}
