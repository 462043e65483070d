import ArgumentParser
import Foundation
import ShipcheckApp
import ShipcheckCore

struct AttestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attest",
        abstract:
            "Sign an attestation of a run's verdict: an in-toto Statement v1 about its commit, in a DSSE envelope.",
        discussion: """
            The statement holds the configuration's digest, the environment and type, every item's \
            outcome with the digest of its evidence, the sign-offs and waivers with their signatures, \
            and the audit chain's head. It is signed with an unencrypted ed25519 or ECDSA P-256 SSH key \
            (a CI secret); `verify-attestation` checks it against allowed_signers.

            Examples:
              shipcheck attest 20261207-101500-1a2b3c4d --key ci_ed25519 --out gate.intoto.json
              shipcheck attest RUN --key ci_ed25519 --artifact dist/app.tar.gz --out gate.intoto.json
            """)

    @Argument(help: "The run (or a sharded group's verdict).") var run: String
    @OptionGroup var configOptions: ConfigOptions
    @OptionGroup var storeOptions: StoreOptions
    @Option(name: .long, help: "The OpenSSH private key to sign with (unencrypted ed25519 or ECDSA P-256).")
    var key: String
    @Option(name: .long, help: "A file the attestation also names as a subject, by its SHA-256; repeatable.")
    var artifact: [String] = []
    @Option(name: .long, help: "Write the envelope here (default standard output).") var out: String?

    func run() async throws {
        let keyText: String
        do { keyText = try String(contentsOfFile: (key as NSString).expandingTildeInPath, encoding: .utf8) } catch {
            throw CommandFailure("--key: cannot read \(key): \(error.localizedDescription)", .usage)
        }
        let privateKey: SSHPrivateKey
        do { privateKey = try SSHPrivateKey(openSSH: keyText) } catch {
            throw CommandFailure("--key: \(key): \(error)", .usage)
        }
        let artifacts = try artifact.map { path throws(CommandFailure) in
            (name: path, sha256: try Attestations.sha256(ofFile: path))
        }
        let (result, head) = try await storeOptions.reader(configOptions).attestationInputs(run)
        let policy = (try? configOptions.load()).map { Policy($0.0) }
        guard result.provenance?.commit != nil || !artifacts.isEmpty else {
            throw CommandFailure(
                "run \(run) names no commit (it ran outside a git repository) and no --artifact was given: an attestation needs a subject",
                .usage)
        }
        let statement = try Attestations.statement(
            run: result, policy: policy, auditHead: head, artifacts: artifacts)
        let envelope = try Attestations.envelope(statement, key: privateKey)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(envelope), as: UTF8.self) + "\n"
        guard let out else {
            Console.out(json, terminator: "")
            return
        }
        do { try json.write(toFile: out, atomically: true, encoding: .utf8) } catch {
            throw CommandFailure("--out: cannot write \(out): \(error.localizedDescription)", .couldNotEvaluate)
        }
        Console.out(
            "attested run \(run) (\(result.verdict.rawValue)\(result.partial.map { ", partial: \($0)" } ?? "")) with key \(privateKey.fingerprint) in \(out)"
        )
    }
}

struct VerifyAttestationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-attestation",
        abstract: "Exit 0 only when an attestation says the whole gate of this commit passed in this environment.",
        discussion: """
            Checks the envelope's signature against allowed_signers, that its subject is the commit \
            (and each --artifact), that the gate of --phase passed in full (not partial) in --env, and \
            that every waiver is signed by someone who held a bypass role. A deploy job, or the \
            target itself, runs it before anything ships.

            Examples:
              shipcheck verify-attestation gate.intoto.json --commit "$(git rev-parse HEAD)" --env production --allowed-signers allowed_signers
            """)

    @Argument(help: "The attestation (a DSSE envelope from `shipcheck attest`).") var file: String
    @OptionGroup var configOptions: ConfigOptions
    @Option(name: .long, help: "The commit about to be deployed.") var commit: String
    @Option(name: .long, help: "The environment it is deployed to.") var env: String
    @Option(name: .long, help: "Who may sign attestations and decisions, in allowed_signers format.")
    var allowedSigners: String?
    @Option(name: .long, help: "The phase whose gate must have passed.") var phase: String = PhaseName.preDeploy
        .rawValue
    @Option(name: .long, help: "A file that must be among the subjects, by SHA-256; repeatable.")
    var artifact: [String] = []

    func run() async throws {
        let loaded = try? configOptions.load()
        let signers: AllowedSigners
        if let allowedSigners {
            do { signers = try AllowedSigners(contentsOf: URL(fileURLWithPath: allowedSigners)) } catch {
                throw CommandFailure("--allowed-signers: \(error)", .usage)
            }
        } else if let fromConfig = loaded?.0.allowedSigners {
            signers = fromConfig
        } else {
            throw CommandFailure(
                "--allowed-signers: name the file that lists who may sign (no configuration here names one)", .usage)
        }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw CommandFailure("cannot read \(file)", .usage)
        }
        let artifacts = try artifact.map { path throws(CommandFailure) in
            (name: path, sha256: try Attestations.sha256(ofFile: path))
        }
        let verification = Attestations.verify(
            data, commit: commit, environment: env, phase: phase, artifacts: artifacts, signers: signers,
            policy: loaded.map { Policy($0.0) })
        guard verification.problems.isEmpty, let signer = verification.signer else {
            throw CommandFailure(
                ["attestation \(file) refused:"] + verification.problems.map { "  \($0)" }, .refused)
        }
        let run = verification.statement?.predicate.run ?? "?"
        Console.out(
            "attestation \(file): the whole \(phase) gate of \(commit.prefix(12)) passed in \(env) (run \(run)), signed by \(signer)"
        )
    }
}
