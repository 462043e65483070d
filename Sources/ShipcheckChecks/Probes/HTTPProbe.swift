import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import ShipcheckCore

/// One HTTP exchange as a probe sees it, the body capped so that an endless or huge response
/// keeps memory flat.
struct HTTPExchange: Sendable {
    var status: Int
    var headers: [(name: String, value: String)]
    var body: [UInt8]
    /// The body went on past the cap; the rest was not read.
    var truncated: Bool
    /// Seconds from the (intended) start to the end of the capped body.
    var latency: Double

    func header(_ name: String) -> String? {
        let lower = name.lowercased()
        let values = headers.filter { $0.name.lowercased() == lower }.map(\.value)
        return values.isEmpty ? nil : values.joined(separator: ", ")
    }
}

/// What every HTTP-based kind configures: the request and the client's behaviour.
struct HTTPRequestSpec: Sendable {
    var url: Template
    var method = "GET"
    var headers: [(name: String, value: Template)] = []
    var body: Template?
    var timeout: Double = 10
    var followRedirects = true
    var tls = TLSOptions()
    var maxBody = 1_048_576

    static let parameters: [Parameter] =
        [
            Parameter("url", .template, "The URL.", required: true),
            Parameter("method", .string, "GET (default), POST, PUT, PATCH, DELETE, HEAD or OPTIONS."),
            Parameter("headers", .map(.template), "Request headers."),
            Parameter("body", .template, "Request body."),
            Parameter("request-timeout", .duration, "Longest time one request may take (default 10s)."),
            Parameter("follow-redirects", .boolean, "Follow redirects (default true)."),
            Parameter("max-body", .size, "Bytes of the body to read (default 1MiB); the rest is not read."),
        ] + TLSOptions.parameters

    /// Reads the request fields of a kind's mapping; reports problems and returns nil when any.
    static func read(_ fields: [String: ConfigNode], in node: ConfigNode, knownVariables: Set<String>)
        -> HTTPRequestSpec?
    {
        guard let urlNode = fields["url"] else {
            node.report("missing `url:`")
            return nil
        }
        guard let url = urlNode.template(knownVars: knownVariables) else { return nil }
        if case .text(let literal) = url.parts.first, !literal.hasPrefix("http://"), !literal.hasPrefix("https://"),
            url.parts.count == 1
        {
            urlNode.report("expected an http:// or https:// URL, got `\(literal)`")
            return nil
        }
        var spec = HTTPRequestSpec(url: url)
        var ok = true
        if let method = fields["method"]?.string() {
            let upper = method.uppercased()
            if ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"].contains(upper) {
                spec.method = upper
            } else {
                fields["method"]?.report("expected GET, POST, PUT, PATCH, DELETE, HEAD or OPTIONS, got `\(method)`")
                ok = false
            }
        }
        if let headers = fields["headers"] {
            if let templates = headers.headerTemplates(knownVariables: knownVariables) {
                spec.headers = templates
            } else {
                ok = false
            }
        }
        spec.body = fields["body"].flatMap { $0.template(knownVars: knownVariables) }
        if let timeout = fields["request-timeout"] {
            if let value = timeout.duration() { spec.timeout = value } else { ok = false }
        }
        spec.followRedirects = fields["follow-redirects"]?.bool() ?? true
        spec.tls = TLSOptions.read(fields, knownVariables: knownVariables)
        if let maxNode = fields["max-body"] {
            if let bytes = maxNode.size(in: 1...1_073_741_824) { spec.maxBody = bytes } else { ok = false }
        }
        return ok ? spec : nil
    }

    /// Reads a kind's mapping made of the request fields plus `extra` keys.
    static func read(_ reader: KindReader, key: String, extra: [String]) -> (
        spec: HTTPRequestSpec, fields: [String: ConfigNode]
    )? {
        guard let node = reader[key], let fields = node.fields(allowed: parameters.map(\.name) + extra),
            let spec = read(fields, in: node, knownVariables: reader.knownVariables)
        else { return nil }
        return (spec, fields)
    }

    /// Runs `body` with a client made for this request, and always shuts the client down. For https:// the
    /// certificate is checked first, over a handshake of its own: a bad one fails at once, in words (the
    /// client would retry until its deadline), and its facts go to `body`.
    func withClient<T>(
        _ context: CheckContext, _ body: (HTTPClient, _ certificate: Facts) async throws(CheckError) -> T
    )
        async throws(CheckError) -> T
    {
        let certificate = try await certificateFacts(context)
        let client = try makeClient(context)
        do {
            let result = try await body(client, certificate)
            await HTTPProbe.shutdown(client)
            return result
        } catch {
            await HTTPProbe.shutdown(client)
            throw error
        }
    }

    func makeClient(_ context: CheckContext) throws(CheckError) -> HTTPClient {
        var configuration = HTTPClient.Configuration(
            tlsConfiguration: try tls.configuration(context),
            redirectConfiguration: followRedirects ? .follow(max: 10, allowCycles: false) : .disallow,
            timeout: .init(
                connect: .milliseconds(Int64(min(timeout, 30) * 1000)), read: .milliseconds(Int64(timeout * 1000))))
        configuration.decompression = .enabled(limit: .size(maxBody * 4 + 1_048_576))
        // A probe says what it saw: a refused connection fails now, not after retries until the deadline
        // (an item's `retries:` is there for flaky targets).
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// For https://, the server certificate's facts; the HTTP client does not show the certificate it saw.
    func certificateFacts(_ context: CheckContext) async throws(CheckError) -> Facts {
        let text = try context.expand(url, quoting: .none)
        guard let url = URL(string: text), url.scheme?.lowercased() == "https", let host = url.host else { return [:] }
        return try await TLSProbe.inspect(
            host: host, port: url.port ?? 443, configuration: try tls.configuration(context),
            timeout: timeout)
    }

    func makeRequest(_ context: CheckContext, extraHeaders: [(String, String)] = [], method: String? = nil)
        throws(CheckError)
        -> HTTPClientRequest
    {
        let url = try context.expand(self.url, quoting: .none)
        var request = HTTPClientRequest(url: url)
        request.method = HTTPMethod(rawValue: method ?? self.method)
        request.headers.add(name: "User-Agent", value: "shipcheck/\(ShipcheckVersion.current)")
        for (name, value) in headers {
            request.headers.replaceOrAdd(name: name, value: try context.expand(value, quoting: .none))
        }
        for (name, value) in extraHeaders { request.headers.replaceOrAdd(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(string: try context.expand(body, quoting: .none))) }
        return request
    }
}

