import Foundation
import ShipcheckTestSupport
import Testing

@testable import ShipcheckChecks

/// The capped buffer keeps exactly the first and last bytes and counts every line, however the
/// stream arrives in pieces.
@Suite struct OutputBufferTests {
    static func stream(_ count: Int, seed: UInt64) -> [UInt8] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in
            let value = UInt8.random(in: 0...40, using: &generator)
            return value < 4 ? 0x0A : 0x61 + value % 26
        }
    }

    @Test(arguments: [(0, 1024), (100, 1024), (5_000, 1024), (300_000, 4096), (300_000, 1_048_576)])
    func keepsHeadAndTailAndCountsLines(size: Int, limit: Int) {
        let bytes = Self.stream(size, seed: UInt64(size + limit))
        var generator = SeededGenerator(seed: 7)
        var buffer = OutputBuffer(limit: limit)
        var offset = 0
        while offset < bytes.count {
            let step = min(bytes.count - offset, Int.random(in: 1...70_000, using: &generator))
            bytes[offset..<(offset + step)].withUnsafeBytes { buffer.append($0) }
            offset += step
        }
        let headCount = min(bytes.count, limit / 2)
        let tailCount = min(bytes.count - headCount, limit - limit / 2)
        #expect(buffer.head == Array(bytes.prefix(headCount)))
        #expect(buffer.totalBytes == bytes.count)
        #expect(buffer.omittedBytes == bytes.count - headCount - tailCount)
        let newlines = bytes.filter { $0 == 0x0A }.count
        #expect(buffer.lineCount == newlines + (bytes.last.map { $0 != 0x0A ? 1 : 0 } ?? 0))
        let expectedTail = String(decoding: bytes.suffix(tailCount), as: UTF8.self)
        #expect(buffer.text.hasSuffix(expectedTail))
    }

    @Test func countsNewlinesAtEveryLengthAndAlignment() {
        let bytes = Self.stream(5_000, seed: 3)
        bytes.withUnsafeBytes { raw in
            for start in 0..<17 {
                for length in [0, 1, 15, 16, 17, 31, 33, 255 * 16 + 5, 4_000] where start + length <= raw.count {
                    let slice = UnsafeRawBufferPointer(rebasing: raw[start..<(start + length)])
                    #expect(OutputBuffer.countNewlines(slice) == slice.filter { $0 == 0x0A }.count)
                }
            }
        }
    }
}

/// The runner ends a process group at its deadline by itself, with no task cancelled: a timeout that
/// holds while the concurrency pool is busy.
@Suite struct ProcessDeadlineTests {
    @Test func theDeadlineEndsTheGroupWithoutACancellation() async throws {
        let marker = "4343.\(Int.random(in: 100_000...999_999))"
        let outcome = try await ProcessRunner(grace: 0.5, deadline: 0.3).run(
            arguments: ["/bin/sh", "-c", "trap '' TERM; sleep \(marker) & sleep \(marker); wait"],
            environment: ["PATH": "/usr/bin:/bin"], workingDirectory: nil)
        #expect(outcome.timedOut)
        #expect(outcome.stopped)
        #expect(outcome.termination == .signaled(SIGKILL))
        // Ends well before the sleep would have: a margin a busy machine keeps.
        #expect(outcome.duration < 30)
    }
}
