import Crypto
import Foundation
import ShipcheckCore

/// The encrypted backup format, streamed so that no plaintext touches the disk and memory stays at
/// one chunk: a magic line, then chunks of at most 1 MiB of plaintext, each sealed with AES-256-GCM
/// under a fresh random nonce and written as a 4-byte big-endian length and the sealed box (nonce,
/// ciphertext, tag). Each chunk's authenticated data is the magic, its index and whether it is the
/// last: chunks cannot be reordered, dropped or cut off at the end without the reader noticing.
enum BackupCipher {
    static let magic = Data("SHIPCHECK-BACKUP-1\n".utf8)
    static let chunkSize = 1 << 20

    static func additionalData(index: UInt64, final: Bool) -> Data {
        var data = magic
        withUnsafeBytes(of: index.bigEndian) { data.append(contentsOf: $0) }
        data.append(final ? 1 : 0)
        return data
    }

    /// The key: 32 bytes as base64 or as 64 hex digits, from an environment variable or a file
    /// (never a command line, where `ps` shows it).
    static func key(environmentName: String?, file: URL?, context: CheckContext) throws(CheckError) -> Data {
        let text: String
        let source: String
        if let environmentName {
            guard let value = context.environment[environmentName], !value.isEmpty else {
                throw CheckError("the backup key variable \(environmentName) is not set", retriable: false)
            }
            text = value
            source = "$\(environmentName)"
        } else if let file {
            guard let data = FileManager.default.contents(atPath: file.path) else {
                throw CheckError("cannot read the backup key file \(file.path)", retriable: false)
            }
            text = String(decoding: data, as: UTF8.self)
            source = file.path
        } else {
            throw CheckError("no backup key: give `key-env:` or `key-file:`", retriable: false)
        }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.count == 64, let bytes = Hex.bytes(trimmed) { return Data(bytes) }
        if let data = Data(base64Encoded: trimmed), data.count == 32 { return data }
        throw CheckError(
            "the backup key in \(source) is not 32 bytes as base64 or 64 hex digits (make one with `openssl rand -base64 32`)",
            retriable: false)
    }
}

/// Encrypts a stream into a backup file, hashing what it writes (the checksum recorded).
final class BackupWriter: @unchecked Sendable {
    private let lock = NSLock()
    private let handle: FileHandle
    private let key: SymmetricKey
    private var pending = Data()
    private var index: UInt64 = 0
    private var hasher = SHA256()
    private(set) var failure: String?
    private(set) var bytesWritten = 0

    init(creating url: URL, key: Data) throws {
        guard FileManager.default.createFile(atPath: url.path, contents: nil, attributes: [.posixPermissions: 0o600])
        else { throw CheckError("cannot create \(url.path)") }
        handle = try FileHandle(forWritingTo: url)
        self.key = SymmetricKey(data: key)
        write(BackupCipher.magic)
    }

    func append(_ bytes: UnsafeRawBufferPointer) {
        lock.withLock {
            pending.append(contentsOf: bytes)
            while pending.count >= BackupCipher.chunkSize {
                let chunk = pending.prefix(BackupCipher.chunkSize)
                seal(Data(chunk), final: false)
                pending.removeFirst(BackupCipher.chunkSize)
            }
        }
    }

    /// Seals what is left as the last chunk; returns the file's SHA-256 (hex).
    func finish() -> String {
        lock.withLock {
            seal(pending, final: true)
            pending = Data()
            try? handle.synchronize()
            try? handle.close()
            return Hex.string(hasher.finalize())
        }
    }

    private func seal(_ chunk: Data, final: Bool) {
        do {
            let box = try AES.GCM.seal(
                chunk, using: key, authenticating: BackupCipher.additionalData(index: index, final: final))
            guard let combined = box.combined else { throw CheckError("AES-GCM gave no combined box") }
            var length = UInt32(combined.count).bigEndian
            write(Data(bytes: &length, count: 4))
            write(combined)
            index += 1
        } catch {
            failure = failure ?? "could not encrypt the backup: \(error)"
        }
    }

