import Foundation
import ShipcheckTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Runs the built `shipcheck` binary, as a user would.
enum CLI {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["SHIPCHECK_BINARY"] { return URL(fileURLWithPath: path) }
        // The test runner sits beside the products it was built with.
        let runner = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = runner.deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("shipcheck")
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory), !isDirectory.boolValue
            {
                return candidate
            }
            if directory.lastPathComponent == "debug" || directory.lastPathComponent == "release" { break }
            directory = directory.deletingLastPathComponent()
        }
        return packageRoot.appendingPathComponent(".build/debug/shipcheck")
    }

    struct Output {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    static func start(_ arguments: [String], in directory: URL, environment: [String: String] = [:]) throws
        -> (Process, Pipe, Pipe)
    {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        env["SHIPCHECK_ACTOR"] = "ci@example.com"
        env.merge(environment) { _, new in new }
        process.environment = env
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return (process, out, err)
    }

    static func run(_ arguments: [String], in directory: URL, environment: [String: String] = [:]) throws -> Output {
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        env["SHIPCHECK_ACTOR"] = "ci@example.com"
        env.merge(environment) { _, new in new }
        return try spawn([binary.path] + arguments, in: directory, environment: env)
    }

    /// Runs a shell script (set-up for a test, such as `git init`).
    static func shell(_ script: String, in directory: URL) throws -> Output {
        try spawn(["/bin/sh", "-c", script], in: directory, environment: ProcessInfo.processInfo.environment)
    }

    /// Appends `message` to history.txt in `directory` (a git repository) and commits it as its own commit.
    static func commit(_ message: String, in directory: URL) throws -> Output {
        try shell(
            "echo \(message) >> history.txt && git add -A "
                + "&& git -c user.email=t@example.com -c user.name=t commit -qm \(message)", in: directory)
    }

    /// posix_spawn and a blocking waitpid on that one child, output into files. Foundation's Process,
    /// with several tests spawning at once, left children unreaped and `waitUntilExit` hanging; and its
    /// children inherited ignored signals, so a server it started could not be stopped with SIGTERM.
    static func spawn(_ arguments: [String], in directory: URL, environment: [String: String]) throws -> Output {
        var environment = environment
        if environment["SHIPCHECK_STORE_PASSWORD"] == nil {
            environment["SHIPCHECK_STORE_PASSWORD"] = Services.storePassword
        }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
            "shipcheck-spawn-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outPath = scratch.appendingPathComponent("out").path
        let errPath = scratch.appendingPathComponent("err").path
        // The working directory through the shell: `cd DIR && exec "$@"`.
        let argv = ["/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", directory.path] + arguments
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGPIPE, SIGCHLD] { sigaddset(&defaults, signal) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        let cArguments = argv.map { strdup($0) } + [nil]
        let cEnvironment = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in cArguments + cEnvironment { free(pointer) }
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, "/bin/sh", &actions, &attributes, cArguments, cEnvironment)
        guard rc == 0 else { throw DaemonError.didNotStart("posix_spawn: \(String(cString: strerror(rc)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let exited = status & 0x7f == 0
        let code = exited ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        let stdout = FileManager.default.contents(atPath: outPath) ?? Data()
        let stderr = FileManager.default.contents(atPath: errPath) ?? Data()
        return Output(
            status: code, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// A server started in the background, not as a child of the test process: Foundation's Process
    /// would otherwise block in wait4() on the still-running server when another child exits, and
    /// hang every `CLI.run` after it.
    struct Daemon {
        let pid: Int32
        let port: Int

        func stop() { kill(pid, SIGKILL) }
    }

    /// Runs a Python script in `directory` that binds a loopback port and prints it on its first line.
    static func startDaemon(python script: String, arguments: [String] = [], in directory: URL) throws -> Daemon {
        let scratch = try temporaryDirectory()
        let program = scratch.appendingPathComponent("server.py")
        let portFile = scratch.appendingPathComponent("port")
        try script.write(to: program, atomically: true, encoding: .utf8)
        let quoted = ([program.path] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        let started = try shell(
            "python3 \(quoted.joined(separator: " ")) > '\(portFile.path)' 2>/dev/null < /dev/null & echo $!",
            in: directory)
        guard let pid = Int32(started.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw DaemonError.didNotStart(started.stderr)
        }
        for _ in 0..<200 {
            if let text = try? String(contentsOf: portFile, encoding: .utf8), text.hasSuffix("\n"),
                let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
            {
                return Daemon(pid: pid, port: port)
            }
            usleep(50_000)
        }
        kill(pid, SIGKILL)
        throw DaemonError.didNotStart("no port after 10s")
    }

    enum DaemonError: Error { case didNotStart(String) }

    /// A static file server on a free loopback port (Python's http.server), for probes run by the binary.
    static func startFileServer(in directory: URL) throws -> (daemon: Daemon, baseURL: String) {
        let daemon = try startDaemon(
            python: """
                import functools, http.server, sys
                handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
                handler.func.log_message = lambda *args: None
                server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
                print(server.server_address[1], flush=True)
                server.serve_forever()
                """, arguments: [directory.path], in: directory)
        return (daemon, "http://127.0.0.1:\(daemon.port)")
    }

    /// Whether the tools a test needs are installed (`check` exits 0). Missing ones skip the test with
    /// a loud line on stderr, or fail it under SHIPCHECK_REQUIRE_TOOLS=1 (`.ci/run`).
    static func toolsPresent(_ check: String, otherwise message: String) throws -> Bool {
        let probe = try shell(check, in: packageRoot)
        if probe.status == 0 { return true }
        let detail = "\(message): \(probe.stderr.suffix(300))"
        Skips.record(detail, unless: "SHIPCHECK_REQUIRE_TOOLS")
        return false
    }

    static func temporaryDirectory(with config: String? = nil) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("shipcheck-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        if let config {
            try config.write(to: url.appendingPathComponent("shipcheck.yml"), atomically: true, encoding: .utf8)
        }
        return url
    }
}
