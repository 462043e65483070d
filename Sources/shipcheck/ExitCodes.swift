import ArgumentParser
import ShipcheckCore

/// Every exit status the tool uses, in one place.
enum ExitCodes {
    static let passed: Int32 = 0
    static let failed: Int32 = 1
    static let couldNotEvaluate: Int32 = 2
    /// EX_USAGE, as ArgumentParser uses for its own usage errors.
    static let usage: Int32 = 64
    static let interrupted: Int32 = 130

    static func code(for verdict: Verdict) -> Int32 {
        switch verdict {
        case .passed: passed
        case .failed: failed
        case .error: couldNotEvaluate
        case .interrupted: interrupted
        }
    }
}

/// A usage or configuration problem already explained on stderr.
struct UsageFailure: Error {}

extension ExitCode {
    static let usageFailure = ExitCode(ExitCodes.usage)
}
