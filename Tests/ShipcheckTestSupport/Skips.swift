public import Foundation
import Testing

/// A test that returns early for want of a server, a tool or `../shared/` says so here, once: a loud
/// line on stderr and, when `SHIPCHECK_SKIP_LOG` names a file (scripts/test.sh sets it), a line there,
/// so that the suite ends with a count of what did not run instead of a bare "passed". Under the
/// variable `require` names (set by .ci/run), the want is a failure instead.
public enum Skips {
    public static func record(_ reason: String, unless require: String? = nil) {
        if let require, ProcessInfo.processInfo.environment[require] == "1" {
            Issue.record("\(reason) (\(require)=1: not skipping)")
            return
        }
        FileHandle.standardError.write(Data("SKIPPED: \(reason)\n".utf8))
        guard let path = ProcessInfo.processInfo.environment["SHIPCHECK_SKIP_LOG"], !path.isEmpty else { return }
        let name = Test.current.map { "\($0.sourceLocation.fileID) \($0.name)" } ?? "(outside a test)"
        let line = "\(name)\t\(reason.replacingOccurrences(of: "\n", with: " "))\n"
        // O_APPEND: the suite's tests run in parallel, each line lands whole.
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT, 0o644)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        _ = line.utf8CString.withUnsafeBufferPointer { write(descriptor, $0.baseAddress, $0.count - 1) }
    }
}
