import ShipcheckCore

/// One checklist item as the importer found it, before it is written out.
struct FoundItem {
    var id = ""
    let line: Int
    var title: String
    let rawText: String
    let indent: Int
    let lookalike: MarkdownLines.LookalikeReason?
    /// From the headings, except that local builds and test runs are pre-deploy wherever they sit.
    var phase: PhaseName
    var movedToPreDeploy = false
    let deployType: String?
    let section: String
    var parent: Int?
    var children: [Int] = []
    var description: [String] = []
    var fences: [MarkdownLines.Fence] = []
    /// `- [x]` in the source: kept as a note (the gate asks again; the tick is not evidence).
    var tickedInSource = false
    /// Made from a fenced block under no task item: a step, a labelled block, a heading's block.
    var origin = Origin.taskItem
    /// Items this one runs after: the step before it in a procedure.
    var after: [Int] = []
    /// The section's own check (a block written before or after the section's list) that verifies it.
    var verifiedBy: Int?
    /// Blocks labelled as expected output ("Expected output:"), and sentences saying what to expect
    /// ("Expected: `healthy`", "should return 200").
    var expectedOutputs: [[String]] = []
    var expectationProse: [String] = []
    /// Placeholders of the commands turned into variables: (name, the placeholder as written).
    var placeholderVariables: [(name: String, placeholder: String)] = []
    /// The line above a sign-off blank, when it names who signs ("**Tech Lead**").
    var roleHint: String?

    enum Origin: Equatable {
        case taskItem
        /// From a block: what gave the title (`step`, `label`, `heading`, `section list`).
        case block(titledFrom: String)
    }

    var decision = Decision.manual(reason: "")
    /// The text says to run it locally against a database: it refuses a database that is not local.
    var localDatabaseOnly = false
    var derived = ExpectationPatterns.Derived()
    var signoffs: SignoffGroup?
    var commands: [String] = []
    var notes: [String] = []

    enum Decision: Equatable {
        case check
        case action(reason: String)
        case manual(reason: String)
        /// A metrics probe still to be pointed at a URL or query.
        case probe
        /// One of Shipcheck's kinds, which the title names the job of.
        case kind(BuiltInKind)

        var isAction: Bool {
            if case .action = self { return true }
            return false
        }
    }
}

/// What an import found and decided, for the summary on stderr and at the end of the output.
public struct ImportSummary: Sendable, Equatable {
    public var items = 0
    /// Roles the sign-offs need, written empty: someone must name their people.
    public var emptyRoles: [String] = []
    /// Of `items`: `☐` marks and sign-off blanks, not `- [ ]` task items.
    public var lookalikes = 0
    /// Items written to the configuration (what `validate` counts): a line whose block holds
    /// several independent commands becomes one check per command.
    public var written = 0
    public var splitLines: [Int] = []
    /// Lines whose commands are not known to only read: manual steps (actions in deploy and rollback).
    public var notKnownReadOnly: [Int] = []
    public var automated = 0
    public var actions = 0
    public var manual = 0
    public var probes = 0
    public var todos = 0
    public var codeBlocks = 0
    public var attachedBlocks = 0
    /// Blocks that became items of their own (steps, labelled blocks, a heading's block, a
    /// section's check), and blocks read as expected output.
    public var blockItems = 0
    public var expectedOutputBlocks = 0
    /// Blocks that are not commands, listed with why (a Python snippet, only comments).
    public var listedBlocks: [ListedBlock] = []
    /// Line numbers of fenced blocks that belong to no item and were not listed: none, when the
    /// importer works as it should.
    public var unattachedBlocks: [Int] = []
    public var triggers = 0
    public var expectations = 0
    /// Variables declared for the commands' placeholders (`<hash>` → `HASH`), to fill in.
    public var placeholderVariables: [String] = []
    /// Lines of items ticked (`[x]`) in the source.
    public var ticked: [Int] = []
    /// Base URLs the commands repeated, made variables: `BASE_URL (https://…)`.
    public var targets: [String] = []

