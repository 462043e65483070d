import Foundation
import ShipcheckCore

/// `git:` — the repository's state: branch up to date with its upstream, clean tree, allowed
/// branch, release tag present, what changed since a ref.
struct GitCheck: Check {
    var upToDate = false
    var fetch = false
    var clean = false
    var branches: [Template] = []
    var tag: Template?
    var since: Template?

    static let commit =
        "git init -q -b main && git add . && git -c user.name=ci -c user.email=ci@example.com commit -qm init"

    static let description = KindDescription(
        key: "git",
        name: "Git repository",
        summary:
            "Facts about the repository the checklist runs in. Each option adds facts and a default expectation; give several to check several things.",
        parameters: [
            Parameter(
                "git",
                .object([
                    Parameter("up-to-date", .boolean, "The branch is not behind its upstream (expects `behind == 0`)."),
                    Parameter("fetch", .boolean, "Run `git fetch` first, so that `behind` is current (network)."),
                    Parameter("clean", .boolean, "No uncommitted changes to tracked files (expects `dirty == 0`)."),
                    Parameter(
                        "branch", .oneOf([.template, .list(.template)]),
                        "Allowed branch names or globs (expects `branch.allowed`)."),
                    Parameter(
                        "tag", .template, "A tag that must exist (expects `tag.exists`), e.g. v${{ vars.VERSION }}."),
                    Parameter("since", .template, "A ref: facts on the commits and files changed since it."),
                ]), "What to look at.", required: true)
        ],
        facts: [
            FactDescription("branch", "string", "The current branch (`HEAD` when detached)."),
            FactDescription("head", "string", "The commit checked out."),
            FactDescription("dirty", "number", "Tracked files with uncommitted changes."),
            FactDescription("untracked", "number", "Untracked files (not ignored)."),
            FactDescription("behind/ahead", "number", "Commits behind and ahead of the upstream (with `up-to-date`)."),
            FactDescription("upstream", "string", "The upstream branch (with `up-to-date`)."),
            FactDescription("branch.allowed", "boolean", "The branch matches `branch` (with `branch`)."),
            FactDescription("tag.exists / tag.at_head", "boolean", "The tag exists / points at HEAD (with `tag`)."),
            FactDescription("commits / files.changed / changed", "number, number, list", "Since the `since` ref."),
        ],
        examples: [
            KindExample(
                "a clean repository on main",
                yaml: """
                    id: repo
                    title: Working tree clean, on main, tagged
                    git: { clean: true, branch: [main, "release/*"], tag: v1.0.0 }
                    """, outcome: .pass,
                facts: [
                    "branch": .string("main"), "dirty": .number(0), "branch.allowed": .bool(true),
                    "tag.exists": .bool(true),
                ],
                files: ["README.md": "hello\n"], setup: commit + " && git tag v1.0.0"),
            KindExample(
                "uncommitted changes",
                yaml: """
                    id: repo
                    title: Working tree clean
                    git: { clean: true }
                    """, outcome: .fail, facts: ["dirty": .number(1)],
                files: ["README.md": "hello\n"], setup: commit + " && echo more >> README.md"),
        ],
        make: make)

    static func make(_ reader: KindReader) -> (any Check)? {
        guard let node = reader["git"],
            let fields = node.fields(allowed: ["up-to-date", "fetch", "clean", "branch", "tag", "since"])
        else { return nil }
        var check = GitCheck()
        check.upToDate = fields["up-to-date"]?.bool() ?? false
        check.fetch = fields["fetch"]?.bool() ?? false
        check.clean = fields["clean"]?.bool() ?? false
        if let node = fields["branch"] {
            guard let templates = node.templates(knownVars: reader.knownVariables) else { return nil }
            check.branches = templates
        }
        check.tag = fields["tag"].flatMap { $0.template(knownVars: reader.knownVariables) }
        check.since = fields["since"].flatMap { $0.template(knownVars: reader.knownVariables) }
        if !check.upToDate && !check.clean && check.branches.isEmpty && check.tag == nil && check.since == nil {
            node.report("say what to check: up-to-date, clean, branch, tag or since")
            return nil
        }
        if check.fetch && !check.upToDate { fields["fetch"]?.report("`fetch` goes with `up-to-date: true`") }
        return check
    }

