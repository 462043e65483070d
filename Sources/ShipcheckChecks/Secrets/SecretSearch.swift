public import Foundation
public import ShipcheckCore

/// What to scan and what to let through: the glue between the scanner and a repository.
public struct SecretSearch: Sendable {
    public enum Source: Sendable {
        /// Added lines of `git diff BASE...HEAD`; nil picks origin/main, origin/master, main or master.
        case diff(base: String?)
        /// Every line of these files or directories.
        case paths([String])
        /// A unified diff already written to a file (`-` for standard input).
        case diffFile(String)
    }

    public var source: Source
    public var allowlist: String?
    public var exclude: [String]
    public var entropy: Bool

    public init(source: Source, allowlist: String? = nil, exclude: [String] = [], entropy: Bool = true) {
        self.source = source
        self.allowlist = allowlist
        self.exclude = exclude
        self.entropy = entropy
    }

    public struct Outcome: Sendable {
        public var findings: [SecretFinding]
        public var allowed: Int
        public var files: Int
        public var bytes: Int
        /// What was scanned, e.g. `git diff origin/main...HEAD`.
        public var scope: String
    }

    static let skippedDirectories: Set<String> = [
        ".git", ".build", "node_modules", ".venv", "venv", "__pycache__", ".tox",
        "dist", ".next", "target", ".shipcheck",
    ]
    static let maximumFileSize = 10 * 1_048_576

    /// The fingerprint key: 32 random bytes in hex, made on first use, never written into a scanned
    /// directory. In a git repository, `.shipcheck/secrets-key` at its root when the team committed
    /// one (so that every clone agrees on fingerprints), else `shipcheck/secrets-key` in its git
    /// directory; outside one, `shipcheck/secrets-key` under `XDG_STATE_HOME` (`~/.local/state`).
    /// Nil when none can be read or made: fingerprints are then the plain SHA-256.
    static func fingerprintKey(in directory: URL, environment: [String: String]) -> [UInt8]? {
        let fileManager = FileManager.default
        var root = directory.standardizedFileURL
        var keyFile: URL?
        while true {
            let dotGit = root.appendingPathComponent(".git")
            var isDirectory: ObjCBool = false
            if fileManager.fileExists(atPath: dotGit.path, isDirectory: &isDirectory) {
                let shared = root.appendingPathComponent(".shipcheck/secrets-key")
                if let bytes = readKey(shared) { return bytes }
                keyFile = gitDirectory(dotGit, isDirectory: isDirectory.boolValue)?
                    .appendingPathComponent("shipcheck/secrets-key")
                break
            }
            let parent = root.deletingLastPathComponent()
            if parent.path == root.path {
                let state =
                    environment["XDG_STATE_HOME"].flatMap { $0.hasPrefix("/") ? URL(fileURLWithPath: $0) : nil }
                    ?? environment["HOME"].map { URL(fileURLWithPath: $0).appendingPathComponent(".local/state") }
                keyFile = state?.appendingPathComponent("shipcheck/secrets-key")
                break
            }
            root = parent
        }
        guard let keyFile else { return nil }
        if let bytes = readKey(keyFile) { return bytes }
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        do {
            try fileManager.createDirectory(at: keyFile.deletingLastPathComponent(), withIntermediateDirectories: true)
            try (Hex.string(bytes) + "\n").write(to: keyFile, atomically: true, encoding: .utf8)
        } catch {
            return nil
        }
        return bytes
    }

    static func readKey(_ url: URL) -> [UInt8]? {
        guard let text = try? String(contentsOf: url, encoding: .utf8), let bytes = hexBytes(text), bytes.count >= 16
        else { return nil }
        return bytes
    }

    /// `.git` itself, or where a `.git` file (a worktree, a submodule) says the git directory is.
    static func gitDirectory(_ dotGit: URL, isDirectory: Bool) -> URL? {
        if isDirectory { return dotGit }
        guard let text = try? String(contentsOf: dotGit, encoding: .utf8),
            let line = text.split(separator: "\n").first, line.hasPrefix("gitdir:")
        else { return nil }
        let path = line.dropFirst("gitdir:".count).trimmedSpaces
        return path.hasPrefix("/")
            ? URL(fileURLWithPath: path) : dotGit.deletingLastPathComponent().appendingPathComponent(path)
    }

