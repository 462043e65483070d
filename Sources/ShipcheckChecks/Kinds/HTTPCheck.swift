import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix
import ShipcheckCore

/// `http:` — one request, or a sampled load with latency percentiles.
struct HTTPCheck: Check {
    var touchesLiveSystems: Bool { true }
    var request: HTTPRequestSpec
    var samples = 1
    var concurrency = 1
    /// Requests per second; without it requests go back to back.
    var rate: Double?
    /// Statuses that count as an answer that worked; every other one is an error in `error_rate`.
    var okStatus: [ClosedRange<Int>] = [200...399]

    static let description = KindDescription(
        key: "http",
        name: "HTTP probe",
        summary:
            "Sends a request and turns the answer into facts: status, headers, body, JSON fields, latency. With `samples`, sends that many (over `concurrency` connections, at `rate` per second when given) and reports latency percentiles (HdrHistogram), error rate and throughput; with a rate, latency counts from each request's scheduled start, so a slow server cannot hide its queueing (no coordinated omission); back to back, from when the request is written, as wrk counts.",
        parameters: [
            Parameter(
                "http",
                .object(
                    HTTPRequestSpec.parameters + [
                        Parameter("samples", .integer, "Requests to send (default 1)."),
                        Parameter("concurrency", .integer, "Requests in flight at once (default 1)."),
                        Parameter("rate", .number, "Requests per second to schedule, e.g. 50."),
                        Parameter(
                            "ok-status", .list(.string),
                            "Statuses that count as success, as codes or classes: `[200, 204]`, `[2xx]` (default 2xx and 3xx). Every other status counts in `error_rate`, and a single request must answer one of them unless `expect:` reads `status` itself."
                        ),
                    ]), "The request.", required: true)
        ],
        facts: [
            FactDescription("status", "number", "HTTP status (of the last sample)."),
            FactDescription("headers.NAME", "string", "Response headers, names in lower case."),
            FactDescription(
                "body / body.bytes / body.truncated", "string, number, boolean", "The body up to max-body."),
            FactDescription("json.*", "any", "The body's JSON fields, when it is JSON."),
            FactDescription("latency", "duration", "One request: time to the end of the body."),
            FactDescription(
                "latency.p50/p90/p95/p99/max", "duration",
                "With samples: of the requests answered (absent when none was; a refused connection is an error, not a fast answer)."
            ),
            FactDescription(
                "error_rate", "number",
                "With samples: failed requests (transport errors, or any status outside `ok-status`: a 404 is an error), 0–100."
            ),
            FactDescription("throughput", "number", "With samples: requests per second."),
            FactDescription("requests / errors / status.CODE", "number", "With samples: counts."),
            FactDescription(
                "tls.days_left / tls.expires / tls.version", "number, string, string",
                "For https://: the certificate of the URL's host, from a handshake of its own (so `tls-verify: false` still shows an expiring self-signed one)."
            ),
        ],
        examples: [
            KindExample(
                "health answers healthy",
                yaml: """
                    id: health
                    title: Health checks passing
                    http: { url: "${{ vars.BASE_URL }}/health" }
                    expect: [status == 200, json.status == "healthy", latency < 2s]
                    """, outcome: .pass,
                facts: ["status": .number(200), "json.status": .string("healthy"), "json.db.up": .bool(true)]),
            KindExample(
                "p95 under load",
                yaml: """
                    id: key-metrics
                    title: API p95 response time under 500ms
                    http: { url: "${{ vars.BASE_URL }}/health", samples: 60, concurrency: 4, rate: 200 }
                    expect: [latency.p95 < 500ms, error_rate < 1%]
                    """, outcome: .pass,
                facts: ["requests": .number(60), "errors": .number(0), "status.200": .number(60)]),
            KindExample(
                "a server error",
                yaml: """
                    id: health
                    title: Health checks passing
                    http: { url: "${{ vars.BASE_URL }}/status/500" }
                    """, outcome: .fail, facts: ["status": .number(500), "body": .string("boom")]),
        ],
        make: make)

    static func make(_ reader: KindReader) -> (any Check)? {
        guard
            let (request, fields) = HTTPRequestSpec.read(
                reader, key: "http", extra: ["samples", "concurrency", "rate", "ok-status"])
        else {
            return nil
        }
        var check = HTTPCheck(request: request)
        if let okNode = fields["ok-status"] {
            guard let ranges = statusRanges(okNode) else { return nil }
            check.okStatus = ranges
        }
        if let samples = fields["samples"] {
            guard let value = samples.integer(in: 1...1_000_000) else { return nil }
            check.samples = value
        }
        if let concurrency = fields["concurrency"] {
            guard let value = concurrency.integer(in: 1...1000) else { return nil }
            check.concurrency = value
        }
        if let rateNode = fields["rate"], let text = rateNode.string() {
            guard let rate = Double(text), rate > 0, rate <= 100_000 else {
                rateNode.report("expected requests per second, a number from 0 to 100000, got `\(text)`")
                return nil
            }
            check.rate = rate
        }
        return check
    }

    /// `[200, 204]`, `[2xx, 304]`: codes and classes.
    static func statusRanges(_ node: ConfigNode) -> [ClosedRange<Int>]? {
        guard let words = node.strings(expected: "a list of statuses such as [200, 2xx]") else { return nil }
        var ranges: [ClosedRange<Int>] = []
        for word in words {
            let text = word.lowercased()
            if let code = Int(text), (100...599).contains(code) {
                ranges.append(code...code)
            } else if text.count == 3, text.hasSuffix("xx"), let digit = Int(text.prefix(1)), (1...5).contains(digit) {
                ranges.append(digit * 100...digit * 100 + 99)
            } else {
                node.report("expected statuses such as 200 or 2xx, got `\(word)`")
                return nil
            }
        }
        if ranges.isEmpty { node.report("name at least one status, e.g. [2xx]") }
        return ranges.isEmpty ? nil : ranges
    }

