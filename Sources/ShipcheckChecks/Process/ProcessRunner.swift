import CShipcheckSpawn
import Foundation
import ShipcheckCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What a finished process left: its status and capped output.
struct ProcessOutcome: Sendable {
    enum Termination: Sendable, Equatable {
        case exited(Int32)
        case signaled(Int32)
    }

    var termination: Termination
    var stdout: OutputBuffer
    var stderr: OutputBuffer
    var duration: Double
    /// The run was stopped by us: a timeout or an interruption.
    var stopped: Bool
    /// Stopped because `deadline` passed.
    var timedOut = false
}

enum ProcessError: Error, Sendable, CustomStringConvertible {
    case spawn(executable: String, errno: Int32)
    case pipe(errno: Int32)

    var description: String {
        switch self {
        case .spawn(let executable, let code):
            let reason = String(cString: strerror(code))
            if code == ENOENT { return "`\(executable)` was not found (\(reason))" }
            return "could not start `\(executable)`: \(reason)"
        case .pipe(let code):
            return "could not create a pipe: \(String(cString: strerror(code)))"
        }
    }
}

/// Runs a process in its own process group, collecting capped output. When the task is cancelled,
/// or after the process exits with children still holding its output, the whole group gets
/// SIGTERM and, after `grace`, SIGKILL, so no process outlives the check.
struct ProcessRunner: Sendable {
    var outputLimit = 1_048_576
    var grace: Double = 3
    /// Seconds after the start at which the process group is stopped (SIGTERM, then SIGKILL after
    /// `grace`) by the reading thread itself: a timeout that holds even when the task that would
    /// cancel the run waits for a thread of a busy concurrency pool.
    var deadline: Double?
    /// Where standard output goes instead of the capped buffer (a backup streamed into its
    /// encryption), on the reading thread, in order.
    var stdoutSink: (@Sendable (UnsafeRawBufferPointer) -> Void)?
    /// Writes the process's standard input on a thread of its own (a backup decrypted into a
    /// restore); the descriptor is closed when it returns.
    var stdinFeeder: (@Sendable (Int32) -> Void)?
    static let gatherBelow = 256 * 1024
    static let gatherMicroseconds = 1_000

    /// Sleeps in steps of 100 µs until a pipe holds `bytes` unread, or `forAtMost` µs have passed.
    static func gather(_ pipes: [Int32], bytes: Int, forAtMost microseconds: Int) {
        var waited = 0
        while waited < microseconds {
            usleep(100)
            waited += 100
            for fd in pipes {
                var unread: Int32 = 0
                if ioctl(fd, UInt(FIONREAD), &unread) != 0 || Int(unread) >= bytes { return }
            }
        }
    }

