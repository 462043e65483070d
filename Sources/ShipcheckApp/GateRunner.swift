import Crypto
public import Foundation
import ShipcheckChecks
public import ShipcheckCore
import ShipcheckImport
public import ShipcheckStore

/// What a caller asks of a gate: the CLI's `run` today, `deploy` and the server next.
public struct GateRequest: Sendable {
    public var phase: PhaseName
    public var environment: String?
    public var deployType: String?
    public var jobs: Int?
    public var only: [String] = []
    public var skip: [String] = []
    /// Who runs it; else SHIPCHECK_ACTOR, git's user.email, then user@host.
    public var actor: String?
    /// `--identity oidc`: who runs it is what the CI's verified ID token says, never a claim.
    public var oidc = false
    /// Who runs it, already verified (a deploy's steps run as its verified deployer).
    public var verifiedIdentity: Identity?
    public var changedSince: String?
    public var release: String?
    public var formats: [String] = []
    public var outputDirectory: URL?
    /// `--store`; nil takes SHIPCHECK_STORE, then `store:`, then the SQLite file beside the configuration.
    public var store: String?
    public var recordsRuns = true
    /// Take earlier passing results of items with `inputs:` whose key is unchanged (`--no-reuse` turns it off).
    public var reusesEvidence = true
    /// A run to finish: its settings are taken from the store and its finished items are kept.
    public var resume: String?
    /// A sharded gate: the group every shard records under, and this runner's share.
    public var group: String?
    public var shard: ShardSelection?
    /// The `shipcheck deploy` this run is a step of: it holds the environment's lock (this run takes
    /// none and is not blocked by it), and it announces the deploy and writes the deployment log.
    public var deployment: PipelineStep?
    /// Variables the checks see besides the process's (the version a deploy or rollback goes to).
    public var checkEnvironment: [String: String] = [:]

    public init(phase: PhaseName) {
        self.phase = phase
    }
}

/// A run inside a `shipcheck deploy`: the deployment's id and the lock it holds.
public struct PipelineStep: Sendable {
    public var deployment: String
    public var lock: DeployLock?

    public init(deployment: String, lock: DeployLock?) {
        self.deployment = deployment
        self.lock = lock
    }
}

/// A gate ready to run: the engine built, the store open and the run's id chosen.
public struct PreparedGate: Sendable {
    public let engine: Engine
    public let runID: String
    public let store: RunStore?
    public let checklist: Checklist
    public let request: GateRequest
    public let directory: URL
    public let environment: [String: String]
    let completed: [ItemResult]
    let resumedStartedAt: Date?
    /// Things worth saying before the run starts (where it is recorded, what a resume keeps).
    public let notes: [String]
    /// The environment's deploy lock, held while a deploy runs.
    let lockKeeper: LockKeeper?
    let identity: Identity
    let notifier: Notifier?

    public var actor: String { engine.options.actor }
}

/// What came of a gate: the run, what to print, what was written, and what went wrong on the side.
public struct GateOutcome: Sendable {
    public var result: RunResult
    /// Reports of formats that print rather than write a file (`github`).
    public var printed: [String] = []
    public var written: [URL] = []
    /// Problems that did not stop the gate but make it "could not evaluate": a report or a record not written.
    public var problems: [String] = []
    public var recordedIn: String?
    /// Why the run is not (or not yet) in the store, when it is not: such a run never says it passed.
    public var unrecorded: String?
    /// What went wrong on the side and changes nothing about the verdict (a notification not delivered).
    public var warnings: [String] = []
}

