import ArgumentParser
import Foundation
import ShipcheckApp
import ShipcheckCore
import ShipcheckStore

extension StoreOptions {
    /// Reads of the store these options name, for the configuration the options name (if any).
    func reader(_ configOptions: ConfigOptions) -> StoreReader {
        let configURL =
            configOptions.config.map { URL(fileURLWithPath: $0) }
            ?? ConfigLoader.discover(from: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        return StoreReader(flag: store, configURL: configURL, environment: ProcessInfo.processInfo.environment)
    }
}

struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history", abstract: "List recorded runs, newest first.",
        discussion: """
            Examples:
              shipcheck history
              shipcheck history --env production --outcome failed --since 30d
              shipcheck history --limit 200 --format json
              shipcheck history --outcome refused --env production
            """)

    @OptionGroup var configOptions: ConfigOptions
    @OptionGroup var storeOptions: StoreOptions
    @Option(name: .long, help: "Only runs in this environment.") var env: String?
    @Option(name: .long, help: "Only runs of this deploy type.") var type: String?
    @Option(name: .long, help: "Only runs of this phase.") var phase: String?
    @Option(
        name: .long,
        help:
            "Only runs with this outcome: passed, failed, error, interrupted or running; `refused` lists the deploys the calendar refused."
    )
    var outcome: String?
    @Option(name: .long, help: "Only runs of this group (sharded gates).") var group: String?
    @Option(name: .long, help: "Only runs started within this long (e.g. 7d, 12h).") var since: String?
    @Option(name: .long, help: "At most this many runs.") var limit: Int = 20
    @Option(name: .long, help: "text or json.") var format: String = "text"
    @Flag(name: .long, help: "List deployments (`shipcheck deploy` and `rollback`) instead of runs.")
    var deployments = false

    func validate() throws {
        if let since, parseDuration(since) == nil {
            throw ValidationError("--since: `\(since)` is not a duration (e.g. 90d, 12h, 30m)")
        }
        if limit < 1 { throw ValidationError("--limit must be at least 1") }
        if !["text", "json"].contains(format) { throw ValidationError("--format: expected text or json") }
        let outcomes = ["passed", "failed", "error", "interrupted", "running", "refused"]
        let statuses = [
            "running", "deployed", "unverified", "rolled-back", "rollback-failed", "stopped", "interrupted",
        ]
        if deployments, let outcome, !statuses.contains(outcome) {
            throw ValidationError("--outcome with --deployments: expected one of \(statuses.joined(separator: ", "))")
        }
        if !deployments, let outcome, !outcomes.contains(outcome) {
            throw ValidationError("--outcome: expected one of \(outcomes.joined(separator: ", "))")
        }
    }

    func run() async throws {
        let reader = storeOptions.reader(configOptions)
        if deployments {
            let since = since.flatMap(parseDuration).map { Date().addingTimeInterval(-$0) }
            let found = try await reader.deployments(environment: env).filter { deployment in
                (type == nil || deployment.deployType == type)
                    && (outcome == nil || deployment.status.rawValue == outcome)
                    && (since.map { deployment.startedAt >= $0 } ?? true)
            }.reversed().prefix(limit)
            Console.out(
                format == "json" ? StoreViews.json(Array(found)) : StoreViews.deploymentTable(Array(found)),
                terminator: "")
            return
        }
        if outcome == "refused" {
            let since = since.flatMap(parseDuration).map { Date().addingTimeInterval(-$0) }
            let refusals = try await reader.refusals(environment: env).filter { refusal in
                (type == nil || refusal.deployType == type) && (phase == nil || refusal.phase.rawValue == phase)
                    && (since.map { start in (refusal.at ?? .distantPast) >= start } ?? true)
            }.reversed().prefix(limit)
            Console.out(
                format == "json" ? StoreViews.json(Array(refusals)) : StoreViews.refusalTable(Array(refusals)),
                terminator: "")
            return
        }
        let query = HistoryQuery(
            environment: env, deployType: type, phase: phase, outcome: outcome, group: group,
            since: since.flatMap(parseDuration).map { Date().addingTimeInterval(-$0) }, limit: limit)
        let runs = try await reader.history(query)
        Console.out(format == "json" ? StoreViews.json(runs) : StoreViews.historyTable(runs), terminator: "")
    }
}

