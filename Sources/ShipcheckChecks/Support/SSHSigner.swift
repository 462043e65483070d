public import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Signs text with `ssh-keygen -Y sign`, so that any key OpenSSH can use signs a decision: a key
/// file, a public key whose private half ssh-agent holds, a hardware key.
public enum SSHSigner {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// The key to sign with: `explicit` (--key), then SHIPCHECK_SIGNING_KEY, then git's
    /// `user.signingkey` when `gpg.format` is `ssh` (the key the person signs commits with).
    public static func configuredKey(explicit: String?, in directory: URL, environment: [String: String]) async
        -> String?
    {
        if let explicit, !explicit.isEmpty { return explicit }
        if let key = environment["SHIPCHECK_SIGNING_KEY"], !key.isEmpty { return key }
        guard let format = try? await GitInfo.git(["config", "gpg.format"], in: directory, environment: environment),
            format.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "ssh",
            let key = try? await GitInfo.git(["config", "user.signingkey"], in: directory, environment: environment),
            key.status == 0
        else { return nil }
        let value = key.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        return value.isEmpty ? nil : value
    }

    /// The armored signature of `text` under `namespace`. `key` is a path (private key, or public
    /// key with ssh-agent), or a literal `key::ssh-ed25519 AAAA…` / `ssh-ed25519 AAAA…` as git allows.
    public static func sign(_ text: String, key: String, namespace: String, environment: [String: String])
        async throws(Failure) -> String
    {
        var keyPath = (key as NSString).expandingTildeInPath
        var temporary: URL?
        let literal = key.hasPrefix("key::") ? String(key.dropFirst(5)) : key
        if literal.hasPrefix("ssh-") || literal.hasPrefix("ecdsa-") || literal.hasPrefix("sk-") {
            let url = FileManager.default.temporaryDirectory.appendingPathComponent(
                "shipcheck-signing-\(UUID().uuidString).pub")
            do { try (literal + "\n").write(to: url, atomically: true, encoding: .utf8) } catch {
                throw Failure(description: "cannot write the public key for ssh-keygen: \(error.localizedDescription)")
            }
            keyPath = url.path
            temporary = url
        } else if !FileManager.default.fileExists(atPath: keyPath) {
            throw Failure(description: "the signing key \(key) does not exist")
        }
        defer { temporary.map { try? FileManager.default.removeItem(at: $0) } }
        let message = Array(text.utf8)
        var runner = ProcessRunner(outputLimit: 64 * 1024)
        runner.deadline = 120
        runner.stdinFeeder = { fd in
            message.withUnsafeBytes { buffer in
                guard let base = buffer.baseAddress else { return }
                var offset = 0
                while offset < buffer.count {
                    let written = write(fd, base + offset, buffer.count - offset)
                    if written <= 0 { return }
                    offset += written
                }
            }
        }
        let outcome: ProcessOutcome
        do {
            outcome = try await runner.run(
                arguments: ["ssh-keygen", "-q", "-Y", "sign", "-f", keyPath, "-n", namespace],
                environment: environment, workingDirectory: nil)
        } catch {
            throw Failure(description: "cannot sign with ssh-keygen: \(error)")
        }
        let signature = outcome.stdout.text
        guard outcome.termination == .exited(0), signature.contains("-----BEGIN SSH SIGNATURE-----") else {
            let why = outcome.stderr.text.trimmingCharacters(in: .whitespacesAndNewlines)
            throw Failure(
                description: "ssh-keygen could not sign with \(key): \(why.isEmpty ? "no signature written" : why)")
        }
        return signature.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
