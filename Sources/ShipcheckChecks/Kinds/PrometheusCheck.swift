import AsyncHTTPClient
import Foundation
import ShipcheckCore

/// `prometheus:` — a PromQL query against a Prometheus HTTP API, as facts.
struct PrometheusCheck: Check {
    var touchesLiveSystems: Bool { true }
    var url: Template
    var query: Template
    var range: Double?
    var step: Double = 15
    var aggregate = "max"
    var timeout: Double = 10

    static let aggregates = ["max", "min", "avg", "last"]

    static let description = KindDescription(
        key: "prometheus",
        name: "Prometheus query",
        summary:
            "Runs an instant PromQL query (or, with `range`, a range query reduced by `aggregate`) against a Prometheus HTTP API. The first series' value is `value`; every series is also `values.LABELS`. This is what rollback triggers such as `error_rate > 5%` read.",
        parameters: [
            Parameter(
                "prometheus",
                .object([
                    Parameter(
                        "url", .template, "The Prometheus base URL, e.g. http://prometheus:9090.", required: true),
                    Parameter("query", .template, "PromQL.", required: true),
                    Parameter("range", .duration, "Query this much history up to now instead of an instant."),
                    Parameter("step", .duration, "Range query resolution (default 15s)."),
                    Parameter("aggregate", .string, "How a range reduces to `value`: max (default), min, avg, last."),
                    Parameter("request-timeout", .duration, "Longest time the query may take (default 10s)."),
                ]), "The query.", required: true)
        ],
        facts: [
            FactDescription("value", "number", "The first series' value (NaN and missing data are errors, not zeros)."),
            FactDescription(
                "values.LABELS", "number", "Each series, keyed by its label values, e.g. `values.api.500`."),
            FactDescription("series", "number", "How many series the query returned."),
        ],
        examples: [
            KindExample(
                "Prometheus scrapes itself",
                yaml: """
                    id: metrics
                    title: Metrics dashboards ready
                    wait-for:
                      prometheus: { url: "${{ vars.PROMETHEUS_URL }}", query: 'up{job="prometheus"}' }
                      expect: value == 1
                      interval: 1s
                      within: 20s
                    """, outcome: .pass, facts: ["value": .number(1)]),
            KindExample(
                "no such series",
                yaml: """
                    id: errors
                    title: Error rate normal
                    prometheus: { url: "${{ vars.PROMETHEUS_URL }}", query: 'shipcheck_no_such_metric_total' }
                    """, outcome: .fail, facts: ["series": .number(0)]),
        ],
        make: make)

    static func make(_ reader: KindReader) -> (any Check)? {
        guard let node = reader["prometheus"],
            let fields = node.fields(allowed: ["url", "query", "range", "step", "aggregate", "request-timeout"])
        else { return nil }
        guard let urlNode = fields["url"], let queryNode = fields["query"] else {
            node.report("`prometheus` needs `url` and `query`")
            return nil
        }
        guard let url = urlNode.template(knownVars: reader.knownVariables),
            let query = queryNode.template(knownVars: reader.knownVariables)
        else { return nil }
        var check = PrometheusCheck(url: url, query: query)
        if let range = fields["range"] {
            guard let value = range.duration() else { return nil }
            check.range = value
        }
        if let step = fields["step"] {
            guard let value = step.duration() else { return nil }
            check.step = value
        }
        if let timeout = fields["request-timeout"] {
            guard let value = timeout.duration() else { return nil }
            check.timeout = value
        }
        if let aggregateNode = fields["aggregate"], let text = aggregateNode.string() {
            guard aggregates.contains(text) else {
                aggregateNode.report("expected one of \(aggregates.joined(separator: ", ")), got `\(text)`")
                return nil
            }
            check.aggregate = text
        }
        return check
    }

    var defaultExpectations: [FactExpression] { [FactExpression.builtIn("exists(value)")] }
    var summary: String { "prometheus \(query)" + (range.map { " over \(Value.formatDuration($0))" } ?? "") }

    func run(in context: CheckContext) async throws(CheckError) -> Facts {
        var base = try context.expand(url, quoting: .none)
        while base.hasSuffix("/") { base.removeLast() }
        let promql = try context.expand(query, quoting: .none)
        var components = URLComponents()
        var items = [URLQueryItem(name: "query", value: promql)]
        let path: String
        if let range {
            let end = Date().timeIntervalSince1970
            items += [
                URLQueryItem(name: "start", value: String(end - range)), URLQueryItem(name: "end", value: String(end)),
                URLQueryItem(name: "step", value: String(step)),
            ]
            path = "/api/v1/query_range"
        } else {
            path = "/api/v1/query"
        }
        components.queryItems = items
        let encoded = (components.percentEncodedQuery ?? "").replacingOccurrences(of: "+", with: "%2B")
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let exchange: HTTPExchange
        do {
            exchange = try await HTTPProbe.exchange(
                client, HTTPClientRequest(url: base + path + "?" + encoded), timeout: timeout,
                maxBody: 16 * 1_048_576)
        } catch {
            await HTTPProbe.shutdown(client)
            throw error
        }
        await HTTPProbe.shutdown(client)
        guard let object = try? JSONSerialization.jsonObject(with: Data(exchange.body)) as? [String: Any] else {
            throw CheckError("Prometheus answered \(exchange.status) without a JSON body")
        }
        guard object["status"] as? String == "success", let data = object["data"] as? [String: Any],
            let result = data["result"] as? [[String: Any]]
        else {
            throw CheckError("Prometheus query failed: \((object["error"] as? String) ?? "status \(exchange.status)")")
        }
        var facts: Facts = ["series": .number(Double(result.count))]
        for (index, series) in result.enumerated() {
            let samples: [Double]
            if let value = series["value"] as? [Any] {
                samples = [Self.number(value)].compactMap { $0 }
            } else {
                samples = ((series["values"] as? [[Any]]) ?? []).compactMap(Self.number)
            }
            guard let reduced = reduce(samples) else { continue }
            let labels = ((series["metric"] as? [String: String]) ?? [:]).filter { $0.key != "__name__" }
                .sorted { $0.key < $1.key }.map(\.value).joined(separator: ".")
            facts["values." + (labels.isEmpty ? "\(index)" : labels)] = .number(reduced)
            if index == 0 { facts["value"] = .number(reduced) }
        }
        return facts
    }

    /// A sample `[timestamp, "1.5"]`; NaN and infinities are no value at all.
    static func number(_ pair: [Any]) -> Double? {
        guard pair.count == 2, let text = pair[1] as? String, let value = Double(text), value.isFinite else {
            return nil
        }
        return value
    }

    func reduce(_ samples: [Double]) -> Double? {
        guard !samples.isEmpty else { return nil }
        switch aggregate {
        case "min": return samples.min()
        case "avg": return samples.reduce(0, +) / Double(samples.count)
        case "last": return samples.last
        default: return samples.max()
        }
    }
}
