import Foundation
import Testing

/// `attest` and `verify-attestation` through the binary: an in-toto Statement v1 in a DSSE envelope,
/// verified by shipcheck and by an independent implementation (PyPI's securesystemslib); one
/// changed byte, another commit or environment, a partial gate and an unsigned waiver are refused.
@Suite(.serialized) struct AttestationCLITests {
    static let config = """
        version: 1
        roles: { cto: [frank@example.com] }
        environments:
          production: { bypass: [cto] }
          staging: { bypass: [cto] }
        phases:
          pre-deploy:
            items:
              - { id: good, title: Good, run: "true" }
              - { id: flaky, title: Flaky, run: "exit 1" }
        """

    /// Verifies an envelope with securesystemslib, the key read from its OpenSSH public key file by
    /// `cryptography`; prints the statement's type and subject's commit.
    static let independent = """
        import base64, hashlib, json, sys
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ed25519
        from securesystemslib.dsse import Envelope
        from securesystemslib.signer import SSlibKey
        envelope_path, public_path = sys.argv[1], sys.argv[2]
        text = open(public_path).read().split()
        keyid = "SHA256:" + base64.b64encode(hashlib.sha256(base64.b64decode(text[1])).digest()).decode().rstrip("=")
        public = serialization.load_ssh_public_key(" ".join(text[:2]).encode())
        if isinstance(public, ed25519.Ed25519PublicKey):
            raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
            key = SSlibKey(keyid, "ed25519", "ed25519", {"public": raw.hex()})
        else:
            pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
            key = SSlibKey(keyid, "ecdsa", "ecdsa-sha2-nistp256", {"public": pem.decode()})
        envelope = Envelope.from_dict(json.load(open(envelope_path)))
        envelope.verify([key], 1)
        statement = json.loads(envelope.payload)
        assert envelope.payload_type == "application/vnd.in-toto+json"
        print(statement["_type"], statement["subject"][0]["digest"]["gitCommit"], statement["predicate"]["verdict"])
        """

    static func repository() throws -> URL? {
        guard
            try CLI.toolsPresent(
                "command -v ssh-keygen && python3 -c 'import securesystemslib, cryptography'",
                otherwise: "ssh-keygen or PyPI securesystemslib missing")
        else { return nil }
        let directory = try CLI.temporaryDirectory(with: config)
        let setup = try CLI.shell(
            """
            set -e
            mkdir -p .shipcheck keys
            ssh-keygen -q -t ed25519 -N '' -f keys/ci
            ssh-keygen -q -t ecdsa -b 256 -N '' -f keys/ci-ecdsa
            ssh-keygen -q -t ed25519 -N '' -f keys/frank
            ssh-keygen -q -t ed25519 -N '' -f keys/stranger
            {
              echo "ci@example.com $(cut -d' ' -f1,2 keys/ci.pub)"
              echo "ci@example.com $(cut -d' ' -f1,2 keys/ci-ecdsa.pub)"
              echo "frank@example.com $(cut -d' ' -f1,2 keys/frank.pub)"
            } > .shipcheck/allowed_signers
            git init -q && git add shipcheck.yml && git -c user.email=t@x -c user.name=t commit -qm one
            """, in: directory)
        #expect(setup.status == 0, "\(setup.stderr)")
        return directory
    }

    static func runID(_ output: CLI.Output) -> String? {
        output.stdout.range(of: #"\d{8}-\d{6}-[0-9a-f]{8}"#, options: .regularExpression).map {
            String(output.stdout[$0])
        }
    }