    public var lines: [String] {
        var out = [
            "\(items) items found (\(items - lookalikes - blockItems) task items, \(lookalikes) look-alikes: ☐ marks and sign-off blanks, "
                + "\(blockItems) from blocks under no task item)"
        ]
        if written != items {
            out.append(
                "\(written) items written: \(splitLines.count) line(s) became one check per independent command "
                    + "(line \(splitLines.map(String.init).joined(separator: ", ")))")
        }
        out.append(
            "\(automated) automated checks, \(actions) actions, \(manual) manual, \(probes) probes to point at a URL")
        out.append("\(expectations) expectations derived; \(todos) TODOs left for you")
        if !notKnownReadOnly.isEmpty {
            out.append(
                "\(notKnownReadOnly.count) item(s) run commands not known to be read-only, so they are manual steps "
                    + "(actions in deploy and rollback) until you make them checks: line "
                    + notKnownReadOnly.map(String.init).joined(separator: ", "))
        }
        var blocks = "\(codeBlocks) code blocks: \(attachedBlocks) under task items"
        if blockItems > 0 { blocks += ", \(blockItems) items of their own (steps, labelled blocks, sections)" }
        if expectedOutputBlocks > 0 { blocks += ", \(expectedOutputBlocks) read as expected output" }
        if !listedBlocks.isEmpty {
            blocks += ", \(listedBlocks.count) listed, not commands"
            let shown = listedBlocks.prefix(12).map { "\($0.line): \($0.reason)" }
            blocks += " (line " + shown.joined(separator: "; ") + (listedBlocks.count > 12 ? "; …" : "") + ")"
        }
        if !unattachedBlocks.isEmpty {
            blocks +=
                ", \(unattachedBlocks.count) under no item (lines \(unattachedBlocks.map(String.init).joined(separator: ", ")))"
        }
        out.append(blocks)
        if triggers > 0 { out.append("\(triggers) rollback triggers") }
        if !placeholderVariables.isEmpty {
            out.append(
                "variables to fill in under `vars:` (placeholders of the commands; until then those commands fail "
                    + "without running): " + placeholderVariables.joined(separator: ", "))
        }
        if !targets.isEmpty {
            out.append(
                "base URLs made variables (set them per environment under `environments:`): "
                    + targets.joined(separator: ", "))
        }
        if !ticked.isEmpty {
            out.append(
                "\(ticked.count) ticked ([x]) in the source (lines \(ticked.map(String.init).joined(separator: ", "))): "
                    + "noted on each item; the gate asks again")
        }
        if !emptyRoles.isEmpty {
            out.append(
                "roles to fill before anyone can sign: " + emptyRoles.joined(separator: ", ")
                    + " (under `roles:`; `shipcheck validate` warns until they are)")
        }
        return out
    }
}

/// A fenced block that no item runs, and why.
public struct ListedBlock: Sendable, Equatable {
    public let line: Int
    public let reason: String
}

/// The result of an import: the configuration text and what was decided.
public struct ImportResult: Sendable {
    public let yaml: String
    public let summary: ImportSummary
    /// Per item written: what it became and why (`shipcheck import --report`).
    public let report: [ImportReportRow]

    /// The report as text: one block per item, then the summary's totals.
    public var reportLines: [String] {
        var out: [String] = []
        for row in report {
            out.append("line \(row.line)  \(row.id)  [\(row.became)]  \(row.title)")
            out.append("    why: \(row.why)")
            if !row.expectations.isEmpty { out.append("    expects: " + row.expectations.joined(separator: " and ")) }
            for todo in row.todos { out.append("    TODO: \(todo)") }
        }
        return out + summary.lines
    }
}

/// One item of an import's report.
public struct ImportReportRow: Sendable, Equatable {
    public let line: Int
    public let id: String
    public let title: String
    /// `check`, `action`, `manual` or `probe`.
    public let became: String
    public let why: String
    public let expectations: [String]
    public let todos: [String]
}

public struct ImportError: Error, Sendable, CustomStringConvertible {
    public let description: String
}
