import Foundation

/// Shapes that look like credentials and are not: alphabets, encoded text, numbers, test vectors,
/// documentation examples, and names of a secret's attributes. Each was measured as noise on real
/// source (the Python standard library, `bench/secrets`); each has a test.
enum SecretNoise {
    // MARK: - Where the line is

    /// Test code, fixtures and test data: hex strings there are test vectors, not keys.
    static func isTestPath(_ path: String) -> Bool {
        let components = path.lowercased().split(separator: "/")
        guard let name = components.last else { return false }
        if components.dropLast().contains(where: { testDirectories.contains(String($0)) }) { return true }
        let stem = name.split(separator: ".").first.map(String.init) ?? String(name)
        return stem.hasPrefix("test_") || stem.hasSuffix("_test") || stem.hasSuffix("_tests")
            || stem.hasSuffix("test") && name.hasSuffix(".java") || stem.hasSuffix("tests") && name.hasSuffix(".swift")
            || name.contains(".test.") || name.contains(".spec.") || stem.hasSuffix("_spec") || stem == "conftest"
    }

    static let testDirectories: Set<String> = [
        "test", "tests", "testing", "__tests__", "spec", "specs", "testdata", "test_data", "fixtures", "__fixtures__",
    ]

    /// Hash functions and hex decoders near a hex string make it a digest or a test vector; a doctest
    /// prompt on the line before makes it an example's output.
    static func isDigestContext(_ lowercased: String) -> Bool {
        lowercased.hasAny(digestWords)
    }

    static let digestWords = [
        "md5", "sha1", "sha2", "sha3", "sha224", "sha256", "sha384", "sha512", "shake_", "blake2", "ripemd",
        "hmac", "digest", "checksum", "crc32", "fromhex(", "unhexlify(", "a2b_hex(", "hex2bin", "uuid", ">>> ",
    ]

    /// Words that make a nearby string worth a closer look at a lower entropy.
    static let secretWords = [
        "key", "secret", "token", "passw", "pwd", "credential", "auth", "signing", "bearer", "salt", "private",
    ]
    static let secretWordBytes = secretWords.map { Array($0.utf8) }

    // MARK: - What the string is

    /// Runs of consecutive characters, in the alphabet or along a keyboard row (`abcdef…`, `0123456789ABCDEF`,
    /// `QWERTYUIOP…`): half or more of the neighbouring pairs are neighbours.
    static func isSequence(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 2 else { return false }
        var neighbours = 0
        for index in 1..<bytes.count where areNeighbours(bytes[index - 1], bytes[index]) { neighbours += 1 }
        return neighbours * 2 >= bytes.count - 1
    }

    /// Per byte, its keyboard row and column as `row << 4 | column` (letters in either case), 0 when
    /// it is on none of the rows.
    private static let keyboardPositions: [UInt8] = {
        var positions = [UInt8](repeating: 0, count: 256)
        for (row, keys) in ["qwertyuiop", "asdfghjkl", "zxcvbnm", "1234567890"].enumerated() {
            for (column, key) in keys.utf8.enumerated() {
                positions[Int(key)] = UInt8((row + 1) << 4 | column)
                if key >= 97 { positions[Int(key) - 32] = UInt8((row + 1) << 4 | column) }
            }
        }
        return positions
    }()

    private static func areNeighbours(_ a: UInt8, _ b: UInt8) -> Bool {
        if a &+ 1 == b || b &+ 1 == a { return true }
        let x = keyboardPositions[Int(a)]
        let y = keyboardPositions[Int(b)]
        return x != 0 && x >> 4 == y >> 4 && (x &+ 1 == y || y &+ 1 == x)
    }

    /// A decimal number, possibly with an exponent (`2602129298…e0`): all-digit hex strings are numbers.
    static func isNumber(_ bytes: [UInt8]) -> Bool {
        var index = 0
        while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        if index == bytes.count { return true }
        guard index > 0, bytes[index] | 0x20 == UInt8(ascii: "e") else { return false }
        index += 1
        if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
        let exponent = index
        while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        return index == bytes.count && index > exponent
    }

    @inline(__always) static func isDigit(_ byte: UInt8) -> Bool { byte >= 48 && byte <= 57 }

    /// An unquoted value that is a secret rather than a name or a version: letters and digits both,
    /// not a run or a number, and nearly as varied as random characters of its alphabet can be
    /// (`release2024` is not; `kq9Vd2mXz7Lp` is).
    static func looksRandom(_ value: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
        let bytes = Array(value)
        guard bytes.contains(where: isDigit), bytes.contains(where: { ($0 | 0x20) >= 97 && ($0 | 0x20) <= 122 }),
            !isNumber(bytes), !isSequence(bytes)
        else { return false }
        let isHex = bytes.allSatisfy { isDigit($0) || ($0 | 0x20) >= 97 && ($0 | 0x20) <= 102 }
        let alphabet = Double(min(bytes.count, isHex ? 16 : 64))
        return SecretScanner.shannon(bytes) > 0.85 * log2(alphabet)
    }

