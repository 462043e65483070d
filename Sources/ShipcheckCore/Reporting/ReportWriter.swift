public import Foundation

/// Writes a run's file reports into a directory, one file per format.
public enum ReportWriter {
    /// Returns the paths written.
    /// `rendered` replaces a format's usual rendering (the Markdown export of an imported checklist).
    public static func write(_ run: RunResult, formats: [String], to directory: URL, rendered: [String: String] = [:])
        throws
        -> [URL]
    {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var written: [URL] = []
        for format in formats {
            guard let reporter = Reporters.reporter(named: format), let name = type(of: reporter).fileName else {
                continue
            }
            let url = directory.appendingPathComponent(name)
            try Data((rendered[format] ?? reporter.render(run)).utf8).write(to: url, options: .atomic)
            written.append(url)
        }
        return written
    }
}
