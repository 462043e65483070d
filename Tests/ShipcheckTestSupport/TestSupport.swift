public import Foundation

/// A reproducible random source for fuzz tests (SplitMix64).
public struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Command lines of live processes containing `marker`, read from /proc: how tests find orphans.
public func liveProcesses(containing marker: String) -> [String] {
    guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
    return entries.filter { Int($0) != nil }.compactMap { entry in
        guard let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline"), !data.isEmpty else {
            return nil
        }
        let line = String(decoding: data.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
        return line.contains(marker) ? "\(entry): \(line)" : nil
    }
}

/// The seed checklist and the checklist corpus live beside the project (`../shared/`), not in it.
/// In a plain clone they are absent: tests that read them skip, saying so on stderr; under
/// SHIPCHECK_REQUIRE_SHARED=1 (`.ci/run`) they run anyway and fail on the missing files.
public enum SharedFiles {
    public static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    public static let root = packageRoot.deletingLastPathComponent().appendingPathComponent("shared")
    public static let seed = root.appendingPathComponent("seed/DEPLOYMENT_CHECKLIST.md")

    /// Whether the tests that read `../shared/` should run.
    public static var available: Bool {
        if FileManager.default.fileExists(atPath: seed.path) { return true }
        if ProcessInfo.processInfo.environment["SHIPCHECK_REQUIRE_SHARED"] == "1" { return true }
        Skips.record("tests of the seed and corpus need \(root.path) (absent in a plain clone)")
        return false
    }
}
