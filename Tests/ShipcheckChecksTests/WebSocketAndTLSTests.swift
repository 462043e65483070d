import Foundation
import ShipcheckCore
import Testing

@testable import ShipcheckChecks

/// `websocket:` and the certificate facts, against real servers on loopback: the in-process test
/// server (ws://) and TLS servers whose certificates are made by the test (https://, wss://).
@Suite(.serialized) struct WebSocketAndTLSTests {
    func run(_ items: String, vars extra: String = "") async throws -> RunResult {
        let base = try await TestServer.shared.start()
        let ws = base.replacingOccurrences(of: "http://", with: "ws://")
        return try await Harness.run(items: items, vars: "{ WS_URL: \"\(ws)\", BASE_URL: \"\(base)\"\(extra) }")
    }

    @Test func echoLatencyPercentilesAndCloseCode() async throws {
        let result = try await run(
            """
            - id: ws
              title: WebSocket latency
              websocket: { url: "${{ vars.WS_URL }}/ws/slow", send: '{"n": 1}', samples: 5 }
              expect: [latency.p50 >= 150ms, latency.p95 < 10s, close_code == 1000]
            """)
        let item = try #require(result["ws"])
        #expect(item.outcome == .pass, "\(item.reason ?? "")")
        #expect(item.facts["replies"] == .number(5))
        #expect(item.facts["json.n"] == .number(1))
        #expect(item.facts["status"] == .number(101))
        if case .duration(let max)? = item.facts["latency.max"] {
            // The server waits 150 ms; the upper bound only says the figure is a latency, not a clock
            // (a loaded machine has stretched it past 2 s).
            #expect(max >= 0.15 && max < 10)
        } else {
            Issue.record("no latency.max")
        }
    }

    @Test func silentServerEndsOnTheReplyTimeout() async throws {
        let clock = ContinuousClock()
        let start = clock.now
        let result = try await run(
            """
            - { id: ws, title: W, websocket: { url: "${{ vars.WS_URL }}/ws/silent", send: hi, samples: 50, timeout: 300ms } }
            """)
        let item = try #require(result["ws"])
        #expect(item.outcome == .fail)
        #expect(item.facts["timeouts"] == .number(1))
        #expect(item.facts["replies"] == .number(0))
        #expect(item.facts["last_error"] == .string("no reply within 300ms"))
        #expect(item.reason == "replies = 0, expected == 50")
        // Unbounded, this would wait for the item's 10-minute timeout; the margin holds on a busy machine.
        #expect(clock.now - start < .seconds(30))
    }

    @Test func upgradeThatNeverComesIsBounded() async throws {
        let clock = ContinuousClock()
        let start = clock.now
        let result = try await run(
            """
            - { id: ws, title: W, websocket: { url: "ws://127.0.0.1:${{ vars.SILENT_PORT }}/", timeout: 300ms } }
            """, vars: ", SILENT_PORT: \"\(SilentListener.shared.port)\"")
        let item = try #require(result["ws"])
        #expect(item.outcome == .error)
        #expect(item.reason?.contains("did not answer the upgrade within 300ms") == true, "\(item.reason ?? "")")
        // Unbounded, this would wait for the item's 10-minute timeout; the margin holds on a busy machine.
        #expect(clock.now - start < .seconds(30))
    }

    @Test func refusedConnectionAndOversizedMessage() async throws {
        let result = try await run(
            """
            - { id: refused, title: R, websocket: { url: "ws://127.0.0.1:9/", timeout: 2s } }
            - { id: big, title: B, websocket: { url: "${{ vars.WS_URL }}/ws/big", send: more, max-message: 64KiB } }
            """)
        #expect(result["refused"]?.outcome == .error)
        #expect(result["refused"]?.reason?.contains("connection refused") == true, "\(result["refused"]?.reason ?? "")")
        let big = try #require(result["big"])
        #expect(big.outcome == .fail)
        #expect(big.facts["close_code"] == .number(1009))
        #expect(big.facts["replies"] == .number(0))
    }

    @Test func certificateDaysLeftOverHTTPSAndWSS() async throws {
        let server = try await TLSTestServer.shared.start(daysLeft: 45)
        let result = try await run(
            """
            - id: cert
              title: Certificate valid for 30 days more
              http: { url: "${{ vars.HTTPS_URL }}/health", ca: "${{ vars.CA }}" }
              expect: [status == 200, tls.days_left >= 30]
            - id: soon
              title: Certificate valid for 60 days more
              http: { url: "${{ vars.HTTPS_URL }}/health", ca: "${{ vars.CA }}" }
              expect: tls.days_left >= 60
            - id: wss
              title: Secure WebSocket
              websocket: { url: "${{ vars.WSS_URL }}/ws/echo", send: hi, ca: "${{ vars.CA }}" }
              expect: [reply == "hi", tls.days_left == 45]
            """, vars: ", HTTPS_URL: \"\(server.httpsURL)\", WSS_URL: \"\(server.wssURL)\", CA: \"\(server.caPath)\"")
        #expect(result["cert"]?.outcome == .pass, "\(result["cert"]?.reason ?? "")")
        #expect(result["cert"]?.facts["tls.days_left"] == .number(45))
        #expect(result["cert"]?.facts["tls.version"] == .string("TLSv1.3"))
        #expect(result["soon"]?.outcome == .fail)
        // The same probe as `cert`: run once, judged by its own expectation.
        #expect(result["soon"]?.reason == "tls.days_left = 45, expected >= 60 (ran once with `cert`, the same check)")
        #expect(result["soon"]?.ranWith == "cert")
        #expect(result["wss"]?.outcome == .pass, "\(result["wss"]?.reason ?? "")")
    }