struct VerdictCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verdict",
        abstract: "The verdict of a gate run as shards (`run --group G --shard I/N`): every shard, as one run.",
        discussion: """
            Waits (up to --wait) for every shard of the group to finish, then reports the whole gate \
            as one run. A shard that died or never reported is missing: its items are errors and the \
            exit status is 2.

            Examples:
              shipcheck verdict --group build-1234 --wait 10m
              shipcheck verdict --group build-1234 --format junit,html --output-dir reports
            """)

    @OptionGroup var configOptions: ConfigOptions
    @OptionGroup var storeOptions: StoreOptions
    @Option(name: .long, help: "The group the shards recorded under.") var group: String
    @Option(name: .long, help: "How long to wait for shards still running (default: do not wait).")
    var wait: String = "0s"
    @Option(
        name: .long, help: "Report formats to write, comma-separated: \(Reporters.formats.joined(separator: ", ")).")
    var format: String = ""
    @Option(name: .long, help: "Where to write reports (default: .shipcheck/reports beside the configuration).")
    var outputDir: String?

    func validate() throws {
        if parseDuration(wait) == nil { throw ValidationError("--wait: `\(wait)` is not a duration (e.g. 10m)") }
        for format in RunCommand.split(format) where Reporters.reporter(named: format) == nil {
            throw ValidationError(
                "unknown format `\(format)`; expected one of \(Reporters.formats.joined(separator: ", "))")
        }
    }

    func run() async throws {
        let (checklist, configURL) = try configOptions.load()
        let (outcome, notRecorded) = try await GroupVerdict.decide(
            group: group, checklist: checklist, configURL: configURL, storeFlag: storeOptions.store,
            wait: parseDuration(wait) ?? 0, environment: ProcessInfo.processInfo.environment)
        let terminal = TerminalReporter(color: Console.useColor)
        for item in outcome.result.items { Console.out(terminal.line(for: item)) }
        Console.out(terminal.summary(outcome.result), terminator: "")
        let formats = RunCommand.split(format)
        for report in Reports.printed(outcome.result, formats: formats) { Console.out(report, terminator: "") }
        let directory = configURL.deletingLastPathComponent()
        do {
            let written = try Reports.write(
                outcome.result, formats: formats,
                to: outputDir.map { URL(fileURLWithPath: $0) }
                    ?? directory.appendingPathComponent(".shipcheck/reports"),
                configDirectory: directory)
            if !written.isEmpty { Console.note("reports: " + written.map(\.path).joined(separator: ", ")) }
        } catch {
            throw CommandFailure(error.description, .couldNotEvaluate)
        }
        for missing in outcome.missing { Console.error("missing: \(missing)") }
        // As for a run: a verdict whose record was lost is not a clean one.
        if let notRecorded {
            throw CommandFailure(notRecorded, .couldNotEvaluate)
        }
        // A gate with a shard missing was not evaluated whole, whatever the other shards found.
        let code = outcome.missing.isEmpty ? ExitCodes.code(for: outcome.result.verdict) : ExitCodes.couldNotEvaluate
        if code != 0 { throw ExitCode(code) }
    }
}

struct MetricsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "Delivery metrics from recorded runs: frequency, lead time, change failure rate, time to restore.",
        discussion: """
            Deploys are runs of the deploy phase; the definitions are in docs/metrics.md.

            Examples:
              shipcheck metrics --since 90d --env production
              shipcheck metrics --format json
            """)

    @OptionGroup var configOptions: ConfigOptions
    @OptionGroup var storeOptions: StoreOptions
    @Option(name: .long, help: "The window, back from now (default 90d).") var since: String = "90d"
    @Option(name: .long, help: "Only this environment.") var env: String?
    @Option(name: .long, help: "text or json.") var format: String = "text"

    func validate() throws {
        if parseDuration(since) == nil {
            throw ValidationError("--since: `\(since)` is not a duration (e.g. 90d, 12h)")
        }
        if !["text", "json"].contains(format) { throw ValidationError("--format: expected text or json") }
    }

    func run() async throws {
        let now = Date()
        let window = parseDuration(since) ?? 90 * 86_400
        let metrics = try await storeOptions.reader(configOptions).metrics(
            since: now.addingTimeInterval(-window), until: now, environment: env)
        Console.out(format == "json" ? StoreViews.json(metrics) : StoreViews.metricsTable(metrics), terminator: "")
    }
}

