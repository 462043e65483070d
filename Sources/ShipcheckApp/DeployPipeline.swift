public import Foundation
import ShipcheckChecks
public import ShipcheckCore
public import ShipcheckStore

/// What `shipcheck deploy` (or `shipcheck rollback`) is asked for.
public struct DeployRequest: Sendable {
    public var environment: String
    public var deployType: String?
    /// The version deployed (or, for a rollback, returned to): the checks see it as SHIPCHECK_RELEASE.
    public var version: String?
    public var actor: String?
    /// `--identity oidc`: who deploys is what the CI's verified ID token says.
    public var oidc = false
    public var store: String?
    public var reusesEvidence = true
    /// A report format printed after each step's run, besides the terminal summary.
    public var formats: [String] = []

    public init(environment: String) {
        self.environment = environment
    }
}

/// How a deploy runs, step by step, with its environment's lock held from the first to the last:
/// the plan's calendar, the pre-deploy gate, a baseline of the watch probes, the deploy phase's
/// actions in order, the watch judged by the triggers, the post-deploy checks; on a failed step or
/// a rollback trigger, the completed actions' counterparts in reverse order (or the rollback phase),
/// then the probes again to see that the service is back. Every step is recorded in one deployment
/// record, each phase a run linked to it.
public struct DeployPipeline: Sendable {
    /// What the pipeline says as it goes; the executable prints it.
    public enum Event: Sendable {
        /// A step starts or a thing worth saying happened.
        case note(String)
        /// A phase's run ended: its terminal summary (and any printed report).
        case run(GateOutcome)
    }

    /// Asks the person at the terminal whether to roll back; nil when nobody can answer.
    public typealias Ask = @Sendable (String) async -> Bool?

    public let checklist: Checklist
    public let configURL: URL
    public let request: DeployRequest
    public let environment: [String: String]
    public let say: @Sendable (Event) -> Void
    public let ask: Ask?
    public var clock: @Sendable () -> Date = { Date() }

    public init(
        checklist: Checklist, configURL: URL, request: DeployRequest, environment: [String: String],
        say: @escaping @Sendable (Event) -> Void, ask: Ask? = nil
    ) {
        self.checklist = checklist
        self.configURL = configURL
        self.request = request
        self.environment = environment
        self.say = say
        self.ask = ask
    }

    var directory: URL { configURL.deletingLastPathComponent() }

    /// Checks the request against the configuration before anything is opened.
    func validate(rollingBack: Bool) throws(CommandFailure) {
        guard checklist.environments[request.environment] != nil else {
            let names = checklist.environments.keys.sorted()
            throw CommandFailure(
                "--env: `\(request.environment)` is not an environment of \(checklist.file); "
                    + Suggestions.hint(for: request.environment, among: names), .usage)
        }
        if let type = request.deployType, checklist.deployTypes[type] == nil {
            throw CommandFailure(
                "--type: `\(type)` is not a deploy type; "
                    + Suggestions.hint(for: type, among: checklist.deployTypes.keys.sorted()), .usage)
        }
        if !rollingBack, checklist.phase(.deploy) == nil {
            throw CommandFailure("\(checklist.file) has no deploy phase: there is nothing to deploy", .usage)
        }
    }

    func openStore() async throws(CommandFailure) -> RunStore {
        let location = StoreLocation.resolve(
            flag: request.store, environment: environment, configured: checklist.store, configDirectory: directory)
        do {
            if let flag = request.store { try StoreLocation.checkFlag(flag) }
            return try await StoreLocation.open(location, environment: environment, configDirectory: directory)
        } catch {
            throw CommandFailure(
                ["\(error)", "(a deploy is recorded step by step, so it does not start without its store)"],
                .couldNotEvaluate)
        }
    }

