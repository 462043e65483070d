import Foundation

/// The run as JSON, in the versioned schema documented in docs/json-report.md.
public struct JSONReporter: Reporter {
    public static let format = "json"
    public static let fileName: String? = "shipcheck.json"

    public init() {}

    struct Document: Encodable {
        let run: RunResult
        let verdict: Verdict
        let counts: [String: Int]

        enum CodingKeys: String, CodingKey {
            case schemaVersion, runID, toolVersion, project, config, phase, environment, deployType, actor
            case startedAt, finishedAt, duration, interrupted, verdict, counts, items, release, provenance
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(run.schemaVersion, forKey: .schemaVersion)
            try container.encode(run.runID, forKey: .runID)
            try container.encode(run.toolVersion, forKey: .toolVersion)
            try container.encode(run.project, forKey: .project)
            try container.encode(run.config, forKey: .config)
            try container.encode(run.phase, forKey: .phase)
            try container.encode(run.environment, forKey: .environment)
            try container.encode(run.deployType, forKey: .deployType)
            try container.encode(run.actor, forKey: .actor)
            try container.encode(run.startedAt, forKey: .startedAt)
            try container.encode(run.finishedAt, forKey: .finishedAt)
            try container.encode((run.duration * 1000).rounded() / 1000, forKey: .duration)
            try container.encode(run.interrupted, forKey: .interrupted)
            try container.encode(verdict, forKey: .verdict)
            try container.encode(counts, forKey: .counts)
            try container.encode(run.items, forKey: .items)
            try container.encodeIfPresent(run.release, forKey: .release)
            try container.encodeIfPresent(run.provenance, forKey: .provenance)
        }
    }

    public func render(_ run: RunResult) -> String {
        let counts = Dictionary(uniqueKeysWithValues: Outcome.allCases.map { ($0.rawValue, run.count($0)) })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        guard let data = try? encoder.encode(Document(run: run, verdict: run.verdict, counts: counts)) else {
            return "{\"error\": \"the run could not be encoded\"}\n"
        }
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