    var defaultExpectations: [FactExpression] {
        var list: [FactExpression] = []
        if upToDate { list.append(.compare(.fact("behind"), .equal, .literal(.number(0)))) }
        if clean { list.append(.compare(.fact("dirty"), .equal, .literal(.number(0)))) }
        if !branches.isEmpty { list.append(.fact("branch.allowed")) }
        if tag != nil { list.append(.fact("tag.exists")) }
        return list
    }

    var summary: String {
        var parts: [String] = []
        if upToDate { parts.append(fetch ? "fetch and compare with upstream" : "compare with upstream") }
        if clean { parts.append("working tree clean") }
        if !branches.isEmpty { parts.append("branch in " + branches.map(\.description).joined(separator: ", ")) }
        if let tag { parts.append("tag \(tag)") }
        if let since { parts.append("changes since \(since)") }
        return "git: " + parts.joined(separator: "; ")
    }

    func git(_ arguments: [String], _ context: CheckContext) async throws(CheckError) -> (
        status: Int32, stdout: String, stderr: String
    ) {
        do {
            return try await GitInfo.git(arguments, in: context.workingDirectory, environment: context.environment)
        } catch {
            throw CheckError("could not run git: \(error)")
        }
    }

    func required(_ arguments: [String], _ context: CheckContext) async throws(CheckError) -> String {
        let result = try await git(arguments, context)
        guard result.status == 0 else {
            throw CheckError("git \(arguments.joined(separator: " ")) failed: \(GitInfo.failure(result.stderr))")
        }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func run(in context: CheckContext) async throws(CheckError) -> Facts {
        let inside = try await git(["rev-parse", "--is-inside-work-tree"], context)
        guard inside.status == 0 else {
            throw CheckError("\(context.workingDirectory.path) is not inside a git repository")
        }
        var facts: Facts = [:]
        let branch = try await required(["rev-parse", "--abbrev-ref", "HEAD"], context)
        facts["branch"] = .string(branch)
        facts["head"] = .string(try await required(["rev-parse", "HEAD"], context))
        let status = try await required(["status", "--porcelain=v1", "--untracked-files=normal"], context)
        let lines = status.split(separator: "\n")
        facts["untracked"] = .number(Double(lines.filter { $0.hasPrefix("??") }.count))
        facts["dirty"] = .number(Double(lines.filter { !$0.hasPrefix("??") }.count))
        if upToDate {
            if fetch { _ = try await required(["fetch", "--quiet"], context) }
            let upstream = try await git(["rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{u}"], context)
            guard upstream.status == 0 else {
                throw CheckError("branch `\(branch)` has no upstream; set one with `git branch -u origin/\(branch)`")
            }
            facts["upstream"] = .string(upstream.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
            let counts = try await required(["rev-list", "--left-right", "--count", "HEAD...@{u}"], context)
                .split(whereSeparator: { $0 == " " || $0 == "\t" }).compactMap { Double($0) }
            guard counts.count == 2 else { throw CheckError("unexpected output from git rev-list --count") }
            facts["ahead"] = .number(counts[0])
            facts["behind"] = .number(counts[1])
        }
        if !branches.isEmpty {
            facts["branch.allowed"] = .bool(try context.expand(branches).contains { Glob($0).matches(branch) })
        }
        if let tag {
            let name = try context.expand(tag, quoting: .none)
            let found = try await git(["rev-parse", "-q", "--verify", "refs/tags/\(name)^{commit}"], context)
            facts["tag.exists"] = .bool(found.status == 0)
            if found.status == 0, case .string(let head) = facts["head"] {
                facts["tag.at_head"] = .bool(found.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == head)
            }
        }
        if let since {
            let ref = try context.expand(since, quoting: .none)
            facts["commits"] = .number(
                Double(try await required(["rev-list", "--count", "\(ref)..HEAD"], context)) ?? 0)
            let changed = try await required(["diff", "--name-only", "\(ref)...HEAD"], context).split(separator: "\n")
                .map(String.init)
            facts["files.changed"] = .number(Double(changed.count))
            facts["changed"] = .list(changed.prefix(500).map(Value.string))
        }
        return facts
    }
}
