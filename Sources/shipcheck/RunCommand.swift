import ArgumentParser
import Foundation
import ShipcheckApp
import ShipcheckCore

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run one phase of the checklist as a gate.",
        discussion: """
            Independent items run in parallel; an item waits for those it `needs`. Manual items stay \
            pending unless signed off (--interactive asks at the terminal). Reports in the --format list \
            are written to --output-dir. Every run is recorded in the store (.shipcheck/shipcheck.db \
            beside the configuration unless --store, SHIPCHECK_STORE or `store:` says otherwise).

            Examples:
              shipcheck run
              shipcheck run pre-deploy --env staging --format json,junit --output-dir reports
              shipcheck run post-deploy --env production --only health,database-healthy
              shipcheck run --changed-since origin/main --jobs 4
              shipcheck run --resume 20261204-101500-1a2b3c4d
            """)

    @Argument(
        help: "The phase: pre-deploy (default), deploy, post-deploy or rollback.",
        completion: .list(PhaseName.allCases.map(\.rawValue)))
    var phase: String = PhaseName.preDeploy.rawValue

    @OptionGroup var configOptions: ConfigOptions
    @OptionGroup var storeOptions: StoreOptions

    @Option(name: .long, help: "The environment (from `environments:`).")
    var env: String?

    @Option(name: .long, help: "The deploy type (from `types:`).")
    var type: String?

    @Option(name: [.short, .long], help: "How many items may run at once (default: the number of cores).")
    var jobs: Int?

    @Option(
        name: .long, help: "Report formats to write, comma-separated: \(Reporters.formats.joined(separator: ", ")).",
        completion: .list(Reporters.formats))
    var format: String = ""

    @Option(name: .long, help: "Where to write reports (default: .shipcheck/reports beside the configuration).")
    var outputDir: String?

    @Option(name: .long, help: "Run only these items (comma-separated ids) and what they need.")
    var only: String = ""

    @Option(name: .long, help: "Skip these items (comma-separated ids); they are recorded as skipped.")
    var skip: String = ""

    @Option(name: .long, help: "Who runs this (default: $SHIPCHECK_ACTOR, else git's user.email).")
    var actor: String?

    @Option(
        name: .long,
        help:
            "`oidc`: who runs this is what the CI's OpenID Connect ID token says (SHIPCHECK_OIDC_TOKEN, or GitHub Actions' own), verified against the issuer's keys."
    )
    var identity: String?

    @Option(
        name: .long,
        help:
            "A git ref; changed(\"glob\") in `when:` compares against it (default: origin/main, origin/master, main or master)."
    )
    var changedSince: String?

    @Option(name: .long, help: "The version being deployed, for the deployment log (e.g. v1.2.3).")
    var release: String?

    @Option(
        name: .long,
        help:
            "Finish an interrupted run: its items that finished are kept, the rest run (phase and selection as it had)."
    )
    var resume: String?

    @Option(name: .long, help: "Record this run as a shard of a gate split across runners (with --shard).")
    var group: String?

    @Option(
        name: .long,
        help: "This runner's share of the group, as I/N (e.g. 2/5); items are balanced by recorded durations.")
    var shard: String?

    @Flag(name: .long, help: "Do not record this run in the store.")
    var noStore = false

    @Flag(name: .long, help: "Run every item, even one whose passing result could be reused (items with `inputs:`).")
    var noReuse = false

    @Flag(name: .long, help: "Ask at the terminal whether each manual item is done.")
    var interactive = false

    func validate() throws {
        guard PhaseName(rawValue: phase) != nil else {
            throw ValidationError(
                "unknown phase `\(phase)`; expected one of \(PhaseName.allCases.map(\.rawValue).joined(separator: ", "))"
            )
        }
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        for format in Self.split(format) where Reporters.reporter(named: format) == nil {
            throw ValidationError(
                "unknown format `\(format)`; expected one of \(Reporters.formats.joined(separator: ", "))")
        }
        if (group == nil) != (shard == nil) { throw ValidationError("--group and --shard go together") }
        if let shard, ShardSelection(shard) == nil {
            throw ValidationError("--shard: expected I/N with 1 ≤ I ≤ N, such as 2/5; got `\(shard)`")
        }
        if group != nil, !only.isEmpty { throw ValidationError("--shard chooses the items; drop --only") }
        if group != nil, noStore { throw ValidationError("--group records shards in the run store; drop --no-store") }
        if resume != nil, noStore { throw ValidationError("--resume reads the run from the store; drop --no-store") }
        if resume != nil, env != nil || type != nil || !only.isEmpty || !skip.isEmpty {
            throw ValidationError("--resume runs what the run was asked for; drop --env, --type, --only and --skip")
        }
    }

    static func split(_ list: String) -> [String] {
        list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    func run() async throws {
        let (checklist, configURL) = try configOptions.load()
        for warning in checklist.warnings { Console.note("warning: \(warning)") }
        var request = GateRequest(phase: PhaseName(rawValue: phase) ?? .preDeploy)
        request.environment = env
        request.deployType = type
        request.jobs = jobs
        request.only = Self.split(only)
        request.skip = Self.split(skip)
        request.actor = actor
        request.oidc = try IdentityOption.oidc(identity)
        request.changedSince = changedSince
        request.release = release
        request.formats = Self.split(format)
        request.outputDirectory = outputDir.map { URL(fileURLWithPath: $0) }
        request.store = storeOptions.store
        request.recordsRuns = !noStore
        request.reusesEvidence = !noReuse
        request.resume = resume
        request.group = group
        request.shard = shard.flatMap(ShardSelection.init)

        let color = Console.useColor
        let progress = Progress(live: color, color: color)
        let asks = interactive && Console.stdinIsTerminal
        if interactive && !Console.stdinIsTerminal {
            Console.note("--interactive needs a terminal on standard input; manual items stay pending")
        }
        var signoffs: (@Sendable (Identity) -> (any SignoffSource)?)?
        if asks {
            signoffs = { @Sendable actor in
                InteractiveSignoffs(actor: actor, progress: progress, now: { Date() }) as any SignoffSource
            }
        }
        let gate = try await GateRunner.prepare(
            checklist: checklist, configURL: configURL, request: request,
            environment: ProcessInfo.processInfo.environment, signoffs: signoffs,
            observer: { progress.handle($0) })
        let selected = gate.engine.selectedItems.count
        Console.note(
            "shipcheck \(gate.request.phase.rawValue): \(selected) item\(selected == 1 ? "" : "s") from \(checklist.file)"
                + (gate.request.environment.map { ", env \($0)" } ?? "")
                + (gate.request.deployType.map { ", type \($0)" } ?? ""))
        for note in gate.notes { Console.note(note) }

        let task = Task { await gate.run() }
        let interruption = Interruption { task.cancel() }
        let outcome = await task.value
        interruption.disarm()
        progress.finish()

        Console.out(
            TerminalReporter(color: color).summary(outcome.result, unrecorded: outcome.unrecorded), terminator: "")
        for report in outcome.printed { Console.out(report, terminator: "") }
        if !outcome.written.isEmpty { Console.note("reports: " + outcome.written.map(\.path).joined(separator: ", ")) }
        for problem in outcome.problems { Console.error(problem) }
        for warning in outcome.warnings { Console.note("warning: \(warning)") }
        var code = ExitCodes.code(for: outcome.result.verdict)
        if let unrecorded = outcome.unrecorded, outcome.result.verdict != .passed { Console.error(unrecorded) }
        // A run the store did not take is not a verdict anyone can rely on, whatever it was.
        if outcome.unrecorded != nil, code == ExitCodes.passed || code == ExitCodes.failed {
            code = ExitCodes.couldNotEvaluate
        }
        if !outcome.problems.isEmpty, code == ExitCodes.passed { code = ExitCodes.couldNotEvaluate }
        if code != 0 { throw ExitCode(code) }
    }
}

/// Where runs are recorded, for every command that reads or writes the store.
struct StoreOptions: ParsableArguments {
    @Option(
        name: .long,
        help:
            "The run store: an SQLite file, or postgres://USER@HOST:PORT/DATABASE (password from SHIPCHECK_STORE_PASSWORD or PGPASSWORD). Default: $SHIPCHECK_STORE, `store:`, else .shipcheck/shipcheck.db beside the configuration."
    )
    var store: String?
}

/// `--identity`: how who acts is known; only `oidc` (the CI's verified ID token) is a choice.
enum IdentityOption {
    static func oidc(_ value: String?) throws(CommandFailure) -> Bool {
        guard let value else { return false }
        guard value == "oidc" else { throw CommandFailure("--identity: expected `oidc`, got `\(value)`", .usage) }
        return true
    }
}
