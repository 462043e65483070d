import ArgumentParser
import Foundation
import ShipcheckChecks
import ShipcheckCore
import ShipcheckImport

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run one phase of the checklist as a gate.",
        discussion: """
            Independent items run in parallel; an item waits for those it `needs`. Manual items stay \
            pending unless signed off (--interactive asks at the terminal). Reports in the --format list \
            are written to --output-dir.

            Examples:
              shipcheck run
              shipcheck run pre-deploy --env staging --format json,junit --output-dir reports
              shipcheck run post-deploy --env production --only health,database-healthy
              shipcheck run --changed-since origin/main --jobs 4
            """)

    @Argument(
        help: "The phase: pre-deploy (default), deploy, post-deploy or rollback.",
        completion: .list(PhaseName.allCases.map(\.rawValue)))
    var phase: String = PhaseName.preDeploy.rawValue

    @OptionGroup var configOptions: ConfigOptions

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
            "A git ref; changed(\"glob\") in `when:` compares against it (default: origin/main, origin/master, main or master)."
    )
    var changedSince: String?

    @Option(name: .long, help: "The version being deployed, for the deployment log (e.g. v1.2.3).")
    var release: String?

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
    }

    static func split(_ list: String) -> [String] {
        list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    func run() async throws {
        let (checklist, configURL) = try configOptions.load()
        for warning in checklist.warnings { Console.note("warning: \(warning)") }
        let directory = configURL.deletingLastPathComponent()
        let environment = ProcessInfo.processInfo.environment
        let actor = await resolveActor(directory: directory, environment: environment)
        var changedPaths: [String]?
        // `changed("glob")` compares with --changed-since, or else with the default branch.
        let usesChanged = checklist.items.contains { $0.when?.calls("changed") == true }
        var changedSince = self.changedSince
        if changedSince == nil, usesChanged {
            changedSince = await GitInfo.defaultBase(in: directory, environment: environment)
        }
        if let changedSince {
            do {
                changedPaths = try await GitInfo.changedFiles(
                    since: changedSince, in: directory, environment: environment)
            } catch {
                Console.error("--changed-since: \(error)")
                throw ExitCode.usageFailure
            }
        }
        guard let phaseName = PhaseName(rawValue: phase) else {
            Console.error(
                "unknown phase `\(phase)`; expected one of \(PhaseName.allCases.map(\.rawValue).joined(separator: ", "))"
            )
            throw ExitCode.usageFailure
        }
        var options = RunOptions(
            phase: phaseName, environment: env, deployType: type,
            jobs: jobs ?? ProcessInfo.processInfo.activeProcessorCount,
            only: Self.split(only), skip: Self.split(skip), actor: actor, workingDirectory: directory,
            processEnvironment: environment, changedPaths: changedPaths, toolVersion: ShipcheckVersion.current)
        options.release = release
        let problems = options.problems(in: checklist)
        guard problems.isEmpty else {
            for problem in problems { Console.error(problem) }
            throw ExitCode.usageFailure
        }

        let color = Console.useColor
        let progress = Progress(live: color, color: color)
        let signoffs: (any SignoffSource)? =
            interactive && Console.stdinIsTerminal
            ? InteractiveSignoffs(actor: actor, progress: progress, now: { Date() }) : nil
        if interactive && !Console.stdinIsTerminal {
            Console.note("--interactive needs a terminal on standard input; manual items stay pending")
        }
        let engine = Engine(
            checklist: checklist, options: options, signoffSource: signoffs,
            observer: { progress.handle($0) })
        Console.note(
            "shipcheck \(phase): \(engine.selectedItems.count) item\(engine.selectedItems.count == 1 ? "" : "s") from \(checklist.file)"
                + (env.map { ", env \($0)" } ?? "") + (type.map { ", type \($0)" } ?? ""))

        let task = Task { await engine.run() }
        let interruption = Interruption { task.cancel() }
        let result = await task.value
        interruption.disarm()
        progress.finish()

        Console.out(TerminalReporter(color: color).summary(result), terminator: "")
        let formats = Self.split(format)
        for format in formats {
            guard let reporter = Reporters.reporter(named: format), Swift.type(of: reporter).fileName == nil else {
                continue
            }
            Console.out(reporter.render(result), terminator: "")
        }
        if formats.contains(GitHubReporter.format), let summaryPath = environment["GITHUB_STEP_SUMMARY"] {
            // The step summary shows the ticked checklist on the workflow run's page.
            if let handle = FileHandle(forWritingAtPath: summaryPath) {
                handle.seekToEndOfFile()
                handle.write(Data(MarkdownReporter().render(result).utf8))
                try? handle.close()
            }
        }
        if formats.contains(where: { Reporters.reporter(named: $0).map { Swift.type(of: $0).fileName != nil } ?? false }
        ) {
            let output =
                outputDir.map { URL(fileURLWithPath: $0) }
                ?? directory.appendingPathComponent(".shipcheck/reports")
            do {
                // An imported checklist is exported back into its own Markdown, ticked.
                var rendered: [String: String] = [:]
                if formats.contains(MarkdownReporter.format),
                    let export = ChecklistExport.render(result, configDirectory: directory)
                {
                    rendered[MarkdownReporter.format] = export
                }
                let written = try ReportWriter.write(result, formats: formats, to: output, rendered: rendered)
                Console.note("reports: " + written.map(\.path).joined(separator: ", "))
            } catch {
                Console.error("could not write reports to \(output.path): \(error.localizedDescription)")
                throw ExitCode(ExitCodes.couldNotEvaluate)
            }
        }
        let code = ExitCodes.code(for: result.verdict)
        if code != 0 { throw ExitCode(code) }
    }

    func resolveActor(directory: URL, environment: [String: String]) async -> String {
        if let actor, !actor.isEmpty { return actor }
        if let actor = environment["SHIPCHECK_ACTOR"], !actor.isEmpty { return actor }
        if let email = await GitInfo.userEmail(in: directory, environment: environment) { return email }
        let user = environment["USER"] ?? "unknown"
        return "\(user)@\(ProcessInfo.processInfo.hostName)"
    }
}