    private func write(_ data: Data) {
        do {
            try handle.write(contentsOf: data)
            hasher.update(data: data)
            bytesWritten += data.count
        } catch {
            failure = failure ?? "could not write the backup: \(error.localizedDescription)"
        }
    }
}

/// Reads a backup file back, chunk by chunk, checking every tag, the order and the end.
enum BackupReader {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Calls `body` with each chunk of plaintext in order; throws when the file is not a backup,
    /// the key is wrong, or anything was changed, reordered or cut off.
    static func decrypt(_ url: URL, key bytes: Data, _ body: (Data) throws -> Void) throws {
        let key = SymmetricKey(data: bytes)
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            throw Failure(description: "cannot read \(url.path)")
        }
        defer { try? handle.close() }
        guard try handle.read(upToCount: BackupCipher.magic.count) == BackupCipher.magic else {
            throw Failure(
                description:
                    "\(url.lastPathComponent) is not a Shipcheck backup (its first line is not SHIPCHECK-BACKUP-1)")
        }
        var index: UInt64 = 0
        var next = try readChunk(handle)
        guard next != nil else { throw Failure(description: "\(url.lastPathComponent) is cut off: it holds no chunk") }
        while let sealed = next {
            next = try readChunk(handle)
            let final = next == nil
            do {
                let box = try AES.GCM.SealedBox(combined: sealed)
                let plain = try AES.GCM.open(
                    box, using: key, authenticating: BackupCipher.additionalData(index: index, final: final))
                try body(plain)
            } catch let error as Failure {
                throw error
            } catch {
                throw Failure(
                    description:
                        "\(url.lastPathComponent): chunk \(index + 1) does not open (a wrong key, or the file was changed, reordered or cut off)"
                )
            }
            index += 1
        }
    }

    static func readChunk(_ handle: FileHandle) throws -> Data? {
        guard let header = try handle.read(upToCount: 4), !header.isEmpty else { return nil }
        guard header.count == 4 else { throw Failure(description: "the backup ends inside a chunk header") }
        let length = header.reduce(0) { ($0 << 8) | Int($1) }
        guard length >= 28, length <= BackupCipher.chunkSize + 28 else {
            throw Failure(description: "the backup holds a chunk of an impossible size (\(length) bytes)")
        }
        guard let sealed = try handle.read(upToCount: length), sealed.count == length else {
            throw Failure(description: "the backup ends inside a chunk")
        }
        return sealed
    }
}

/// Counts the rows of each table in a plain-format dump as it streams past: the lines between
/// `COPY schema.table (…) FROM stdin;` and `\.` (COPY's text format escapes newlines in values).
final class DumpRowCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var partial = Data()
    private var table: String?
    private(set) var rows: [String: Int] = [:]

    func feed(_ bytes: UnsafeRawBufferPointer) {
        lock.withLock {
            partial.append(contentsOf: bytes)
            var start = partial.startIndex
            while let newline = partial[start...].firstIndex(of: 0x0A) {
                line(partial[start..<newline])
                start = partial.index(after: newline)
            }
            partial.removeSubrange(partial.startIndex..<start)
        }
    }

    var counts: [String: Int] { lock.withLock { rows } }

    private func line(_ line: Data) {
        if let table {
            if line.elementsEqual("\\.".utf8) {
                self.table = nil
            } else {
                rows[table, default: 0] += 1
            }
            return
        }
        guard line.starts(with: "COPY ".utf8), line.suffix(12).elementsEqual(" FROM stdin;".utf8) else { return }
        let text = String(decoding: line.dropFirst(5), as: UTF8.self)
        let name = text.split(separator: " ", maxSplits: 1).first.map(String.init) ?? text
        table = name.replacingOccurrences(of: "\"", with: "")
        rows[table ?? name] = rows[table ?? name] ?? 0
    }
}

/// SHA-256 over a file read in chunks.
struct SHA256Stream {
    private var hasher = SHA256()
    mutating func update(_ data: Data) { hasher.update(data: data) }
    func finish() -> String { Hex.string(hasher.finalize()) }
}
