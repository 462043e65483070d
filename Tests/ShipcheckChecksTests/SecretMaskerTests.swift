import Foundation
import ShipcheckCore
import Testing

@testable import ShipcheckChecks

/// Masking by shape, as every captured text goes through it: credentials become their rule and a
/// prefix, a private key goes whole, and ordinary output (hashes, ids, URLs, prose) is left alone.
@Suite struct SecretMaskerTests {
    /// Built once: the scanner's tables take a while in a debug build.
    static let shared = SecretMasker()
    var masker: SecretMasker { Self.shared }

    @Test(arguments: SecretScannerTests.shapes.map(\.0))
    func everyShapeTheScannerKnowsIsMasked(_ line: String) {
        let masked = masker.mask("before\n" + line + "\nafter")
        #expect(masked.contains("[masked "), "\(line) → \(masked)")
        #expect(masked.hasPrefix("before\n"))
        // A private key's header without its END line masks the rest of the text: it is all key.
        #expect(masked.hasSuffix("\nafter") || line.contains("PRIVATE KEY"), "\(masked)")
        #expect(!Redactor.maskedFindings(in: masked).isEmpty)
    }

    @Test func aPrivateKeyIsMaskedWholeEvenInsideJSON() {
        let body = String(repeating: "MIIEowIBAAKCAQEA", count: 4)
        let block = "-----BEGIN EC PRIVATE KEY-----\n\(body)\n\(body)\n-----END EC PRIVATE KEY-----"
        let masked = masker.mask("key:\n\(block)\nend")
        #expect(!masked.contains(body), "\(masked)")
        #expect(masked.contains("[masked private-key EC-PRIVATE-KEY…"), "\(masked)")
        #expect(masked.hasSuffix("\nend"))
        let json = "{\"key\": \"" + block.replacingOccurrences(of: "\n", with: "\\n") + "\"}"
        #expect(!masker.mask(json).contains(body))
        // Cut before its END line (output capped), the rest of the text is the key: all of it goes.
        #expect(!masker.mask("-----BEGIN RSA PRIVATE KEY-----\n\(body)").contains(body))
    }

    @Test func ordinaryOutputIsLeftAlone() {
        let text = """
            commit 3f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39
            sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
            GET https://example.com/api/v1/items?page=2 200 12ms
            12 passed, 0 failed in 3.2s
            password: (from $DB_PASSWORD)
            """
        #expect(masker.mask(text) == text)
    }

    @Test func theRedactorMasksByShapeAfterItsKnownValues() {
        var redactor = Redactor(secrets: ["hunter2-known"])
        redactor.patterns = masker
        let masked = redactor.redact("a=hunter2-known b=\(SecretScannerTests.github)")
        #expect(masked == "a=*** b=[masked github-token ghp_…(40 chars)]", "\(masked)")
    }
}
