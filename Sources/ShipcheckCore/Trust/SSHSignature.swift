import Crypto
public import Foundation
import _CryptoExtras

/// An SSH signature as `ssh-keygen -Y sign` writes it (OpenSSH's PROTOCOL.sshsig): the signer's
/// public key, the namespace, the hash of the message and the signature, armored. Verified here,
/// without a subprocess, for ed25519, ECDSA (P-256, P-384, P-521), RSA (rsa-sha2-256/512) and the
/// hardware-backed sk-ssh-ed25519 and sk-ecdsa-sha2-nistp256 keys.
public struct SSHSignature: Sendable, Hashable {
    /// The signer's public key in SSH wire form (what `allowed_signers` lists, base64-encoded).
    public var publicKey: [UInt8]
    public var keyType: String
    public var namespace: String
    public var hashAlgorithm: String
    var signature: [UInt8]

    static let magic = Array("SSHSIG".utf8)

    public enum Failure: Error, CustomStringConvertible, Sendable, Equatable {
        case unreadable(String)
        case unsupported(String)
        case mismatch

        public var description: String {
            switch self {
            case .unreadable(let why): "the signature cannot be read: \(why)"
            case .unsupported(let why): why
            case .mismatch: "the signature does not match what it signs"
            }
        }
    }

    /// Reads an armored signature (`-----BEGIN SSH SIGNATURE-----` … `-----END SSH SIGNATURE-----`).
    public init(armored: String) throws(Failure) {
        let lines = armored.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        guard let begin = lines.firstIndex(of: "-----BEGIN SSH SIGNATURE-----"),
            let end = lines.firstIndex(of: "-----END SSH SIGNATURE-----"), begin < end
        else { throw .unreadable("expected -----BEGIN SSH SIGNATURE----- … -----END SSH SIGNATURE-----") }
        guard let blob = Data(base64Encoded: lines[(begin + 1)..<end].joined()) else {
            throw .unreadable("its body is not base64")
        }
        var reader = SSHWireReader(Array(blob))
        guard reader.bytes(count: 6) == Self.magic else { throw .unreadable("it does not start with SSHSIG") }
        guard let version = reader.uint32(), version == 1 else { throw .unreadable("expected version 1") }
        guard let key = reader.string(), let namespace = reader.text(), reader.string() != nil,
            let hash = reader.text(), let signature = reader.string(), reader.isAtEnd
        else { throw .unreadable("it is cut short or has bytes after its end") }
        var keyReader = SSHWireReader(key)
        guard let type = keyReader.text() else { throw .unreadable("its public key names no type") }
        self.publicKey = key
        self.keyType = type
        self.namespace = namespace
        self.hashAlgorithm = hash
        self.signature = signature
    }

    /// `SHA256:…`, as `ssh-keygen -l` prints it.
    public var fingerprint: String { Self.fingerprint(of: publicKey) }

    public static func fingerprint(of publicKey: [UInt8]) -> String {
        "SHA256:" + Data(SHA256.hash(data: publicKey)).base64EncodedString().replacingOccurrences(of: "=", with: "")
    }

    /// Whether this signs `message` under `namespace` with the key it carries.
    public func verify(_ message: some DataProtocol, namespace expected: String) throws(Failure) {
        guard namespace == expected else {
            throw .unreadable("it was made for the namespace `\(namespace)`, not `\(expected)`")
        }
        let digest: [UInt8]
        switch hashAlgorithm {
        case "sha512": digest = Array(SHA512.hash(data: Array(message)))
        case "sha256": digest = Array(SHA256.hash(data: Array(message)))
        default: throw .unsupported("the hash `\(hashAlgorithm)` is not one SSH signatures use (sha256, sha512)")
        }
        var signed = Self.magic
        for field in [Array(namespace.utf8), [], Array(hashAlgorithm.utf8), digest] {
            signed += SSHWireReader.encode(field)
        }
        try Self.verifyRaw(signature: signature, of: signed, publicKey: publicKey)
    }

    /// Verifies an SSH signature blob (`string type, string blob[, flags, counter]`) over `data`.
    static func verifyRaw(signature: [UInt8], of data: [UInt8], publicKey: [UInt8]) throws(Failure) {
        var key = SSHWireReader(publicKey)
        var sig = SSHWireReader(signature)
        guard let keyType = key.text(), let sigType = sig.text(), let sigBlob = sig.string() else {
            throw .unreadable("its key or signature is cut short")
        }
        let valid: Bool
        switch keyType {
        case "ssh-ed25519":
            guard sigType == keyType, let raw = key.string(),
                let publicKey = try? Curve25519.Signing.PublicKey(rawRepresentation: raw)
            else { throw .unreadable("a malformed ed25519 key or signature") }
            valid = publicKey.isValidSignature(sigBlob, for: data)
        case "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521":
            guard sigType == keyType, key.text() != nil, let point = key.string() else {
                throw .unreadable("a malformed ECDSA key")
            }
            valid = try verifyECDSA(keyType: keyType, point: point, signature: sigBlob, data: data)
        case "ssh-rsa":
            guard let exponent = key.string(), let modulus = key.string(),
                let publicKey = try? _RSA.Signing.PublicKey(n: modulus, e: exponent)
            else { throw .unreadable("a malformed or too short RSA key (2048 bits at least)") }
            let rsaSignature = _RSA.Signing.RSASignature(rawRepresentation: sigBlob)
            switch sigType {
            case "rsa-sha2-512":
                valid = publicKey.isValidSignature(
                    rsaSignature, for: SHA512.hash(data: data), padding: .insecurePKCS1v1_5)
            case "rsa-sha2-256":
                valid = publicKey.isValidSignature(
                    rsaSignature, for: SHA256.hash(data: data), padding: .insecurePKCS1v1_5)
            default:
                throw .unsupported("RSA signatures of type `\(sigType)` (SHA-1) are refused; sign with rsa-sha2-512")
            }
        case "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com":
            valid = try verifySecurityKey(
                keyType: keyType, key: &key, sigType: sigType, sigBlob: sigBlob, sig: &sig, data: data)
        default:
            throw .unsupported(
                "keys of type `\(keyType)` are not supported (ed25519, ecdsa, rsa, sk-ed25519, sk-ecdsa)")
        }
        guard valid else { throw .mismatch }
    }