    func run(arguments: [String], environment: [String: String], workingDirectory: String?) async throws(ProcessError)
        -> ProcessOutcome
    {
        let control = ProcessControl()
        let result: Result<ProcessOutcome, ProcessError> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                ProcessThreads.shared.run { chunk in
                    continuation.resume(
                        returning: self.runBlocking(
                            arguments: arguments, environment: environment, workingDirectory: workingDirectory,
                            control: control, chunk: chunk))
                }
            }
        } onCancel: {
            control.stop()
        }
        return try result.get()
    }

    private func runBlocking(
        arguments: [String], environment: [String: String], workingDirectory: String?,
        control: ProcessControl, chunk: UnsafeMutableRawBufferPointer
    ) -> Result<ProcessOutcome, ProcessError> {
        var outPipe: [Int32] = [-1, -1]
        var errPipe: [Int32] = [-1, -1]
        var rc = shipcheck_pipe(&outPipe)
        guard rc == 0 else { return .failure(.pipe(errno: rc)) }
        rc = shipcheck_pipe(&errPipe)
        guard rc == 0 else {
            close(outPipe[0])
            close(outPipe[1])
            return .failure(.pipe(errno: rc))
        }
        var inPipe: [Int32] = [-1, -1]
        if stdinFeeder != nil {
            rc = shipcheck_pipe(&inPipe)
            guard rc == 0 else {
                for fd in outPipe + errPipe { close(fd) }
                return .failure(.pipe(errno: rc))
            }
        }
        let devNull = stdinFeeder == nil ? open("/dev/null", O_RDONLY | O_CLOEXEC) : inPipe[0]
        let start = ContinuousClock.now
        var pid: pid_t = 0
        rc = withCStrings(arguments) { argv in
            withCStrings(environment.map { "\($0.key)=\($0.value)" }) { envp in
                if let workingDirectory {
                    return shipcheck_spawn(argv, envp, workingDirectory, devNull, outPipe[1], errPipe[1], &pid)
                }
                return shipcheck_spawn(argv, envp, nil, devNull, outPipe[1], errPipe[1], &pid)
            }
        }
        close(devNull)
        close(outPipe[1])
        close(errPipe[1])
        guard rc == 0 else {
            close(outPipe[0])
            close(errPipe[0])
            if inPipe[1] >= 0 { close(inPipe[1]) }
            return .failure(.spawn(executable: arguments.first ?? "", errno: rc))
        }
        control.started(pid: pid)
        if let stdinFeeder {
            // A reader that exits early must fail the write (EPIPE), not end this process.
            signal(SIGPIPE, SIG_IGN)
            let fd = inPipe[1]
            let feeder = Thread {
                stdinFeeder(fd)
                close(fd)
            }
            feeder.stackSize = 512 * 1024
            feeder.start()
        }

        var stdout = OutputBuffer(limit: outputLimit)
        var stderr = OutputBuffer(limit: outputLimit)
        var open = [outPipe[0], errPipe[0]]
        var termination: ProcessOutcome.Termination?
        var exitedAt: ContinuousClock.Instant?
        var killedLeftovers = false
        var timedOut = false
        // While output streams, look for the exit every few reads only: a syscall per read showed.
        var readsSinceWait = 0

        while true {
            if termination == nil, open.isEmpty || readsSinceWait == 0 || readsSinceWait >= 16 {
                readsSinceWait = 0
                var code: Int32 = 0
                var signal: Int32 = 0
                if shipcheck_try_wait(pid, &code, &signal) == pid {
                    termination = signal != 0 ? .signaled(signal) : .exited(code)
                    exitedAt = .now
                    control.exited()
                }
            }
            if termination != nil, open.isEmpty { break }
            if let exitedAt, !open.isEmpty, ContinuousClock.now - exitedAt > .milliseconds(300) {
                // Children of the check still hold its output: end them, then stop reading.
                if !killedLeftovers {
                    kill(-pid, SIGKILL)
                    killedLeftovers = true
                } else if ContinuousClock.now - exitedAt > .milliseconds(1500) {
                    break
                }
            }
            if let deadline, !timedOut, termination == nil, ContinuousClock.now - start > .seconds(deadline) {
                timedOut = true
                control.stop()
            }
            control.escalateIfDue(grace: grace)
            if open.isEmpty {
                usleep(5_000)
                continue
            }
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&fds, nfds_t(fds.count), 50)
            if ready <= 0 {
                readsSinceWait = 0
                continue
            }
            var largest = 0
            for entry in fds where entry.revents != 0 {
                let count = read(entry.fd, chunk.baseAddress, chunk.count)
                if count > 0 {
                    let bytes = UnsafeRawBufferPointer(rebasing: chunk[0..<count])
                    if entry.fd == outPipe[0] {
                        if let stdoutSink { stdoutSink(bytes) } else { stdout.append(bytes) }
                    } else {
                        stderr.append(bytes)
                    }
                    readsSinceWait += 1
                    largest = max(largest, count)
                } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
                    close(entry.fd)
                    open.removeAll { $0 == entry.fd }
                    readsSinceWait = 0
                }
            }
            // A writer in small steps (stdio's 4 KiB) would wake us for each: while it keeps writing,
            // let the pipe gather for a while (`gatherMicroseconds`) before the next read.
            if largest > 0, largest < Self.gatherBelow, termination == nil {
                Self.gather(open, bytes: Self.gatherBelow, forAtMost: Self.gatherMicroseconds)
            }
        }
        for fd in open { close(fd) }
        if termination == nil {
            // Unreachable in practice: the loop only ends early after the exit was seen.
            termination = .signaled(SIGKILL)
        }
        // Anything left in the group (a backgrounded child) ends with the check.
        kill(-pid, SIGKILL)
        return .success(
            ProcessOutcome(
                termination: termination ?? .signaled(SIGKILL), stdout: stdout, stderr: stderr,
                duration: (ContinuousClock.now - start).seconds,
                stopped: control.wasStopped, timedOut: timedOut))
    }
}

/// Shared between the reading thread and the task's cancellation handler.
final class ProcessControl: @unchecked Sendable {
    private let lock = NSLock()
    private var pid: pid_t = 0
    private var running = false
    private var stopRequested = false
    private var termSentAt: ContinuousClock.Instant?
    private var killed = false

    var wasStopped: Bool { lock.withLock { stopRequested } }

    func started(pid: pid_t) {
        lock.withLock {
            self.pid = pid
            running = true
            if stopRequested { terminateLocked() }
        }
    }

    func exited() {
        lock.withLock { running = false }
    }

    /// SIGTERM to the whole group now, SIGKILL once the grace period has passed.
    func stop() {
        lock.withLock {
            stopRequested = true
            if pid != 0 { terminateLocked() }
        }
    }

    private func terminateLocked() {
        guard termSentAt == nil else { return }
        kill(-pid, SIGTERM)
        termSentAt = .now
    }

    func escalateIfDue(grace: Double) {
        lock.withLock {
            guard let sent = termSentAt, !killed, ContinuousClock.now - sent > .seconds(grace) else { return }
            kill(-pid, SIGKILL)
            killed = true
        }
    }
}

/// Calls `body` with a NULL-terminated array of C strings.
func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R) -> R {
    let pointers = strings.map { strdup($0) }
    defer { for pointer in pointers { free(pointer) } }
    let array = pointers.map { UnsafePointer($0) } + [nil]
    return array.withUnsafeBufferPointer { body($0.baseAddress) }
}

extension Duration {
    var seconds: Double {
        let (whole, attoseconds) = components
        return Double(whole) + Double(attoseconds) / 1e18
    }
}
