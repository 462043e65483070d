import Foundation
import ShipcheckCore

/// Shows a run as it goes. On a TTY (without NO_COLOR) finished items scroll above a live block of
/// running items with spinners; otherwise one plain line per finished item.
final class Progress: @unchecked Sendable {
    private let lock = NSLock()
    private let reporter: TerminalReporter
    private let live: Bool
    private var running: [(item: Item, start: Date)] = []
    private var drawnLines = 0
    private var tick = 0
    private var paused = false
    /// Lines of items that finished while a prompt was open: printed after the answer, so that none
    /// lands on the prompt's line.
    private var held: [String] = []
    private var stopped = false

    init(live: Bool, color: Bool) {
        self.live = live
        reporter = TerminalReporter(color: color)
        if live { startTicker() }
    }

    func handle(_ event: EngineEvent) {
        lock.lock()
        defer { lock.unlock() }
        switch event {
        case .started(let item):
            running.append((item, Date()))
            if !live { return }
        case .retrying(let item, let attempt, let reason):
            emit(reporter.retrying(item, attempt: attempt, reason: reason))
        case .finished(let result):
            running.removeAll { $0.item.id == result.id }
            emit(reporter.line(for: result))
        }
        redraw()
    }

    /// Stops live drawing, e.g. while a prompt waits for an answer.
    func pause() {
        lock.lock()
        defer { lock.unlock() }
        clear()
        paused = true
    }

    func resume() {
        lock.lock()
        defer { lock.unlock() }
        paused = false
        for line in held { Console.out(line) }
        held = []
        redraw()
    }

    func finish() {
        lock.lock()
        defer { lock.unlock() }
        clear()
        for line in held { Console.out(line) }
        held = []
        stopped = true
    }

    private func emit(_ line: String) {
        if paused {
            held.append(line)
            return
        }
        clear()
        Console.out(line)
    }

    private func clear() {
        guard live, drawnLines > 0 else { return }
        Console.out("\u{1B}[\(drawnLines)F\u{1B}[J", terminator: "")
        drawnLines = 0
    }

    private func redraw() {
        guard live, !paused, !stopped else { return }
        clear()
        let now = Date()
        let lines = LiveFrame.render(
            running: running.map { ($0.item.id, $0.item.title, now.timeIntervalSince($0.start)) },
            tick: tick, width: Console.width, color: true)
        for line in lines { Console.out(line) }
        drawnLines = lines.count
    }

    private func startTicker() {
        let thread = Thread { [weak self] in
            while let self {
                usleep(100_000)
                self.lock.lock()
                if self.stopped {
                    self.lock.unlock()
                    return
                }
                self.tick += 1
                self.redraw()
                self.lock.unlock()
            }
        }
        thread.start()
    }
}
