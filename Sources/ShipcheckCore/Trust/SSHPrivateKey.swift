import Crypto
import Foundation

/// An unencrypted OpenSSH private key (`-----BEGIN OPENSSH PRIVATE KEY-----`, what `ssh-keygen -N ''`
/// writes) that signs raw bytes: attestations are DSSE envelopes, whose signatures other tools
/// verify as plain ed25519 or ECDSA P-256 signatures, not SSH signatures.
public struct SSHPrivateKey: Sendable {
    /// The private scalar or seed, 32 bytes (Crypto's key types are not Sendable).
    enum Backing: Sendable {
        case ed25519([UInt8])
        case p256([UInt8])
    }

    let backing: Backing
    /// The public key in SSH wire form, as allowed_signers lists it.
    public let publicKey: [UInt8]

    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    public init(openSSH text: String) throws(Failure) {
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        guard let begin = lines.firstIndex(of: "-----BEGIN OPENSSH PRIVATE KEY-----"),
            let end = lines.firstIndex(of: "-----END OPENSSH PRIVATE KEY-----"), begin < end,
            let blob = Data(base64Encoded: lines[(begin + 1)..<end].joined())
        else { throw Failure(description: "not an OpenSSH private key (-----BEGIN OPENSSH PRIVATE KEY-----)") }
        var reader = SSHWireReader(Array(blob))
        let magic = Array("openssh-key-v1".utf8) + [0]
        guard reader.bytes(count: magic.count) == magic, let cipher = reader.text(), reader.text() != nil,
            reader.string() != nil, reader.uint32() == 1, let publicKey = reader.string(),
            let privateSection = reader.string()
        else { throw Failure(description: "a malformed OpenSSH private key") }
        guard cipher == "none" else {
            throw Failure(
                description:
                    "the key is encrypted with a passphrase; attestations need a key that signs unattended (a CI secret): ssh-keygen -p -N '' on a copy"
            )
        }
        var secret = SSHWireReader(privateSection)
        guard let check1 = secret.uint32(), check1 == secret.uint32(), let type = secret.text() else {
            throw Failure(description: "a malformed OpenSSH private key")
        }
        switch type {
        case "ssh-ed25519":
            guard secret.string() != nil, let both = secret.string(), both.count == 64,
                (try? Curve25519.Signing.PrivateKey(rawRepresentation: both.prefix(32))) != nil
            else { throw Failure(description: "a malformed ed25519 private key") }
            backing = .ed25519(Array(both.prefix(32)))
        case "ecdsa-sha2-nistp256":
            guard secret.text() != nil, secret.string() != nil, let scalar = secret.string() else {
                throw Failure(description: "a malformed ECDSA private key")
            }
            let trimmed = Array(scalar.drop { $0 == 0 })
            let raw = [UInt8](repeating: 0, count: max(0, 32 - trimmed.count)) + trimmed
            guard trimmed.count <= 32, (try? P256.Signing.PrivateKey(rawRepresentation: raw)) != nil else {
                throw Failure(description: "a malformed ECDSA private key")
            }
            backing = .p256(raw)
        default:
            throw Failure(description: "attestations are signed with ed25519 or ECDSA P-256 keys, not \(type)")
        }
        self.publicKey = publicKey
    }

    public var fingerprint: String { SSHSignature.fingerprint(of: publicKey) }

    /// The raw signature of `data`: 64 bytes for ed25519, DER for ECDSA (as DSSE tools expect).
    public func sign(_ data: [UInt8]) throws -> [UInt8] {
        switch backing {
        case .ed25519(let raw):
            Array(try Curve25519.Signing.PrivateKey(rawRepresentation: raw).signature(for: data))
        case .p256(let raw):
            Array(try P256.Signing.PrivateKey(rawRepresentation: raw).signature(for: data).derRepresentation)
        }
    }
}

extension SSHSignature {
    /// Whether `signature` (raw ed25519, or DER ECDSA P-256 over SHA-256) signs `data` with `publicKey`
    /// (SSH wire form).
    public static func verifyPlain(_ signature: [UInt8], of data: [UInt8], publicKey: [UInt8]) -> Bool {
        var reader = SSHWireReader(publicKey)
        switch reader.text() {
        case "ssh-ed25519":
            guard let raw = reader.string(), let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw) else {
                return false
            }
            return key.isValidSignature(signature, for: data)
        case "ecdsa-sha2-nistp256":
            guard reader.text() != nil, let point = reader.string(),
                let key = try? P256.Signing.PublicKey(x963Representation: point),
                let parsed = try? P256.Signing.ECDSASignature(derRepresentation: signature)
            else { return false }
            return key.isValidSignature(parsed, for: data)
        default: return false
        }
    }

    /// The public key in the form securesystemslib reads: hex for ed25519, PEM for ECDSA.
    public static func publicKeyValue(_ publicKey: [UInt8]) -> (keyType: String, scheme: String, value: String)? {
        var reader = SSHWireReader(publicKey)
        switch reader.text() {
        case "ssh-ed25519":
            return reader.string().map { ("ed25519", "ed25519", $0.map { String(format: "%02x", $0) }.joined()) }
        case "ecdsa-sha2-nistp256":
            guard reader.text() != nil, let point = reader.string(),
                let key = try? P256.Signing.PublicKey(x963Representation: point)
            else { return nil }
            return ("ecdsa", "ecdsa-sha2-nistp256", key.pemRepresentation)
        default: return nil
        }
    }
}
