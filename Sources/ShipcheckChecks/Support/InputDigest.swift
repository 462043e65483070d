import Crypto
public import Foundation
public import ShipcheckCore

/// The state of an item's declared inputs as one SHA-256: the files its globs match (by git's blob
/// hashes of their current contents inside a repository, SHA-256 of their bytes outside one), the
/// environment variables it names, and the output of its version commands. Any change to any of
/// them changes the digest; nil when an input cannot be read (the item then runs).
public enum InputDigest {
    public static func digest(_ inputs: ItemInputs, in directory: URL, environment: [String: String]) async -> String? {
        var lines: [String] = []
        if !inputs.paths.isEmpty {
            guard let files = await fileHashes(inputs.paths, in: directory, environment: environment) else {
                return nil
            }
            lines += inputs.paths.map { "glob \($0)" } + files.map { "file \($0.path) \($0.hash)" }
        }
        for name in inputs.environment {
            lines.append("env \(name) " + (environment[name].map { "=" + hex(Data($0.utf8)) } ?? "unset"))
        }
        for command in inputs.commands {
            guard
                let outcome = try? await ProcessRunner(outputLimit: 1_048_576, deadline: 30).run(
                    arguments: ["/bin/sh", "-c", command], environment: environment, workingDirectory: directory.path),
                !outcome.stopped
            else { return nil }
            lines.append(
                "command \(command) \(outcome.termination) "
                    + hex(Data((outcome.stdout.text + outcome.stderr.text).utf8)))
        }
        return hex(Data(lines.joined(separator: "\n").utf8))
    }

    static func hex(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    /// Every file the globs match, sorted by path, with a content hash.
    static func fileHashes(_ globs: [String], in directory: URL, environment: [String: String]) async
        -> [(path: String, hash: String)]?
    {
        let pathspecs = globs.map { ":(glob)" + $0 }
        if let listed = try? await GitInfo.git(
            ["ls-files", "-z", "--cached", "--others", "--exclude-standard", "--"] + pathspecs, in: directory,
            environment: environment), listed.status == 0
        {
            // Tracked files deleted from the work tree are listed but have no contents to hash.
            let paths = Set(listed.stdout.split(separator: "\0").map(String.init)).sorted().filter {
                FileManager.default.fileExists(atPath: directory.appendingPathComponent($0).path)
            }
            guard !paths.isEmpty else { return [] }
            let hashed = try? await GitInfo.git(
                ["hash-object", "--"] + paths, in: directory, environment: environment)
            guard let hashed, hashed.status == 0 else { return nil }
            let hashes = hashed.stdout.split(separator: "\n").map(String.init)
            guard hashes.count == paths.count else { return nil }
            return zip(paths, hashes).map { ($0, $1) }
        }
        // Outside a repository: walk the directory.
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
