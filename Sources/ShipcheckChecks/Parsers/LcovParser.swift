import Foundation
import ShipcheckCore

/// lcov tracefiles (`SF:`, `LH:`, `LF:` records), read line by line so any size keeps memory flat.
enum LcovParser {
    static func parse(file url: URL) throws(CheckError) -> Facts {
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            throw CheckError("coverage report `\(url.path)` was not written")
        }
        defer { try? handle.close() }
        var parser = State()
        var pending = Data()
        while true {
            let chunk = handle.readData(ofLength: 1 << 16)
            if chunk.isEmpty { break }
            pending.append(chunk)
            guard pending.count <= 1_048_576 || pending.contains(10) else {
                throw CheckError("`\(url.lastPathComponent)` is not an lcov report: a line longer than 1 MiB")
            }
            while let newline = pending.firstIndex(of: 10) {
                try parser.line(
                    String(decoding: pending[pending.startIndex..<newline], as: UTF8.self),
                    source: url.lastPathComponent)
                pending.removeSubrange(pending.startIndex...newline)
            }
        }
        if !pending.isEmpty { try parser.line(String(decoding: pending, as: UTF8.self), source: url.lastPathComponent) }
        return try parser.facts(source: url.lastPathComponent)
    }

    static func parse(data: Data, source: String) throws(CheckError) -> Facts {
        var parser = State()
        for line in String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline) {
            try parser.line(String(line), source: source)
        }
        return try parser.facts(source: source)
    }

    struct State {
        var file: String?
        var found = 0.0, hit = 0.0
        var fileFound = 0.0, fileHit = 0.0
        var minimum: (name: String, percent: Double)?
        var lineNumber = 0
        var records = 0

        mutating func line(_ raw: String, source: String) throws(CheckError) {
            lineNumber += 1
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("SF:") {
                file = String(line.dropFirst(3))
                fileFound = 0
                fileHit = 0
            } else if line.hasPrefix("LF:") || line.hasPrefix("LH:") {
                guard let value = Double(line.dropFirst(3)) else {
                    throw CheckError(
                        "lcov report `\(source)` line \(lineNumber): expected a number after \(line.prefix(3))")
                }
                if line.hasPrefix("LF:") { fileFound = value } else { fileHit = value }
            } else if line == "end_of_record" {
                found += fileFound
                hit += fileHit
                records += 1
                if fileFound > 0 {
                    let percent = fileHit / fileFound * 100
                    if percent < minimum?.percent ?? .infinity { minimum = (file ?? "?", percent) }
                }
            }
        }

        func facts(source: String) throws(CheckError) -> Facts {
            guard records > 0 else { throw CheckError("`\(source)` is not an lcov report: no end_of_record") }
            var facts: Facts = [
                "coverage.lines.covered": .number(hit),
                "coverage.lines.total": .number(found),
                "coverage.percent": .number(CoverageParser.round2(found == 0 ? 100 : hit / found * 100)),
            ]
            if let minimum {
                facts["coverage.file_min"] = .number(CoverageParser.round2(minimum.percent))
                facts["coverage.file_min.name"] = .string(minimum.name)
            }
            return facts
        }
    }
}
