import AsyncHTTPClient
import Crypto
public import Foundation
import NIOCore
public import ShipcheckCore

/// Sends deploy events to the configuration's `notify:` targets: a Slack-compatible incoming
/// webhook (`{"text": …}`), or a JSON webhook signed with HMAC-SHA256 over `v1:TIMESTAMP:BODY`
/// (`X-Shipcheck-Timestamp`, `X-Shipcheck-Signature: v1=HEX`), so that a receiver can refuse a
/// forged or replayed event. Each delivery is tried three times with backoff; one that still fails
/// is reported, and never fails the deploy.
public struct Notifier: Sendable {
    public let targets: [NotifyTarget]
    public let environment: [String: String]
    public let variables: [String: String]
    /// Seconds before each retry.
    public var backoff: [Double] = [0.5, 1]
    /// Seconds one try may take (`SHIPCHECK_NOTIFY_TIMEOUT`, default 3): a receiver that is gone
    /// costs the deploy at most three of these and the backoff.
    public var timeout: Double

    public init(targets: [NotifyTarget], environment: [String: String], variables: [String: String]) {
        self.targets = targets
        self.environment = environment
        self.variables = variables
        let configured = environment["SHIPCHECK_NOTIFY_TIMEOUT"].flatMap(Double.init) ?? 3
        timeout = min(max(configured, 0.1), 60)
    }

    /// One event: what happened, where, to which run, with a line a person reads.
    public struct Event: Sendable, Codable {
        public var event: String
        public var environment: String?
        public var deployType: String?
        public var run: String?
        public var verdict: String?
        public var actor: String?
        public var commit: String?
        public var release: String?
        public var at: String
        public var summary: String

        public init(
            event: String, environment: String?, deployType: String?, run: String?, verdict: String?, actor: String?,
            commit: String?, release: String?, at: Date, summary: String
        ) {
            self.event = event
            self.environment = environment
            self.deployType = deployType
            self.run = run
            self.verdict = verdict
            self.actor = actor
            self.commit = commit
            self.release = release
            self.at = ISO8601DateFormatter().string(from: at)
            self.summary = summary
        }
    }

    /// Delivers `event` to every target that receives it; returns what could not be delivered.
    public func send(_ event: Event) async -> [String] {
        await withTaskGroup(of: (Int, String?).self) { group in
            for (index, target) in targets.enumerated() where target.receives(event.event) {
                group.addTask { (index, await deliver(event, to: target)) }
            }
            var problems: [(Int, String)] = []
            for await (index, problem) in group { if let problem { problems.append((index, problem)) } }
            return problems.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    /// The body and headers of a signed JSON event: the signature covers the timestamp and the body.
    public static func signed(_ body: Data, secret: String, timestamp: Int) -> [(String, String)] {
        let message = Data("v1:\(timestamp):".utf8) + body
        let code = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Data(secret.utf8)))
        return [
            ("X-Shipcheck-Timestamp", "\(timestamp)"), ("X-Shipcheck-Signature", "v1=" + Hex.string(Data(code))),
        ]
    }

    func deliver(_ event: Event, to target: NotifyTarget) async -> String? {
        let place = target.location.map { " (\($0.file):\($0.line))" } ?? ""
        let url: String
        let secret: String?
        do {
            url = try target.url.expand(environment: environment, variables: variables, quoting: .none)
            secret = try target.secret?.expand(environment: environment, variables: variables, quoting: .none)
        } catch {
            return "notify\(place): \(error.description)"
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body: Data
        var headers = [("Content-Type", "application/json"), ("User-Agent", "shipcheck/\(ShipcheckVersion.current)")]
        switch target.format {
        case .slack:
            body = (try? encoder.encode(["text": "shipcheck: \(event.summary)"])) ?? Data()
        case .webhook:
            body = (try? encoder.encode(event)) ?? Data()
            if let secret { headers += Self.signed(body, secret: secret, timestamp: Int(Date().timeIntervalSince1970)) }
        }
        var last = ""
        for attempt in 0...backoff.count {
            if attempt > 0 { try? await Task.sleep(for: .milliseconds(Int64(backoff[attempt - 1] * 1000))) }
            var request = HTTPClientRequest(url: url)
            request.method = .POST
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            request.body = .bytes(ByteBuffer(bytes: body))
            do {
                let response = try await HTTPClient.shared.execute(
                    request, timeout: .milliseconds(Int64(timeout * 1000)))
                _ = try? await response.body.collect(upTo: 64 * 1024)
                if (200..<300).contains(Int(response.status.code)) { return nil }
                last = "HTTP \(response.status.code)"
            } catch {
                last = "\(error)"
            }
        }
        // The URL may itself be a secret (a Slack webhook): only its host is named.
        let host = URLComponents(string: url)?.host ?? "the \(target.format.rawValue) target"
        return "could not notify \(host)\(place) of \(event.event) after \(backoff.count + 1) tries: \(last)"
    }
}