    /// What `--dry-run` prints: the plan, and the steps a deploy would take.
    public func dryRun() async throws(CommandFailure) -> (text: String, blocked: Bool) {
        try validate(rollingBack: false)
        let store = try await openStore()
        let plan: DeployPlan
        do {
            plan = try await DeployPlan.make(
                checklist: checklist, directory: directory, environment: request.environment,
                deployType: request.deployType, at: clock(), processEnvironment: environment, store: store)
            try? await store.backend.close()
        } catch {
            try? await store.backend.close()
            throw CommandFailure("cannot read the deploy's policy records: \(error)", .couldNotEvaluate)
        }
        // Only the calendar and the lock refuse a deploy at its start; the gate, its sign-offs and
        // earlier failures are the pipeline's own step 2.
        let blocked = !plan.blocks.isEmpty
        var lines = [
            "dry run: a deploy" + (request.version.map { " of \($0)" } ?? "") + " to \(request.environment) at "
                + ISO8601DateFormatter().string(from: plan.at) + ": "
                + (blocked ? "REFUSED now" : "nothing refuses it now")
        ]
        lines += plan.blocks.map { "  ✗ \($0.rule.rawValue): \($0.message)" }
        lines += plan.overridden.map { "  ~ \($0.block.rule.rawValue): \($0.message)" }
        lines += plan.ignored.map { "  ! ignored: \($0)" }
        lines += (plan.missingSignoffs ?? []).map { "  ! the gate will wait for: \($0.item) — \($0.reason)" }
        lines += plan.failedBefore.map { "  ! failed before, runs again in the gate: \($0.item) — \($0.reason)" }
        lines += ["", "steps:"]
        let probes = checklist.phase(.watch)?.items ?? []
        let watch = checklist.watch
        lines.append("  1. take the deploy lock of \(request.environment)")
        lines.append("  2. run the pre-deploy gate (\(checklist.phase(.preDeploy)?.items.count ?? 0) items)")
        lines.append(
            probes.isEmpty
                ? "  3. no baseline (no watch probes)"
                : "  3. baseline: \(watch.baselineSamples) samples of \(probes.map(\.id).joined(separator: ", ")) every \(Value.formatDuration(watch.interval))"
        )
        let deployItems = checklist.phase(.deploy)?.items ?? []
        lines.append("  4. deploy, in order:")
        for item in deployItems {
            lines.append(
                "     - \(item.id): \(item.title)" + (item.rollback.map { " (undone by: \($0))" } ?? ""))
        }
        lines.append(
            probes.isEmpty
                ? "  5. no watch"
                : "  5. watch for \(Value.formatDuration(watch.duration)), judged by \(checklist.triggers.filter(\.isWatched).count) triggers"
        )
        lines.append("  6. post-deploy checks (\(checklist.phase(.postDeploy)?.items.count ?? 0) items)")
        return (lines.joined(separator: "\n") + "\n", blocked)
    }

    // MARK: - The deploy

    /// Who deploys: the CI's verified ID token with `--identity oidc`, else the usual claim.
    func who() async throws(CommandFailure) -> Identity {
        guard request.oidc else {
            return await GateRunner.resolveActor(request.actor, directory: directory, environment: environment)
        }
        if request.actor != nil {
            throw CommandFailure("--actor and --identity oidc say who deploys twice; drop --actor", .usage)
        }
        return try await OIDCIdentity.resolve(checklist: checklist, environment: environment).identity
    }

    /// Runs the deploy to its end; throws when it is refused before it starts.
    public func deploy() async throws(CommandFailure) -> Deployment {
        try validate(rollingBack: false)
        let store = try await openStore()
        let identity = try await who()
        let started = clock()
        let provenance = await GateRunner.gatherProvenance(
            configURL: configURL, directory: directory, environment: environment)
        // The calendar and the lock refuse at the start; the gate, its sign-offs and earlier failures
        // are what the pipeline's own gate step runs next, and the deploy phase asks the plan again.
        let plan: DeployPlan
        do {
            plan = try await DeployPlan.make(
                checklist: checklist, directory: directory, environment: request.environment,
                deployType: request.deployType, at: started, processEnvironment: environment, store: store)
        } catch {
            try? await store.backend.close()
            throw CommandFailure("cannot read the deploy's policy records: \(error)", .couldNotEvaluate)
        }
        if !plan.blocks.isEmpty {
            let failure = await refusal(
                plan.blocks, extra: plan.ignored.map { "  ignored: \($0)" }, store: store, identity: identity,
                commit: provenance.commit)
            try? await store.backend.close()
            throw failure
        }
        let id = "deploy-" + RunEnvironment.live.makeRunID()
        var deployment = Deployment(
            id: id, environment: request.environment, deployType: request.deployType, version: request.version,
            previousVersion: nil, actor: identity, commit: provenance.commit, startedAt: started)
        for overridden in plan.overridden {
            deployment.notes.append("\(overridden.block.rule.rawValue) \(overridden.message)")
        }
        return try await underLock(deployment, store: store, identity: identity) { run in
            run.deployment.previousVersion = (try? await previousVersion(store)) ?? nil
            say(.note("deployment \(id) to \(request.environment)" + (request.version.map { ": \($0)" } ?? "")))
            await run.notify(
                "deploy-started",
                summary:
                    "deploy\(run.versionText) to \(request.environment) started by \(identity.name) (deployment \(id))")
            await run.deploySteps()
        }
    }

