import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import ShipcheckCore

/// The request a sampler sends over and over, built once.
struct SampleRequest: Sendable {
    var url: String
    var host: String
    var port: Int
    var tls: NIOSSLContext?
    var head: HTTPRequestHead
    var body: ByteBuffer?
    var timeout: Double
    var maxBody: Int

    init(_ spec: HTTPRequestSpec, _ context: CheckContext) throws(CheckError) {
        url = try context.expand(spec.url, quoting: .none)
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(),
            ["http", "https"].contains(scheme),
            let host = parsed.host, !host.isEmpty
        else { throw CheckError("`\(url)` is not an http:// or https:// URL") }
        self.host = host
        let secure = scheme == "https"
        port = parsed.port ?? (secure ? 443 : 80)
        do {
            tls = secure ? try NIOSSLContext(configuration: try spec.tls.configuration(context)) : nil
        } catch let error as CheckError {
            throw error
        } catch {
            throw CheckError("TLS settings of `\(url)`: \(error)")
        }
        var target = parsed.path.isEmpty ? "/" : parsed.path
        if let query = parsed.query { target += "?" + query }
        var headers = HTTPHeaders()
        headers.add(
            name: "Host", value: (host.contains(":") ? "[\(host)]" : host) + (parsed.port.map { ":\($0)" } ?? ""))
        headers.add(name: "User-Agent", value: "shipcheck/\(ShipcheckVersion.current)")
        for (name, value) in spec.headers {
            headers.replaceOrAdd(name: name, value: try context.expand(value, quoting: .none))
        }
        if let body = spec.body {
            let buffer = ByteBuffer(string: try context.expand(body, quoting: .none))
            headers.replaceOrAdd(name: "Content-Length", value: String(buffer.readableBytes))
            self.body = buffer
        }
        head = HTTPRequestHead(
            version: .http1_1, method: HTTPMethod(rawValue: spec.method), uri: target, headers: headers)
        timeout = spec.timeout
        maxBody = spec.maxBody
    }
}

/// What one sample came to.
struct SampleResult: Sendable {
    let status: Int?
    let latency: Double
    let error: String?
}

/// One keep-alive connection's share of the samples, driven on one event loop straight through NIO's
/// HTTP/1.1 codec, as wrk drives its connections: the clock starts when the request is written and
/// stops when the last byte of the answer is read, and the next request is written from that same
/// callback. No task hop or client queue sits inside a measurement, and the few microseconds each
/// request costs here leave the server's time as the thing measured. Redirects are not followed: a
/// sample measures the URL itself.
final class SampleWorker: @unchecked Sendable {
    private let request: SampleRequest
    private let loop: any EventLoop
    private let counter: SampleCounter
    private let start: ContinuousClock.Instant
    private let rate: Double?
    private let done: EventLoopPromise<[SampleResult]>

    // Touched on `loop` only.
    private var results: [SampleResult] = []
    private var channel: (any Channel)?
    private var inFlight: (began: ContinuousClock.Instant, timer: Scheduled<Void>)?
    private var status = 0
    private var headers: [(name: String, value: String)] = []
    private var body: [UInt8] = []
    private var truncated = false
    private var closeAfter = false
    /// This connection's latest answer, for the item's status, header and body facts.
    private(set) var last: (exchange: HTTPExchange, at: ContinuousClock.Instant)?

    init(
        request: SampleRequest, loop: any EventLoop, counter: SampleCounter, start: ContinuousClock.Instant,
        rate: Double?
    ) {
        self.request = request
        self.loop = loop
        self.counter = counter
        self.start = start
        self.rate = rate
        done = loop.makePromise()
    }

    func run() -> EventLoopFuture<[SampleResult]> {
        loop.execute { self.next() }
        return done.futureResult
    }

    private func next() {
        guard let index = counter.next() else {
            channel?.close(promise: nil)
            done.succeed(results)
            return
        }
        guard let rate else { return send(scheduled: nil) }
        let due = start + .nanoseconds(Int64(Double(index) / rate * 1e9))
        let wait = due - .now
        if wait > .zero {
            loop.scheduleTask(in: .nanoseconds(Int64(wait.seconds * 1e9))) { self.send(scheduled: due) }
        } else {
            send(scheduled: due)
        }
    }