/// The one way a gate runs, whoever asks (its errors are `GateFailure`s): resolves who and what (actor, changed files, provenance),
/// opens the store, runs the engine recording as it goes, writes reports.
public enum GateRunner {
    public static func prepare(
        checklist: Checklist, configURL: URL, request: GateRequest, environment: [String: String],
        runEnvironment: RunEnvironment = .live, signoffs: (@Sendable (Identity) -> (any SignoffSource)?)? = nil,
        observer: (@Sendable (EngineEvent) -> Void)? = nil
    ) async throws -> PreparedGate {
        let directory = configURL.deletingLastPathComponent()
        // Git is asked (the provenance, and the files inputs read) while the store opens.
        let provenance = Task {
            await gatherProvenance(configURL: configURL, directory: directory, environment: environment)
        }
        let snapshot =
            request.reusesEvidence && checklist.items.contains(where: { $0.inputs != nil })
            ? InputSnapshot(directory: directory, environment: environment) : nil
        await snapshot?.prefetch()
        // A request the configuration refuses is refused before anything is opened or written.
        if request.resume == nil {
            var early = RunOptions(
                phase: request.phase, environment: request.environment, deployType: request.deployType,
                only: request.only, skip: request.skip, actor: "-", workingDirectory: directory,
                processEnvironment: [:], toolVersion: ShipcheckVersion.current)
            early.provenance.shard = request.shard?.description
            let problems = early.problems(in: checklist)
            guard problems.isEmpty else { throw GateFailure(problems, usage: true) }
        }
        var store: RunStore?
        // Waivers, overrides, freezes, sign-offs and the gate's record live in the store: without it
        // the environment's rules could not be judged, so a run there may not go without it.
        let storeBound = Policy(checklist).storeBoundRules(of: request.environment)
        if !request.recordsRuns, request.resume == nil, let environment = request.environment, !storeBound.isEmpty {
            throw GateFailure(
                [
                    "--no-store: \(environment) has rules judged from the run store (\(storeBound.joined(separator: ", "))), so a run there is recorded; drop --no-store"
                ], usage: true)
        }
        if request.recordsRuns || request.resume != nil {
            let location = StoreLocation.resolve(
                flag: request.store, environment: environment, configured: checklist.store, configDirectory: directory)
            do {
                if let flag = request.store { try StoreLocation.checkFlag(flag) }
                store = try await StoreLocation.open(location, environment: environment, configDirectory: directory)
            } catch {
                let hint =
                    storeBound.isEmpty
                    ? "(--no-store runs the gate without recording it)"
                    : "(\(request.environment ?? "this environment")'s rules are judged from the store, so the gate does not run without it)"
                throw GateFailure(["\(error)", hint], usage: false)
            }
        }
        do {
            return try await prepare(
                checklist: checklist, configURL: configURL, request: request, environment: environment,
                runEnvironment: runEnvironment, signoffs: signoffs, observer: observer, store: store,
                provenance: await provenance.value, snapshot: snapshot, notes: [])
        } catch {
            // A gate that does not start leaves no connection open.
            try? await store?.backend.close()
            throw error
        }
    }

