import Crypto
import Foundation
import ShipcheckTestSupport
import Testing

@testable import ShipcheckCore

/// SSH signatures made by the real `ssh-keygen -Y sign`, verified in Swift for every key type it
/// makes here; allowed_signers read as OpenSSH reads it.
@Suite struct SSHSignatureTests {
    /// Runs a shell script in `directory`; nil when ssh-keygen is missing (said loudly, or a failure in CI).
    static func shell(_ script: String, in directory: URL) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script]
        process.currentDirectoryURL = directory
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    static func keygenPresent() throws -> Bool {
        if try shell("command -v ssh-keygen", in: URL(fileURLWithPath: "/")).status == 0 { return true }
        Skips.record("ssh-keygen is missing", unless: "SHIPCHECK_REQUIRE_TOOLS")
        return false
    }

    static func directory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sshsig-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test(arguments: [
        "-t ed25519", "-t ecdsa -b 256", "-t ecdsa -b 384", "-t ecdsa -b 521", "-t rsa -b 2048",
    ])
    func realSignaturesVerifyAndAnyChangeBreaksThem(_ keyType: String) throws {
        guard try Self.keygenPresent() else { return }
        let directory = try Self.directory()
        let message = "shipcheck-decision-v1\nkind=waiver\nsubject=lint\n"
        try message.write(to: directory.appendingPathComponent("message"), atomically: true, encoding: .utf8)
        let made = try Self.shell(
            "ssh-keygen -q \(keyType) -N '' -f key && ssh-keygen -q -Y sign -f key -n shipcheck < message > message.sig",
            in: directory)
        #expect(made.status == 0, "\(made.output)")
        let armored = try String(contentsOf: directory.appendingPathComponent("message.sig"), encoding: .utf8)
        let signature = try SSHSignature(armored: armored)
        try signature.verify(Data(message.utf8), namespace: "shipcheck")
        // The fingerprint is the one ssh-keygen prints.
        let printed = try Self.shell("ssh-keygen -l -f key.pub", in: directory).output
        #expect(printed.contains(signature.fingerprint), "\(printed) vs \(signature.fingerprint)")
        var changed = Data(message.utf8)
        changed[changed.count - 2] ^= 0x01
        #expect(throws: SSHSignature.Failure.mismatch) { try signature.verify(changed, namespace: "shipcheck") }
        #expect(throws: SSHSignature.Failure.self) { try signature.verify(Data(message.utf8), namespace: "git") }
    }

    @Test func aBrokenArmorIsAnErrorNeverAPass() {
        for text in [
            "", "-----BEGIN SSH SIGNATURE-----\n!!\n-----END SSH SIGNATURE-----",
            "-----BEGIN SSH SIGNATURE-----\nU1NIU0lHAAAAAQ==\n-----END SSH SIGNATURE-----",
            "-----BEGIN SSH SIGNATURE-----\nU1NIU0lHAAAAAv////8=\n-----END SSH SIGNATURE-----",
        ] {
            #expect(throws: SSHSignature.Failure.self) { try SSHSignature(armored: text) }
        }
    }

    /// A security key's signature, built as PROTOCOL.u2f describes it (no hardware key here): the
    /// key signs SHA-256(application) ‖ flags ‖ counter ‖ SHA-256(data); without the user-presence flag it is refused.
    @Test func securityKeySignaturesFollowTheU2FLayout() throws {
        let privateKey = Curve25519.Signing.PrivateKey()
        func string(_ bytes: [UInt8]) -> [UInt8] { SSHWireReader.encode(bytes) }
        let application = "ssh:"
        let publicKey =
            string(Array("sk-ssh-ed25519@openssh.com".utf8)) + string(Array(privateKey.publicKey.rawRepresentation))
            + string(Array(application.utf8))
        let data = Array("decision".utf8)
        for flags: UInt8 in [0x01, 0x00] {
            let counter: [UInt8] = [0, 0, 0, 7]
            let signed =
                Array(SHA256.hash(data: Array(application.utf8))) + [flags] + counter + Array(SHA256.hash(data: data))
            let raw = Array(try privateKey.signature(for: signed))
            let blob = string(Array("sk-ssh-ed25519@openssh.com".utf8)) + string(raw) + [flags] + counter
            if flags == 0x01 {
                try SSHSignature.verifyRaw(signature: blob, of: data, publicKey: publicKey)
                #expect(throws: SSHSignature.Failure.mismatch) {
                    try SSHSignature.verifyRaw(signature: blob, of: data + [0], publicKey: publicKey)
                }
            } else {
                #expect(throws: SSHSignature.Failure.self) {
                    try SSHSignature.verifyRaw(signature: blob, of: data, publicKey: publicKey)
                }
            }
        }
    }

    static let key = "AAAAC3NzaC1lZDI1NTE5AAAAIOx9QWZHqbOtE1NG1bHSLBw7ZL9lRBLbVyWHbkHI9Q9e"

    @Test func allowedSignersReadAsOpenSSHReadsThem() throws {
        let signers = try AllowedSigners(
            text: """
                # the team
                *@mina.com,!mallory@mina.com namespaces="git,shipcheck" ssh-ed25519 \(Self.key) alice
                "bob@x.com" valid-after="20260101",valid-before="20270101Z" ssh-ed25519 \(Self.key)
                """, path: "allowed_signers")
        #expect(signers.entries.count == 2)
        let key = signers.entries[0].publicKey
        let now = Date(timeIntervalSince1970: 1_790_000_000)
        #expect(signers.refusal(of: key, as: "alice@mina.com", namespace: "shipcheck", signedAt: now, now: now) == nil)
        #expect(
            signers.refusal(of: key, as: "mallory@mina.com", namespace: "shipcheck", signedAt: now, now: now)?
                .contains("not for mallory@mina.com") == true)
        let later = Date(timeIntervalSince1970: 1_830_000_000)
        #expect(
            signers.refusal(of: key, as: "bob@x.com", namespace: "shipcheck", signedAt: later, now: later)?
                .contains("expired at 2027-01-01") == true)
    }

    @Test func aBadAllowedSignersLineNamesItsLineAndColumn() {
        let cases: [(String, String)] = [
            ("alice@x ssh-ed25519", "allowed_signers:1:1: expected `principals [options] keytype base64-key`"),
            ("alice@x ssh-dss \(Self.key)", "allowed_signers:1:9: unknown option `ssh-dss`"),
            ("\nalice@x cert-authority ssh-ed25519 \(Self.key)", "allowed_signers:2:9: `cert-authority`"),
            ("alice@x ssh-ed25519 !!notbase64", "allowed_signers:1:21: the key is not base64"),
            ("alice@x valid-before=\"2027\" ssh-ed25519 \(Self.key)", "valid-before=\"2027\" is not a time"),
            ("alice@x ssh-rsa \(Self.key)", "allowed_signers:1:17: the key's own type is not `ssh-rsa`"),
        ]
        for (text, expected) in cases {
            do {
                _ = try AllowedSigners(text: text, path: "allowed_signers")
                Issue.record("\(text) was accepted")
            } catch {
                #expect(error.description.hasPrefix(expected) || error.description.contains(expected), "\(error)")
            }
        }
    }
}
