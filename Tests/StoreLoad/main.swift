// Writes runs into a store, for the concurrency tests and the store benchmark.
//
//   shipcheck-store-load LOCATION WRITER RUNS          one transaction per write, as `shipcheck run` does
//   shipcheck-store-load LOCATION WRITER RUNS BATCH    whole finished runs, BATCH per transaction, in
//                                                      every phase, spread over the last 90 days
import Foundation
import ShipcheckCore
import ShipcheckStore

let arguments = CommandLine.arguments
guard arguments.count >= 4, let writer = Int(arguments[2]), let count = Int(arguments[3]) else {
    FileHandle.standardError.write(Data("usage: shipcheck-store-load LOCATION WRITER RUNS [BATCH]\n".utf8))
    exit(64)
}
let batch = arguments.count > 4 ? Int(arguments[4]) : nil
let phases: [PhaseName] = [.preDeploy, .deploy, .postDeploy, .preDeploy, .deploy, .rollback]

func item(_ id: String, passed: Bool) throws -> ItemResult {
    try JSONDecoder().decode(
        ItemResult.self,
        from: Data(
            """
            {"id":"\(id)","title":"\(id)","phase":"pre-deploy","section":"Checks","kind":"command",
             "severity":"block","outcome":"\(passed ? "pass" : "fail")","facts":{"exit":\(passed ? 0 : 1)},
             "expectations":[],"attempts":1,"duration":0.01,"signoffs":[]}
            """.utf8))
}

func run(_ index: Int, start: Date, spread: Bool) throws -> (header: RunHeader, result: RunResult) {
    let id = "w\(writer)-r\(index)"
    let phase = spread ? phases[index % phases.count] : .preDeploy
    let startedAt =
        spread
        ? start.addingTimeInterval(Double(index) * 90 * 86_400 / Double(count))
        : start.addingTimeInterval(Double(index))
    let passed = !spread || index % 7 != 0
    let items = try ["tests", "lint", "migrate"].map { try item($0, passed: passed) }
    let header = RunHeader(
        runID: id, toolVersion: "load", project: "load", config: "shipcheck.yml", phase: phase,
        environment: writer.isMultiple(of: 2) ? "staging" : "production", deployType: nil, actor: "writer-\(writer)",
        startedAt: startedAt, release: nil, itemIDs: items.map(\.id),
        provenance: RunProvenance(commit: "c\(writer)-\(index)", commitTime: startedAt.addingTimeInterval(-3600)))
    let result = RunResult(
        runID: id, toolVersion: "load", project: "load", config: "shipcheck.yml", phase: phase,
        environment: header.environment, deployType: nil, actor: header.actor, startedAt: startedAt,
        finishedAt: startedAt.addingTimeInterval(60), interrupted: false, items: items,
        provenance: header.provenance)
    return (header, result)
}

do {
    let store = try await StoreLocation.open(
        arguments[1], environment: ProcessInfo.processInfo.environment,
        configDirectory: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
    if let batch, batch > 0 {
        let start = Date().addingTimeInterval(-90 * 86_400)
        var index = 0
        while index < count {
            let end = min(count, index + batch)
            try await store.recordFinished((index..<end).map { try run($0, start: start, spread: true) })
            index = end
        }
    } else {
        let start = Date()
        for index in 0..<count {
            let (header, result) = try run(index, start: start, spread: false)
            try await store.begin(header)
            for item in result.items { try await store.record(item, runID: header.runID) }
            try await store.finish(result, header: header)
        }
    }
    try await store.backend.close()
} catch {
    FileHandle.standardError.write(Data("shipcheck-store-load \(writer): \(error)\n".utf8))
    exit(1)
}
