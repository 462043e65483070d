import Foundation
import ShipcheckChecks
import ShipcheckCore
import ShipcheckStore

/// One deployment under way: its record, the lock it holds, and its steps.
struct PipelineRun {
    let pipeline: DeployPipeline
    let store: RunStore
    let identity: Identity
    let keeper: LockKeeper
    var deployment: Deployment
    /// What went wrong on the side (a record not written, a report not saved).
    var problems: [String] = []
    let notifications = NotificationChain()

    init(pipeline: DeployPipeline, store: RunStore, identity: Identity, keeper: LockKeeper, deployment: Deployment) {
        self.pipeline = pipeline
        self.store = store
        self.identity = identity
        self.keeper = keeper
        self.deployment = deployment
    }

    var checklist: Checklist { pipeline.checklist }
    var environmentName: String { deployment.environment }
    var versionText: String { deployment.version.map { " \($0)" } ?? "" }
    var now: Date { pipeline.clock() }

    mutating func save() async {
        do {
            try await store.save(deployment)
        } catch {
            let problem = "the deployment record could not be written: \(error)"
            if !problems.contains(problem) { problems.append(problem) }
        }
    }

    /// Sends in the background, in order: a slow or dead receiver never holds a deploy or a
    /// rollback back; what could not be delivered is said at the end.
    func notify(_ event: String, verdict: String? = nil, summary: String) async {
        guard let notifier = GateRunner.notifier(checklist, environment: pipeline.environment) else { return }
        notifications.enqueue(
            notifier,
            Notifier.Event(
                event: event, environment: environmentName, deployType: deployment.deployType, run: deployment.id,
                verdict: verdict, actor: identity.name, commit: deployment.commit, release: deployment.version,
                at: now, summary: summary))
    }

    mutating func begin(_ name: String, _ text: String) -> Int {
        pipeline.say(.note("▸ \(name): \(text)"))
        deployment.steps.append(Deployment.Step(name: name, outcome: "running", startedAt: now))
        return deployment.steps.count - 1
    }

    mutating func end(_ index: Int, _ outcome: String, run: String? = nil, detail: String? = nil) async {
        deployment.steps[index].outcome = outcome
        deployment.steps[index].run = run ?? deployment.steps[index].run
        deployment.steps[index].detail = detail
        deployment.steps[index].finishedAt = now
        await save()
    }

    // MARK: - Steps

    /// The newest record of a step, when it ran.
    func recorded(_ name: String) -> Deployment.Step? { deployment.steps.last { $0.name == name } }