    /// With a rate the clock runs from when the request was due; back to back, from when it is written.
    private func send(scheduled: ContinuousClock.Instant?) {
        guard let channel else {
            let began = scheduled ?? .now
            connect().whenComplete { outcome in
                switch outcome {
                case .success(let channel):
                    self.channel = channel
                    self.send(scheduled: scheduled)
                case .failure(let error):
                    self.record(
                        SampleResult(
                            status: nil, latency: (ContinuousClock.now - began).seconds,
                            error: "\(self.request.url): \(HTTPProbe.describe(error))"))
                }
            }
            return
        }
        status = 0
        headers = []
        body = []
        truncated = false
        closeAfter = false
        let began = scheduled ?? .now
        let timeout = request.timeout
        let timer = loop.scheduleTask(in: .milliseconds(Int64(timeout * 1000))) {
            self.inFlight = nil
            self.channel = nil
            channel.close(promise: nil)
            self.record(
                SampleResult(
                    status: nil, latency: (ContinuousClock.now - began).seconds,
                    error: "\(self.request.url) did not answer within \(Value.formatDuration(timeout))"))
        }
        inFlight = (began, timer)
        channel.write(HTTPClientRequestPart.head(request.head), promise: nil)
        if let body = request.body { channel.write(HTTPClientRequestPart.body(.byteBuffer(body)), promise: nil) }
        channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
    }

    private func record(_ result: SampleResult) {
        results.append(result)
        next()
    }

    private func connect() -> EventLoopFuture<any Channel> {
        let request = self.request
        let handler = NIOLoopBound(self, eventLoop: loop)
        return ClientBootstrap(group: loop)
            .connectTimeout(.milliseconds(Int64(min(request.timeout, 30) * 1000)))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls = request.tls {
                        try channel.pipeline.syncOperations.addHandler(
                            try NIOSSLClientHandler(
                                context: tls, serverHostname: TLSProbe.serverName(for: request.host)))
                    }
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(ResponseReader(worker: handler.value))
                }
            }
            .connect(host: request.host, port: request.port)
    }

    fileprivate func received(_ part: HTTPClientResponsePart, on channel: any Channel) {
        guard inFlight != nil, channel === self.channel else { return }
        switch part {
        case .head(let head):
            status = Int(head.status.code)
            headers = head.headers.map { ($0.name, $0.value) }
            closeAfter = !head.isKeepAlive
        case .body(let buffer):
            let room = request.maxBody - body.count
            if buffer.readableBytes > room {
                body += buffer.readableBytesView.prefix(max(0, room))
                truncated = true
            } else {
                body += buffer.readableBytesView
            }
        case .end:
            guard let (began, timer) = inFlight else { return }
            timer.cancel()
            inFlight = nil
            let now = ContinuousClock.now
            let latency = (now - began).seconds
            last = (
                HTTPExchange(status: status, headers: headers, body: body, truncated: truncated, latency: latency), now
            )
            if closeAfter {
                self.channel = nil
                channel.close(promise: nil)
            }
            record(SampleResult(status: status, latency: latency, error: nil))
        }
    }

    fileprivate func failed(_ channel: any Channel, _ reason: String) {
        guard channel === self.channel else { return }
        self.channel = nil
        guard let (began, timer) = inFlight else { return }
        timer.cancel()
        inFlight = nil
        record(SampleResult(status: nil, latency: (ContinuousClock.now - began).seconds, error: reason))
    }
}

/// Hands the worker what arrives on its current connection.
private final class ResponseReader: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    let worker: SampleWorker

    init(worker: SampleWorker) { self.worker = worker }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        worker.received(unwrapInboundIn(data), on: context.channel)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        worker.failed(context.channel, HTTPProbe.describe(error))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        worker.failed(context.channel, "the server closed the connection before answering")
        context.fireChannelInactive()
    }
}

/// Hands out request numbers to the sampling workers.
final class SampleCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var issued = 0
    let total: Int

    init(total: Int) { self.total = total }

    /// No more numbers: the run was cancelled.
    func stop() { lock.withLock { issued = total } }

    func next() -> Int? {
        lock.withLock {
            guard issued < total else { return nil }
            defer { issued += 1 }
            return issued
        }
    }
}
