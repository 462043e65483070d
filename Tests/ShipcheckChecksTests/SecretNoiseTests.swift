import Foundation
import Testing

@testable import ShipcheckChecks

/// The scanner's false alarms measured on real source, one class per test, and the shapes it used to miss.
/// Values are built from pieces so that this file does not itself look like it holds secrets.
@Suite struct SecretNoiseTests {
    func rules(_ text: String, file: String = "app/settings.py") -> [String] {
        SecretScanner().scan(file: file, bytes: Array(text.utf8)).map(\.rule)
    }

    static let digest = "ba7816bf8f01cfea414140de5dae2223" + "b00361a396177a9cb410ff61f20015ad"
    static let hexKey = "3f786850e387550fdab836ed7e6dc881" + "de23001b9a4c2d7e"

    // MARK: Hex digests that are test vectors

    @Test func hexNextToAHashFunctionIsATestVector() {
        #expect(rules("expected = hashlib.sha256(b'abc').hexdigest() == '\(Self.digest)'").isEmpty)
        #expect(rules("check('md5', b'abc',\n    '\(Self.digest)')").isEmpty, "the hash's name on the line before")
        #expect(rules("data = bytes.fromhex('\(Self.digest)')").isEmpty)
        #expect(rules("    >>> token_hex(16)\n    '\(Self.digest)'").isEmpty, "a doctest's output")
    }

    @Test func hexInTestFilesIsATestVector() {
        for path in ["tests/test_upload.py", "test/fixtures.py", "pkg/upload_test.go", "src/upload.spec.ts"] {
            #expect(rules("EXPECTED = '\(Self.digest)'", file: path).isEmpty, "\(path)")
        }
        #expect(SecretNoise.isTestPath("Tests/AppTests/UploadTests.swift"))
        #expect(!SecretNoise.isTestPath("app/latest.py"))
    }

    @Test func hexNamedAsAKeyOutsideTestsIsStillFound() {
        #expect(rules("SESSION_KEY = '\(Self.hexKey)'") == ["high-entropy-hex"])
        #expect(rules("signing_key = bytes.fromhex('\(Self.hexKey)')") == ["high-entropy-hex"])
        #expect(rules("blob = '\(Self.hexKey)'") == ["high-entropy-hex"])
    }

    @Test func numbersAreNotHex() {
        #expect(rules("x = '2602129298404963083833853479113577253105939995688e2'").isEmpty)
        #expect(rules("x = '26021292984049630838338534791135772531'").isEmpty)
    }

    // MARK: A keyword inside an identifier

    @Test func aKeywordInsideAnAttributesNameWithAPlainWordIsNotAPassword() {
        #expect(rules("token_type = 'mailbox-list'").isEmpty)
        #expect(rules("mailbox.token_type = 'invalid-mailbox'").isEmpty)
        #expect(rules("password_field = 'confirmation'").isEmpty)
        #expect(rules("token_range = \"%d,%d-%d,%d:\"").isEmpty, "a format string")
        #expect(rules("credentials = '{0}:{1}'.format(user, password)").isEmpty, "a template")
    }

    @Test func aPasswordIsFoundWhateverItsNameCarries() {
        #expect(rules("db_password = 'correcthorse'") == ["password-assignment"])
        #expect(rules("DB_PASSWORD_PROD = 'correcthorse'") == ["password-assignment"], "no attribute word")
        #expect(rules("token_type = 'Zx81-k2Pq'") == ["password-assignment"], "not a plain word")
    }

    // MARK: Alphabets and character sets

    @Test func alphabetsAndRunsAreNotKeys() {
        for literal in [
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
            "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", "0123456789ABCDEFabcdef", "zyxwvutsrqponmlkjihgfedcba",
            "cdehijklmopqsuwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", "QWERTYUIOPASDFGHJKLZXCVBNM",
        ] {
            #expect(rules("chars = '\(literal)'").isEmpty, "\(literal)")
        }
    }

    @Test func base64OfTextAndSlugsAreNotKeys() {
        let encodedAlphabet = Data("abcdefghijklmnopqrstuvwxyzABCD".utf8).base64EncodedString()
        #expect(rules("eq(b64encode(data), b'\(encodedAlphabet)')").isEmpty)
        #expect(rules("('-with-SUPER-MONKEYS-' + 'pc58ag80a8qai00g7n9n')").isEmpty)
        #expect(rules("x = b\"-with-SUPER-MONKEYS-pc58ag80a8qai00g7n9n\"").isEmpty)
    }

    // MARK: Documentation URLs with example credentials