    /// Takes the environment's lock for the deployment (closing the store when it cannot), records
    /// the deployment, runs `steps` with the lock renewed, and records the end (releasing the lock).
    func underLock(
        _ deployment: Deployment, store: RunStore, identity: Identity, steps: (inout PipelineRun) async -> Void
    ) async throws(CommandFailure) -> Deployment {
        let keeper: LockKeeper
        do {
            keeper = try await takeLock(
                store: store, identity: identity, holder: deployment.id, commit: deployment.commit)
        } catch {
            try? await store.backend.close()
            throw error
        }
        await keeper.start()
        var run = PipelineRun(pipeline: self, store: store, identity: identity, keeper: keeper, deployment: deployment)
        await run.save()
        await steps(&run)
        return await run.finishedOutsideCancellation()
    }

    /// `shipcheck deploy --resume D`: finishes a deployment whose process stopped (killed, or the
    /// machine went away) after its last finished step, under its lock (taken over once the dead
    /// holder's lease ran out, with an audit event). The deploy phase's run is finished from where
    /// it stopped; an action that may have been cut off halfway runs again only when it says
    /// `idempotent: true`, or when the person answers yes (`rerun` says so without asking).
    public func resume(_ id: String, rerun: Bool) async throws(CommandFailure) -> Deployment {
        let store = try await openStore()
        func refuse(_ message: String, _ kind: CommandFailure.Kind) async -> CommandFailure {
            try? await store.backend.close()
            return CommandFailure(message, kind)
        }
        let named: (Deployment?, NamedRecord)
        do {
            named = try await store.deployment(named: id)
        } catch {
            throw await refuse("cannot read deployment \(id): \(error)", .couldNotEvaluate)
        }
        guard var deployment = named.0 else {
            if case .ambiguous(let ids) = named.1 {
                throw await refuse("--resume: " + NamedRecord.ambiguity(id, ids, of: "deployments"), .usage)
            }
            throw await refuse(
                "--resume: no deployment `\(id)` in the store at \(StoreLocation.display(store.location)) (`latest` is the newest)",
                .usage)
        }
        let id = deployment.id
        guard [.running, .interrupted].contains(deployment.status) else {
            throw await refuse(
                "--resume: deployment \(id) ended (\(deployment.status.rawValue)); there is nothing left to run", .usage
            )
        }
        guard deployment.rollback == nil else {
            throw await refuse(
                "--resume: deployment \(id) stopped while rolling back; finish that with `shipcheck rollback --env \(deployment.environment)`",
                .refused)
        }
        if let step = deployment.steps.last(where: { $0.name == "deploy" }), step.outcome != "passed",
            let run = step.run
        {
            let cutOff: [Item]
            do {
                cutOff = try await Self.cutOffActions(of: run, checklist: checklist, store: store)
            } catch {
                throw await refuse("cannot read run \(run): \(error)", .couldNotEvaluate)
            }
            for action in cutOff where !action.isIdempotent && !rerun {
                let answer = await ask?(
                    "\(action.id) (\(action.title)) may have been cut off halfway when deployment \(id) stopped; run it again?"
                )
                guard answer == true else {
                    throw await refuse(
                        "--resume: `\(action.id)` (\(action.title)) may have been cut off halfway and does not say `idempotent: true`; check what it left, then `shipcheck deploy --resume \(id) --rerun`",
                        .refused)
                }
            }
        }
        let identity = try await who()
        let resumed = DeployPipeline(
            checklist: checklist, configURL: configURL,
            request: {
                var request = self.request
                request.environment = deployment.environment
                request.deployType = deployment.deployType
                request.version = deployment.version
                return request
            }(), environment: environment, say: say, ask: ask)
        deployment.notes.append("resumed by \(identity.name) at \(StoreTime.text(clock()))")
        return try await resumed.underLock(deployment, store: store, identity: identity) { run in
            say(
                .note(
                    "resuming deployment \(id) to \(run.deployment.environment)"
                        + (run.deployment.version.map { ": \($0)" } ?? "")))
            await run.deploySteps()
        }
    }

    /// The actions of a deploy run that had not finished when it stopped and may have started: the
    /// first unfinished ones in order whose needs had all finished (the phase runs one at a time).
    static func cutOffActions(of runID: String, checklist: Checklist, store: RunStore) async throws -> [Item] {
        guard let stored = try await store.run(runID) else { return [] }
        let finished = Set(stored.items.map(\.id))
        let pending = (checklist.phase(.deploy)?.items ?? []).filter { !finished.contains($0.id) }
        guard let next = pending.first(where: { $0.needs.allSatisfy(finished.contains) }) else { return [] }
        return next.isAction ? [next] : []
    }