    /// Gate, baseline, deploy, watch, post-deploy; a rollback where a step or a trigger calls for one.
    /// A resumed deployment skips the steps it finished and finishes the deploy phase's run.
    mutating func deploySteps() async {
        if let gate = checklist.phase(.preDeploy), !gate.items.isEmpty, recorded("gate")?.outcome != "passed" {
            let step = begin("gate", "the pre-deploy gate")
            let outcome = await runPhase(.preDeploy, step: step)
            guard let outcome, outcome.result.verdict == .passed else {
                deployment.status = Task.isCancelled ? .interrupted : .stopped
                await save()
                return
            }
        }
        if Task.isCancelled { return interrupted() }
        let probes = checklist.phase(.watch)?.items ?? []
        var baseline = deployment.baseline ?? []
        if !probes.isEmpty, deployment.baseline == nil, recorded("deploy") == nil {
            let step = begin(
                "baseline",
                "\(checklist.watch.baselineSamples) samples of \(probes.map(\.id).joined(separator: ", ")) before anything changes"
            )
            baseline = await sample(times: checklist.watch.baselineSamples)
            deployment.baseline = baseline
            let unmeasured = baseline.filter { !$0.unmeasured.isEmpty }.count
            await end(
                step, "sampled",
                detail: Self.describe(baseline, triggers: checklist.triggers)
                    + (unmeasured > 0 ? "; \(unmeasured) with a probe unmeasured" : ""))
            pipeline.say(.note("  baseline: \(deployment.steps[step].detail ?? "")"))
        }
        if Task.isCancelled { return interrupted() }

        let previous = deployment.previousVersion
        let deployed: RunResult
        if let done = recorded("deploy"), done.outcome == "passed", let run = done.run,
            let stored = try? await store.run(run)
        {
            deployed = stored.result
        } else {
            // A deploy run cut off halfway is finished from where it stopped (its finished items kept).
            let cutOff = recorded("deploy").flatMap { ["running", "interrupted"].contains($0.outcome) ? $0.run : nil }
            let deployStep = begin(
                "deploy",
                cutOff.map { "finishing run \($0) of the deploy phase" } ?? "the deploy phase, one action at a time")
            guard
                let outcome = await runPhase(
                    .deploy, step: deployStep, jobs: 1,
                    extra: previous.map { ["SHIPCHECK_PREVIOUS_RELEASE": $0] } ?? [:], resume: cutOff)
            else {
                // Refused before its first item: nothing changed.
                deployment.status = .stopped
                await save()
                return
            }
            deployed = outcome.result
        }
        guard deployed.verdict == .passed else {
            if deployed.verdict == .interrupted { return interrupted() }
            let failing = deployed.items.filter { [.fail, .error].contains($0.outcome) }
            let reason =
                "step \(failing.map(\.id).joined(separator: ", ")) \(failing.first?.outcome.rawValue ?? deployed.verdict.rawValue)"
                + (failing.first?.reason.map { ": \($0)" } ?? "")
            deployment.triggers.append("failed step: \(reason)")
            await rollBack(reason: reason, automatic: true, undoing: deployed, to: previous, baseline: baseline)
            return
        }
        if Task.isCancelled { return interrupted() }

        if !probes.isEmpty, recorded("watch")?.outcome != "passed" {
            let watchStep = begin(
                "watch",
                "\(Value.formatDuration(checklist.watch.duration)) at \(Value.formatDuration(checklist.watch.interval)), judged by \(checklist.triggers.filter(\.isWatched).count) triggers"
            )
            let (firing, samples, notes) = await watch(baseline: baseline)
            deployment.notes += notes
            if Task.isCancelled { return interrupted() }
            if let firing {
                await end(watchStep, "rollback", detail: "\(firing.trigger.label): \(firing.reason)")
                await rollBack(
                    reason: firing.trigger.label, automatic: true, undoing: deployed, to: previous,
                    firedAt: firing.at, baseline: baseline)
                return
            }
            await end(watchStep, "passed", detail: "\(samples) samples, no rollback trigger fired")
        }

        if let post = checklist.phase(.postDeploy), !post.items.isEmpty {
            let step = begin("post-deploy", "the post-deploy checks")
            let outcome = await runPhase(.postDeploy, step: step)
            if outcome?.result.verdict == .interrupted { return interrupted() }
            deployment.status = outcome?.result.verdict == .passed ? .deployed : .unverified
        } else {
            deployment.status = .deployed
        }
        await save()
    }

    mutating func interrupted() {
        deployment.status = .interrupted
    }

    /// Runs one phase as a recorded run of this deployment; nil when it was refused before it began.
    mutating func runPhase(
        _ phase: PhaseName, step: Int, jobs: Int? = nil, extra: [String: String] = [:],
        checklist override: Checklist? = nil, resume: String? = nil
    ) async -> GateOutcome? {
        var request = GateRequest(phase: phase)
        request.resume = resume
        request.environment = environmentName
        request.deployType = deployment.deployType
        request.release = deployment.version
        request.actor = identity.name
        request.verifiedIdentity = identity.source == .oidc ? identity : nil
        request.store = pipeline.request.store
        request.jobs = jobs
        request.reusesEvidence = pipeline.request.reusesEvidence
        request.formats = pipeline.request.formats
        request.deployment = PipelineStep(deployment: deployment.id, lock: await keeper.lock)
        request.checkEnvironment = extra.merging(["SHIPCHECK_DEPLOYMENT": deployment.id]) { current, _ in current }
        let gate: PreparedGate
        do {
            gate = try await GateRunner.prepare(
                checklist: override ?? checklist, configURL: pipeline.configURL, request: request,
                environment: pipeline.environment)
        } catch {
            let failure = error as? CommandFailure
            let messages = failure?.messages ?? ["\(error)"]
            for message in messages { pipeline.say(.note("  " + message)) }
            await end(step, "refused", detail: messages.joined(separator: " "))
            return nil
        }
        deployment.steps[step].run = gate.runID
        await save()
        let outcome = await gate.run()
        pipeline.say(.run(outcome))
        problems += outcome.problems
        let verdict = outcome.result.verdict.rawValue
        await end(step, outcome.unrecorded == nil ? verdict : "\(verdict), not recorded", run: gate.runID)
        return outcome
    }

