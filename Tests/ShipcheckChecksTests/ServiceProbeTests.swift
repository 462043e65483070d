import Foundation
import ShipcheckCore
import ShipcheckTestSupport
import Testing

@testable import ShipcheckChecks

/// Probes against the real servers of scripts/test-services.sh.
@Suite(.serialized) struct ServiceProbeTests {
    /// Prometheus scrapes a target whose error counter this test sets; a wait-for over the
    /// prometheus probe sees the value arrive, as a rollback trigger would.
    @Test func prometheusSeesTheErrorCounterTheTestControls() async throws {
        guard let prometheus = Services.url("PROMETHEUS") else { return }
        _ = try await TestServer.shared.start()
        let marker = Int.random(in: 1000...9000)
        TestServer.shared.errorCounter.set(marker)
        let result = try await Harness.run(
            items: """
                - id: errors
                  title: Error counter scraped
                  wait-for:
                    prometheus: { url: "${{ vars.PROMETHEUS_URL }}", query: 'shipcheck_test_errors_total{service="api"}' }
                    expect: value == \(marker)
                    interval: 1s
                    within: 30s
                - id: trigger
                  title: Error rate above the trigger
                  prometheus: { url: "${{ vars.PROMETHEUS_URL }}", query: 'max_over_time(shipcheck_test_errors_total[1m])' }
                  expect: value > 5
                  needs: errors
                - id: bad-query
                  title: A query Prometheus rejects
                  prometheus: { url: "${{ vars.PROMETHEUS_URL }}", query: 'sum(' }
                """, vars: "{ PROMETHEUS_URL: \"\(prometheus)\" }")
        #expect(result["errors"]?.outcome == .pass, "\(result["errors"]?.reason ?? "")")
        #expect(result["errors"]?.facts["value"] == .number(Double(marker)))
        #expect(result["trigger"]?.outcome == .pass, "\(result["trigger"]?.reason ?? "")")
        #expect(result["bad-query"]?.outcome == .error)
        #expect(result["bad-query"]?.reason?.contains("Prometheus query failed") == true)
    }

    /// "Verify migration: expected revision ID" — the migration table read as facts.
    @Test func postgresMigrationRevisionAndBadLogin() async throws {
        guard let url = Services.url("POSTGRES") else { return }
        let badLogin = url.replacingOccurrences(of: "shipcheck-test-pw", with: "wrong-password")
        let result = try await Harness.run(
            items: """
                - id: migration
                  title: Verify migration
                  postgres:
                    url: "${{ vars.DB }}"
                    query: "SELECT 'a1b2c3d4' AS version_num"
                  expect: row.version_num == vars.EXPECTED_REVISION
                - id: login
                  title: Wrong password
                  postgres: { url: "${{ vars.BAD }}" }
                """, vars: "{ DB: \"\(url)\", BAD: \"\(badLogin)\", EXPECTED_REVISION: a1b2c3d4 }")
        #expect(result["migration"]?.outcome == .pass, "\(result["migration"]?.reason ?? "")")
        let login = try #require(result["login"])
        #expect(login.outcome == .fail)
        #expect(login.facts["postgres.up"] == .bool(false))
        // The password never appears in what is kept.
        let report = JSONReporter().render(result)
        #expect(!report.contains("wrong-password"))
        #expect(!report.contains("shipcheck-test-pw"))
    }

    @Test func redisWrongPasswordIsAFact() async throws {
        guard let url = Services.url("REDIS") else { return }
        let result = try await Harness.run(
            items: "- { id: r, title: R, redis: { url: \"${{ vars.R }}\" } }",
            vars: "{ R: \"\(url.replacingOccurrences(of: "shipcheck-redis-pw", with: "nope"))\" }")
        #expect(result["r"]?.outcome == .fail)
        #expect(result["r"]?.facts["redis.error"].map { "\($0)".contains("authentication failed") } == true)
    }
}
