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

    /// Every shape the scanner knows, through the redactor a run uses (URL passwords are its own).
    @Test(arguments: SecretScannerTests.shapes)
    func everyShapeTheScannerKnowsIsMasked(_ line: String, _ rule: String) {
        var redactor = Redactor(secrets: [])
        redactor.patterns = masker
        let masked = redactor.redact("before\n" + line + "\nafter")
        #expect(masked != "before\n" + line + "\nafter", "\(line)")
        #expect(masked.hasPrefix("before\n"))
        // A private key's header without its END line masks the rest of the text: it is all key.
        #expect(masked.hasSuffix("\nafter") || rule == "private-key", "\(masked)")
        if rule == "url-password" {
            #expect(masked.contains(":***@"), "\(masked)")
        } else {
            #expect(Redactor.maskedFindings(in: masked).contains { $0.hasPrefix(rule + " ") }, "\(rule): \(masked)")
        }
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

    @Test(arguments: [
        ("PASSWORD: str = \"Tr0ub4dor&3x\"", "Tr0ub4dor&3x"),
        ("{\"api_key\": \"k3y-v4lue-123\"}", "k3y-v4lue-123"),
        ("client_secret => 'zzTop-9981'", "zzTop-9981"),
        ("auth-token string = \"abcdef123\"", "abcdef123"),
        (
            "export AWS_SECRET_ACCESS_KEY=" + String(repeating: "wJalrXUtnF", count: 4),
            String(repeating: "wJalrXUtnF", count: 4)
        ),
        ("glpat-" + String(repeating: "x1Y2z3", count: 4), "glpat-" + String(repeating: "x1Y2z3", count: 4)),
    ])
    func assignmentsAndTokensAreMasked(_ line: String, _ secret: String) {
        let masked = masker.mask(line)
        #expect(!masked.contains(secret), "\(masked)")
        #expect(masked.contains("[masked "), "\(masked)")
    }

    @Test(arguments: [
        "password = \"${DB_PASSWORD}\"", "token_type = \"bearer-token\"", "password: \"your_password\"",
        "ghp_tooShort", "xAKIA1234567890ABCDEF", "sk-short",
    ])
    func placeholdersAndNearMissesAreLeftAlone(_ line: String) {
        #expect(masker.mask(line) == line)
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
