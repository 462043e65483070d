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
    static func hasSecretKeyword(_ lowercased: String) -> Bool {
        lowercased.hasAny(secretWords)
    }

    static let secretWords = [
        "key", "secret", "token", "passw", "pwd", "credential", "auth", "signing", "bearer", "salt", "private",
    ]

    // MARK: - What the string is

    /// Runs of consecutive characters, in the alphabet or along a keyboard row (`abcdef…`, `0123456789ABCDEF`,
    /// `QWERTYUIOP…`): half or more of the neighbouring pairs are neighbours.
    static func isSequence(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 2 else { return false }
        var neighbours = 0
        for index in 1..<bytes.count where areNeighbours(bytes[index - 1], bytes[index]) { neighbours += 1 }
        return neighbours * 2 >= bytes.count - 1
    }

    private static let keyboardRows = ["qwertyuiop", "asdfghjkl", "zxcvbnm", "1234567890"].map { Array($0.utf8) }

    private static func areNeighbours(_ a: UInt8, _ b: UInt8) -> Bool {
        if a &+ 1 == b || b &+ 1 == a { return true }
        let x = SecretScanner.lower(a)
        let y = SecretScanner.lower(b)
        for row in keyboardRows {
            if let i = row.firstIndex(of: x), let j = row.firstIndex(of: y), abs(i - j) == 1 { return true }
        }
        return false
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
        let words = value.split(whereSeparator: { $0 == "-" || $0 == "_" || $0 == "." })
        guard !words.isEmpty else { return false }
        return words.allSatisfy { word in
            word.unicodeScalars.allSatisfy { $0.properties.isAlphabetic }
                && (word.dropFirst().allSatisfy(\.isLowercase) || word.allSatisfy(\.isUppercase))
        }
    }

    /// Words joined by dashes with a code at the end (`-with-SUPER-MONKEYS-pc58ag80a8qai00g7n9n`): three or
    /// more parts, half or more of them plain words of two letters or more.
    static func isSlug(_ token: String) -> Bool {
        let parts = token.split(whereSeparator: { $0 == "-" || $0 == "_" })
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

    /// `http://user:pass@…`, `…@example.com`: credentials in documentation and tests, made up to show a shape.
    static func isExampleURLCredential(password: String, host: String) -> Bool {
        let host = host.lowercased()
        if exampleHosts.contains(where: { host == $0 || host.hasSuffix("." + $0) }) { return true }
        return examplePasswords.contains(password.lowercased())
    }

    static let exampleHosts = ["example.com", "example.org", "example.net", "example", "test", "invalid"]
    static let examplePasswords: Set<String> = [
        "pass", "password", "passwd", "pwd", "pw", "secret", "mypassword", "pa55word", "p4ssw0rd", "changeme",
    ]
}