    /// `shipcheck rollback`: the rollback phase by hand, under the lock, then the probes again.
    public func rollback() async throws(CommandFailure) -> Deployment {
        try validate(rollingBack: true)
        guard checklist.phase(.rollback) != nil else {
            throw CommandFailure("\(checklist.file) has no rollback phase: there is nothing to run", .usage)
        }
        let store = try await openStore()
        let identity = try await who()
        let provenance = await GateRunner.gatherProvenance(
            configURL: configURL, directory: directory, environment: environment)
        let id = "rollback-" + RunEnvironment.live.makeRunID()
        var deployment = Deployment(
            id: id, environment: request.environment, deployType: request.deployType, version: nil,
            previousVersion: nil, actor: identity, commit: provenance.commit, startedAt: clock())
        deployment.notes.append("rollback by hand")
        return try await underLock(deployment, store: store, identity: identity) { run in
            // From the version running now back to --to, else to the one before the newest deploy.
            let current = (try? await previousVersion(store)) ?? nil
            let before = (try? await versionBefore(store)) ?? nil
            let target = request.version ?? before
            run.deployment.version = current
            run.deployment.previousVersion = current
            await run.rollBack(reason: "by hand", automatic: false, undoing: nil, to: target)
        }
    }

    func takeLock(store: RunStore, identity: Identity, holder: String, commit: String?) async throws(CommandFailure)
        -> LockKeeper
    {
        let outcome: RunStore.LockOutcome
        do {
            outcome = try await store.acquireLock(
                environment: request.environment, owner: identity,
                reason: "shipcheck \(holder.hasPrefix("rollback") ? "rollback" : "deploy")"
                    + (request.version.map { " \($0)" } ?? ""),
                lease: LockKeeper.lease(environment), holder: holder, at: clock())
        } catch {
            throw CommandFailure("cannot take the deploy lock of \(request.environment): \(error)", .couldNotEvaluate)
        }
        switch outcome {
        case .held(let lock):
            throw await refusal(
                [PolicyBlock(.lock, "the deploy lock of \(request.environment) is held by \(lock.description)")],
                extra: [
                    "(it frees itself when its holder finishes, or \(Value.formatDuration(lock.lease)) after its holder stops; `shipcheck unlock --env \(request.environment) --force` by a bypass role ends it)"
                ], store: store, identity: identity, commit: commit)
        case .acquired(let lock, let stale):
            if let stale {
                say(
                    .note(
                        "took over the deploy lock of \(request.environment) from \(stale.description): no heartbeat since \(StoreTime.text(stale.heartbeat)) (lease \(Value.formatDuration(stale.lease)))"
                    ))
            }
            return LockKeeper(store: store, lock: lock)
        }
    }

    /// Records the refusal, tells the `notify:` targets, and returns the failure to throw.
    func refusal(_ blocks: [PolicyBlock], extra: [String], store: RunStore, identity: Identity, commit: String?) async
        -> CommandFailure
    {
        var lines = ["the deploy may not start now:"] + blocks.map { "  \($0.rule.rawValue): \($0.message)" } + extra
        do {
            try await store.recordRefusal(
                RunStore.Refusal(
                    environment: request.environment, deployType: request.deployType, phase: .deploy, actor: identity,
                    commit: commit, blocks: blocks), at: clock())
        } catch {
            lines.append("(this refusal could not be recorded in the run store: \(error))")
        }
        var gate = GateRequest(phase: .deploy)
        gate.environment = request.environment
        gate.deployType = request.deployType
        gate.release = request.version
        lines += await GateRunner.notifyRefusal(
            checklist, request: gate, environment: environment, actor: identity, commit: commit, blocks: blocks,
            at: clock())
        lines.append("(`shipcheck plan` shows what blocks a deploy at any time)")
        return CommandFailure(lines, .refused)
    }

    /// The version the newest deploy that left one in place replaced: what a rollback by hand returns to.
    func versionBefore(_ store: RunStore) async throws -> String? {
        try await store.deployments(environment: request.environment).last {
            [.deployed, .unverified].contains($0.status) && $0.previousVersion != nil
        }?.previousVersion
    }

    /// The version the environment runs now: the newest deployment that left one in place.
    func previousVersion(_ store: RunStore) async throws -> String? {
        for deployment in try await store.deployments(environment: request.environment).reversed() {
            switch deployment.status {
            case .deployed, .unverified: if let version = deployment.version { return version }
            case .rolledBack:
                if let version = deployment.rollback?.toVersion ?? deployment.previousVersion { return version }
            default: continue
            }
        }
        return nil
    }
}
