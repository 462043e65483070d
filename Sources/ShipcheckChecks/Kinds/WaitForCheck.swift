import Foundation
import ShipcheckCore

/// `wait-for:` — polls another probe until its expectations hold or the time runs out.
struct WaitForCheck: Check {
    var touchesLiveSystems: Bool { true }
    let probe: any Check
    let expectations: [FactExpression]
    let interval: Double
    let within: Double

    static let description = KindDescription(
        key: "wait-for",
        name: "Wait for a condition",
        summary:
            "Runs a probe of any kind (given under `wait-for:` with its own `expect:`) every `interval` until its expectations hold, for at most `within`. For \"wait for deployment completion\". The probe's last facts are kept, with the number of attempts.",
        parameters: [
            Parameter(
                "wait-for",
                .probe([
                    Parameter("interval", .duration, "Time between attempts (default 5s)."),
                    Parameter(
                        "within", .duration, "Give up after this long (default 5m; the item's timeout still applies)."),
                    Parameter(
                        "expect", .oneOf([.expression, .list(.expression)]),
                        "What must hold (default: the probe's own)."),
                ]), "The probe (one kind key such as `http:`) with `expect`, `interval` and `within`.", required: true)
        ],
        facts: [
            FactDescription("wait.attempts", "number", "Attempts made."),
            FactDescription("wait.satisfied", "boolean", "The expectations held before the deadline."),
            FactDescription("wait.elapsed", "duration", "Time until they held, or until giving up."),
            FactDescription("wait.last", "string", "Why the last attempt did not satisfy them."),
        ],
        examples: [
            KindExample(
                "healthy at once",
                yaml: """
                    id: wait
                    title: Wait for deployment completion
                    wait-for:
                      http: { url: "${{ vars.BASE_URL }}/health" }
                      expect: json.status == "healthy"
                      interval: 1s
                      within: 10s
                    """, outcome: .pass, facts: ["wait.attempts": .number(1), "wait.satisfied": .bool(true)]),
            KindExample(
                "never healthy",
                yaml: """
                    id: wait
                    title: Wait for deployment completion
                    wait-for:
                      http: { url: "${{ vars.BASE_URL }}/degraded" }
                      expect: json.status == "healthy"
                      interval: 1s
                      within: 2s
                    """, outcome: .fail, facts: ["wait.satisfied": .bool(false)]),
        ],
        make: make)

    static func make(_ reader: KindReader) -> (any Check)? {
        guard let node = reader["wait-for"] else { return nil }
        guard let nested = reader.nested(node, ["interval", "within", "expect"]) else { return nil }
        let fields = nested.fields
        let interval = fields["interval"].map { $0.duration() } ?? 5
        let within = fields["within"].map { $0.duration() } ?? 300
        guard let interval, let within else { return nil }
        var expectations = nested.check.ownExpectations
        if let expect = fields["expect"] {
            let stated =
                expect.isSequence
                ? (expect.sequence() ?? []).compactMap { $0.expression() } : [expect.expression()].compactMap { $0 }
            if stated.isEmpty { return nil }
            expectations = FactExpression.judging(stated: stated, defaults: [], guards: nested.check.guardExpectations)
        }
        return WaitForCheck(probe: nested.check, expectations: expectations, interval: interval, within: within)
    }

    var defaultExpectations: [FactExpression] { [.fact("wait.satisfied")] }
    var summary: String {
        "wait until " + expectations.map(\.description).joined(separator: " and ") + " for " + probe.summary
    }

    func run(in context: CheckContext) async throws(CheckError) -> Facts {
        let start = ContinuousClock.now
        var attempts = 0
        var last: Facts = [:]
        var reason = ""
        while true {
            attempts += 1
            do {
                last = try await probe.run(in: context)
                let scope = Scope(facts: last)
                let failures = expectations.flatMap { $0.explainFailure(in: scope) }
                if failures.isEmpty {
                    last["wait.satisfied"] = .bool(true)
                    break
                }
                reason = failures.joined(separator: "; ")
            } catch {
                if Task.isCancelled { throw error }
                reason = error.message
                last = error.facts
            }
            let elapsed = (ContinuousClock.now - start).seconds
            if elapsed + interval > within || Task.isCancelled {
                last["wait.satisfied"] = .bool(false)
                break
            }
            try? await Task.sleep(for: .seconds(interval))
        }
        last["wait.attempts"] = .number(Double(attempts))
        last["wait.elapsed"] = .duration((ContinuousClock.now - start).seconds)
        if !reason.isEmpty, last["wait.satisfied"] == .bool(false) { last["wait.last"] = .string(reason) }
        return last
    }
}
