// Writes runs into a store as fast as it can, for the concurrency tests: many of these processes
// write into one SQLite file or PostgreSQL database at once.
//
//   shipcheck-store-load LOCATION WRITER RUNS
import Foundation
import ShipcheckCore
import ShipcheckStore

let arguments = CommandLine.arguments
guard arguments.count == 4, let writer = Int(arguments[2]), let count = Int(arguments[3]) else {
    FileHandle.standardError.write(Data("usage: shipcheck-store-load LOCATION WRITER RUNS\n".utf8))
    exit(64)
}
do {
    let store = try await StoreLocation.open(
        arguments[1], environment: ProcessInfo.processInfo.environment,
        configDirectory: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
    let start = Date()
    for index in 0..<count {
        let id = "w\(writer)-r\(index)"
        let items = ["tests", "lint", "migrate"]
        let header = RunHeader(
            runID: id, toolVersion: "load", project: "load", config: "shipcheck.yml", phase: .preDeploy,
            environment: writer.isMultiple(of: 2) ? "staging" : "production", deployType: nil,
            actor: "writer-\(writer)",
            startedAt: start.addingTimeInterval(Double(index)), release: nil, itemIDs: items, resumedItemIDs: [],
            provenance: RunProvenance(commit: "c\(writer)"), only: [], skip: [])
        try await store.begin(header)
        var results: [ItemResult] = []
        for item in items {
            let result = try JSONDecoder().decode(
                ItemResult.self,
                from: Data(
                    """
                    {"id":"\(item)","title":"\(item)","phase":"pre-deploy","section":"Checks","kind":"command",
                     "severity":"block","outcome":"pass","facts":{"exit":0},"expectations":[],"attempts":1,
                     "duration":0.01,"signoffs":[]}
                    """.utf8))
            try await store.record(result, runID: id)
            results.append(result)
        }
        try await store.finish(
            RunResult(
                runID: id, toolVersion: "load", project: "load", config: "shipcheck.yml", phase: .preDeploy,
                environment: header.environment, deployType: nil, actor: header.actor, startedAt: header.startedAt,
                finishedAt: header.startedAt.addingTimeInterval(1), interrupted: false, items: results),
            header: header)
    }
    try await store.backend.close()
} catch {
    FileHandle.standardError.write(Data("shipcheck-store-load \(writer): \(error)\n".utf8))
    exit(1)
}
