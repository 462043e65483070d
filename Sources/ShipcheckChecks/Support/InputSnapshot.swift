import Crypto
public import Foundation
public import ShipcheckCore

/// The state of items' declared inputs, each set as one SHA-256: the files its globs match (git's
/// blob hashes of their current contents inside a repository, SHA-256 of their bytes outside one),
/// the environment variables it names, and the output of its version commands. Any change to any of
/// them changes the digest; nil when an input cannot be read (the item then runs).
///
/// One snapshot serves a whole run: the repository is listed once (three git calls, and one more to
/// hash files changed since the index), and each glob set and command is worked out once.
public actor InputSnapshot {
    public let directory: URL
    public let environment: [String: String]
    private var files: Task<[String: String]?, Never>?
    private var globResults: [[String]: [(path: String, hash: String)]?] = [:]
    private var commandResults: [String: Task<String?, Never>] = [:]

    public init(directory: URL, environment: [String: String]) {
        self.directory = directory
        self.environment = environment
    }

    /// Starts listing the repository now, while the run prepares, instead of at the first item.
    public func prefetch() {
        if files == nil {
            let directory = directory
            let environment = environment
            files = Task { await Self.repositoryFiles(in: directory, environment: environment) }
        }
    }

    public func digest(_ inputs: ItemInputs) async -> String? {
        var lines: [String] = []
        if !inputs.paths.isEmpty {
            guard let matched = await matching(inputs.paths) else { return nil }
            lines += inputs.paths.map { "glob \($0)" } + matched.map { "file \($0.path) \($0.hash)" }
        }
        for name in inputs.environment {
            lines.append("env \(name) " + (environment[name].map { "=" + Self.hex(Data($0.utf8)) } ?? "unset"))
        }
        for command in inputs.commands {
            guard let output = await output(of: command) else { return nil }
            lines.append("command \(command) \(output)")
        }
        return Self.hex(Data(lines.joined(separator: "\n").utf8))
    }

    static func hex(_ data: Data) -> String {
        Hex.string(SHA256.hash(data: data))
    }

    /// Runs each command once per run, however many items name it, even when they ask at once.
    private func output(of command: String) async -> String? {
        if let known = commandResults[command] { return await known.value }
        let directory = directory
        let environment = environment
        let running = Task { () -> String? in
            guard
                let outcome = try? await ProcessRunner(outputLimit: 1_048_576, deadline: 30).run(
                    arguments: ["/bin/sh", "-c", command], environment: environment, workingDirectory: directory.path),
                !outcome.stopped
            else { return nil }
            return "\(outcome.termination) " + Self.hex(Data((outcome.stdout.text + outcome.stderr.text).utf8))
        }
        commandResults[command] = running
        return await running.value
    }

    /// The files the globs match, sorted by path, with their content hashes.
    private func matching(_ globs: [String]) async -> [(path: String, hash: String)]? {
        if let known = globResults[globs] { return known }
        prefetch()
        let all = await files?.value ?? nil
        var result: [(path: String, hash: String)]?
        if let all {
            let matchers = globs.map(Glob.init)
            result = all.filter { path, _ in matchers.contains { $0.matches(path) } }.map { ($0.key, $0.value) }
                .sorted { $0.path < $1.path }
        } else {
            result = Self.walk(globs, in: directory)
        }
        globResults[globs] = result
        return result
    }

    /// Every file of the repository with its blob hash as it is in the work tree now; nil outside one.
    static func repositoryFiles(in directory: URL, environment: [String: String]) async -> [String: String]? {
        func git(_ arguments: [String]) async -> String? {
            guard let output = try? await GitInfo.git(arguments, in: directory, environment: environment),
                output.status == 0
            else { return nil }
            return output.stdout
        }
        // Paths are relative to `directory` (git prints them so with these commands).
        // Shipcheck's own directory (the store, reports) is never an input: it changes with every run.
        let here = [".", ":(exclude).shipcheck"]
        // The three at once: each waits mostly on its own process start.
        async let stagedList = git(["ls-files", "-z", "-s", "--"] + here)
        async let untrackedList = git(["ls-files", "-z", "--others", "--exclude-standard", "--"] + here)
        async let modifiedList = git(["diff", "-z", "--name-only", "--relative", "--"] + here)
        guard let staged = await stagedList, let untracked = await untrackedList, let modified = await modifiedList
        else { return nil }
        var files: [String: String] = [:]
        for entry in staged.split(separator: "\0") {
            // "MODE HASH STAGE\tPATH"
            guard let tab = entry.firstIndex(of: "\t") else { continue }
            let fields = entry[..<tab].split(separator: " ")
            guard fields.count >= 2 else { continue }
            files[String(entry[entry.index(after: tab)...])] = String(fields[1])
        }
        var changed: [String] = []
        for path in (untracked + "\0" + modified).split(separator: "\0").map(String.init) {
            files[path] = nil
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent(path).path) {
                changed.append(path)
            }
        }
        // Tracked files deleted from the work tree have no contents: they are not inputs any more.
        for path in files.keys
        where !FileManager.default.fileExists(atPath: directory.appendingPathComponent(path).path) {
            files[path] = nil
        }
        if !changed.isEmpty {
            let unique = Array(Set(changed)).sorted()
            guard let hashed = await git(["hash-object", "--"] + unique) else { return nil }
            let hashes = hashed.split(separator: "\n").map(String.init)
            guard hashes.count == unique.count else { return nil }
            for (path, hash) in zip(unique, hashes) { files[path] = hash }
        }
        return files
    }

    /// Outside a repository: the directory walked, files hashed with SHA-256.
    static func walk(_ globs: [String], in directory: URL) -> [(path: String, hash: String)]? {
        let matchers = globs.map(Glob.init)
        guard let enumerator = FileManager.default.enumerator(atPath: directory.path) else { return nil }
        var found: [(path: String, hash: String)] = []
        while let path = enumerator.nextObject() as? String {
            if path.hasPrefix(".shipcheck/") || path.hasPrefix(".git/") { continue }
            guard matchers.contains(where: { $0.matches(path) }) else { continue }
            var isDirectory: ObjCBool = false
            let full = directory.appendingPathComponent(path).path
            guard FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue else {
                continue
            }
            guard let data = FileManager.default.contents(atPath: full) else { return nil }
            found.append((path, hex(data)))
        }
        return found.sorted { $0.path < $1.path }
    }
}