    @Test func exampleCredentialsInURLsAreNotFindings() {
        #expect(rules("urlopen('http://user:pass@python.org/')").isEmpty)
        #expect(rules("url = 'http://User:Pass@www.python.org:080/doc/'").isEmpty)
        #expect(rules("# urlopen('http://evil:thing@example.com')").isEmpty)
        #expect(rules("DATABASE_URL = 'postgres://app:changeme@db.internal:5432/app'").isEmpty)
        #expect(rules("DATABASE_URL = 'postgres://app:${DB_PASSWORD}@db.internal:5432/app'").isEmpty)
        #expect(rules("DATABASE_URL = 'postgres://app:***@db.internal:5432/app'").isEmpty)
        #expect(rules("DATABASE_URL = 'postgres://app:xxx@db.internal:5432/app'").isEmpty)
        #expect(rules("DATABASE_URL = 'postgres://app:<password>@db.internal:5432/app'").isEmpty)
        #expect(rules("DATABASE_URL = 'postgres://app:Tr0ub4dor3@db.internal:5432/app'") == ["url-password"])
    }

    /// The host says nothing: a random-looking password beside a documentation domain is still a
    /// real one pasted into code.
    @Test func aRealPasswordInAURLIsFoundWhateverTheHost() {
        #expect(rules("proxy = 'http://joe:Tr0ub4dor@proxy.example.org/'") == ["url-password"])
        #expect(rules("DATABASE_URL=postgres://app:Xk29fLq8Zp3v@db.example.com/app") == ["url-password"])
    }

    /// `.env` files and YAML hold secrets without quotes; random-looking values there are found,
    /// names, expressions and versions are not.
    @Test func unquotedRandomValuesOfSecretNamedKeysAreFound() {
        #expect(rules("SECRET_KEY=kq9Vd2mXz7LpQ4rTw8Yb") == ["password-assignment"])
        #expect(rules("API_TOKEN: Zx81kLmQp0vNw3RtYb7s") == ["password-assignment"])
        #expect(rules("export GITLAB_TOKEN=Zx81kLmQp0vN") == ["password-assignment"])
        #expect(rules("SECRET_KEY=3f9a0c6e1b7d4a2f8e5c9b0a1d6f3e7c") == ["password-assignment"])
        #expect(rules("SECRET_KEY=${SECRET_KEY}").isEmpty)
        #expect(rules("token = tokenize.generate_tokens(readline)").isEmpty)
        #expect(rules("password=self.password").isEmpty)
        #expect(rules("TOKEN_VERSION=release2024").isEmpty)
        #expect(rules("secret = secrets.token_hex(16)").isEmpty)
        #expect(rules("api_key: Optional[str] = None").isEmpty)
        #expect(rules("if token == abc123def456:").isEmpty)
        #expect(rules("elif token == 'account':").isEmpty, "a comparison, not an assignment")
        #expect(rules("user = {'token' => 'Zx81kLmQp0vN'}") == ["password-assignment"])
        #expect(rules("SECRET_KEY=changeme12345").isEmpty)
    }

    // MARK: Misses, closed

    @Test func typeAnnotatedAssignmentsAreFound() {
        #expect(rules("PASSWORD: str = \"Tr0ub4dor&3x\"") == ["password-assignment"])
        #expect(rules("const apiKey: string = 'Tr0ub4dor&3x';") == ["password-assignment"])
        #expect(rules("var password string = \"Tr0ub4dor&3x\"") == ["password-assignment"])
        #expect(rules("let password: String? = \"Tr0ub4dor&3x\"") == ["password-assignment"])
    }

    @Test func highEntropyStringsInCommentsAreFound() {
        let key = "q8Z3xLk2Vw9Np4Rt" + "7Yb1Hc6Jm0Gf5Ds2Ea8Ku3Wz"
        #expect(rules("# old key, rotated: \(key)") == ["high-entropy-base64"])
        #expect(rules("x = 1  // \(key)") == ["high-entropy-base64"])
        #expect(rules("    * \(key) was the staging value") == ["high-entropy-base64"])
        // What comments hold that is not a key: URLs, paths, commit hashes.
        #expect(rules("# https://lists.example.org/pipermail/python-dev/2010-January/095637.html").isEmpty)
        #expect(rules("# see /usr/lib/python3/dist-packages/Foo_Bar2/module_name.py").isEmpty)
        #expect(rules("# fixed in \(Self.digest.prefix(40))").isEmpty)
        #expect(rules("# key: \(Self.hexKey)") == ["high-entropy-hex"])
    }

    @Test func shortBase64NextToAKeywordIsFound() {
        let short = "Xk2pQ9" + "wL4mZt7Rb1Nc"  // 18 characters: under 4.5 bits whatever its letters
        #expect(SecretScanner.shannon(Array(short.utf8)) < 4.5)
        #expect(rules("signing_key = \"\(short)\"") == ["high-entropy-base64"])
        #expect(rules("label = \"\(short)\"").isEmpty, "without a keyword the usual limit holds")
        #expect(rules("cache_key = \"user_profile_v2_cache\"").isEmpty, "words are not a key")
    }
}
