import Foundation
import ShipcheckCore
import ShipcheckTestSupport
import Testing

@testable import ShipcheckChecks

/// `dns:` against a DNS server on loopback (no lookup leaves this machine): records, NXDOMAIN,
/// SERVFAIL, a silent server and a broken answer.
@Suite struct DNSProbeTests {
    func run(_ items: String) async throws -> RunResult {
        try await Harness.run(items: items, vars: "{ DNS: \"\(TestDNSServer.shared.address)\" }")
    }

    @Test func recordTypesAliasesAndFailures() async throws {
        let result = try await run(
            """
            - { id: aaaa, title: A, dns: { name: api.shipcheck.test, server: "${{ vars.DNS }}", type: AAAA }, expect: 'dns.addresses contains "fd00::1"' }
            - { id: cname, title: C, dns: { name: www.shipcheck.test, server: "${{ vars.DNS }}" }, expect: 'dns.aliases contains "api.shipcheck.test"' }
            - { id: mx, title: M, dns: { name: shipcheck.test, server: "${{ vars.DNS }}", type: mx }, expect: 'dns.records contains "10 mx.shipcheck.test"' }
            - { id: txt, title: T, dns: { name: shipcheck.test, server: "${{ vars.DNS }}", type: TXT }, expect: 'dns.records contains "v=spf1 -all"' }
            - { id: nodata, title: N, dns: { name: www.shipcheck.test, server: "${{ vars.DNS }}", type: TXT } }
            - { id: servfail, title: S, dns: { name: servfail.shipcheck.test, server: "${{ vars.DNS }}" } }
            - { id: silent, title: Q, dns: { name: silent.shipcheck.test, server: "${{ vars.DNS }}", timeout: 400ms } }
            - { id: garbage, title: G, dns: { name: garbage.shipcheck.test, server: "${{ vars.DNS }}" } }
            - { id: nobody, title: B, dns: { name: api.shipcheck.test, server: "127.0.0.1:9", timeout: 1s } }
            """)
        for id in ["aaaa", "cname", "mx", "txt"] {
            #expect(result[id]?.outcome == .pass, "\(id): \(result[id]?.reason ?? "")")
        }
        #expect(result["nodata"]?.outcome == .fail)
        #expect(result["nodata"]?.facts["dns.rcode"] == .string("NOERROR"))
        #expect(result["servfail"]?.outcome == .fail)
        #expect(result["servfail"]?.facts["dns.rcode"] == .string("SERVFAIL"))
        #expect(result["silent"]?.outcome == .error)
        #expect(
            result["silent"]?.reason == "the DNS server \(TestDNSServer.shared.address) did not answer within 400ms")
        // A silent server never answers: ending at all, long before the item's timeout, is the point.
        #expect((result["silent"]?.duration ?? 999) < 30)
        #expect(result["garbage"]?.outcome == .error)
        #expect(
            result["garbage"]?.reason?.contains("sent a broken answer") == true, "\(result["garbage"]?.reason ?? "")")
        #expect(result["nobody"]?.outcome == .error)
        #expect(result["nobody"]?.reason == "nothing answers DNS at 127.0.0.1:9", "\(result["nobody"]?.reason ?? "")")
    }

    @Test func configurationProblems() {
        let text = Harness.problems(
            """
            version: 1
            phases:
              pre-deploy:
                items:
                  - { id: a, title: A, dns: { name: x.org, type: SRV, server: 10.0.0.1 } }
                  - { id: b, title: B, dns: { name: x.org, type: MX } }
            """, file: "d.yml")
        #expect(text.contains("expected one of A, NS, CNAME, MX, TXT, AAAA, got `SRV`"), "\(text)")
        #expect(text.contains("`type` needs `server`"))
        #expect(DNSCheck.serverAddress("10.0.0.53")! == ("10.0.0.53", 53))
        #expect(DNSCheck.serverAddress("[::1]:5353")! == ("::1", 5353))
        #expect(DNSCheck.serverAddress("ns1.example.org") == nil)
        #expect(DNSCheck.serverAddress("10.0.0.53:99999") == nil)
    }

    /// Answers cut short, mutated or made of noise: every one parses or fails cleanly.
    @Test func brokenAnswersNeverCrash() throws {
        var generator = SeededGenerator(seed: 53)
        let query = DNSQuery.makeQuery(name: "www.shipcheck.test", type: .a, id: 7)
        let good = try #require(TestDNSServer.answer(query))
        #expect(try DNSQuery.parse(good, type: .a).records == ["10.1.2.3"])
        var parsed = 0
        for round in 0..<5000 {
            var message = good
            switch round % 3 {
            case 0: message = Array(good.prefix(Int.random(in: 0...good.count, using: &generator)))
            case 1:
                for _ in 0..<Int.random(in: 1...6, using: &generator) {
                    message[Int.random(in: 0..<message.count, using: &generator)] = UInt8.random(
                        in: 0...255, using: &generator)
                }
            default:
                message = (0..<Int.random(in: 0...300, using: &generator)).map { _ in
                    UInt8.random(in: 0...255, using: &generator)
                }
            }
            if (try? DNSQuery.parse(message, type: .a)) != nil { parsed += 1 }
        }
        #expect(parsed > 0)
    }
}
