import Foundation
import ShipcheckCore
import Testing

@testable import ShipcheckChecks

/// Faults a probe meets in the field, all on loopback: each ends as an error or a fail with a clear
/// reason, in bounded time and memory.
@Suite(.serialized) struct ProbeFaultTests {
    func run(_ items: String) async throws -> RunResult {
        let base = try await TestServer.shared.start()
        return try await Harness.run(
            items: items, vars: "{ BASE_URL: \"\(base)\", HTTPS_URL: \"https://127.0.0.1:\(RawListener.shared.port)\" }"
        )
    }

    @Test func connectionRefusedIsAnError() async throws {
        let result = try await run(
            "- { id: h, title: H, http: { url: \"http://127.0.0.1:9/health\", request-timeout: 3s } }")
        #expect(result["h"]?.outcome == .error)
        #expect(result["h"]?.reason?.contains("connection refused") == true, "\(result["h"]?.reason ?? "")")
    }

    /// glibc refuses a 64-byte label before asking any server (checked with strace: no datagram
    /// leaves), so this is a real resolver failure that stays on this machine.
    @Test func unresolvableHostIsAnError() async throws {
        let host = String(repeating: "x", count: 64) + ".example"
        let result = try await run(
            "- { id: h, title: H, http: { url: \"http://\(host)/health\", request-timeout: 60s } }")
        #expect(result["h"]?.outcome == .error)
        #expect(result["h"]?.reason?.contains("the host name does not resolve") == true, "\(result["h"]?.reason ?? "")")
        // Fails at once rather than retrying until the 60s request timeout.
        #expect((result["h"]?.duration ?? 999) < 30)
    }

    @Test func tlsToAPlainServerIsAnError() async throws {
        let result = try await run(
            "- { id: h, title: H, http: { url: \"${{ vars.HTTPS_URL }}/health\", request-timeout: 3s } }")
        #expect(result["h"]?.outcome == .error)
        #expect(result["h"]?.reason?.isEmpty == false)
    }

    @Test func slowServerTimesOut() async throws {
        let clock = ContinuousClock()
        let start = clock.now
        let result = try await run(
            "- { id: h, title: H, http: { url: \"${{ vars.BASE_URL }}/slow?ms=120000\", request-timeout: 300ms } }")
        #expect(result["h"]?.outcome == .error)
        #expect(result["h"]?.reason?.contains("did not answer within 300ms") == true, "\(result["h"]?.reason ?? "")")
        // The server would answer after two minutes; ending well before shows the request timeout held.
        #expect(clock.now - start < .seconds(30))
    }

    @Test func endlessAndHugeBodiesAreCapped() async throws {
        let result = try await run(
            """
            - { id: endless, title: E, http: { url: "${{ vars.BASE_URL }}/endless", max-body: 256KiB, request-timeout: 5s } }
            - { id: big, title: B, http: { url: "${{ vars.BASE_URL }}/big", max-body: 1MiB, request-timeout: 10s } }
            """)
        for id in ["endless", "big"] {
            let item = try #require(result[id])
            #expect(item.outcome == .pass, "\(id): \(item.reason ?? "")")
            #expect(item.facts["body.truncated"] == .bool(true))
        }
        #expect(result["endless"]?.facts["body.bytes"] == .number(262_144))
        #expect(result["big"]?.facts["body.bytes"] == .number(1_048_576))
    }

    @Test func samplingCountsFailuresAndStatuses() async throws {
        let result = try await run(
            """
            - id: load
              title: Load
              http: { url: "${{ vars.BASE_URL }}/status/500", samples: 20, concurrency: 4 }
              expect: error_rate < 1%
            """)
        let item = try #require(result["load"])
        #expect(item.outcome == .fail)
        #expect(item.facts["error_rate"] == .number(100))
        #expect(item.facts["status.500"] == .number(20))
        #expect(item.reason == "error_rate = 100, expected < 1")
    }

    @Test func samplingRefusedAndSlowTargetsEndsInBoundedTime() async throws {
        let clock = ContinuousClock()
        let start = clock.now
        let result = try await run(
            """
            - { id: refused, title: R, http: { url: "http://127.0.0.1:9/health", samples: 50, concurrency: 5 } }
            - { id: slow, title: S, http: { url: "${{ vars.BASE_URL }}/slow?ms=120000", samples: 8, concurrency: 4, request-timeout: 200ms } }
            """)
        let refused = try #require(result["refused"])
        #expect(refused.outcome == .fail)
        #expect(refused.facts["error_rate"] == .number(100))
        #expect(refused.facts["last_error"].map { "\($0)".contains("connection refused") } == true, "\(refused.facts)")
        let slow = try #require(result["slow"])
        #expect(slow.facts["errors"] == .number(8))
        #expect(
            slow.facts["last_error"]
                == .string(
                    "http://127.0.0.1:\(try await TestServer.shared.start().split(separator: ":").last!)/slow?ms=120000 did not answer within 200ms"
                ))
        #expect(clock.now - start < .seconds(30))
    }

    @Test func redirectsFollowedOrNot() async throws {
        let result = try await run(
            """
            - { id: follow, title: F, http: { url: "${{ vars.BASE_URL }}/redirect" }, expect: json.status == "healthy" }
            - { id: stay, title: S, http: { url: "${{ vars.BASE_URL }}/redirect", follow-redirects: false }, expect: status == 302 }
            """)
        #expect(result["follow"]?.outcome == .pass, "\(result["follow"]?.reason ?? "")")
        #expect(result["stay"]?.outcome == .pass, "\(result["stay"]?.reason ?? "")")
    }

    @Test func corsReflectionIsCaught() async throws {
        let result = try await run("- { id: c, title: C, cors: { url: \"${{ vars.BASE_URL }}/cors-reflect\" } }")
        #expect(result["c"]?.outcome == .fail)
        #expect(result["c"]?.facts["cors.reflects_foreign"] == .bool(true))
    }

    @Test func configurationProblemsAreReported() {
        let yaml = """
            version: 1
            phases:
              pre-deploy:
                items:
                  - { id: a, title: A, http: { url: "ftp://x" } }
                  - { id: b, title: B, http: { url: "http://x", method: FETCH } }
                  - { id: c, title: C, http: { url: "http://x", rate: fast } }
                  - { id: d, title: D, wait-for: { interval: 1s } }
                  - { id: e, title: E, tcp: { host: x, port: 70000 } }
            """
        let text = Harness.problems(yaml, file: "p.yml")
        #expect(text.contains("expected an http:// or https:// URL"))
        #expect(text.contains("expected GET, POST"))
        #expect(text.contains("expected requests per second"))
        #expect(text.contains("name the probe to repeat"))
        #expect(text.contains("expected a port from 1 to 65535"))
    }
}
