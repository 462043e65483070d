public import Foundation
public import ShipcheckCore
import ShipcheckImport

/// Choosing and writing a run's reports, the same for a fresh run and one read from the store.
public enum Reports {
    public struct WriteFailure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Formats that print rather than write a file, rendered.
    public static func printed(_ result: RunResult, formats: [String]) -> [String] {
        formats.compactMap { format in
            guard let reporter = Reporters.reporter(named: format), type(of: reporter).fileName == nil else {
                return nil
            }
            return reporter.render(result)
        }
    }

    /// A run in one format, as `run` writes it and `export` reads it back: an imported checklist's
    /// Markdown is its own source file, ticked (when that file is still there); nil for no such format.
    public static func render(_ result: RunResult, format: String, configDirectory: URL) -> String? {
        if format == MarkdownReporter.format,
            let ticked = ChecklistExport.render(result, configDirectory: configDirectory)
        {
            return ticked
        }
        return Reporters.reporter(named: format)?.render(result)
    }

    /// Writes the file formats into `directory`; an imported checklist's Markdown is its own file, ticked.
    public static func write(_ result: RunResult, formats: [String], to directory: URL, configDirectory: URL)
        throws(WriteFailure) -> [URL]
    {
        let fileFormats = formats.filter { Reporters.reporter(named: $0).map { type(of: $0).fileName != nil } ?? false }
        guard !fileFormats.isEmpty else { return [] }
        var rendered: [String: String] = [:]
        if fileFormats.contains(MarkdownReporter.format) {
            rendered[MarkdownReporter.format] = render(
                result, format: MarkdownReporter.format, configDirectory: configDirectory)
        }
        do {
            return try ReportWriter.write(result, formats: fileFormats, to: directory, rendered: rendered)
        } catch {
            throw WriteFailure(
                description: "could not write reports to \(directory.path): \(error.localizedDescription)")
        }
    }

    /// GitHub's step summary shows the ticked checklist on the workflow run's page.
    static func appendStepSummary(_ result: RunResult, to path: String) {
        // GitHub creates the file; a runner that only names it gets it created.
        if !FileManager.default.fileExists(atPath: path) { FileManager.default.createFile(atPath: path, contents: nil) }
        guard let handle = FileHandle(forWritingAtPath: path) else { return }
        handle.seekToEndOfFile()
        handle.write(Data(MarkdownReporter().render(result).utf8))
        try? handle.close()
    }
}