    @Test func anAttestationVerifiesHereAndWithAnIndependentLibraryAndOneChangedByteFails() throws {
        guard let directory = try Self.repository() else { return }
        let commit = try CLI.shell("git rev-parse HEAD", in: directory).stdout.trimmingCharacters(
            in: .whitespacesAndNewlines)
        let waived = try CLI.run(
            [
                "waive", "flaky", "--env", "production", "--until", "1h", "--reason", "known flake, #12", "--actor",
                "frank@example.com", "--key", "keys/frank",
            ], in: directory)
        #expect(waived.status == 0, "\(waived.stderr)")
        let run = try CLI.run(["run", "--env", "production"], in: directory)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        let id = try #require(Self.runID(run), "\(run.stdout)\(run.stderr)")
        for (key, file) in [("keys/ci", "gate.json"), ("keys/ci-ecdsa", "gate-ecdsa.json")] {
            let attested = try CLI.run(["attest", id, "--key", key, "--out", file], in: directory)
            #expect(attested.status == 0, "\(attested.stdout)\(attested.stderr)")
            let verify = ["verify-attestation", file, "--commit", commit, "--env", "production"]
            let verified = try CLI.run(verify, in: directory)
            #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
            #expect(verified.stdout.contains("signed by ci@example.com"), "\(verified.stdout)")
            let python = try CLI.shell("python3 -c '\(Self.independent)' \(file) \(key).pub", in: directory)
            #expect(python.status == 0, "\(python.stdout)\(python.stderr)")
            #expect(python.stdout.contains("https://in-toto.io/Statement/v1 \(commit) passed"), "\(python.stdout)")
        }
        // The statement holds the waiver with its signature, the items' evidence digests, the audit head.
        let envelope =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: directory.appendingPathComponent("gate.json"))) as? [String: Any]
        let payload = try #require(Data(base64Encoded: envelope?["payload"] as? String ?? ""))
        let statement = try #require(try JSONSerialization.jsonObject(with: payload) as? [String: Any])
        let predicate = try #require(statement["predicate"] as? [String: Any])
        let waivers = try #require(predicate["waivers"] as? [[String: Any]])
        #expect((waivers.first?["signature"] as? String)?.contains("BEGIN SSH SIGNATURE") == true)
        #expect(
            (predicate["items"] as? [[String: Any]])?.allSatisfy { ($0["evidence"] as? String)?.count == 64 } == true)
        #expect((predicate["auditHead"] as? [String: Any])?["hash"] as? String != nil)

        // One byte of the payload changed: both verifiers refuse.
        var changed = payload
        let index = try #require(changed.firstIndex(of: UInt8(ascii: "p")))
        changed[index] = UInt8(ascii: "q")
        var tampered = envelope ?? [:]
        tampered["payload"] = changed.base64EncodedString()
        try JSONSerialization.data(withJSONObject: tampered).write(to: directory.appendingPathComponent("changed.json"))
        let refused = try CLI.run(
            ["verify-attestation", "changed.json", "--commit", commit, "--env", "production"], in: directory)
        #expect(refused.status == 1 && refused.stderr.contains("no signature verifies"), "\(refused.stderr)")
        let python = try CLI.shell("python3 -c '\(Self.independent)' changed.json keys/ci.pub", in: directory)
        #expect(python.status != 0, "\(python.stdout)")

        // Another commit, another environment, a key nobody lists.
        let otherCommit = try CLI.run(
            ["verify-attestation", "gate.json", "--commit", String(repeating: "a", count: 40), "--env", "production"],
            in: directory)
        #expect(otherCommit.status == 1 && otherCommit.stderr.contains("not aaaaaaaa"), "\(otherCommit.stderr)")
        let otherEnv = try CLI.run(
            ["verify-attestation", "gate.json", "--commit", commit, "--env", "staging"], in: directory)
        #expect(otherEnv.status == 1 && otherEnv.stderr.contains("not staging"), "\(otherEnv.stderr)")
        let stranger = try CLI.run(["attest", id, "--key", "keys/stranger", "--out", "stranger.json"], in: directory)
        #expect(stranger.status == 0)
        let unknown = try CLI.run(
            ["verify-attestation", "stranger.json", "--commit", commit, "--env", "production"], in: directory)
        #expect(unknown.status == 1 && unknown.stderr.contains("no signature verifies"), "\(unknown.stderr)")
    }

    @Test func aPartialGateOrAnUnsignedWaiverIsRefused() throws {
        guard let directory = try Self.repository() else { return }
        let commit = try CLI.shell("git rev-parse HEAD", in: directory).stdout.trimmingCharacters(
            in: .whitespacesAndNewlines)
        let partial = try CLI.run(["run", "--env", "production", "--only", "good"], in: directory)
        #expect(partial.status == 0, "\(partial.stdout)\(partial.stderr)")
        let partialID = try #require(Self.runID(partial))
        #expect(
            try CLI.run(["attest", partialID, "--key", "keys/ci", "--out", "partial.json"], in: directory).status == 0)
        let refused = try CLI.run(
            ["verify-attestation", "partial.json", "--commit", commit, "--env", "production"], in: directory)
        #expect(refused.status == 1 && refused.stderr.contains("the gate was partial"), "\(refused.stderr)")

        // staging takes unsigned decisions, but an attestation holds its waivers to their signatures.
        let claimed = try CLI.run(
            [
                "waive", "flaky", "--env", "staging", "--until", "1h", "--reason", "flake", "--actor",
                "frank@example.com",
            ], in: directory)
        #expect(claimed.status == 0, "\(claimed.stderr)")
        let run = try CLI.run(["run", "--env", "staging"], in: directory)
        #expect(run.status == 0, "\(run.stdout)")
        let id = try #require(Self.runID(run))
        #expect(try CLI.run(["attest", id, "--key", "keys/ci", "--out", "staging.json"], in: directory).status == 0)
        let unsigned = try CLI.run(
            ["verify-attestation", "staging.json", "--commit", commit, "--env", "staging"], in: directory)
        #expect(unsigned.status == 1, "\(unsigned.stdout)")
        #expect(
            unsigned.stderr.contains("the waiver of flaky by frank@example.com is not signed"), "\(unsigned.stderr)")

        // A failed gate is refused too.
        _ = try CLI.run(["run", "--env", "production"], in: directory)
        let failed = try CLI.run(["history", "--limit", "1", "--format", "json"], in: directory)
        if let failedID = Self.runID(failed) {
            #expect(
                try CLI.run(["attest", failedID, "--key", "keys/ci", "--out", "failed.json"], in: directory).status == 0
            )
            let no = try CLI.run(
                ["verify-attestation", "failed.json", "--commit", commit, "--env", "production"], in: directory)
            #expect(no.status == 1 && no.stderr.contains("verdict was failed"), "\(no.stderr)")
        } else {
            Issue.record("no run id in history: \(failed.stdout)")
        }
    }
}
