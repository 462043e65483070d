import Foundation
import ShipcheckCore

/// `recorded:` — what an earlier run recorded: an item's newest result in the run store, in the
/// environment, phase and commit asked for. This is how "Migration tested in staging" is checked
/// by machine: the staging deploy's migration test passed for the commit going to production.
struct RecordedCheck: Check {
    enum Commit: String { case same, any }

    var item: String
    var phase: String?
    var environment: Template?
    var commit: Commit
    var within: Double?

    static let description = KindDescription(
        key: "recorded",
        name: "Recorded result",
        summary:
            "Looks up an item's newest result (pass, warn, fail or error; skips and pending sign-offs say nothing) in the run store: in another environment, another phase, for the same commit as this run by default. Passes when that result passed. Without a store (`--no-store`), or with `commit: same` outside a git repository, it cannot look and is an error.",
        parameters: [
            Parameter(
                "recorded",
                .object([
                    Parameter("item", .string, "The item whose result counts, e.g. test-new-schema.", required: true),
                    Parameter("env", .template, "Only runs in this environment, e.g. staging."),
                    Parameter("phase", .string, "Only runs of this phase, e.g. deploy."),
                    Parameter(
                        "commit", .string,
                        "`same` (default): only runs of the commit this run checks; `any`: whatever commit."),
                    Parameter("within", .duration, "Only results at most this old, e.g. 14d."),
                ]), "Which recorded result counts.", required: true)
        ],
        facts: [
            FactDescription("recorded.found", "boolean", "A result matched."),
            FactDescription("recorded.passed", "boolean", "It passed (pass or warn)."),
            FactDescription("recorded.outcome", "string", "Its outcome."),
            FactDescription("recorded.run", "string", "The run that recorded it."),
            FactDescription("recorded.age", "duration", "How long ago that run finished it."),
            FactDescription("recorded.commit", "string", "The commit that run checked."),
            FactDescription("recorded.environment", "string", "The environment of that run."),
        ],
        examples: [
            KindExample(
                "migration tested in staging for this commit",
                yaml: """
                    id: migration-tested-in-staging
                    title: Migration tested in staging
                    recorded: { item: test-new-schema, env: staging, phase: deploy }
                    """, outcome: .pass,
                facts: ["recorded.passed": .bool(true), "recorded.run": .string("staging-2")],
                history: [
                    RecordedResult(
                        runID: "staging-1", itemID: "test-new-schema", phase: "deploy", environment: "staging",
                        commit: "c0ffee", finishedAt: Date(timeIntervalSinceNow: -7200), outcome: .fail),
                    RecordedResult(
                        runID: "staging-2", itemID: "test-new-schema", phase: "deploy", environment: "staging",
                        commit: "c0ffee", finishedAt: Date(timeIntervalSinceNow: -3600), outcome: .pass),
                ], commit: "c0ffee"),
            KindExample(
                "staging tested another commit",
                yaml: """
                    id: migration-tested-in-staging
                    title: Migration tested in staging
                    recorded: { item: test-new-schema, env: staging }
                    """, outcome: .fail, facts: ["recorded.found": .bool(false)],
                history: [
                    RecordedResult(
                        runID: "staging-1", itemID: "test-new-schema", phase: "deploy", environment: "staging",
                        commit: "older", finishedAt: Date(timeIntervalSinceNow: -3600), outcome: .pass)
                ], commit: "c0ffee"),
            KindExample(
                "the newest result failed",
                yaml: """
                    id: migration-tested-in-staging
                    title: Migration tested in staging
                    recorded: { item: test-new-schema, env: staging, commit: any }
                    """, outcome: .fail, facts: ["recorded.found": .bool(true), "recorded.outcome": .string("fail")],
                history: [
                    RecordedResult(
                        runID: "staging-1", itemID: "test-new-schema", phase: "deploy", environment: "staging",
                        commit: "a", finishedAt: Date(timeIntervalSinceNow: -7200), outcome: .pass),
                    RecordedResult(
                        runID: "staging-2", itemID: "test-new-schema", phase: "deploy", environment: "staging",
                        commit: "b", finishedAt: Date(timeIntervalSinceNow: -3600), outcome: .fail),
                ]),
        ],
        make: make)

    static func make(_ reader: KindReader) -> (any Check)? {
        guard let node = reader["recorded"],
            let fields = node.fields(allowed: ["item", "env", "phase", "commit", "within"])
        else { return nil }
        guard let itemNode = fields["item"] else {
            node.report("`recorded` needs `item`: the id of the item whose result counts")
            return nil
        }
        guard let item = itemNode.string(expected: "an item id") else { return nil }
        var commit = Commit.same
        if let commitNode = fields["commit"] {
            guard let text = commitNode.string(expected: "`same` or `any`") else { return nil }
            guard let parsed = Commit(rawValue: text) else {
                commitNode.report("expected `same` or `any`, got `\(text)`")
                return nil
            }
            commit = parsed
        }
        var within: Double?
        if let withinNode = fields["within"] {
            guard let seconds = withinNode.duration() else { return nil }
            within = seconds
        }
        var phase: String?
        if let phaseNode = fields["phase"] {
            guard let text = phaseNode.string(expected: "a phase name") else { return nil }
            phase = text
        }
        var environment: Template?
        if let environmentNode = fields["env"] {
            guard let template = environmentNode.template(knownVars: reader.knownVariables) else { return nil }
            environment = template
        }
        return RecordedCheck(item: item, phase: phase, environment: environment, commit: commit, within: within)
    }

    var defaultExpectations: [FactExpression] { [.fact("recorded.found"), .fact("recorded.passed")] }

    var summary: String {
        var parts = ["the newest recorded result of \(item)"]
        if let environment { parts.append("in \(environment.description)") }
        if let phase { parts.append("in phase \(phase)") }
        if commit == .same { parts.append("for this commit") }
        if let within { parts.append("within \(Value.formatDuration(within))") }
        return parts.joined(separator: " ")
    }

    func run(in context: CheckContext) async throws(CheckError) -> Facts {
        guard let history = context.history else {
            throw CheckError(
                "`recorded:` reads the run store, and this run has none (--no-store); run with the store",
                retriable: false)
        }
        var match = HistoryMatch(phase: phase, since: within.map { context.now().addingTimeInterval(-$0) })
        match.environment = try context.expand(environment)
        if commit == .same {
            guard let current = context.commit else {
                throw CheckError(
                    "`recorded:` with `commit: same` needs this run's commit, and there is none here (not a git repository?); say `commit: any` to accept any commit",
                    retriable: false)
            }
            match.commit = current
        }
        let found: RecordedResult?
        do {
            found = try await history.latestResult(of: item, matching: match)
        } catch {
            throw CheckError("cannot read the run store: \(error)")
        }
        guard let found else {
            return ["recorded.found": .bool(false), "recorded.passed": .bool(false)]
        }
        var facts: Facts = [
            "recorded.found": .bool(true), "recorded.passed": .bool([.pass, .warn].contains(found.outcome)),
            "recorded.outcome": .string(found.outcome.rawValue), "recorded.run": .string(found.runID),
            "recorded.age": .duration(max(0, context.now().timeIntervalSince(found.finishedAt))),
        ]
        if let commit = found.commit { facts["recorded.commit"] = .string(commit) }
        if let environment = found.environment { facts["recorded.environment"] = .string(environment) }
        return facts
    }
}
