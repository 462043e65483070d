import Dispatch
import Foundation

/// On the first SIGINT or SIGTERM, calls `onInterrupt` (the run then stops starting items, ends running
/// ones and writes its reports); on a second one, exits at once.
final class Interruption: @unchecked Sendable {
    private var sources: [any DispatchSourceSignal] = []
    private let lock = NSLock()
    private var count = 0

    init(onInterrupt: @escaping @Sendable () -> Void) {
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { [weak self] in
                guard let self else { return }
                let seen = self.lock.withLock {
                    self.count += 1
                    return self.count
                }
                if seen == 1 {
                    Console.note("\nshipcheck: interrupted; stopping running items (again to quit at once)")
                    onInterrupt()
                } else {
                    exit(ExitCodes.interrupted)
                }
            }
            source.resume()
            sources.append(source)
        }
    }

    func disarm() {
        for source in sources { source.cancel() }
    }
}