    static func prepare(
        checklist: Checklist, configURL: URL, request: GateRequest, environment: [String: String],
        runEnvironment: RunEnvironment, signoffs: (@Sendable (Identity) -> (any SignoffSource)?)?,
        observer: (@Sendable (EngineEvent) -> Void)?, store: RunStore?, provenance: RunProvenance,
        snapshot: InputSnapshot?, notes: [String]
    ) async throws -> PreparedGate {
        var provenance = provenance
        var request = request
        var notes = notes
        let directory = configURL.deletingLastPathComponent()

        var completed: [ItemResult] = []
        var runID = runEnvironment.makeRunID()
        var resumedActor: String?
        var resumedStartedAt: Date?
        if let resume = request.resume, let store {
            let stored: StoredRun?
            do {
                stored = try await store.run(resume)
            } catch {
                throw GateFailure(["\(error)"], usage: false)
            }
            guard let stored else {
                throw GateFailure(["--resume: no run `\(resume)` in the store at \(store.location)"], usage: true)
            }
            switch stored.status {
            case .finished(let verdict):
                throw GateFailure(
                    ["--resume: run \(resume) finished (\(verdict.rawValue)); there is nothing left to run"],
                    usage: true)
            case .running:
                throw GateFailure(
                    [
                        "--resume: run \(resume) is still running (process \(stored.pid.map(String.init) ?? "?") on \(stored.host ?? "another host"))"
                    ], usage: true)
            case .interrupted: break
            }
            if let digest = stored.header.provenance.configDigest, digest != provenance.configDigest {
                throw GateFailure(
                    [
                        "--resume: the configuration changed since run \(resume) began; a resumed run must run the same gate (start a new run instead)"
                    ], usage: true)
            }
            request.phase = stored.header.phase
            request.environment = stored.header.environment
            request.deployType = stored.header.deployType
            request.only = stored.header.only
            request.skip = stored.header.skip
            request.release = stored.header.release
            resumedActor = stored.header.actor
            resumedStartedAt = stored.header.startedAt
            // A resumed shard stays in its group.
            provenance.group = stored.header.provenance.group
            provenance.shard = stored.header.provenance.shard
            runID = resume
            completed = stored.items
            notes.append(
                "resuming run \(resume): \(completed.count) item\(completed.count == 1 ? "" : "s") already finished are kept"
            )
        }

        let identity: Identity
        if let resumedActor {
            identity = Identity(resumedActor, source: .resumed)
        } else if let verified = request.verifiedIdentity {
            identity = verified
        } else if request.oidc {
            if request.actor != nil {
                throw GateFailure(["--actor and --identity oidc say who runs it twice; drop --actor"], usage: true)
            }
            let verified = try await OIDCIdentity.resolve(checklist: checklist, environment: environment)
            identity = verified.identity
            provenance.oidc = verified.claims
        } else {
            identity = await resolveActor(request.actor, directory: directory, environment: environment)
        }
        let actor = identity.name
        provenance.actorSource = identity.source
        if let group = request.group, let shard = request.shard {
            guard let store else {
                throw GateFailure(["--group records shards in the run store; drop --no-store"], usage: true)
            }
            let plan = try await standingPlan(
                group: group, shard: shard, request: request, checklist: checklist, store: store, actor: actor,
                now: runEnvironment.now())
            request.only = plan.items(of: shard.index)
            provenance.group = group
            provenance.shard = shard.description
            notes.append(
                "group \(group), shard \(shard.description): \(request.only.count) of \(plan.itemIDs.count) items")
        }
        var changedPaths: [String]?
        // `changed("glob")` compares with --changed-since, or else with the default branch.
        var changedSince = request.changedSince
        if changedSince == nil, checklist.items.contains(where: { $0.when?.calls("changed") == true }) {
            changedSince = await GitInfo.defaultBase(in: directory, environment: environment)
        }
        if let changedSince {
            do {
                changedPaths = try await GitInfo.changedFiles(
                    since: changedSince, in: directory, environment: environment)
            } catch {
                throw GateFailure(["--changed-since: \(error)"], usage: true)
            }
        }
        provenance.partial = Self.partialScope(request: request, shard: provenance.shard, group: provenance.group)
        // Checks never inherit Shipcheck's own credentials; their values are still masked wherever they show.
        let (processEnvironment, withheld) = Self.withholdingCredentials(environment)
        var checkEnvironment = processEnvironment
        if let release = request.release { checkEnvironment["SHIPCHECK_RELEASE"] = release }
        checkEnvironment.merge(request.checkEnvironment) { _, new in new }
        provenance.deployment = request.deployment?.deployment
        var options = RunOptions(
            phase: request.phase, environment: request.environment, deployType: request.deployType,
            jobs: request.jobs ?? ProcessInfo.processInfo.activeProcessorCount, only: request.only, skip: request.skip,
            actor: actor, workingDirectory: directory, processEnvironment: checkEnvironment,
            changedPaths: changedPaths, toolVersion: ShipcheckVersion.current)
        options.secretPatterns = SecretMasker()
        options.withheldSecrets = withheld
        options.release = request.release
        options.provenance = provenance
        let problems = options.problems(in: checklist)
        guard problems.isEmpty else { throw GateFailure(problems, usage: true) }
        /// Records a refused deploy or rollback, tells the `notify:` targets, and throws the refusal.
        func refuse(_ blocks: [PolicyBlock], extra: [String] = [], footer: String) async throws -> Never {
            var refusal =
                ["the \(request.phase.rawValue) may not start now:"]
                + blocks.map { "  \($0.rule.rawValue): \($0.message)" } + extra + [footer]
            if let store {
                do {
                    try await store.recordRefusal(
                        RunStore.Refusal(
                            environment: request.environment, deployType: request.deployType, phase: request.phase,
                            actor: identity, commit: provenance.commit, blocks: blocks),
                        at: runEnvironment.now())
                } catch {
                    refusal.append("(this refusal could not be recorded in the run store: \(error))")
                }
            }
            refusal += await notifyRefusal(
                checklist, request: request, environment: environment, actor: identity, commit: provenance.commit,
                blocks: blocks, at: runEnvironment.now())
            throw GateFailure(refusal, usage: false, refused: true)
        }
        // A deploy starts only when `plan` would say nothing blocks it: the same question, the same answer.
        // A resumed deploy asks it too (a run row can be written straight into the store); only the
        // calendar's start rules (window, configured freeze, runway) do not stop one already begun.
        if request.phase == .deploy {
            let plan: DeployPlan
            do {
                plan = try await DeployPlan.make(
                    checklist: checklist, directory: directory, environment: request.environment,
                    deployType: request.deployType, at: runEnvironment.now(), processEnvironment: environment,
                    store: store, lockHolder: request.deployment?.lock?.holder)
            } catch {
                throw GateFailure(["cannot read the deploy's policy records: \(error)"], usage: false)
            }
            let startRules: [PolicyBlock.Rule] = [.window, .freeze, .runway]
            let blocks = plan.refusals.filter { request.resume == nil || !startRules.contains($0.rule) }
            if !blocks.isEmpty {
                try await refuse(
                    blocks, extra: plan.ignored.map { "  ignored: \($0)" },
                    footer: "(`shipcheck plan` shows what blocks a deploy at any time)")
            }
            for overridden in plan.overridden {
                notes.append("\(overridden.block.rule.rawValue) \(overridden.message)")
            }
        }
        // Waivers count only when their author may bypass the environment, judged as they are read.
        var waivers: [String: Waiver] = [:]
        if let store, let environmentName = request.environment {
            do {
                let judged = try await store.waiversInForce(
                    environment: environmentName, at: runEnvironment.now(), policy: Policy(checklist))
                waivers = judged.holding
                provenance.ignored = judged.ignored.isEmpty ? nil : judged.ignored
            } catch {
                throw GateFailure(["cannot read the environment's waivers: \(error)"], usage: false)
            }
        }
        for ignored in provenance.ignored ?? [] { notes.append("ignored: \(ignored)") }
        options.provenance = provenance

        let spool = RunSpool(configDirectory: directory)
        // What an earlier run kept while the store was gone goes in first (a resumed run reads it).
        if let store, !spool.pending.isEmpty {
            do {
                let written = try await spool.replay(into: store)
                notes.append(
                    "wrote \(written.count) run\(written.count == 1 ? "" : "s") kept in \(spool.directory.path) while the store failed: \(written.joined(separator: ", "))"
                )
            } catch {
                notes.append("the spool at \(spool.directory.path) could not be written yet: \(error)")
            }
        }
        // Two deploys (or a deploy and a rollback) to one environment never overlap: the lock is taken
        // last, once nothing else refused.
        var lockKeeper: LockKeeper?
        if [.deploy, .rollback].contains(request.phase), request.deployment == nil, let store,
            let environmentName = request.environment
        {
            let outcome: RunStore.LockOutcome
            do {
                outcome = try await store.acquireLock(
                    environment: environmentName, owner: identity,
                    reason: "run \(request.phase.rawValue)" + (request.release.map { " \($0)" } ?? ""),
                    lease: LockKeeper.lease(environment), holder: runID, at: runEnvironment.now())
            } catch {
                throw GateFailure(["cannot take the deploy lock of \(environmentName): \(error)"], usage: false)
            }
            switch outcome {
            case .held(let holder):
                try await refuse(
                    [PolicyBlock(.lock, "the deploy lock of \(environmentName) is held by \(holder.description)")],
                    footer:
                        "(it frees itself when its holder finishes, or \(Value.formatDuration(holder.lease)) after its holder stops; `shipcheck unlock --env \(environmentName) --force` by a bypass role ends it)"
                )
            case .acquired(let lock, let stale):
                if let stale {
                    notes.append(
                        "took over the deploy lock of \(environmentName) from \(stale.description): no heartbeat since \(StoreTime.text(stale.heartbeat)) (lease \(Value.formatDuration(stale.lease)))"
                    )
                }
                lockKeeper = LockKeeper(store: store, lock: lock)
            }
        }
        let recorder = store.map { StoreRecorder(store: $0, spool: spool) }
        let reuse = snapshot.flatMap { snapshot in store.map { StoreReuse(store: $0, snapshot: snapshot) } }
        let engine = Engine(
            checklist: checklist, options: options, environment: runEnvironment,
            signoffSource: store.map {
                StoreSignoffs(
                    store: $0, policy: Policy(checklist), environment: request.environment, commit: provenance.commit,
                    also: signoffs?(identity),
                    satisfies: Self.satisfaction(
                        checklist: checklist, environment: request.environment, deployer: actor,
                        author: provenance.author, now: runEnvironment.now))
            } ?? signoffs?(identity),
            observer: observer, recorder: recorder, reuse: reuse, history: store,
            waivers: store.map { _ in JudgedWaivers(waivers) })
        if let store { notes.append("recording run \(runID) in \(StoreLocation.display(store.location))") }
        return PreparedGate(
            engine: engine, runID: runID, store: store, checklist: checklist, request: request, directory: directory,
            environment: environment, completed: completed, resumedStartedAt: resumedStartedAt,
            notes: notes, lockKeeper: lockKeeper, identity: identity,
            notifier: Self.notifier(checklist, environment: environment))
    }

