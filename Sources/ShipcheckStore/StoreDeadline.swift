import Foundation

/// How long a store call may take before it is given up: a server that went away mid-run must end
/// the run with its verdict, not hang it. `SHIPCHECK_STORE_TIMEOUT` (seconds) sets it.
public enum StoreDeadline {
    public static let variable = "SHIPCHECK_STORE_TIMEOUT"

    public static var standard: Duration {
        if let text = ProcessInfo.processInfo.environment[variable], let seconds = Double(text), seconds > 0,
            seconds <= 3600
        {
            return .milliseconds(Int64(seconds * 1000))
        }
        return .seconds(20)
    }

    /// Runs `body`, or throws when it has not finished within `deadline`. The body is then left to
    /// end on its own (a query on a connection whose server vanished may ignore cancellation), so the
    /// caller never waits past the deadline.
    static func run<T: Sendable>(
        _ deadline: Duration, location: String, what: String, _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let once = Once<T>()
        return try await withCheckedThrowingContinuation { continuation in
            once.set(continuation)
            let work = Task {
                do {
                    once.resume(with: .success(try await body()))
                } catch {
                    once.resume(with: .failure(error))
                }
            }
            let timer = Task {
                try? await Task.sleep(for: deadline)
                guard !Task.isCancelled else { return }
                let seconds = Double(deadline.components.seconds) + Double(deadline.components.attoseconds) / 1e18
                let late = StoreError.timedOut(
                    location: location, reason: "\(what) had no answer within \(Self.format(seconds))")
                if once.resume(with: .failure(late)) { work.cancel() }
            }
            once.onResume { timer.cancel() }
        }
    }

    static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? "\(Int(seconds))s" : String(format: "%.1fs", seconds)
    }

    /// A continuation resumed once, by whichever comes first.
    final class Once<T: Sendable>: @unchecked Sendable {
        private let lock = NSLock()
        private var continuation: CheckedContinuation<T, any Error>?
        private var result: Result<T, any Error>?
        private var resumed: (() -> Void)?

        func set(_ continuation: CheckedContinuation<T, any Error>) {
            lock.lock()
            if let result {
                lock.unlock()
                continuation.resume(with: result)
                return
            }
            self.continuation = continuation
            lock.unlock()
        }

        func onResume(_ action: @escaping () -> Void) {
            lock.lock()
            if result != nil {
                lock.unlock()
                action()
                return
            }
            resumed = action
            lock.unlock()
        }

        /// Whether this call was the one that resumed it.
        @discardableResult
        func resume(with outcome: Result<T, any Error>) -> Bool {
            lock.lock()
            guard result == nil else {
                lock.unlock()
                return false
            }
            result = outcome
            let continuation = continuation
            let action = resumed
            lock.unlock()
            continuation?.resume(with: outcome)
            action?()
            return true
        }
    }
}
