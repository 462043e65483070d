public import Foundation

/// What the CLI asks git: who is running, and which files changed since a ref.
public enum GitInfo {
    /// `git config user.email`, or nil outside a repository or when unset.
    public static func userEmail(in directory: URL, environment: [String: String]) async -> String? {
        guard let output = try? await git(["config", "user.email"], in: directory, environment: environment),
            output.status == 0
        else { return nil }
        let email = output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        return email.isEmpty ? nil : email
    }

    /// The commit checked out, when it was made, whether the work tree differs from it, and the
    /// branch (CI's own name for it when HEAD is detached); nil outside a repository.
    public static func revision(in directory: URL, environment: [String: String]) async
        -> (commit: String, commitTime: Date?, dirty: Bool, branch: String?, author: String?)?
    {
        // One call gives the commit, the branch and whether tracked files changed; one more, at the
        // same time, the commit's time.
        async let shownTime = try? git(
            ["show", "-s", "--format=%ct%n%ae", "HEAD"], in: directory, environment: environment)
        guard
            let status = try? await git(
                ["status", "--porcelain=v2", "--branch", "--untracked-files=no"], in: directory,
                environment: environment), status.status == 0
        else { return nil }
        var commit: String?
        var branch: String?
        var dirty = false
        for line in status.stdout.split(separator: "\n") {
            if line.hasPrefix("# branch.oid ") {
                commit = String(line.dropFirst("# branch.oid ".count))
            } else if line.hasPrefix("# branch.head ") {
                let name = String(line.dropFirst("# branch.head ".count))
                if name != "(detached)" { branch = name }
            } else if !line.hasPrefix("#") {
                dirty = true
            }
        }
        guard let commit, commit != "(initial)" else { return nil }
        var commitTime: Date?
        var author: String?
        if let shown = await shownTime, shown.status == 0 {
            let lines = shown.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            if let seconds = lines.first.flatMap({ Double($0) }) { commitTime = Date(timeIntervalSince1970: seconds) }
            if lines.count > 1, !lines[1].isEmpty { author = lines[1] }
        }
        for variable in ["GITHUB_HEAD_REF", "GITHUB_REF_NAME", "CI_COMMIT_REF_NAME", "BRANCH_NAME"] where branch == nil
        {
            if let value = environment[variable], !value.isEmpty { branch = value }
        }
        return (commit, commitTime, dirty, branch, author)
    }

    public struct GitError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Paths changed between `ref` and the working tree (committed or not), relative to the repository root.
    public static func changedFiles(since ref: String, in directory: URL, environment: [String: String]) async throws
        -> [String]
    {
        let output = try await git(["diff", "--name-only", ref], in: directory, environment: environment)
        guard output.status == 0 else {
            throw GitError(
                description:
                    "git diff --name-only \(ref) failed: \(output.stderr.trimmingCharacters(in: .whitespacesAndNewlines))"
            )
        }
        let untracked = try await git(
            ["ls-files", "--others", "--exclude-standard"], in: directory, environment: environment)
        return (output.stdout + "\n" + untracked.stdout).split(separator: "\n").map(String.init)
    }

    /// The branch a change is compared with when nobody names one: origin/main, origin/master, main or master.
    public static func defaultBase(in directory: URL, environment: [String: String]) async -> String? {
        for candidate in ["origin/main", "origin/master", "main", "master"] {
            if let result = try? await git(
                ["rev-parse", "--verify", "--quiet", candidate + "^{commit}"], in: directory,
                environment: environment), result.status == 0
            {
                return candidate
            }
        }
        return nil
    }

    /// What went wrong, in git's own one line (`fatal: …`), without the usage text that follows it;
    /// outside a repository git prints only usage, so that case is said plainly.
    static func failure(_ stderr: String) -> String {
        let lines = stderr.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if let line = lines.first(where: { $0.hasPrefix("fatal:") || $0.hasPrefix("error:") }) {
            return line.contains("not a git repository") ? "not a git repository (\(line))" : line
        }
        if lines.contains(where: { $0.hasPrefix("usage: git diff --no-index") || $0.contains("Not a git repository") })
        {
            return "not a git repository"
        }
        return lines.first.map { String($0.prefix(300)) } ?? "no message"
    }

    static func git(_ arguments: [String], in directory: URL, environment: [String: String]) async throws
        -> (status: Int32, stdout: String, stderr: String)
    {
        let outcome = try await ProcessRunner(outputLimit: 16 * 1_048_576)
            .run(arguments: ["git"] + arguments, environment: environment, workingDirectory: directory.path)
        let status: Int32
        switch outcome.termination {
        case .exited(let code): status = code
        case .signaled: status = -1
        }
        return (status, outcome.stdout.text, outcome.stderr.text)
    }
}