    /// The environment without Shipcheck's own credentials (checks never inherit them), and their
    /// values, to mask wherever they show.
    static func withholdingCredentials(_ environment: [String: String]) -> ([String: String], [String]) {
        var checkEnvironment = environment
        var withheld: [String] = []
        for name in StoreLocation.credentialVariables {
            guard let value = checkEnvironment.removeValue(forKey: name) else { continue }
            withheld +=
                name == StoreLocation.environmentVariable ? Redactor.urlPassword(in: value).map { [$0] } ?? [] : [value]
        }
        return (checkEnvironment, withheld)
    }

    static func notifier(_ checklist: Checklist, environment: [String: String]) -> Notifier? {
        checklist.notify.isEmpty
            ? nil : Notifier(targets: checklist.notify, environment: environment, variables: checklist.variables)
    }

    /// Tells the `notify:` targets that a deploy was refused; returns what could not be delivered.
    static func notifyRefusal(
        _ checklist: Checklist, request: GateRequest, environment: [String: String], actor: Identity,
        commit: String?, blocks: [PolicyBlock], at: Date
    ) async -> [String] {
        guard let notifier = notifier(checklist, environment: environment) else { return [] }
        let reasons = blocks.map { "\($0.rule.rawValue): \($0.message)" }.joined(separator: "; ")
        return await notifier.send(
            Notifier.Event(
                event: "deploy-refused", environment: request.environment, deployType: request.deployType, run: nil,
                verdict: "refused", actor: actor.name, commit: commit, release: request.release, at: at,
                summary: "deploy to \(request.environment ?? "no environment") refused: \(reasons)"))
    }

