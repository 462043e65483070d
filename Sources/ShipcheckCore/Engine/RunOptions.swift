public import Foundation

/// What to run and how: the phase, the environment and deploy type, the parallelism and the selection.
public struct RunOptions: Sendable {
    public var phase: PhaseName
    public var environment: String?
    public var deployType: String?
    public var jobs: Int
    /// Run only these items (and what they need).
    public var only: [String]
    public var skip: [String]
    public var actor: String
    public var workingDirectory: URL
    public var processEnvironment: [String: String]
    /// Files changed in this deploy, for `changed()`; nil when unknown.
    public var changedPaths: [String]?
    public var toolVersion: String
    /// The version being deployed (`--release v1.2.3`), for the deployment log.
    public var release: String?
    /// What this run looks at (configuration digest, commit, branch), recorded with it.
    public var provenance = RunProvenance()
    /// Credentials recognised by their shape in everything checks capture (the secret scanner's rules).
    public var secretPatterns: (any SecretPatterns)? = nil
    /// Values masked wherever they appear though no check inherits them (Shipcheck's own store password).
    public var withheldSecrets: [String] = []

    public init(
        phase: PhaseName, environment: String? = nil, deployType: String? = nil,
        jobs: Int = ProcessInfo.processInfo.activeProcessorCount, only: [String] = [], skip: [String] = [],
        actor: String, workingDirectory: URL, processEnvironment: [String: String],
        changedPaths: [String]? = nil, toolVersion: String
    ) {
        self.phase = phase
        self.environment = environment
        self.deployType = deployType
        self.jobs = max(1, jobs)
        self.only = only
        self.skip = skip
        self.actor = actor
        self.workingDirectory = workingDirectory
        self.processEnvironment = processEnvironment
        self.changedPaths = changedPaths
        self.toolVersion = toolVersion
    }

    /// Problems with the options against a checklist: unknown ids, environments, types.
    public func problems(in checklist: Checklist) -> [String] {
        var problems: [String] = []
        let ids = checklist.items.map(\.id)
        let phaseIDs = Set(checklist.phase(phase)?.items.map(\.id) ?? [])
        for (flag, list) in [("--only", only), ("--skip", skip)] {
            for id in list where !phaseIDs.contains(id) {
                if ids.contains(id) {
                    problems.append("\(flag): `\(id)` is not in phase \(phase.rawValue)")
                } else {
                    let hint = Suggestions.closest(to: id, in: ids).map { "; did you mean `\($0)`?" } ?? ""
                    problems.append("\(flag): no item `\(id)`\(hint)")
                }
            }
        }
        if checklist.phase(phase) == nil {
            let present = checklist.phases.map(\.name.rawValue).joined(separator: ", ")
            problems.append("the configuration has no \(phase.rawValue) phase (it has: \(present))")
        }
        if let environment, checklist.environments.isEmpty {
            problems.append(
                "--env: the configuration declares no environments, so `\(environment)` means nothing here; declare it under `environments:` (e.g. `environments: { \(environment): {} }`) or leave --env out"
            )
        } else if let environment, checklist.environments[environment] == nil {
            let hint = Suggestions.hint(for: environment, among: checklist.environments.keys.sorted())
            problems.append("--env: no environment `\(environment)`; \(hint)")
        } else if let environment, checklist.environments[environment]?.requireAll == true {
            if !skip.isEmpty {
                problems.append(
                    "--skip: \(environment) requires every item (`require: all`), so nothing is skipped by hand there; an item is left out only by a recorded waiver"
                )
            }
            // A shard's share is chosen by the group's plan, and the group's verdict covers the whole gate.
            if !only.isEmpty, provenance.shard == nil {
                problems.append(
                    "--only: \(environment) requires every item (`require: all`), so a run there covers the whole phase; an item is left out only by a recorded waiver"
                )
            }
        }
        if let deployType, checklist.deployTypes.isEmpty {
            problems.append(
                "--type: the configuration declares no deploy types, so `\(deployType)` means nothing here; declare it under `types:` (e.g. `types: { \(deployType): {} }`) or leave --type out"
            )
        } else if let deployType, checklist.deployTypes[deployType] == nil {
            let hint = Suggestions.hint(for: deployType, among: checklist.deployTypes.keys.sorted())
            problems.append("--type: no deploy type `\(deployType)`; \(hint)")
        }
        return problems
    }
}