    /// Base64 that decodes to printable text (`YWJjZGVm…` is "abcdef…") is encoded text, not key material.
    static func decodesToText(_ token: String) -> Bool {
        var padded = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while padded.utf8.count % 4 != 0 { padded += "=" }
        guard let data = Data(base64Encoded: padded), data.count >= 8 else { return false }
        let printable = data.filter { ($0 >= 32 && $0 < 127) || $0 == 9 || $0 == 10 }.count
        return printable == data.count
    }

    /// Words joined by `-`, `_` or `.`, no digits, one letter case per word (`mailbox-list`, `invalid_mailbox`):
    /// a name, not a password.
    static func isPlainWord(_ value: String) -> Bool {
        if let plain = value.utf8.withContiguousStorageIfAvailable(isPlainASCIIWord) ?? nil { return plain }
        let words = value.split(whereSeparator: { $0 == "-" || $0 == "_" || $0 == "." })
        guard !words.isEmpty else { return false }
        return words.allSatisfy { word in
            word.unicodeScalars.allSatisfy { $0.properties.isAlphabetic }
                && (word.dropFirst().allSatisfy(\.isLowercase) || word.allSatisfy(\.isUppercase))
        }
    }

    /// `isPlainWord` on ASCII bytes without Unicode property lookups; nil for other text.
    private static func isPlainASCIIWord(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool? {
        var words = 0
        var index = 0
        while index < bytes.count {
            var end = index
            while end < bytes.count, bytes[end] != 45, bytes[end] != 95, bytes[end] != 46 { end += 1 }
            if end > index {
                var upper = 0
                var lower = 0
                var upperAfterFirst = false
                for position in index..<end {
                    let byte = bytes[position]
                    guard byte < 0x80 else { return nil }
                    if byte >= 65 && byte <= 90 {
                        upper += 1
                        if position > index { upperAfterFirst = true }
                    } else if byte >= 97 && byte <= 122 {
                        lower += 1
                    } else {
                        return false
                    }
                }
                // All lower case after the first letter, or all upper case.
                if upperAfterFirst && lower > 0 { return false }
                words += 1
            }
            index = end + 1
        }
        return words > 0
    }

    /// Words joined by dashes with a code at the end (`-with-SUPER-MONKEYS-pc58ag80a8qai00g7n9n`): three or
    /// more parts, half or more of them plain words of two letters or more.
    static func isSlug(_ token: String) -> Bool {
        // Tokens are ASCII: split on the bytes, not on grapheme clusters.
        let parts = token.utf8.split(whereSeparator: { $0 == 45 || $0 == 95 }).map {
            String(decoding: $0, as: UTF8.self)
        }
        guard parts.count >= 3 else { return false }
        let words = parts.filter { $0.count >= 2 && isPlainWord(String($0)) }.count
        return words >= 2 && words * 2 >= parts.count
    }

    /// `token_type`, `password_file`, `secretName`: a name for something about the secret, not the secret.
    /// The identifier continues past its keyword with one of these words.
    static func namesAnAttribute(_ identifier: String, keywordEnd: String.Index) -> Bool {
        var rest = identifier[keywordEnd...].drop(while: { $0 == "_" || $0 == "-" })
        guard !rest.isEmpty else { return false }
        rest = rest.prefix(while: { $0 != "_" && $0 != "-" })
        return attributeWords.contains(rest.lowercased())
    }

    static let attributeWords: Set<String> = [
        "type", "types", "kind", "name", "names", "id", "ids", "url", "uri", "endpoint", "file", "path", "dir",
        "len", "length", "count", "size", "range", "field", "fields", "header", "prefix", "suffix", "pattern",
        "regex", "re", "format", "label", "index", "start", "end", "pos", "position", "expiry", "expires",
        "expiration", "ttl", "env", "var", "policy", "hint", "prompt", "message", "msg", "error", "class", "list",
        "style", "mode", "method", "scheme", "source", "location", "param", "placeholder", "hash",
    ]

    /// `http://user:pass@…`, `http://evil:thing@…`: a password made up to show a URL's shape, a
    /// known placeholder or a plain word. The host says nothing: a random-looking password beside
    /// `db.example.com` is still a real one pasted into code.
    static func isExampleURLCredential(password: String) -> Bool {
        examplePasswords.contains(password.lowercased()) || isPlainWord(password)
    }
    static let examplePasswords: Set<String> = [
        "pass", "password", "passwd", "pwd", "pw", "secret", "mypassword", "pa55word", "p4ssw0rd", "changeme",
    ]
}