    // MARK: - Sampling and watching

    /// The watch probes, once each, at the same time: what one sample holds.
    func sampleOnce(_ engine: Engine, _ probes: [Item]) async -> WatchSample {
        let at = now
        let results = await withTaskGroup(of: ItemResult.self) { group in
            for probe in probes { group.addTask { await engine.evaluate(probe) } }
            var results: [ItemResult] = []
            for await result in group { results.append(result) }
            return results
        }
        var sample = WatchSample(at: at)
        for result in results {
            if result.outcome == .error || result.facts.isEmpty {
                sample.unmeasured[result.id] = result.reason ?? "no facts"
                continue
            }
            for (path, value) in result.facts { sample.facts["\(result.id).\(path)"] = value }
            sample.facts["\(result.id).passed"] = .bool(result.outcome == .pass)
        }
        return sample
    }

    func probeEngine() -> Engine {
        let (processEnvironment, withheld) = GateRunner.withholdingCredentials(pipeline.environment)
        var options = RunOptions(
            phase: .watch, environment: environmentName, deployType: deployment.deployType, actor: identity.name,
            workingDirectory: pipeline.directory,
            processEnvironment: processEnvironment.merging(
                ["SHIPCHECK_DEPLOYMENT": deployment.id].merging(
                    deployment.version.map { ["SHIPCHECK_RELEASE": $0] } ?? [:]
                ) { current, _ in current }
            ) { _, new in new }, toolVersion: ShipcheckVersion.current)
        options.secretPatterns = SecretMasker()
        options.withheldSecrets = withheld
        return Engine(checklist: checklist, options: options)
    }

    /// `times` samples, one every interval.
    func sample(times: Int) async -> [WatchSample] {
        let engine = probeEngine()
        let probes = checklist.phase(.watch)?.items ?? []
        var samples: [WatchSample] = []
        let start = ContinuousClock.now
        for index in 0..<times {
            if Task.isCancelled { break }
            if index > 0 { await Self.sleep(until: start + .seconds(checklist.watch.interval * Double(index))) }
            samples.append(await sampleOnce(engine, probes))
        }
        return samples
    }

    struct Fired {
        var trigger: RollbackTrigger
        var reason: String
        var at: Date
    }

    /// Samples every interval for the watch's duration; returns the trigger that called for a
    /// rollback (the first), how many samples were judged, and what could not be judged.
    mutating func watch(baseline: [WatchSample]) async -> (Fired?, Int, [String]) {
        let settings = checklist.watch
        let probes = checklist.phase(.watch)?.items ?? []
        let (judged, unjudged) = Self.judgeable(checklist.triggers, probes: probes)
        var judge = WatchJudge(triggers: judged, settings: settings, baseline: baseline)
        let engine = probeEngine()
        for trigger in unjudged { pipeline.say(.note("  ! not judged: \(trigger)")) }
        let start = ContinuousClock.now
        let count = max(1, Int((settings.duration / settings.interval).rounded(.down)))
        var notified: Set<String> = []
        for index in 1...count {
            await Self.sleep(until: start + .seconds(settings.interval * Double(index)))
            if Task.isCancelled { break }
            let sample = await sampleOnce(engine, probes)
            for firing in judge.judge(sample) {
                var action = firing.trigger.action
                let text = "\(firing.trigger.label): \(firing.reason)"
                if action == .ask {
                    let answer = await pipeline.ask?("\(text)\nroll back now?")
                    action = answer.map { $0 ? .rollback : .notify } ?? firing.trigger.otherwise
                    if answer == nil {
                        pipeline.say(.note("  nobody to ask: \(firing.trigger.otherwise.rawValue), as configured"))
                    }
                }
                switch action {
                case .rollback:
                    pipeline.say(.note("  ✗ trigger fired: \(text)"))
                    deployment.triggers.append(text)
                    return (Fired(trigger: firing.trigger, reason: firing.reason, at: sample.at), index, judge.notes)
                case .notify, .ask:
                    // Said once per trigger: a condition that holds for minutes is one message.
                    guard notified.insert(firing.trigger.title).inserted else { continue }
                    pipeline.say(.note("  ! trigger fired (notify): \(text)"))
                    deployment.triggers.append("\(text) (notified)")
                    await save()
                    await notify(
                        "trigger-fired", verdict: "notify",
                        summary: "deploy\(versionText) to \(environmentName): \(text)")
                }
            }
        }
        return (nil, judge.samples.count, unjudged + judge.notes)
    }