    static func hexBytes(_ text: String) -> [UInt8]? {
        let digits = Array(text.trimmingCharacters(in: .whitespacesAndNewlines).utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        var index = 0
        while index < digits.count {
            guard let pair = UInt8(String(decoding: digits[index..<index + 2], as: UTF8.self), radix: 16) else {
                return nil
            }
            bytes.append(pair)
            index += 2
        }
        return bytes
    }

    public func run(in directory: URL, environment: [String: String]) async throws(CheckError) -> Outcome {
        let scanner = SecretScanner(
            entropy: entropy, fingerprintKey: Self.fingerprintKey(in: directory, environment: environment))
        var findings: [SecretFinding] = []
        var files = 0
        var bytes = 0
        let scope: String
        switch source {
        case .diff(let base):
            let resolved: String
            if let base {
                resolved = base
            } else {
                resolved = try await Self.defaultBase(in: directory, environment: environment)
            }
            let diff = try await Self.diff(base: resolved, in: directory, environment: environment)
            bytes = diff.count
            findings = scanner.scan(diff: diff)
            files = Set(findings.map(\.file)).count
            scope = "git diff \(resolved)...HEAD"
        case .diffFile(let path):
            let diff =
                path == "-"
                ? FileHandle.standardInput.readDataToEndOfFile().byteArray
                : FileBytes.contents(
                    of: path.hasPrefix("/") ? path : directory.appendingPathComponent(path).path, limit: Int.max)
            guard let diff else { throw CheckError("cannot read the diff `\(path)`") }
            bytes = diff.count
            findings = scanner.scan(diff: diff)
            files = Set(findings.map(\.file)).count
            scope = path == "-" ? "the diff on standard input" : "the diff in \(path)"
        case .paths(let paths):
            for path in paths {
                let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : directory.appendingPathComponent(path)
                guard FileManager.default.fileExists(atPath: url.path) else {
                    throw CheckError("`\(path)` does not exist")
                }
                for file in Self.files(under: url) {
                    let relative = Self.relative(file, to: directory)
                    if exclude.contains(where: { Glob($0).matches(relative) }) { continue }
                    guard let content = FileBytes.contents(of: file.path, limit: Self.maximumFileSize) else { continue }
                    // Binary files (a NUL early on) are not text to scan.
                    guard !content.prefix(8192).contains(0) else { continue }
                    files += 1
                    bytes += content.count
                    findings += scanner.scan(file: relative, bytes: content)
                }
            }
            scope = "files under " + paths.joined(separator: ", ")
        }
        findings.removeAll { finding in exclude.contains { Glob($0).matches(finding.file) } }
        let rules = try allowRules(in: directory)
        let before = findings.count
        findings.removeAll { finding in rules.contains { $0.allows(finding) } }
        return Outcome(findings: findings, allowed: before - findings.count, files: files, bytes: bytes, scope: scope)
    }

    static func defaultBase(in directory: URL, environment: [String: String]) async throws(CheckError) -> String {
        if let base = await GitInfo.defaultBase(in: directory, environment: environment) { return base }
        let inside = try? await GitInfo.git(
            ["rev-parse", "--is-inside-work-tree"], in: directory, environment: environment)
        if inside?.status != 0 {
            throw CheckError(
                "\(directory.path) is not a git repository, so there is no diff to scan; scan files instead "
                    + "(`secrets: { paths: [...] }` in a configuration, `shipcheck secrets PATH...` on the command line)",
                retriable: false)
        }
        throw CheckError(
            "no base to compare with: none of origin/main, origin/master, main, master exists here; name one "
                + "(`secrets: { diff: REF }` in a configuration, `--diff REF` on the command line)", retriable: false)
    }

    /// The diff goes to a file rather than a pipe: it can be far larger than a check's kept output.
    static func diff(base: String, in directory: URL, environment: [String: String]) async throws(CheckError) -> [UInt8]
    {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent(
            "shipcheck-diff-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        let result: (status: Int32, stdout: String, stderr: String)
        do {
            result = try await GitInfo.git(
                [
                    "diff", "--no-color", "--no-ext-diff", "--unified=0", "--output=\(output.path)",
                    "\(base)...HEAD",
                ], in: directory, environment: environment)
        } catch {
            throw CheckError("could not run git: \(error)")
        }
        guard result.status == 0 else {
            throw CheckError("git diff \(base)...HEAD failed: \(GitInfo.failure(result.stderr))")
        }
        return FileBytes.contents(of: output.path, limit: Int.max) ?? []
    }

    static func files(under url: URL) -> [URL] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else { return [] }
        guard isDirectory.boolValue else { return [url] }
        var result: [URL] = []
        var stack = [url]
        while let directory = stack.popLast() {
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory.path))?.sorted() ?? []
            for name in entries {
                let child = directory.appendingPathComponent(name)
                var childIsDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: child.path, isDirectory: &childIsDirectory) else {
                    continue
                }
                if childIsDirectory.boolValue {
                    if !skippedDirectories.contains(name) { stack.append(child) }
                } else {
                    result.append(child)
                }
            }
        }
        return result.sorted { $0.path < $1.path }
    }

    static func relative(_ file: URL, to directory: URL) -> String {
        let base = directory.standardizedFileURL.path + "/"
        let path = file.standardizedFileURL.path
        return path.hasPrefix(base) ? String(path.dropFirst(base.count)) : path
    }

    /// One allowlist line: a fingerprint, `path:GLOB`, `rule:ID`, or both of the latter.
    struct AllowRule {
        var fingerprint: String?
        var path: Glob?
        var rule: String?

        func allows(_ finding: SecretFinding) -> Bool {
            if let fingerprint { return finding.fingerprint == fingerprint }
            if let path, !path.matches(finding.file) { return false }
            if let rule, rule != finding.rule { return false }
            return path != nil || rule != nil
        }
    }

    func allowRules(in directory: URL) throws(CheckError) -> [AllowRule] {
        let explicit = allowlist != nil
        let path = allowlist ?? ".shipcheck/secrets-allowlist"
        let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : directory.appendingPathComponent(path)
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            if explicit { throw CheckError("allowlist `\(path)` cannot be read") }
            return []
        }
        var rules: [AllowRule] = []
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line =
                raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map {
                    $0.trimmingCharacters(in: .whitespaces)
                } ?? ""
            if line.isEmpty { continue }
            var rule = AllowRule()
            for word in line.split(separator: " ") {
                if word.hasPrefix("path:") {
                    rule.path = Glob(String(word.dropFirst(5)))
                } else if word.hasPrefix("rule:") {
                    rule.rule = String(word.dropFirst(5))
                } else if word.count == 16, word.allSatisfy(\.isHexDigit) {
                    rule.fingerprint = word.lowercased()
                } else {
                    throw CheckError(
                        "\(path):\(number + 1): expected a 16-digit fingerprint, path:GLOB or rule:ID, got `\(word)`")
                }
            }
            rules.append(rule)
        }
        return rules
    }
}