    @Test func samplingOverHTTPS() async throws {
        let server = try await TLSTestServer.shared.start(daysLeft: 45)
        let result = try await run(
            """
            - id: load
              title: Load over TLS
              http: { url: "${{ vars.HTTPS_URL }}/health", ca: "${{ vars.CA }}", samples: 40, concurrency: 4 }
              expect: [error_rate == 0, json.status == "healthy", tls.days_left == 45]
            """, vars: ", HTTPS_URL: \"\(server.httpsURL)\", CA: \"\(server.caPath)\"")
        #expect(result["load"]?.outcome == .pass, "\(result["load"]?.reason ?? "")")
        #expect(result["load"]?.facts["status.200"] == .number(40))
    }

    @Test func untrustedAndExpiredCertificatesAreErrors() async throws {
        let valid = try await TLSTestServer.shared.start(daysLeft: 45)
        let expired = try await TLSTestServer.shared.start(daysLeft: -3)
        let result = try await run(
            """
            - { id: untrusted, title: U, http: { url: "${{ vars.VALID }}/health", request-timeout: 60s }, timeout: 90s }
            - { id: expired, title: E, http: { url: "${{ vars.EXPIRED }}/health", ca: "${{ vars.EXPIRED_CA }}", request-timeout: 60s }, timeout: 90s }
            - { id: unverified, title: N, http: { url: "${{ vars.EXPIRED }}/health", tls-verify: false }, expect: tls.days_left >= 0 }
            - { id: wss-untrusted, title: W, websocket: { url: "${{ vars.VALID_WSS }}/ws/echo", timeout: 60s }, timeout: 90s }
            """,
            vars:
                ", VALID: \"\(valid.httpsURL)\", VALID_WSS: \"\(valid.wssURL)\", EXPIRED: \"\(expired.httpsURL)\", EXPIRED_CA: \"\(expired.caPath)\""
        )
        for id in ["untrusted", "expired", "wss-untrusted"] {
            let item = try #require(result[id])
            #expect(item.outcome == .error, "\(id): \(item.outcome)")
            #expect(item.reason?.contains("TLS failed") == true, "\(id): \(item.reason ?? "")")
            // Said at once, not after the 60 s request timeout (a margin a busy machine keeps).
            #expect(item.duration < 30, "\(id) took \(item.duration)s")
        }
        #expect(
            result["expired"]?.reason?.contains("the server's certificate expired on ") == true,
            "\(result["expired"]?.reason ?? "")")
        #expect(result["expired"]?.reason?.hasSuffix("(3 days ago)") == true, "\(result["expired"]?.reason ?? "")")
        #expect(
            result["untrusted"]?.reason?.contains("not signed by a CA this machine trusts") == true,
            "\(result["untrusted"]?.reason ?? "")")
        #expect(result["wss-untrusted"]?.reason?.contains("not signed by a CA this machine trusts") == true)
        // Without verification the request goes through, and the facts say how long ago it expired.
        let unverified = try #require(result["unverified"])
        #expect(unverified.outcome == .fail)
        #expect(unverified.facts["tls.days_left"] == .number(-3))
    }

    @Test func configurationProblemsAreReported() {
        let yaml = """
            version: 1
            phases:
              pre-deploy:
                items:
                  - { id: a, title: A, websocket: { url: "http://x" } }
                  - { id: b, title: B, websocket: { url: "ws://x", samples: 5 } }
                  - { id: c, title: C, websocket: { url: "ws://x", send: hi, max-message: lots } }
            """
        let text = Harness.problems(yaml, file: "w.yml")
        #expect(text.contains("w.yml:5"), "\(text)")
        #expect(text.contains("expected a ws:// or wss:// URL, got `http://x`"))
        #expect(text.contains("`samples` needs `send`"))
        #expect(text.contains("expected a size from 1B to 256MiB such as 64KiB or 4MB, got `lots`"))
    }

    @Test func acceptValueFollowsTheRFC() {
        // RFC 6455 §1.3's worked example.
        #expect(WebSocketSession.acceptValue(for: "dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
    }
}