    /// Why the run covers part of its phase, or nil for a whole gate.
    static func partialScope(request: GateRequest, shard: String?, group: String?) -> String? {
        if let shard, !shard.hasPrefix("all ") {
            return "shard \(shard)" + (group.map { " of group \($0); its verdict counts" } ?? "")
        }
        var parts: [String] = []
        if !request.only.isEmpty { parts.append("--only " + request.only.joined(separator: ",")) }
        if !request.skip.isEmpty { parts.append("--skip " + request.skip.joined(separator: ",")) }
        return parts.isEmpty ? nil : parts.joined(separator: " ")
    }

    /// The group's plan: this runner's proposal, unless another shard stored one first.
    static func standingPlan(
        group: String, shard: ShardSelection, request: GateRequest, checklist: Checklist, store: RunStore,
        actor: String, now: Date
    ) async throws -> ShardPlan {
        let items = checklist.phase(request.phase)?.items ?? []
        let durations: [String: Double]
        do {
            durations = try await store.typicalDurations(of: items.map(\.id))
        } catch {
            throw GateFailure(["\(error)"], usage: false)
        }
        guard let assignments = ShardPlan.assign(items, count: shard.count, durations: durations) else {
            throw GateFailure(
                [
                    "--shard \(shard.description): the \(request.phase.rawValue) phase does not split into \(shard.count) parts (items joined by `needs` stay together); use fewer shards"
                ], usage: true)
        }
        let proposed = ShardPlan(
            group: group, phase: request.phase, environment: request.environment, deployType: request.deployType,
            count: shard.count, assignments: assignments, itemIDs: items.map(\.id))
        let body = String(decoding: (try? JSONEncoder().encode(proposed)) ?? Data("{}".utf8), as: UTF8.self)
        let standing: ShardPlan
        do {
            let record = try await store.claim(
                StoredRecord(
                    kind: ShardPlan.recordKind, id: group, subject: request.phase.rawValue,
                    environment: request.environment, actor: actor, at: now, body: body))
            standing = try JSONDecoder().decode(ShardPlan.self, from: Data(record.body.utf8))
        } catch {
            throw GateFailure(["group \(group): \(error)"], usage: false)
        }
        guard standing.count == shard.count, standing.phase == request.phase,
            standing.environment == request.environment, standing.deployType == request.deployType
        else {
            throw GateFailure(
                [
                    "group \(group) was planned as \(standing.count) shards of \(standing.phase.rawValue)"
                        + (standing.environment.map { " in \($0)" } ?? "")
                        + "; every shard of a group runs the same gate (use a new group name for a different split)"
                ], usage: true)
        }
        return standing
    }