    func isOK(_ status: Int) -> Bool { okStatus.contains { $0.contains(status) } }

    /// `status >= 200 and status <= 399`, or one such test per configured code or class.
    var statusExpectation: FactExpression {
        let tests: [FactExpression] = okStatus.map { range in
            let status = FactExpression.fact("status")
            if range.count == 1 { return .compare(status, .equal, .literal(.number(Double(range.lowerBound)))) }
            return .and(
                .compare(status, .greaterOrEqual, .literal(.number(Double(range.lowerBound)))),
                .compare(status, .lessOrEqual, .literal(.number(Double(range.upperBound)))))
        }
        return tests.dropFirst().reduce(tests[0]) { .or($0, $1) }
    }

    var defaultExpectations: [FactExpression] {
        samples > 1 ? [.compare(.fact("error_rate"), .equal, .literal(.number(0)))] : [statusExpectation]
    }

    /// A single answer outside `ok-status` is not a pass because the body happened to hold the expected key.
    var guardExpectations: [FactExpression] { samples > 1 ? [] : [statusExpectation] }

    var summary: String {
        "\(request.method) \(request.url)"
            + (samples > 1
                ? " × \(samples) (concurrency \(concurrency)\(rate.map { ", \(Value.number($0).description)/s" } ?? ""))"
                : "")
    }

    func run(in context: CheckContext) async throws(CheckError) -> Facts {
        guard samples > 1 else {
            return try await request.withClient(context) { client, certificate throws(CheckError) in
                try await single(client, context).merging(certificate) { _, new in new }
            }
        }
        let certificate = try await request.certificateFacts(context)
        return try await sampled(context).merging(certificate) { _, new in new }
    }

    func single(_ client: HTTPClient, _ context: CheckContext) async throws(CheckError) -> Facts {
        let exchange = try await HTTPProbe.exchange(
            client, try request.makeRequest(context), timeout: request.timeout,
            maxBody: request.maxBody)
        return Self.facts(of: exchange)
    }

    static func facts(of exchange: HTTPExchange) -> Facts {
        var facts: Facts = [
            "status": .number(Double(exchange.status)),
            "latency": .duration(exchange.latency),
            "body": .string(String(decoding: exchange.body, as: UTF8.self)),
            "body.bytes": .number(Double(exchange.body.count)),
            "body.truncated": .bool(exchange.truncated),
        ]
        for (name, _) in exchange.headers {
            facts["headers." + name.lowercased()] = .string(exchange.header(name) ?? "")
        }
        if !exchange.truncated { facts.merge(JSONFacts.ifJSON(exchange.body, source: "the body")) { _, new in new } }
        return facts
    }

    /// Workers take request numbers in turn; with a rate, request i is due at start + i / rate and its
    /// latency counts from then.
    func sampled(_ context: CheckContext) async throws(CheckError) -> Facts {
        let sample = try SampleRequest(request, context)
        let counter = SampleCounter(total: samples)
        let start = ContinuousClock.now
        let workers = (0..<min(concurrency, samples)).map { _ in
            SampleWorker(
                request: sample, loop: MultiThreadedEventLoopGroup.singleton.next(), counter: counter, start: start,
                rate: rate)
        }
        let results: [SampleResult] = await withTaskCancellationHandler {
            let running = workers.map { $0.run() }
            var all: [SampleResult] = []
            for worker in running { all += (try? await worker.get()) ?? [] }
            return all
        } onCancel: {
            counter.stop()
        }
        let elapsed = (ContinuousClock.now - start).seconds
        if Task.isCancelled { throw CheckError("stopped") }
        // No request finished: there is nothing to judge, so no rate of 0% errors either.
        if results.isEmpty {
            throw CheckError("none of the \(samples) requests to \(request.url) was sent and answered")
        }
        var errors = 0
        var statuses: [Int: Int] = [:]
        for result in results {
            if let status = result.status { statuses[status, default: 0] += 1 }
            if result.error != nil || !isOK(result.status ?? 0) { errors += 1 }
        }
        var facts: Facts = [:]
        // The workers are done: their last answers are read after their futures completed.
        if let last = workers.compactMap(\.last).max(by: { $0.at < $1.at }) { facts = Self.facts(of: last.exchange) }
        facts["latency"] = nil
        // Latency is of the requests the service answered: a refused connection fails in a
        // millisecond and would make a service that is down look fast.
        let answered = results.filter { $0.status != nil }.map(\.latency)
        if !answered.isEmpty { facts.merge(LatencyFacts.percentiles(answered)) { _, new in new } }
        facts["requests"] = .number(Double(results.count))
        facts["errors"] = .number(Double(errors))
        facts["error_rate"] = .number(
            results.isEmpty ? 0 : (Double(errors) / Double(results.count) * 10_000).rounded() / 100)
        facts["throughput"] = .number((Double(results.count) / max(elapsed, 1e-9) * 100).rounded() / 100)
        for (status, count) in statuses { facts["status.\(status)"] = .number(Double(count)) }
        if let error = results.last(where: { $0.error != nil })?.error { facts["last_error"] = .string(error) }
        return facts
    }

}