struct ShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show one recorded run (or deployment) whole.",
        discussion: """
            Examples:
              shipcheck show 20261204-101500-1a2b3c4d
              shipcheck show deploy-20261204-101500-1a2b3c4d
              shipcheck show 20261204-101500-1a2b3c4d --format json
            """)

    @Argument(help: "The run's id (from `shipcheck history`).") var runID: String
    @OptionGroup var configOptions: ConfigOptions
    @OptionGroup var storeOptions: StoreOptions
    @Option(
        name: .long, help: "terminal (default) or a report format: \(Reporters.formats.joined(separator: ", ")).")
    var format: String = "terminal"

    func validate() throws {
        if format != "terminal", Reporters.reporter(named: format) == nil {
            throw ValidationError("--format: expected terminal or one of \(Reporters.formats.joined(separator: ", "))")
        }
    }

    func run() async throws {
        // A deployment (`shipcheck deploy`) is shown as its steps, each a run to show in turn.
        if runID.hasPrefix("deploy-") || runID.hasPrefix("rollback-"),
            let deployment = try await storeOptions.reader(configOptions).deployment(runID)
        {
            if format == "json" {
                Console.out(deployment.json, terminator: "")
            } else {
                for line in deployment.lines { Console.out(line) }
            }
            return
        }
        let stored = try await loadRun(runID, storeOptions, configOptions)
        if let reporter = Reporters.reporter(named: format) {
            Console.out(reporter.render(stored.result), terminator: "")
            return
        }
        for line in StoreViews.describe(stored) { Console.out(line) }
        let terminal = TerminalReporter(color: Console.useColor)
        for item in stored.result.items { Console.out(terminal.line(for: item)) }
        Console.out(terminal.summary(stored.result), terminator: "")
    }
}

/// Reads one run, or a sharded group's merged verdict by the group's name.
func loadRun(_ runID: String, _ storeOptions: StoreOptions, _ configOptions: ConfigOptions) async throws -> StoredRun {
    try await storeOptions.reader(configOptions).run(runID)
}

struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Write a recorded run as a report.",
        discussion: """
            The reports `run --format` writes, fed from the store; html is one self-contained page to \
            keep as a CI artifact.

            Examples:
              shipcheck export 20261204-101500-1a2b3c4d --format html --output run.html
              shipcheck export 20261204-101500-1a2b3c4d --format junit > junit.xml
              shipcheck export deploy-20261204-101500-1a2b3c4d --format html --output deploy.html
            """)

    @Argument(help: "The run's id (from `shipcheck history`).") var runID: String
    @OptionGroup var configOptions: ConfigOptions
    @OptionGroup var storeOptions: StoreOptions
    @Option(name: .long, help: "\(Reporters.formats.joined(separator: ", ")).") var format: String
    @Option(name: .long, help: "Write to this file instead of standard output.") var output: String?

    func validate() throws {
        if Reporters.reporter(named: format) == nil {
            throw ValidationError("--format: expected one of \(Reporters.formats.joined(separator: ", "))")
        }
    }

    func run() async throws {
        let text: String
        // A deployment exports whole: its steps, then each step's run.
        if runID.hasPrefix("deploy-") || runID.hasPrefix("rollback-"),
            let (deployment, runs) = try await storeOptions.reader(configOptions).deploymentWithRuns(runID)
        {
            guard let rendered = DeploymentReport.render(deployment, runs: runs, format: format) else {
                throw CommandFailure(
                    "--format: a deployment exports as \(DeploymentReport.formats.joined(separator: ", ")); export its runs (`shipcheck show \(runID)` lists them) for \(format)",
                    .usage)
            }
            text = rendered
        } else {
            let stored = try await loadRun(runID, storeOptions, configOptions)
            // The same report `run --format` wrote: for an imported checklist, its own file ticked.
            let configDirectory =
                (try? configOptions.configURL())?.deletingLastPathComponent()
                ?? URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
            guard let rendered = Reports.render(stored.result, format: format, configDirectory: configDirectory) else {
                throw ExitCode.usageFailure
            }
            text = rendered
        }
        guard let output else {
            Console.out(text, terminator: "")
            return
        }
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
        } catch {
            throw CommandFailure("could not write \(output): \(error.localizedDescription)", .couldNotEvaluate)
        }
    }
}

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Check or export the store's tamper-evident audit log.",
        subcommands: [AuditVerifyCommand.self, AuditExportCommand.self, AuditCheckpointCommand.self])
}

