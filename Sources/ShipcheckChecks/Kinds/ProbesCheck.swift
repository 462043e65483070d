import Foundation
import ShipcheckCore

/// `probes:` — several named probes run together for one item, their facts under their names.
struct ProbesCheck: Check {
    var touchesLiveSystems: Bool { true }
    let probes: [(name: String, check: any Check)]

    static let description = KindDescription(
        key: "probes",
        name: "Probes together",
        summary:
            "Runs several named probes of any kind at once, for an item that states several targets (\"API p95 < 500ms, WebSocket latency < 400ms, error rate < 1%\"). Each probe's facts appear under its name (`api.latency.p95`). Without `expect:`, every probe's own default must hold. If one probe cannot run, the item is an error that names it.",
        parameters: [
            Parameter(
                "probes", .map(.probe([])), "Name → a mapping with one probe, e.g. `api: { http: { url: … } }`.",
                required: true)
        ],
        facts: [
            FactDescription("NAME.*", "any", "Each probe's facts under its name."),
            FactDescription("probes.ok", "boolean", "Every probe's own default expectations held."),
            FactDescription("probes.failed", "string", "Which did not, and why."),
        ],
        examples: [
            KindExample(
                "API and WebSocket targets",
                yaml: """
                    id: key-metrics
                    title: Key metrics within targets
                    probes:
                      api: { http: { url: "${{ vars.BASE_URL }}/health", samples: 20, concurrency: 2 } }
                      ws: { websocket: { url: "${{ vars.WS_URL }}/ws/echo", send: ping, samples: 10 } }
                    expect: [api.latency.p95 < 500ms, api.error_rate < 1%, ws.latency.p95 < 400ms]
                    """, outcome: .pass,
                facts: ["api.requests": .number(20), "ws.replies": .number(10), "probes.ok": .bool(true)]),
            KindExample(
                "one target missed",
                yaml: """
                    id: key-metrics
                    title: Key metrics within targets
                    probes:
                      api: { http: { url: "${{ vars.BASE_URL }}/health" } }
                      errors: { http: { url: "${{ vars.BASE_URL }}/status/500" } }
                    """, outcome: .fail,
                facts: ["api.status": .number(200), "errors.status": .number(500), "probes.ok": .bool(false)]),
        ],
        make: make)

    static func make(_ reader: KindReader) -> (any Check)? {
        guard let node = reader["probes"], let entries = node.mapping(expected: "a mapping of names to probes") else {
            return nil
        }
        if entries.isEmpty {
            node.report("name at least one probe, e.g. `api: { http: { url: … } }`")
            return nil
        }
        var probes: [(String, any Check)] = []
        var ok = true
        for (name, keyNode, value) in entries {
            guard name.isLetterLedName(others: "_-"), name != "probes"
            else {
                keyNode.report("expected a name of letters, digits, `_` and `-` (not `probes`), got `\(name)`")
                ok = false
                continue
            }
            if let nested = reader.nested(value, []) { probes.append((name, nested.check)) } else { ok = false }
        }
        return ok ? ProbesCheck(probes: probes) : nil
    }

    var defaultExpectations: [FactExpression] { [.fact("probes.ok")] }

    /// Each probe's guards under its name (`api.status`), so that an item's own `expect:` about
    /// latency does not pass a probe whose server answered 500.
    var guardExpectations: [FactExpression] {
        probes.flatMap { probe in probe.check.guardExpectations.map { $0.prefixingFacts(with: probe.name + ".") } }
    }
    var summary: String { probes.map { "\($0.name): \($0.check.summary)" }.joined(separator: "; ") }

    /// One probe's answer, labelled by its name rather than a position, so that results arriving in any
    /// order can never be matched to the wrong probe.
    struct ProbeOutcome: Sendable {
        let name: String
        let facts: Facts
        let error: CheckError?
    }

    static func runProbe(_ name: String, _ check: any Check, in context: CheckContext) async -> ProbeOutcome {
        do {
            return ProbeOutcome(name: name, facts: try await check.run(in: context), error: nil)
        } catch {
            return ProbeOutcome(name: name, facts: error.facts, error: error)
        }
    }

    func run(in context: CheckContext) async throws(CheckError) -> Facts {
        let finished = await withTaskGroup(of: ProbeOutcome.self) { group in
            for probe in probes {
                group.addTask { await Self.runProbe(probe.name, probe.check, in: context) }
            }
            var all: [String: ProbeOutcome] = [:]
            while let outcome = await group.next() {
                all[outcome.name] = outcome
                // One probe that cannot run makes the item an error: the others need not finish,
                // and what they say once stopped is not news.
                if outcome.error != nil {
                    group.cancelAll()
                    break
                }
            }
            return all
        }
        var facts: Facts = [:]
        var problems: [String] = []
        var failures: [String] = []
        for (name, check) in probes {
            guard let outcome = finished[name] else { continue }
            for (key, value) in outcome.facts { facts[name + "." + key] = value }
            if let error = outcome.error {
                problems.append("\(name): \(error.message)")
                continue
            }
            let unmet = check.ownExpectations.flatMap { $0.explainFailure(in: Scope(facts: outcome.facts)) }
            if !unmet.isEmpty { failures.append("\(name): " + unmet.joined(separator: "; ")) }
        }
        if !problems.isEmpty { throw CheckError(problems.joined(separator: "; "), facts: facts) }
        facts["probes.ok"] = .bool(failures.isEmpty)
        if !failures.isEmpty { facts["probes.failed"] = .string(failures.joined(separator: "; ")) }
        return facts
    }
}
