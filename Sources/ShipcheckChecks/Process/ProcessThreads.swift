import Foundation

/// The threads that wait on child processes. Each blocks in `poll` for as long as its child runs,
/// which must not hold one of Swift's few cooperative threads; they are kept for the next process
/// rather than started and torn down per process, with their read buffer (a thread and a fresh
/// 1 MiB buffer cost more than running `true`). There are never fewer threads than waiting jobs.
final class ProcessThreads: @unchecked Sendable {
    static let shared = ProcessThreads()
    static let bufferSize = 1 << 20

    private let condition = NSCondition()
    private var jobs: [@Sendable (UnsafeMutableRawBufferPointer) -> Void] = []
    private var idle = 0

    func run(_ job: @escaping @Sendable (UnsafeMutableRawBufferPointer) -> Void) {
        condition.lock()
        jobs.append(job)
        let start = jobs.count > idle
        if idle > 0 { condition.signal() }
        condition.unlock()
        guard start else { return }
        let thread = Thread { [self] in work() }
        thread.stackSize = 512 * 1024
        thread.start()
    }

    private func work() {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.bufferSize, alignment: 16)
        condition.lock()
        while true {
            if jobs.isEmpty {
                idle += 1
                condition.wait()
                idle -= 1
                continue
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job(buffer)
            condition.lock()
        }
    }
}