struct AuditCheckpointCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoint",
        abstract: "Sign the audit chain's head (its number, hash and the time) with your SSH key and keep it.",
        discussion: """
            The checkpoint is kept in the store and printed (or written to --out): keep a copy \
            elsewhere (a ticket, another repository), and `audit verify --checkpoint FILE` catches a \
            chain cut short before it, or rewritten up to it, even with every later hash recomputed.

            Examples:
              shipcheck audit checkpoint --key ~/.ssh/id_ed25519 --out checkpoints/2026-12-07.json
            """)

    @OptionGroup var configOptions: ConfigOptions
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var signing: SigningOptions
    @Option(name: .long, help: "Who signs (default SHIPCHECK_ACTOR, then git's user.email).") var actor: String?
    @Option(name: .long, help: "Also write the checkpoint to this file.") var out: String?

    func run() async throws {
        let checkpoint = try await configOptions.decisions(storeOptions, signing: signing).checkpoint(actor: actor)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(checkpoint), as: UTF8.self) + "\n"
        if let out {
            do { try json.write(toFile: out, atomically: true, encoding: .utf8) } catch {
                throw CommandFailure(
                    "--out: cannot write \(out) (the checkpoint is kept in the store): \(error.localizedDescription)",
                    .couldNotEvaluate)
            }
            Console.out(
                "audit: checkpoint of event #\(checkpoint.seq) signed by \(checkpoint.signer), kept in the store and in \(out)"
            )
        } else {
            Console.out(json, terminator: "")
        }
    }
}

struct AuditVerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Walk the audit chain and compare every row with the event that wrote it; exit 1 on a broken link.")

    @OptionGroup var configOptions: ConfigOptions
    @OptionGroup var storeOptions: StoreOptions
    @Option(
        name: .long,
        help: "A checkpoint kept elsewhere (from `audit checkpoint`) to check the chain against; repeatable.")
    var checkpoint: [String] = []
    @Option(
        name: .long,
        help: "Who may sign checkpoints, in allowed_signers format (default the configuration's `allowed-signers:`).")
    var allowedSigners: String?

    func run() async throws {
        var signers = (try? configOptions.load())?.0.allowedSigners
        if let allowedSigners {
            do { signers = try AllowedSigners(contentsOf: URL(fileURLWithPath: allowedSigners)) } catch {
                throw CommandFailure("--allowed-signers: \(error)", .usage)
            }
        }
        var given: [(name: String, checkpoint: AuditCheckpoint)] = []
        for path in checkpoint {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw CommandFailure("--checkpoint: cannot read \(path)", .usage)
            }
            do { given.append((path, try JSONDecoder().decode(AuditCheckpoint.self, from: data))) } catch {
                throw CommandFailure(
                    "--checkpoint: \(path) is not a checkpoint (expected the JSON `audit checkpoint` writes): \(error)",
                    .usage)
            }
        }
        let (report, location, checkpoints) = try await storeOptions.reader(configOptions).verifyAudit(
            given: given, signers: DecisionVerifier(allowedSigners: signers))
        guard report.intact else {
            let count = report.problems.count
            throw CommandFailure(
                [
                    "audit: the chain in \(location) is broken (\(count) problem\(count == 1 ? "" : "s")); first broken link first:"
                ] + report.problems.map { "  \($0)" }, .refused)
        }
        let against =
            checkpoints == 0 ? "" : ", and holds the \(checkpoints) signed checkpoint\(checkpoints == 1 ? "" : "s")"
        Console.out(
            "audit: \(report.events) events and \(report.rows) rows in \(location) verified; the chain is intact\(against)"
        )
    }
}

struct AuditExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Write the audit log as JSON Lines, one event per line, in chain order.")

    @OptionGroup var configOptions: ConfigOptions
    @OptionGroup var storeOptions: StoreOptions
    @Flag(
        name: .long,
        help:
            "Also write every row the chain covers, after the events, so that scripts/verify-audit.py checks the rows too."
    )
    var rows = false

    func run() async throws {
        let reader = storeOptions.reader(configOptions)
        if rows {
            let (events, rows) = try await reader.auditEventsAndRows()
            // The count first, so that a verifier tells "no rows" from "rows not exported".
            Console.out(
                StoreViews.jsonLines(events) + "{\"rows\":\(rows.count)}\n" + StoreViews.jsonLines(rows),
                terminator: "")
            return
        }
        Console.out(StoreViews.jsonLines(try await reader.auditEvents()), terminator: "")
    }
}