    /// The watched triggers whose facts the probes measure, and a note for each of the others (a
    /// trigger imported before anyone wrote its probe): unjudged, and said so, rather than taken as
    /// failing for want of facts nobody measures.
    static func judgeable(_ triggers: [RollbackTrigger], probes: [Item]) -> ([RollbackTrigger], [String]) {
        let ids = Set(probes.map(\.id))
        var judged: [RollbackTrigger] = []
        var notes: [String] = []
        for trigger in triggers where trigger.isWatched {
            let missing = trigger.probes.subtracting(ids).sorted()
            if missing.isEmpty {
                judged.append(trigger)
            } else {
                notes.append(
                    "\(trigger.label): reads \(missing.joined(separator: ", ")), which no watch probe measures")
            }
        }
        return (judged, notes)
    }

    static func sleep(until deadline: ContinuousClock.Instant) async {
        let wait = deadline - ContinuousClock.now
        if wait > .zero { try? await Task.sleep(for: wait) }
    }

    /// The baseline's medians, briefly: `health.latency.p50 12ms, traffic.error_rate 0`.
    static func describe(_ samples: [WatchSample], triggers: [RollbackTrigger]) -> String {
        let medians = WatchJudge(triggers: triggers, settings: WatchSettings(), baseline: samples).baselineSummary
        return "\(samples.count) samples" + (medians.isEmpty ? "" : "; medians " + medians)
    }

    // MARK: - Rolling back

    /// Undoes the deploy: the counterparts (`rollback:`) of the actions that ran, newest first, or
    /// else the rollback phase; then samples the probes until they answer as before or the
    /// tolerance runs out.
    mutating func rollBack(
        reason: String, automatic: Bool, undoing deployed: RunResult?, to version: String?, firedAt: Date? = nil,
        baseline: [WatchSample] = []
    ) async {
        let started = now
        deployment.rollback = Deployment.Rollback(
            automatic: automatic, reason: reason, startedAt: firedAt ?? started, toVersion: version)
        await notify(
            "rollback-started",
            summary: "rollback\(versionText) in \(environmentName) (\(automatic ? "automatic" : "by hand"): \(reason))")
        var rollbackChecklist = checklist
        var source = "the rollback phase"
        let undone = (deployed?.items ?? []).filter { result in
            ![.skipped, .pending, .waived].contains(result.outcome) && result.reusedFrom == nil
        }.sorted { ($0.startedAt ?? .distantPast) > ($1.startedAt ?? .distantPast) }
        let counterparts: [Item] = undone.compactMap { result in
            guard let item = checklist.item(result.id), let template = item.rollback else { return nil }
            return item.counterpart(running: CheckKinds.shellCommand(template))
        }
        if !counterparts.isEmpty {
            rollbackChecklist = checklist.rollingBack(with: counterparts)
            source = "the counterparts of \(counterparts.count) action\(counterparts.count == 1 ? "" : "s")"
        }
        var ranRollback = false
        if rollbackChecklist.phase(.rollback)?.items.isEmpty == false {
            let step = begin("rollback", "\(source), newest first" + (version.map { ", back to \($0)" } ?? ""))
            var extra = ["SHIPCHECK_ROLLBACK_REASON": reason]
            if let version { extra["SHIPCHECK_PREVIOUS_RELEASE"] = version }
            if let from = deployment.version { extra["SHIPCHECK_ROLLBACK_FROM"] = from }
            let saved = deployment.version
            // The rollback's checks see the version they return to as SHIPCHECK_RELEASE.
            deployment.version = version
            let outcome = await runPhase(.rollback, step: step, jobs: 1, extra: extra, checklist: rollbackChecklist)
            deployment.version = saved
            ranRollback = outcome?.result.verdict == .passed
        } else {
            pipeline.say(
                .note("▸ rollback: nothing to run (no `rollback:` on the actions that ran, and no rollback phase)"))
        }
        let restored = await verifyRestored(baseline: baseline)
        let finished = now
        deployment.rollback?.finishedAt = finished
        deployment.rollback?.restored = restored && ranRollback
        deployment.status = restored && ranRollback ? .rolledBack : .rollbackFailed
        await save()
        await notify(
            "rollback-finished", verdict: deployment.status.rawValue,
            summary:
                "rollback\(versionText) in \(environmentName) \(restored && ranRollback ? "finished: the service answers again" : "did NOT restore the service")"
        )
        if automatic { await freezeAfterRepeatedRollbacks() }
    }

