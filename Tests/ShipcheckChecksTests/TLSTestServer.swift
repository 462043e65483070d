import Crypto
import Foundation
import Hummingbird
import HummingbirdTLS
import HummingbirdWebSocket
import Logging
import NIOSSL
import ServiceLifecycle
import SwiftASN1
import X509

/// HTTPS and wss on loopback, with a certificate for 127.0.0.1 made here: signed by a CA made here
/// (whose PEM the probes get as `ca:`), and valid for a chosen number of days more, or expired.
actor TLSTestServer {
    static let shared = TLSTestServer()

    struct Endpoint: Sendable {
        var port: Int
        var caPath: String
        var httpsURL: String { "https://127.0.0.1:\(port)" }
        var wssURL: String { "wss://127.0.0.1:\(port)" }
    }

    private var endpoints: [Int: Endpoint] = [:]
    private let directory = FileManager.default.temporaryDirectory.appendingPathComponent("shipcheck-tls-\(getpid())")

    /// A server whose certificate has `daysLeft` whole days left (negative: expired that many days ago).
    func start(daysLeft: Int) async throws -> Endpoint {
        if let endpoint = endpoints[daysLeft] { return endpoint }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let now = Date()
        let caKey = P256.Signing.PrivateKey()
        let caName = try DistinguishedName { CommonName("Shipcheck Test CA") }
        let ca = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(caKey.publicKey),
            notValidBefore: now - 86_400 * 400, notValidAfter: now + 86_400 * 3650, issuer: caName, subject: caName,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
            },
            issuerPrivateKey: .init(caKey))
        let leafKey = P256.Signing.PrivateKey()
        // An hour past the whole days, so that the days left read exactly `daysLeft` while the tests run.
        let notAfter = now + Double(daysLeft) * 86_400 + 3600
        let leaf = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(leafKey.publicKey),
            notValidBefore: min(now, notAfter) - 86_400 * 30, notValidAfter: notAfter, issuer: caName,
            subject: try DistinguishedName { CommonName("127.0.0.1") },
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames([
                    .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1])), .dnsName("localhost"),
                ])
            },
            issuerPrivateKey: .init(caKey))
        let caPath = directory.appendingPathComponent("ca-\(daysLeft).pem").path
        try ca.serializeAsPEM().pemString.write(toFile: caPath, atomically: true, encoding: .utf8)

        let tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: [
                .certificate(
                    try NIOSSLCertificate(bytes: Array(try leaf.serializeAsPEM().pemString.utf8), format: .pem))
            ],
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(leafKey.pemRepresentation.utf8), format: .pem)))
        let portBox = PortBox()
        let quiet = Logger(label: "tls-test-server", factory: { _ in SwiftLogNoOpLogHandler() })
        let app = Application(
            router: TestServer.router(limiter: RateWindow(limit: 1000, window: 1)),
            server: try .tls(
                .http1WebSocketUpgrade(webSocketRouter: TestServer.webSocketRouter()), tlsConfiguration: tls),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in portBox.set(channel.localAddress?.port ?? 0) },
            logger: quiet)
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: quiet))
        Task { try? await group.run() }
        for _ in 0..<500 where portBox.value == 0 { try await Task.sleep(for: .milliseconds(10)) }
        guard portBox.value != 0 else { throw TestServer.TestServerError.didNotStart }
        let endpoint = Endpoint(port: portBox.value, caPath: caPath)
        endpoints[daysLeft] = endpoint
        return endpoint
    }
}