    static func verifyECDSA(keyType: String, point: [UInt8], signature: [UInt8], data: [UInt8]) throws(Failure) -> Bool
    {
        var parts = SSHWireReader(signature)
        guard let r = parts.string(), let s = parts.string() else { throw .unreadable("a malformed ECDSA signature") }
        func raw(_ size: Int) -> [UInt8]? {
            let (r, s) = (r.drop { $0 == 0 }, s.drop { $0 == 0 })
            guard r.count <= size, s.count <= size else { return nil }
            return [UInt8](repeating: 0, count: size - r.count) + r + [UInt8](repeating: 0, count: size - s.count) + s
        }
        switch keyType {
        case "ecdsa-sha2-nistp256":
            guard let key = try? P256.Signing.PublicKey(x963Representation: point), let raw = raw(32),
                let signature = try? P256.Signing.ECDSASignature(rawRepresentation: raw)
            else { throw .unreadable("a malformed P-256 key or signature") }
            return key.isValidSignature(signature, for: data)
        case "ecdsa-sha2-nistp384":
            guard let key = try? P384.Signing.PublicKey(x963Representation: point), let raw = raw(48),
                let signature = try? P384.Signing.ECDSASignature(rawRepresentation: raw)
            else { throw .unreadable("a malformed P-384 key or signature") }
            return key.isValidSignature(signature, for: data)
        default:
            guard let key = try? P521.Signing.PublicKey(x963Representation: point), let raw = raw(66),
                let signature = try? P521.Signing.ECDSASignature(rawRepresentation: raw)
            else { throw .unreadable("a malformed P-521 key or signature") }
            return key.isValidSignature(signature, for: data)
        }
    }

    /// FIDO keys sign SHA-256(application) ‖ flags ‖ counter ‖ SHA-256(data) (PROTOCOL.u2f), and
    /// must say the user was present.
    static func verifySecurityKey(
        keyType: String, key: inout SSHWireReader, sigType: String, sigBlob: [UInt8], sig: inout SSHWireReader,
        data: [UInt8]
    ) throws(Failure) -> Bool {
        guard sigType == keyType, let flags = sig.byte(), let counter = sig.bytes(count: 4) else {
            throw .unreadable("a malformed security-key signature")
        }
        guard flags & 0x01 != 0 else { throw .unsupported("the security key did not confirm a user was present") }
        let isEd25519 = keyType.hasPrefix("sk-ssh-ed25519")
        if !isEd25519 { _ = key.text() }
        guard let point = key.string(), let application = key.text() else {
            throw .unreadable("a malformed security-key public key")
        }
        let signed =
            Array(SHA256.hash(data: Array(application.utf8))) + [flags] + counter + Array(SHA256.hash(data: data))
        if isEd25519 {
            guard let publicKey = try? Curve25519.Signing.PublicKey(rawRepresentation: point) else {
                throw .unreadable("a malformed ed25519 key")
            }
            return publicKey.isValidSignature(sigBlob, for: signed)
        }
        return try verifyECDSA(keyType: "ecdsa-sha2-nistp256", point: point, signature: sigBlob, data: signed)
    }
}

/// Reads SSH's wire encoding: big-endian uint32 lengths before strings.
struct SSHWireReader {
    let bytes: [UInt8]
    var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var isAtEnd: Bool { offset == bytes.count }

    mutating func bytes(count: Int) -> [UInt8]? {
        guard count >= 0, bytes.count - offset >= count else { return nil }
        defer { offset += count }
        return Array(bytes[offset..<(offset + count)])
    }

    mutating func byte() -> UInt8? { bytes(count: 1)?.first }

    mutating func uint32() -> UInt32? {
        bytes(count: 4).map { $0.reduce(0) { $0 << 8 | UInt32($1) } }
    }

    mutating func string() -> [UInt8]? {
        guard let length = uint32(), length <= UInt32(Int32.max) else { return nil }
        return bytes(count: Int(length))
    }

    mutating func text() -> String? { string().flatMap { String(bytes: $0, encoding: .utf8) } }

    static func encode(_ field: [UInt8]) -> [UInt8] {
        let count = UInt32(field.count)
        return [UInt8(count >> 24), UInt8(count >> 16 & 0xFF), UInt8(count >> 8 & 0xFF), UInt8(count & 0xFF)] + field
    }
}