    /// Samples the probes after a rollback until the service answers as it did before the deploy,
    /// at most `tolerate + 1` times: every probe that passed in the baseline passes, and no rollback
    /// trigger that was quiet on the baseline fires. Without a baseline (a rollback by hand), every
    /// probe passes and every rollback trigger is quiet.
    mutating func verifyRestored(baseline: [WatchSample]) async -> Bool {
        let probes = checklist.phase(.watch)?.items ?? []
        guard !probes.isEmpty else { return true }
        let step = begin("verify", "the watch probes answer as before the deploy")
        let engine = probeEngine()
        let tries = checklist.watch.tolerate + 1
        var settings = checklist.watch
        settings.tolerate = tries
        let rollbackTriggers = Self.judgeable(checklist.triggers, probes: probes).0.filter {
            $0.action == .rollback || $0.otherwise == .rollback
        }
        var expected = Set(probes.map(\.id))
        var quiet = rollbackTriggers
        if let before = baseline.last {
            expected = expected.filter { id in baseline.contains { $0.facts["\(id).passed"] == .bool(true) } }
            var judge = WatchJudge(triggers: rollbackTriggers, settings: settings, baseline: baseline)
            let firedBefore = Set(judge.judge(before).map(\.trigger.title))
            quiet = rollbackTriggers.filter { !firedBefore.contains($0.title) }
        }
        var last = ""
        for attempt in 0..<tries {
            if attempt > 0 { try? await Task.sleep(for: .seconds(checklist.watch.interval)) }
            let sample = await sampleOnce(engine, probes)
            var judge = WatchJudge(triggers: quiet, settings: settings, baseline: baseline)
            let firing = judge.judge(sample)
            let failing = expected.sorted().filter { sample.facts["\($0).passed"] != .bool(true) }
            if firing.isEmpty && failing.isEmpty {
                await end(step, "passed", detail: "restored after \(attempt + 1) sample\(attempt == 0 ? "" : "s")")
                pipeline.say(.note("  ✓ the service answers as before the deploy"))
                return true
            }
            last =
                (firing.map { "\($0.trigger.label): \($0.reason)" }
                + failing.map { id in sample.unmeasured[id].map { "\(id) unmeasured: \($0)" } ?? "\(id) did not pass" })
                .joined(separator: "; ")
        }
        await end(step, "failed", detail: last)
        pipeline.say(.note("  ✗ the service did not come back: \(last)"))
        return false
    }

