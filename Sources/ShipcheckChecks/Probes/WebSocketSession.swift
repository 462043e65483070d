import Crypto
import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import NIOWebSocket
import ShipcheckCore

/// A WebSocket client connection made for probing. The upgrade is done by hand so that a refused upgrade
/// shows its HTTP status; frames go through NIOWebSocket; arrival times are taken on the event loop, so
/// a reply's latency holds no task scheduling; and the channel can be closed at any moment, so a silent
/// server cannot make a probe hang.
final class WebSocketSession: Sendable {
    struct Handshake: Sendable {
        var status: Int
        var headers: [(name: String, value: String)]
        var tls: Facts
    }

    struct Message: Sendable {
        var bytes: [UInt8]
        var isText: Bool
        var arrived: ContinuousClock.Instant
    }

    enum Received: Sendable {
        case message(Message)
        /// The connection is closed; what the server said, when it said anything.
        case closed(code: Int, reason: String)
        case timedOut
    }

    let channel: any Channel
    private let collector: NIOLoopBound<FrameCollector>

    private init(channel: any Channel, collector: NIOLoopBound<FrameCollector>) {
        self.channel = channel
        self.collector = collector
    }

    /// Connects and asks for the upgrade. Transport and TLS failures throw; an answer other than
    /// 101 returns the handshake without a session.
    static func open(url: URL, headers: [(String, String)], tls: TLSConfiguration?, timeout: Double, maxMessage: Int)
        async throws(CheckError) -> (handshake: Handshake, session: WebSocketSession?)
    {
        guard let host = url.host, !host.isEmpty else { throw CheckError("`\(url.absoluteString)` has no host") }
        let secure = url.scheme?.lowercased() == "wss"
        let port = url.port ?? (secure ? 443 : 80)
        for (name, value) in headers where (name + value).contains(where: { $0 == "\r" || $0 == "\n" }) {
            throw CheckError("header `\(name)` holds a line break")
        }
        let key = Data((0..<16).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        let request = upgradeRequest(url: url, host: host, port: port, secure: secure, key: key, headers: headers)
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let answered = loop.makePromise(of: UpgradeResult.self)
        let channel: any Channel
        do {
            let sslContext = try tls.map { try NIOSSLContext(configuration: $0) }
            channel = try await ClientBootstrap(group: loop)
                .connectTimeout(.milliseconds(Int64(min(timeout, 30) * 1000)))
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        var tlsHandler: NIOSSLClientHandler?
                        if secure, let sslContext {
                            let handler = try NIOSSLClientHandler(
                                context: sslContext, serverHostname: TLSProbe.serverName(for: host))
                            try channel.pipeline.syncOperations.addHandler(handler)
                            tlsHandler = handler
                        }
                        try channel.pipeline.syncOperations.addHandler(
                            UpgradeHandler(
                                request: request, expectedAccept: acceptValue(for: key), tls: tlsHandler,
                                maxMessage: maxMessage, promise: answered))
                    }
                }
                .connect(host: host, port: port).get()
        } catch {
            answered.fail(error)
            throw CheckError("\(url.absoluteString): \(HTTPProbe.describe(error))")
        }
        let deadline = loop.scheduleTask(in: .milliseconds(Int64(timeout * 1000))) {
            answered.fail(
                CheckError("\(url.absoluteString) did not answer the upgrade within \(Value.formatDuration(timeout))"))
            channel.close(promise: nil)
        }
        defer { deadline.cancel() }
        let result: UpgradeResult
        do {
            result = try await answered.futureResult.get()
        } catch let error as CheckError {
            channel.close(promise: nil)
            throw error
        } catch {
            channel.close(promise: nil)
            let reason = await TLSProbe.explainVerificationFailure(
                error, url: "https://\(host):\(port)", timeout: timeout)
            throw CheckError("\(url.absoluteString): \(reason ?? HTTPProbe.describe(error))")
        }
        guard let collector = result.collector else { return (result.handshake, nil) }
        return (result.handshake, WebSocketSession(channel: channel, collector: collector))
    }

    /// What the upgrade handler hands over: the answer and, on 101, the frame handler now in the pipeline.
    struct UpgradeResult: Sendable {
        var handshake: Handshake
        var collector: NIOLoopBound<FrameCollector>?
    }

    static func upgradeRequest(
        url: URL, host: String, port: Int, secure: Bool, key: String, headers: [(String, String)]
    ) -> String {
        var target = url.path.isEmpty ? "/" : url.path
        if let query = url.query { target += "?" + query }
        let defaultPort = secure ? 443 : 80
        let hostHeader = (host.contains(":") ? "[\(host)]" : host) + (port == defaultPort ? "" : ":\(port)")
        var lines = [
            "GET \(target) HTTP/1.1", "Host: \(hostHeader)", "Upgrade: websocket", "Connection: Upgrade",
            "Sec-WebSocket-Key: \(key)", "Sec-WebSocket-Version: 13",
            "User-Agent: shipcheck/\(ShipcheckVersion.current)",
        ]
        for (name, value) in headers { lines.append("\(name): \(value)") }
        return lines.joined(separator: "\r\n") + "\r\n\r\n"
    }

    /// RFC 6455 §4.2.2: base64(SHA-1(key + GUID)).
    static func acceptValue(for key: String) -> String {
        Data(Insecure.SHA1.hash(data: Data((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").utf8))).base64EncodedString()
    }

    /// Sends a text message; returns when it is written. The clock for its reply starts just before.
    func send(_ text: String) async throws(CheckError) -> ContinuousClock.Instant {
        let collector = self.collector
        let sent = ContinuousClock.now
        do {
            try await channel.eventLoop.flatSubmit { collector.value.send(text) }.get()
        } catch {
            throw CheckError("sending failed: \(HTTPProbe.describe(error))")
        }
        return sent
    }

    /// The next message, or the close, or nothing within `timeout`.
    func receive(timeout: Double) async -> Received {
        let collector = self.collector
        return (try? await channel.eventLoop.flatSubmit { collector.value.next(timeout: timeout) }.get()) ?? .timedOut
    }

    /// Sends a close frame and waits (at most `timeout`) for the server's; then closes the connection.
    /// Returns the code and reason the connection ended with.
    func close(timeout: Double) async -> (code: Int, reason: String) {
        let collector = self.collector
        let ended = try? await channel.eventLoop.flatSubmit { collector.value.close(timeout: timeout) }.get()
        return ended ?? (1006, "")
    }
}

/// Writes the upgrade request, reads the answer, and on 101 puts the frame handlers in its place.
private final class UpgradeHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let request: String
    private let expectedAccept: String
    private let tls: NIOSSLClientHandler?
    private let maxMessage: Int
    private let promise: EventLoopPromise<WebSocketSession.UpgradeResult>
    private var received: ByteBuffer?
    /// A response head larger than this is not a WebSocket server talking.
    private static let maxHead = 65_536

    init(
        request: String, expectedAccept: String, tls: NIOSSLClientHandler?, maxMessage: Int,
        promise: EventLoopPromise<WebSocketSession.UpgradeResult>
    ) {
        self.request = request
        self.expectedAccept = expectedAccept
        self.tls = tls
        self.maxMessage = maxMessage
        self.promise = promise
    }

    func channelActive(context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: request)), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        var buffer = received ?? context.channel.allocator.buffer(capacity: incoming.readableBytes)
        buffer.writeBuffer(&incoming)
        received = buffer
        let bytes = buffer.readableBytesView
        guard let end = bytes.firstRange(of: [13, 10, 13, 10]) else {
            if bytes.count > Self.maxHead { fail(context, "the upgrade answer's head is over 64 KiB") }
            return
        }
        let headLength = end.upperBound - bytes.startIndex
        guard let headBytes = buffer.readSlice(length: headLength) else { return }
        let head = String(decoding: headBytes.readableBytesView, as: UTF8.self)
        received = nil
        var lines = head.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        let statusLine = lines.isEmpty ? "" : lines.removeFirst()
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/"), let status = Int(parts[1]) else {
            fail(context, "the server did not answer in HTTP: `\(statusLine.prefix(80))`")
            return
        }
        let headers: [(name: String, value: String)] = lines.compactMap { line in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        let tlsFacts = tls.map { TLSProbe.facts(of: $0) } ?? [:]
        let handshake = WebSocketSession.Handshake(status: status, headers: headers, tls: tlsFacts)
        guard status == 101 else {
            promise.succeed(.init(handshake: handshake))
            context.close(promise: nil)
            return
        }
        let accept = headers.first { $0.name.lowercased() == "sec-websocket-accept" }?.value
        guard accept == expectedAccept else {
            fail(context, "the server answered 101 with a wrong Sec-WebSocket-Accept (`\(accept ?? "none")`)")
            return
        }
        let collector = FrameCollector(maxMessage: maxMessage)
        do {
            try context.pipeline.syncOperations.addHandlers(
                [
                    ByteToMessageHandler(WebSocketFrameDecoder(maxFrameSize: maxMessage)), WebSocketFrameEncoder(),
                    NIOWebSocketFrameAggregator(
                        minNonFinalFragmentSize: 0, maxAccumulatedFrameCount: 100_000,
                        maxAccumulatedFrameSize: maxMessage),
                    collector,
                ],
                position: .after(self))
        } catch {
            fail(context, "could not set up the WebSocket pipeline: \(error)")
            return
        }
        promise.succeed(.init(handshake: handshake, collector: NIOLoopBound(collector, eventLoop: context.eventLoop)))
        if buffer.readableBytes > 0 { context.fireChannelRead(wrapInboundOut(buffer)) }
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    typealias InboundOut = ByteBuffer

    private func fail(_ context: ChannelHandlerContext, _ reason: String) {
        promise.fail(CheckError(reason))
        context.close(promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise.fail(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(CheckError("the server closed the connection before answering the upgrade"))
        context.fireChannelInactive()
    }
}

/// Lives on the channel's event loop: queues messages with their arrival time, answers pings,
/// and records how the connection closed.
final class FrameCollector: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let maxMessage: Int
    private var context: ChannelHandlerContext?
    private var queue: [WebSocketSession.Message] = []
    private var waiter: EventLoopPromise<WebSocketSession.Received>?
    private var closeSent = false
    private var ended: (code: Int, reason: String)?
    private var closeWaiters: [EventLoopPromise<(code: Int, reason: String)>] = []
    /// Messages nobody asked for beyond this many are dropped: a chatty server keeps memory flat.
    private static let maxQueued = 1000

    init(maxMessage: Int) { self.maxMessage = maxMessage }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text, .binary:
            let message = WebSocketSession.Message(
                bytes: Array(frame.unmaskedData.readableBytesView), isText: frame.opcode == .text,
                arrived: .now)
            if let waiter {
                self.waiter = nil
                waiter.succeed(.message(message))
            } else if queue.count < Self.maxQueued {
                queue.append(message)
            }
        case .ping:
            write(.pong, frame.unmaskedData)
        case .connectionClose:
            var payload = frame.unmaskedData
            let code = payload.readInteger(as: UInt16.self).map(Int.init) ?? 1005
            let reason = payload.readString(length: payload.readableBytes) ?? ""
            if !closeSent {
                closeSent = true
                var echo = context.channel.allocator.buffer(capacity: 2)
                echo.writeInteger(UInt16(code == 1005 ? 1000 : code))
                write(.connectionClose, echo)
            }
            finish(code: code, reason: reason)
            context.close(promise: nil)
        default:
            break
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let tooLarge = error is NIOWebSocketError || error is NIOWebSocketFrameAggregator.Error
        finish(code: tooLarge ? 1009 : 1006, reason: tooLarge ? "a message over \(maxMessage) bytes" : "\(error)")
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(code: 1006, reason: "the connection dropped without a close frame")
        context.fireChannelInactive()
    }

    private func finish(code: Int, reason: String) {
        guard ended == nil else { return }
        ended = (code, reason)
        waiter?.succeed(.closed(code: code, reason: reason))
        waiter = nil
        for promise in closeWaiters { promise.succeed((code, reason)) }
        closeWaiters = []
    }

    private func write(_ opcode: WebSocketOpcode, _ data: ByteBuffer) {
        guard let context, ended == nil else { return }
        let frame = WebSocketFrame(fin: true, opcode: opcode, maskKey: .random(), data: data)
        context.writeAndFlush(wrapOutboundOut(frame), promise: nil)
    }

    func send(_ text: String) -> EventLoopFuture<Void> {
        guard let context else {
            return MultiThreadedEventLoopGroup.singleton.next().makeFailedFuture(CheckError("not connected"))
        }
        guard ended == nil, !closeSent else {
            return context.eventLoop.makeFailedFuture(CheckError("the connection is closed"))
        }
        let promise = context.eventLoop.makePromise(of: Void.self)
        let frame = WebSocketFrame(
            fin: true, opcode: .text, maskKey: .random(), data: context.channel.allocator.buffer(string: text))
        context.writeAndFlush(wrapOutboundOut(frame), promise: promise)
        return promise.futureResult
    }

    func next(timeout: Double) -> EventLoopFuture<WebSocketSession.Received> {
        guard let context else { return MultiThreadedEventLoopGroup.singleton.next().makeSucceededFuture(.timedOut) }
        if !queue.isEmpty { return context.eventLoop.makeSucceededFuture(.message(queue.removeFirst())) }
        if let ended { return context.eventLoop.makeSucceededFuture(.closed(code: ended.code, reason: ended.reason)) }
        let promise = context.eventLoop.makePromise(of: WebSocketSession.Received.self)
        waiter = promise
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        let timer = context.eventLoop.scheduleTask(in: .milliseconds(Int64(timeout * 1000))) {
            guard let waiter = bound.value.waiter, waiter.futureResult === promise.futureResult else { return }
            bound.value.waiter = nil
            waiter.succeed(.timedOut)
        }
        promise.futureResult.whenComplete { _ in timer.cancel() }
        return promise.futureResult
    }

    func close(timeout: Double) -> EventLoopFuture<(code: Int, reason: String)> {
        guard let context else { return MultiThreadedEventLoopGroup.singleton.next().makeSucceededFuture((1006, "")) }
        if let ended { return context.eventLoop.makeSucceededFuture(ended) }
        let promise = context.eventLoop.makePromise(of: (code: Int, reason: String).self)
        closeWaiters.append(promise)
        if !closeSent {
            closeSent = true
            var payload = context.channel.allocator.buffer(capacity: 2)
            payload.writeInteger(UInt16(1000))
            let frame = WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: payload)
            context.writeAndFlush(wrapOutboundOut(frame), promise: nil)
        }
        let channel = context.channel
        let timer = context.eventLoop.scheduleTask(in: .milliseconds(Int64(timeout * 1000))) {
            channel.close(promise: nil)
        }
        promise.futureResult.whenComplete { _ in timer.cancel() }
        return promise.futureResult
    }
}