    /// Who acts, and how that is known: `--actor`, else SHIPCHECK_ACTOR, else git's user.email, else
    /// user@host.
    public static func resolveActor(_ explicit: String?, directory: URL, environment: [String: String]) async
        -> Identity
    {
        if let explicit, !explicit.isEmpty { return Identity(explicit, source: .flag) }
        if let actor = environment["SHIPCHECK_ACTOR"], !actor.isEmpty { return Identity(actor, source: .environment) }
        if let email = await GitInfo.userEmail(in: directory, environment: environment) {
            return Identity(email, source: .git)
        }
        let user = environment["USER"] ?? "unknown"
        return Identity("\(user)@\(ProcessInfo.processInfo.hostName)", source: .login)
    }

    /// Whether sign-offs satisfy an item under the policy, on the run's clock, for a run by `deployer`.
    static func satisfaction(
        checklist: Checklist, environment: String?, deployer: String, author: String?,
        now: @escaping @Sendable () -> Date
    ) -> @Sendable (Item, [Signoff]) -> Bool {
        let policy = Policy(checklist)
        return { item, signoffs in
            guard case .manual(let requirement) = item.body else { return true }
            return policy.judge(
                signoffs, against: requirement, environment: environment, deployer: deployer, author: author,
                at: now()
            )
            .satisfied
        }
    }

    static func gatherProvenance(configURL: URL, directory: URL, environment: [String: String]) async -> RunProvenance {
        var provenance = RunProvenance()
        if let data = FileManager.default.contents(atPath: configURL.path) {
            provenance.configDigest = Hex.string(SHA256.hash(data: data))
        }
        if let revision = await GitInfo.revision(in: directory, environment: environment) {
            provenance.commit = revision.commit
            provenance.commitTime = revision.commitTime
            provenance.dirty = revision.dirty
            provenance.branch = revision.branch
            provenance.author = revision.author
        }
        return provenance
    }
}