enum HTTPProbe {
    /// Sends one request; a transport failure (refused, DNS, TLS, timeout) throws with a plain reason.
    static func exchange(_ client: HTTPClient, _ request: HTTPClientRequest, timeout: Double, maxBody: Int)
        async throws(CheckError)
        -> HTTPExchange
    {
        let startedAt = ContinuousClock.now
        do {
            let response = try await client.execute(request, timeout: .milliseconds(Int64(timeout * 1000)))
            var body: [UInt8] = []
            var truncated = false
            for try await buffer in response.body {
                let room = maxBody - body.count
                if buffer.readableBytes > room {
                    body += buffer.readableBytesView.prefix(room)
                    truncated = true
                    break
                }
                body += buffer.readableBytesView
            }
            return HTTPExchange(
                status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) },
                body: body, truncated: truncated, latency: (ContinuousClock.now - startedAt).seconds)
        } catch let error as HTTPClientError {
            throw CheckError(describe(error, url: request.url, timeout: timeout))
        } catch {
            let reason =
                await TLSProbe.explainVerificationFailure(error, url: request.url, timeout: timeout) ?? describe(error)
            throw CheckError("\(request.method.rawValue) \(request.url) failed: \(reason)")
        }
    }

    static func describe(_ error: HTTPClientError, url: String, timeout: Double) -> String {
        switch error {
        case .deadlineExceeded, .readTimeout, .connectTimeout, .tlsHandshakeTimeout:
            return "\(url) did not answer within \(Value.formatDuration(timeout))"
        case .remoteConnectionClosed:
            return "\(url) closed the connection before answering"
        case .redirectLimitReached, .redirectCycleDetected:
            return "\(url) redirects too many times or in a cycle"
        default:
            return "\(url): \(error)"
        }
    }

    /// Refused, unreachable, unknown host, bad certificate: said as a person would.
    static func describe(_ error: any Error) -> String {
        let text = String(describing: error)
        if text.contains("connectionRefused") || text.contains("Connection refused") { return "connection refused" }
        let resolverSays = [
            "Name or service not known", "nodename nor servname provided, or not known",
            "Temporary failure in name resolution", "No address associated with hostname", "NXDOMAIN",
        ]
        if let said = resolverSays.first(where: { text.contains($0) }) {
            return "the host name does not resolve (\(said))"
        }
        if text.contains("NIOConnectionError") && text.contains("dnsA") { return "the host name does not resolve" }
        if text.contains("handshakeFailed") || text.contains("certificate") || text.contains("NIOSSL") {
            return "TLS failed: \(text.prefix(200))"
        }
        return String(text.prefix(300))
    }

    static func shutdown(_ client: HTTPClient) async {
        try? await client.shutdown()
    }
}
