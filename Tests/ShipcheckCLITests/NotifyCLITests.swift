import Foundation
import Testing

/// Deploy events through the binary to a local receiver: a signed JSON webhook whose signatures the
/// receiver checks (timestamp and body), a Slack-compatible one, and a dead one that never fails
/// the deploy.
@Suite struct NotifyCLITests {
    /// Records each request as a JSON line: the path, the body, and whether its signature holds.
    static let receiver = """
        import hashlib, hmac, http.server, json, sys, time
        secret, log = sys.argv[1].encode(), sys.argv[2]
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                stamp = self.headers.get("X-Shipcheck-Timestamp", "")
                given = self.headers.get("X-Shipcheck-Signature", "")
                expected = "v1=" + hmac.new(secret, b"v1:" + stamp.encode() + b":" + body, hashlib.sha256).hexdigest()
                fresh = stamp.isdigit() and abs(time.time() - int(stamp)) < 300
                valid = fresh and hmac.compare_digest(given, expected)
                with open(log, "a") as out:
                    out.write(json.dumps({"path": self.path, "body": json.loads(body), "valid": valid}) + "\\n")
                self.send_response(200 if valid or self.path == "/slack" else 401)
                self.end_headers()
            def log_message(self, *args):
                pass
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        print(server.server_address[1], flush=True)
        server.serve_forever()
        """

    @Test func eventsReachSignedAndADeadReceiverFailsNothing() throws {
        let directory = try CLI.temporaryDirectory()
        let log = directory.appendingPathComponent("received.jsonl")
        let daemon = try CLI.startDaemon(python: Self.receiver, arguments: ["hook-secret-1", log.path], in: directory)
        defer { daemon.stop() }
        let dead = try CLI.startDaemon(python: Self.receiver, arguments: ["x", "/dev/null"], in: directory)
        dead.stop()
        try """
        version: 1
        deployment-log: logs/DEPLOYMENTS.md
        notify:
          - webhook: http://127.0.0.1:\(daemon.port)/events
            secret: ${{ env.HOOK_SECRET }}
          - slack: http://127.0.0.1:\(daemon.port)/slack
            on: [deploy-finished]
          - webhook: http://127.0.0.1:\(dead.port)/gone
            on: [deploy-finished]
        environments: { production: {} }
        phases:
          pre-deploy:
            items:
              - { id: tests, title: Tests, run: "test -f ok" }
          deploy:
            items:
              - { id: ship, title: Ship, run: "echo shipped" }
        """.write(to: directory.appendingPathComponent("shipcheck.yml"), atomically: true, encoding: .utf8)
        #expect(try CLI.shell("git init -q", in: directory).status == 0)
        #expect(try CLI.commit("first", in: directory).status == 0)
        let environment = ["HOOK_SECRET": "hook-secret-1", "SHIPCHECK_NOTIFY_TIMEOUT": "1"]

        let gate = try CLI.run(["run", "--env", "production"], in: directory, environment: environment)
        #expect(gate.status == 1)
        let refused = try CLI.run(["run", "deploy", "--env", "production"], in: directory, environment: environment)
        #expect(refused.status == 1, "\(refused.stderr)")
        try "".write(to: directory.appendingPathComponent("ok"), atomically: true, encoding: .utf8)
        #expect(try CLI.run(["run", "--env", "production"], in: directory, environment: environment).status == 0)
        let deploy = try CLI.run(
            ["run", "deploy", "--env", "production", "--release", "v1.2.3"], in: directory, environment: environment)
        #expect(deploy.status == 0, "a dead receiver fails nothing: \(deploy.stderr)")
        #expect(deploy.stderr.contains("warning: could not notify 127.0.0.1"), "\(deploy.stderr)")

        // The deployment log has the deploy's entry in the seed's format; the refused one wrote none.
        let deployments = try String(
            contentsOf: directory.appendingPathComponent("logs/DEPLOYMENTS.md"), encoding: .utf8)
        #expect(deployments.components(separatedBy: "## Deployment Log: v1.2.3").count - 1 == 1, "\(deployments)")
        #expect(deployments.contains("- **Deployed by**: ci@example.com"), "\(deployments)")
        #expect(deployments.contains("- **Rollback**: Not required"), "\(deployments)")

        let received = try String(contentsOf: log, encoding: .utf8).split(separator: "\n").compactMap {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        let events = received.filter { $0["path"] as? String == "/events" }
        let names = events.compactMap { ($0["body"] as? [String: Any])?["event"] as? String }
        #expect(names == ["gate-failed", "deploy-refused", "deploy-started", "deploy-finished"], "\(names)")
        #expect(events.allSatisfy { $0["valid"] as? Bool == true }, "every signature holds")
        let finished = events.last.flatMap { $0["body"] as? [String: Any] }
        #expect(finished?["verdict"] as? String == "passed" && finished?["release"] as? String == "v1.2.3")
        let slack = received.filter { $0["path"] as? String == "/slack" }
        #expect(slack.count == 1, "the Slack target receives only deploy-finished")
        let text = (slack.first?["body"] as? [String: Any])?["text"] as? String
        #expect(text?.contains("deploy v1.2.3 to production passed") == true, "\(text ?? "")")
    }

    @Test func badNotificationsAreConfigurationErrorsAtTheirLine() throws {
        let directory = try CLI.temporaryDirectory(
            with: """
                version: 1
                notify:
                  - { slack: "https://hooks.example/x", webhook: "https://example.com/y" }
                  - { slack: "https://hooks.example/x", secret: "s" }
                  - { webhook: "https://example.com/y", on: [deploy-finised] }
                phases:
                  pre-deploy:
                    items: [{ id: t, title: T, run: "true" }]
                """)
        let validated = try CLI.run(["validate"], in: directory)
        #expect(validated.status == 64, "\(validated.stdout)\(validated.stderr)")
        let text = validated.stdout + validated.stderr
        #expect(text.contains("shipcheck.yml:3:5") && text.contains("names one of `slack:` or `webhook:`"), "\(text)")
        #expect(text.contains("a Slack webhook is not signed"), "\(text)")
        #expect(text.contains("`deploy-finised` is not an event") && text.contains("deploy-finished"), "\(text)")
    }
}
