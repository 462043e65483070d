import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import NIOTLS
import ShipcheckCore

/// The TLS settings every network kind shares: verification on by default, extra trusted CAs.
struct TLSOptions: Sendable {
    var verify = true
    var caFile: Template?

    func configuration(_ context: CheckContext) throws(CheckError) -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        if !verify { tls.certificateVerification = .none }
        if let caFile {
            let path = context.resolve(try context.expand(caFile, quoting: .none)).path
            guard FileManager.default.fileExists(atPath: path) else {
                throw CheckError("CA file `\(path)` does not exist")
            }
            tls.trustRoots = .file(path)
        }
        return tls
    }
}

enum TLSProbe {
    /// The name to send as SNI: none for an IP literal, whose certificate is checked against the address.
    static func serverName(for host: String) -> String? {
        let bare = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        return (try? SocketAddress(ipAddress: bare, port: 0)) == nil ? host : nil
    }

    /// Facts about the peer of a channel whose TLS handshake has completed.
    static func facts(of handler: NIOSSLHandler, now: Date = Date()) -> Facts {
        var facts: Facts = [:]
        if let certificate = handler.peerCertificate {
            let notAfter = Date(timeIntervalSince1970: TimeInterval(certificate.notValidAfter))
            facts["tls.days_left"] = .number((notAfter.timeIntervalSince(now) / 86_400).rounded(.down))
            facts["tls.expires"] = .string(ISO8601DateFormatter().string(from: notAfter))
        }
        if let version = handler.tlsVersion { facts["tls.version"] = .string(describe(version)) }
        return facts
    }

    static func describe(_ version: TLSVersion) -> String {
        switch version {
        case .tlsv1: "TLSv1.0"
        case .tlsv11: "TLSv1.1"
        case .tlsv12: "TLSv1.2"
        case .tlsv13: "TLSv1.3"
        }
    }

    /// Opens a TLS connection of its own, completes the handshake and reads the server's certificate.
    /// Used where the HTTP client does not show the certificate it saw.
    static func inspect(host: String, port: Int, configuration: TLSConfiguration, timeout: Double)
        async throws(CheckError) -> Facts
    {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let handshake = loop.makePromise(of: Facts.self)
        let channel: any Channel
        do {
            let sslContext = try NIOSSLContext(configuration: configuration)
            let serverName = serverName(for: host)
            channel = try await ClientBootstrap(group: loop)
                .connectTimeout(.milliseconds(Int64(min(timeout, 30) * 1000)))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let tls = try NIOSSLClientHandler(context: sslContext, serverHostname: serverName)
                        try channel.pipeline.syncOperations.addHandler(tls)
                        try channel.pipeline.syncOperations.addHandler(HandshakeWatcher(tls: tls, promise: handshake))
                    }
                }
                .connect(host: host, port: port).get()
        } catch {
            handshake.fail(error)
            throw CheckError("TLS to \(host):\(port) failed: \(HTTPProbe.describe(error))")
        }
        let deadline = loop.scheduleTask(in: .milliseconds(Int64(timeout * 1000))) {
            handshake.fail(
                CheckError(
                    "the TLS handshake with \(host):\(port) did not finish within \(Value.formatDuration(timeout))"))
        }
        defer {
            deadline.cancel()
            channel.close(promise: nil)
        }
        do {
            return try await handshake.futureResult.get()
        } catch let error as CheckError {
            throw error
        } catch {
            let url = "https://\(host):\(port)"
            throw CheckError(
                "\(url): "
                    + (await explainVerificationFailure(error, url: url, timeout: timeout)
                        ?? "TLS failed: \(HTTPProbe.describe(error))"))
        }
    }

    /// A failed certificate verification, said in words: expired (and when), or not trusted. Looks at
    /// the certificate again over a connection that does not verify it, only to say why.
    static func explainVerificationFailure(_ error: any Error, url: String, timeout: Double) async -> String? {
        let text = String(describing: error)
        if text.contains("failedToValidateHostname") {
            return "TLS failed: the server's certificate is not for the host in `\(url)`"
        }
        guard text.contains("CERTIFICATE_VERIFY_FAILED"), let parsed = URL(string: url), let host = parsed.host else {
            return nil
        }
        var unverified = TLSConfiguration.makeClientConfiguration()
        unverified.certificateVerification = .none
        guard
            let facts = try? await inspect(
                host: host, port: parsed.port ?? 443, configuration: unverified, timeout: min(timeout, 5)),
            case .number(let daysLeft)? = facts["tls.days_left"], case .string(let expires)? = facts["tls.expires"]
        else { return nil }
        if daysLeft < 0 {
            let ago = Int(-daysLeft)
            return "TLS failed: the server's certificate expired on \(expires) (\(ago) day\(ago == 1 ? "" : "s") ago)"
        }
        return
            "TLS failed: the server's certificate is not trusted: not signed by a CA this machine trusts, or its chain is incomplete (give the CA with `ca:`)"
    }

    /// Completes the promise with the peer's facts once the handshake is done, or with its error.
    private final class HandshakeWatcher: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        let tls: NIOSSLClientHandler
        let promise: EventLoopPromise<Facts>

        init(tls: NIOSSLClientHandler, promise: EventLoopPromise<Facts>) {
            self.tls = tls
            self.promise = promise
        }

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if case .handshakeCompleted = event as? TLSUserEvent { promise.succeed(TLSProbe.facts(of: tls)) }
            context.fireUserInboundEventTriggered(event)
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            promise.fail(error)
            context.close(promise: nil)
        }

        func channelInactive(context: ChannelHandlerContext) {
            promise.fail(CheckError("the server closed the connection during the TLS handshake"))
            context.fireChannelInactive()
        }
    }
}