extension PreparedGate {
    /// Appends the run's entry to the deployment log (`deployment-log:`); returns why it could not.
    static func appendDeploymentLog(_ text: String, to path: String, configDirectory: URL) -> String? {
        let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : configDirectory.appendingPathComponent(path)
        let entry = Data((text + "\n").utf8)
        do {
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            if !FileManager.default.fileExists(atPath: url.path) {
                try Data("# Deployment log\n\n".utf8).write(to: url)
            }
            let handle = try FileHandle(forWritingTo: url)
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: entry)
            return nil
        } catch {
            return "could not append to the deployment log \(url.path): \(error.localizedDescription)"
        }
    }

    /// The event a phase's start and end send to `notify:` targets, when it sends one.
    func event(_ name: String, verdict: String? = nil, summary: String) -> Notifier.Event {
        Notifier.Event(
            event: name, environment: request.environment, deployType: request.deployType, run: runID,
            verdict: verdict, actor: identity.name, commit: engine.options.provenance.commit,
            release: request.release, at: Date(), summary: summary)
    }

    /// Runs the gate to its end (a cancelled task ends it early, as interrupted) and writes its reports.
    public func run() async -> GateOutcome {
        await lockKeeper?.start()
        var warnings: [String] = []
        let place = request.environment.map { " to \($0)" } ?? ""
        let version = request.release.map { " \($0)" } ?? ""
        // The start is announced while the phase runs: a slow receiver never holds a deploy back.
        var started: Task<[String], Never>?
        let inPipeline = request.deployment != nil
        if let notifier, [.deploy, .rollback].contains(request.phase), !inPipeline {
            let name = request.phase == .deploy ? "deploy-started" : "rollback-started"
            let announcement = event(
                name, summary: "\(request.phase.rawValue)\(version)\(place) started by \(identity.name) (run \(runID))")
            started = Task { await notifier.send(announcement) }
        }
        let result = await engine.run(id: runID, completed: completed, startedAt: resumedStartedAt)
        if let started { warnings += await started.value }
        if let notifier, !inPipeline || request.phase == .preDeploy {
            let verdict = result.verdict.rawValue
            let summary = "\(request.phase.rawValue)\(version)\(place) \(verdict) (run \(runID))"
            switch request.phase {
            case .deploy: warnings += await notifier.send(event("deploy-finished", verdict: verdict, summary: summary))
            case .rollback:
                warnings += await notifier.send(event("rollback-finished", verdict: verdict, summary: summary))
            case .preDeploy where result.partial == nil && [.failed, .error].contains(result.verdict):
                warnings += await notifier.send(event("gate-failed", verdict: verdict, summary: summary))
            default: break
            }
        }
        if let path = checklist.deploymentLog, [.deploy, .rollback].contains(request.phase), result.partial == nil,
            !inPipeline
        {
            if let problem = Self.appendDeploymentLog(DeploymentLog.entry(result), to: path, configDirectory: directory)
            {
                warnings.append(problem)
            }
        }
        var outcome = GateOutcome(result: result, recordedIn: store.map { StoreLocation.display($0.location) })
        outcome.warnings = warnings
        if let problem = await lockKeeper?.release(by: identity) { outcome.problems.append(problem) }
        if let recorder = engine.recorder as? StoreRecorder {
            outcome.problems += await recorder.failures
            if await recorder.spooled, let spool = recorder.spool {
                outcome.unrecorded =
                    "the run store failed, so this run is kept in \(spool.file(for: runID).path) and does not count until the next run (or `shipcheck run --resume \(runID)`) writes it"
            } else if !(await recorder.failures.isEmpty) {
                outcome.unrecorded = "the run store failed, so this run is not recorded and does not count"
            }
        }
        try? await store?.backend.close()
        outcome.printed = Reports.printed(result, formats: request.formats)
        if request.formats.contains(GitHubReporter.format), let summaryPath = environment["GITHUB_STEP_SUMMARY"] {
            Reports.appendStepSummary(result, to: summaryPath)
        }
        do {
            outcome.written = try Reports.write(
                result, formats: request.formats,
                to: request.outputDirectory ?? directory.appendingPathComponent(".shipcheck/reports"),
                configDirectory: directory)
        } catch {
            outcome.problems.append(error.description)
        }
        return outcome
    }
}
