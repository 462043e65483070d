import Foundation
public import ShipcheckCore
public import ShipcheckStore

/// Holds an environment's deploy lock while a deploy runs: renews its lease every third of it, and
/// releases it at the end, also when the run was interrupted. A process killed outright stops
/// beating, and the next deploy takes the lock over once the lease ran out.
public actor LockKeeper {
    public static let leaseVariable = "SHIPCHECK_LOCK_LEASE"

    /// The lease: `SHIPCHECK_LOCK_LEASE` seconds (1 s to a day), else two minutes.
    public static func lease(_ environment: [String: String]) -> Double {
        if let text = environment[leaseVariable], let seconds = Double(text), seconds >= 1, seconds <= 86_400 {
            return seconds
        }
        return 120
    }

    let store: RunStore
    public private(set) var lock: DeployLock
    /// Set when the lock was found no longer this process's (taken over after a stall, ended by force).
    public private(set) var lost: String?
    private var beating: Task<Void, Never>?

    public init(store: RunStore, lock: DeployLock) {
        self.store = store
        self.lock = lock
    }

    public func start() {
        let interval = max(0.2, lock.lease / 3)
        beating = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(Int64(interval * 1000)))
                guard !Task.isCancelled, let self, await self.beat() else { return }
            }
        }
    }

    /// Renews the lease; false once the lock is lost (or the store failed to say).
    private func beat() async -> Bool {
        var renewed = lock
        do {
            if try await store.heartbeat(&renewed, at: Date()) {
                lock = renewed
                return true
            }
            lost =
                "the deploy lock of \(lock.environment) was taken from this run (it missed its heartbeats, or was ended by force)"
        } catch {
            lost = "the deploy lock of \(lock.environment) could not be renewed: \(error)"
        }
        return false
    }

    /// Stops beating and releases the lock (if it is still this run's). Returns a problem to report, if any.
    public func release(by actor: Identity) async -> String? {
        beating?.cancel()
        beating = nil
        if let lost { return lost }
        do {
            _ = try await store.releaseLock(environment: lock.environment, expected: lock, by: actor, at: Date())
            return nil
        } catch {
            return
                "the deploy lock of \(lock.environment) could not be released (it frees itself after its lease): \(error)"
        }
    }
}
