public import Foundation
public import ShipcheckCore

/// Where a run keeps what the store could not take: one JSON Lines file per run in
/// `.shipcheck/spool/` beside the configuration (its header, its results, its end), written by the
/// next run or `--resume` once the store answers again. Nothing a run decided is lost because the
/// store went away, and nothing it kept there counts until it is in the store.
public struct RunSpool: Sendable {
    public let directory: URL

    public init(configDirectory: URL) {
        directory = configDirectory.appendingPathComponent(".shipcheck/spool")
    }

    /// One line of a spool file.
    struct Entry: Codable {
        var header: RunHeader?
        var items: [ItemResult]?
        var finishedAt: Date?
        var verdict: Verdict?
    }

    public func file(for runID: String) -> URL {
        directory.appendingPathComponent("\(runID).jsonl")
    }

    /// Appends to the run's spool file (created with mode 0600: results may hold masked evidence).
    func append(_ entry: Entry, runID: String) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = file(for: runID)
        if !FileManager.default.fileExists(atPath: url.path) {
            guard
                FileManager.default.createFile(atPath: url.path, contents: nil, attributes: [.posixPermissions: 0o600])
            else { throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: url.path]) }
        }
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: try RunStore.encoder.encode(entry) + Data("\n".utf8))
        try handle.synchronize()
    }

    public func keep(header: RunHeader) throws { try append(Entry(header: header), runID: header.runID) }

    public func keep(_ items: [ItemResult], runID: String) throws { try append(Entry(items: items), runID: runID) }

    public func keep(finishedAt: Date, verdict: Verdict, runID: String) throws {
        try append(Entry(finishedAt: finishedAt, verdict: verdict), runID: runID)
    }

    /// The runs waiting in the spool.
    public var pending: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".jsonl") }.map { String($0.dropLast(".jsonl".count)) }.sorted()
    }

    /// Writes every spooled run into `store` (each write audited, as it would have been), removing
    /// each file once it is in. Returns the runs written; a run that cannot be written stays.
    public func replay(into store: RunStore) async throws -> [String] {
        var written: [String] = []
        for runID in pending {
            let url = file(for: runID)
            let text = try String(contentsOf: url, encoding: .utf8)
            let decoder = RunStore.decoder()
            var header: RunHeader?
            var items: [ItemResult] = []
            var end: (Date, Verdict)?
            for (number, line) in text.split(separator: "\n").enumerated() {
                let entry: Entry
                do {
                    entry = try decoder.decode(Entry.self, from: Data(line.utf8))
                } catch {
                    throw StoreError.badLocation(
                        "the spool file \(url.path) line \(number + 1) cannot be read (\(error)); it is kept as it is")
                }
                if let found = entry.header { header = found }
                items += entry.items ?? []
                if let finishedAt = entry.finishedAt, let verdict = entry.verdict { end = (finishedAt, verdict) }
            }
            let stored = try await store.run(runID)
            guard let header = header ?? stored?.header else {
                throw StoreError.badLocation(
                    "the spool file \(url.path) holds results of run \(runID), which neither it nor the store describes"
                )
            }
            if stored == nil { try await store.begin(header) }
            if !items.isEmpty {
                try await store.record(items, runID: runID, reusable: header.provenance.partial == nil)
            }
            if let (finishedAt, verdict) = end {
                try await store.finish(header: header, finishedAt: finishedAt, verdict: verdict)
            }
            try FileManager.default.removeItem(at: url)
            written.append(runID)
        }
        return written
    }
}
