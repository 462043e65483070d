import Foundation
import Testing

/// The Action's scripts as GitHub runs them (the `GITHUB_*` variables set), with a release served
/// from loopback: the install downloads the tarball, checks it against SHA256SUMS, caches it and
/// refuses a tampered one; the gate step runs the gate and writes the job summary.
@Suite struct ActionCLITests {
    static func script(_ name: String) -> String { CLI.packageRoot.appendingPathComponent("scripts/\(name)").path }

    /// A release of this build's binary, as scripts/release.sh lays it out.
    static func release(version: String, in directory: URL) throws -> String {
        let arch = try CLI.shell("uname -m", in: directory).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let name = "shipcheck-\(version)-linux-\(arch)"
        let made = try CLI.shell(
            """
            set -e
            mkdir -p release/\(name)
            cp '\(CLI.binary.path)' release/\(name)/shipcheck
            tar -C release -czf release/\(name).tar.gz \(name)
            rm -rf release/\(name)
            (cd release && sha256sum \(name).tar.gz > SHA256SUMS)
            """, in: directory)
        #expect(made.status == 0, "\(made.stderr)")
        return name
    }

    @Test func theActionInstallsAVerifiedReleaseAndRunsTheGate() throws {
        let directory = try CLI.temporaryDirectory(
            with: """
                version: 1
                phases:
                  pre-deploy:
                    items:
                      - { id: hello, title: Says hello, run: echo hello }
                      - { id: notes, title: Release notes prepared, manual: true }
                """)
        let name = try Self.release(version: "9.9.9", in: directory)
        let (server, url) = try CLI.startFileServer(in: directory.appendingPathComponent("release"))
        defer { server.stop() }
        func github(_ extra: [String: String]) -> [String: String] {
            [
                "GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": directory.appendingPathComponent("output").path,
                "GITHUB_STEP_SUMMARY": directory.appendingPathComponent("summary.md").path,
                "RUNNER_TOOL_CACHE": directory.appendingPathComponent("tool-cache").path,
                "ACTION_PATH": CLI.packageRoot.path, "SHIPCHECK_VERSION": "9.9.9", "SHIPCHECK_RELEASE_URL": url,
            ].merging(extra) { _, new in new }.merging(ProcessInfo.processInfo.environment) { own, _ in own }
        }
        let install = try CLI.spawn(
            ["/bin/bash", Self.script("action-install.sh")], in: directory, environment: github([:]))
        #expect(install.status == 0, "\(install.stdout)\(install.stderr)")
        #expect(install.stderr.contains("downloaded and verified"), "\(install.stderr)")
        let output = try String(contentsOf: directory.appendingPathComponent("output"), encoding: .utf8)
        let binary = try #require(output.split(separator: "\n").first { $0.hasPrefix("binary=") }?.dropFirst(7))
        #expect(binary.hasSuffix("tool-cache/shipcheck/9.9.9/\(name.split(separator: "-").last ?? "")/shipcheck"))

        // The gate step: pending sign-off, so exit 1, with the job summary written.
        let gate = try CLI.spawn(
            ["/bin/bash", Self.script("action-gate.sh")], in: directory,
            environment: github(["SHIPCHECK_BINARY": String(binary), "SHIPCHECK_ACTOR": "ci@example.com"]))
        #expect(gate.status == 1, "\(gate.stdout)\(gate.stderr)")
        let summary = try String(contentsOf: directory.appendingPathComponent("summary.md"), encoding: .utf8)
        #expect(summary.contains("Release notes prepared"), "\(summary)")
        #expect(
            FileManager.default.fileExists(
                atPath: directory.appendingPathComponent("shipcheck-reports/shipcheck-junit.xml").path))

        // Cached: a second job installs without the server.
        server.stop()
        let cached = try CLI.spawn(
            ["/bin/bash", Self.script("action-install.sh")], in: directory, environment: github([:]))
        #expect(cached.status == 0 && cached.stderr.contains("from the tool cache"), "\(cached.stderr)")
    }

    @Test func aTamperedReleaseIsRefusedAndNothingIsInstalled() throws {
        let directory = try CLI.temporaryDirectory()
        let name = try Self.release(version: "9.9.8", in: directory)
        // One byte appended after the checksums were published.
        #expect(try CLI.shell("printf x >> release/\(name).tar.gz", in: directory).status == 0)
        let (server, url) = try CLI.startFileServer(in: directory.appendingPathComponent("release"))
        defer { server.stop() }
        let cache = directory.appendingPathComponent("tool-cache")
        let refused = try CLI.spawn(
            ["/bin/bash", Self.script("action-install.sh")], in: directory,
            environment: [
                "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
                "GITHUB_OUTPUT": directory.appendingPathComponent("output").path, "RUNNER_TOOL_CACHE": cache.path,
                "SHIPCHECK_VERSION": "9.9.8", "SHIPCHECK_RELEASE_URL": url,
            ])
        #expect(refused.status == 1, "\(refused.stdout)\(refused.stderr)")
        #expect(refused.stdout.contains("::error title=shipcheck::\(name).tar.gz does not match"), "\(refused.stdout)")
        #expect(!FileManager.default.fileExists(atPath: cache.appendingPathComponent("shipcheck/9.9.8").path))
    }
}