    /// After `freeze-after` automatic rollbacks in a row, the environment is frozen until a bypass role
    /// unfreezes it: something is wrong beyond one deploy.
    mutating func freezeAfterRepeatedRollbacks() async {
        let limit = checklist.freezeAfterRollbacks
        guard
            let recent = try? await store.deployments(environment: environmentName).filter({
                $0.status != .running || $0.id == deployment.id
            })
        else {
            return
        }
        let finished = recent.filter { ![.stopped, .interrupted].contains($0.status) }.suffix(limit)
        guard finished.count == limit, finished.allSatisfy({ $0.rollback?.automatic == true }) else { return }
        let reason =
            "\(limit) automatic rollbacks in a row (the last: deployment \(deployment.id)); `shipcheck unfreeze --env \(environmentName)` by a bypass role ends it"
        do {
            let freeze = try await store.declareFreeze(
                environment: environmentName, reason: reason, actor: Identity("shipcheck", source: .login), from: now,
                until: now.addingTimeInterval(checklist.maxBypass))
            deployment.notes.append("environment frozen (\(freeze.id)): \(reason)")
            pipeline.say(.note("  ✗ \(environmentName) is frozen: \(reason)"))
            await save()
        } catch {
            problems.append("the freeze after \(limit) automatic rollbacks could not be recorded: \(error)")
        }
    }

    // MARK: - The end

    /// Beside the deployment log, `deployments/ID.md`: the deployment's entry and steps, then each
    /// step's run as its ticked Markdown checklist.
    func writeTickedChecklist(besideLog path: String) async -> String? {
        let log = path.hasPrefix("/") ? URL(fileURLWithPath: path) : pipeline.directory.appendingPathComponent(path)
        let file = log.deletingLastPathComponent().appendingPathComponent("deployments/\(deployment.id).md")
        var text = DeploymentReport.markdown(deployment)
        let reporter = MarkdownReporter()
        for step in deployment.steps {
            guard let id = step.run, let run = try? await store.run(id) else { continue }
            text += "\n---\n\n" + reporter.render(run.result)
        }
        do {
            try FileManager.default.createDirectory(
                at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: file, options: .atomic)
            return nil
        } catch {
            return "could not write \(file.path): \(error.localizedDescription)"
        }
    }

    /// `finish` in a task of its own: after Ctrl-C the deployment's task is cancelled, and the store
    /// refuses a cancelled task's writes, yet the end must be recorded and the lock released.
    func finishedOutsideCancellation() async -> Deployment {
        let run = self
        let cancelled = Task.isCancelled
        return await Task {
            var run = run
            if cancelled, run.deployment.status == .running { run.deployment.status = .interrupted }
            return await run.finish()
        }.value
    }

    /// Records the end, writes the deployment log, tells the `notify:` targets, releases the lock.
    mutating func finish() async -> Deployment {
        if deployment.status == .running { deployment.status = Task.isCancelled ? .interrupted : .deployed }
        deployment.finishedAt = now
        await save()
        if let path = checklist.deploymentLog {
            if let problem = PreparedGate.appendDeploymentLog(
                deployment.logEntry, to: path, configDirectory: pipeline.directory)
            {
                problems.append(problem)
            }
            if let problem = await writeTickedChecklist(besideLog: path) { problems.append(problem) }
        }
        let event = deployment.rollback != nil ? nil : "deploy-finished"
        if let event {
            await notify(
                event, verdict: deployment.status.rawValue,
                summary:
                    "deploy\(versionText) to \(environmentName) \(deployment.status.rawValue) (deployment \(deployment.id))"
            )
        }
        if let problem = await keeper.release(by: identity) { problems.append(problem) }
        problems += await notifications.drain()
        try? await store.backend.close()
        for problem in problems { pipeline.say(.note("warning: \(problem)")) }
        return deployment
    }
}

/// Notifications sent one after another in the background.
final class NotificationChain: @unchecked Sendable {
    private let lock = NSLock()
    private var last: Task<[String], Never>?

    func enqueue(_ notifier: Notifier, _ event: Notifier.Event) {
        lock.withLock {
            let previous = last
            last = Task {
                let earlier = await previous?.value ?? []
                return earlier + (await notifier.send(event))
            }
        }
    }

    /// Waits for every notification; what could not be delivered.
    func drain() async -> [String] {
        let last = lock.withLock { self.last }
        return await last?.value ?? []
    }
}
