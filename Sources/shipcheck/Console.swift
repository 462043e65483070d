import Foundation

/// The only place that writes to the terminal. Thread-safe: engine events arrive from many tasks.
enum Console {
    private static let lock = NSLock()

    static func out(_ text: String, terminator: String = "\n") {
        write(text + terminator, to: FileHandle.standardOutput)
    }

    static func error(_ text: String) {
        write("shipcheck: " + text + "\n", to: FileHandle.standardError)
    }

    static func note(_ text: String) {
        write(text + "\n", to: FileHandle.standardError)
    }

    static func write(_ text: String, to handle: FileHandle) {
        lock.lock()
        defer { lock.unlock() }
        handle.write(Data(text.utf8))
    }

    static var stdoutIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }
    static var stdinIsTerminal: Bool { isatty(STDIN_FILENO) == 1 }

    /// Colour only on a terminal, and never with NO_COLOR set (https://no-color.org).
    static var useColor: Bool {
        let environment = ProcessInfo.processInfo.environment
        if let noColor = environment["NO_COLOR"], !noColor.isEmpty { return false }
        return stdoutIsTerminal && environment["TERM"] != "dumb"
    }

    static var width: Int {
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return 100
    }
}
