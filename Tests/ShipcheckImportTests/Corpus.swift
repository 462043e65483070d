import Foundation
import ShipcheckTestSupport

/// The seed and the development corpus, found beside the project (`../shared/`), and independent
/// counts of what an importer must find in them.
enum Corpus {
    static let shared = SharedFiles.root
    static let seed = SharedFiles.seed
    static let corpusDirectory = shared.appendingPathComponent("corpus/checklists")

    static var corpusFiles: [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: corpusDirectory.path)) ?? []
        return names.filter { $0.hasSuffix(".md") && $0 != "SOURCES.md" }.sorted().map {
            corpusDirectory.appendingPathComponent($0)
        }
    }

    static var runbookFiles: [URL] {
        let directory = shared.appendingPathComponent("corpus/runbooks")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".md") && $0 != "SOURCES.md" }.sorted().map {
            directory.appendingPathComponent($0)
        }
    }

    struct Counts {
        var tasks = 0
        var lookalikes = 0
        var fences = 0
    }

    /// Counted the way SOURCES.md describes, with separate, simple patterns: task markers outside
    /// fences; `☐` on bullets and table rows; `LABEL: ___` sign-off blanks; fence openings.
    static func count(_ text: String) -> Counts {
        let task = try! NSRegularExpression(pattern: #"^[ \t]*(?:>[ \t]?)*(?:[-*+]|\d+[.)])[ \t]+\[[ xX]\](?:[ \t]|$)"#)
        let glyph = try! NSRegularExpression(pattern: #"^[ \t]*(?:>[ \t]?)*(?:(?:[-*+]|\d+[.)])[ \t]+.*☐|\|.*☐)"#)
        let blank = try! NSRegularExpression(
            pattern:
                #"^[ \t]*(?:>[ \t]?)*(?:(?:[-*+]|\d+[.)])[ \t]+)?\**(?:[^:\n]*?)(?:sign-?off|signoff|signed|sign off|signature|approved|approver|approval|reviewer|reviewed by|verified by)[^:\n]*:.*_{3,}"#,
            options: [.caseInsensitive])
        let fence = try! NSRegularExpression(pattern: #"^[ \t]*(?:>[ \t]?)*(`{3,}|~{3,})(.*)$"#)
        var counts = Counts()
        var open: (Character, Int)?
        for raw in text.replacingOccurrences(of: "\r\n", with: "\n").split(
            separator: "\n", omittingEmptySubsequences: false)
        {
            let line = String(raw)
            let range = NSRange(line.startIndex..., in: line)
            if let match = fence.firstMatch(in: line, range: range), let run = Range(match.range(at: 1), in: line),
                let rest = Range(match.range(at: 2), in: line)
            {
                let marker = line[run]
                if let (character, length) = open {
                    if marker.first == character, marker.count >= length,
                        line[rest].trimmingCharacters(in: .whitespaces).isEmpty
                    {
                        open = nil
                    }
                    continue
                }
                if marker.first == "`", line[rest].contains("`") { continue }
                open = (marker.first!, marker.count)
                counts.fences += 1
                continue
            }
            if open != nil { continue }
            if task.firstMatch(in: line, range: range) != nil {
                counts.tasks += 1
            } else if glyph.firstMatch(in: line, range: range) != nil || blank.firstMatch(in: line, range: range) != nil
            {
                counts.lookalikes += 1
            }
        }
        return counts
    }
}
