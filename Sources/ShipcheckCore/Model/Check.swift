public import Foundation

/// A configured check or action, ready to run. Kinds create these from configuration;
/// the engine runs them without knowing which kind they are.
public protocol Check: Sendable {
    /// Expectations used when the item gives none (a command's is `exit == 0`).
    var defaultExpectations: [FactExpression] { get }
    /// Expectations that hold whatever the item says, unless its own expectations read the same
    /// facts: a command's `exit == 0`, a test report's `tests.errors == 0`. An explicit `expect:`
    /// adds to these; it never silently drops them.
    var guardExpectations: [FactExpression] { get }
    /// A one-line description of what runs, such as the command line (redacted before display).
    var summary: String { get }
    /// Runs once. A failing check returns facts that fail expectations; only "could not run"
    /// (missing tool, unreadable report, cancelled) throws.
    func run(in context: CheckContext) async throws(CheckError) -> Facts
    var touchesLiveSystems: Bool { get }
}

extension Check {
    public var guardExpectations: [FactExpression] { [] }

    /// Whether the check looks at a live system (a URL, a port, a database), whose answer can change
    /// without any input changing: such results are reused only when the item says `reuse: true`.
    public var touchesLiveSystems: Bool { false }

    /// What judges this check when nobody says otherwise: its guards, then its defaults.
    public var ownExpectations: [FactExpression] {
        FactExpression.judging(stated: [], defaults: defaultExpectations, guards: guardExpectations)
    }
}

/// Why a check could not run. Reported as an `error` outcome, never as a pass.
public struct CheckError: Error, Sendable, CustomStringConvertible {
    public let message: String
    /// Facts gathered before the problem (for instance the output of a command whose report was missing).
    public let facts: Facts
    /// False when trying again cannot help (a missing executable, a malformed configuration value),
    /// so that `retries:` does not spend time on it.
    public let retriable: Bool

    public init(_ message: String, facts: Facts = [:], retriable: Bool = true) {
        self.message = message
        self.facts = facts
        self.retriable = retriable
    }

    public var description: String { message }
}

/// What a running check may use: where to run, the environment, variables and the deadline.
public struct CheckContext: Sendable {
    public var workingDirectory: URL
    /// The process environment plus the selected environment's variables, for child processes.
    public var environment: [String: String]
    public var variables: [String: String]
    public var itemID: String
    /// Seconds this attempt may take; the engine also cancels the task when it passes.
    public var timeout: Double
    public var redactor: Redactor
    /// Variables left out because the environment variable they read is unset: name → `env.NAME`.
    public var unsetVariables: [String: String] = [:]
    /// Earlier runs (the run store), for `recorded:`; nil when the run is not recorded.
    public var history: (any RunHistory)?
    /// The commit this run checks, when known.
    public var commit: String?
    public var now: @Sendable () -> Date = { Date() }

    public init(
        workingDirectory: URL, environment: [String: String], variables: [String: String],
        itemID: String, timeout: Double, redactor: Redactor
    ) {
        self.workingDirectory = workingDirectory
        self.environment = environment
        self.variables = variables
        self.itemID = itemID
        self.timeout = timeout
        self.redactor = redactor
    }

    public func expand(_ template: Template, quoting: Template.Quoting) throws(CheckError) -> String {
        do {
            return try template.expand(environment: environment, variables: variables, quoting: quoting)
        } catch {
            if error.reference.hasPrefix("vars."), let read = unsetVariables[String(error.reference.dropFirst(5))] {
                throw CheckError("\(error.description): it reads `${{ \(read) }}`, which is not set")
            }
            throw CheckError(error.description)
        }
    }

    /// Every string parameter of every kind goes through here (or the shell-quoting form above).
    public func expand(_ templates: [Template]) throws(CheckError) -> [String] {
        var values: [String] = []
        for template in templates { values.append(try expand(template, quoting: .none)) }
        return values
    }

    /// An optional template, expanded when given.
    public func expand(_ template: Template?) throws(CheckError) -> String? {
        guard let template else { return nil }
        return try expand(template, quoting: .none)
    }

    /// A path from the configuration, resolved against the working directory.
    public func resolve(_ path: String) -> URL {
        path.hasPrefix("/") ? URL(fileURLWithPath: path) : workingDirectory.appendingPathComponent(path)
    }
}
