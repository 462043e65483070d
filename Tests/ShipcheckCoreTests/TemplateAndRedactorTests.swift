import Testing

@testable import ShipcheckCore

@Suite struct TemplateTests {
    @Test func expandsAndQuotesForTheShell() throws {
        let template = try Template.parse("curl ${{ vars.URL }}/health -H ${{env.TOKEN}}")
        #expect(template.variableNames == ["URL"])
        #expect(template.environmentNames == ["TOKEN"])
        let shell = try template.expand(
            environment: ["TOKEN": "a b'c; rm -rf /"], variables: ["URL": "http://x"], quoting: .shell)
        #expect(shell == #"curl 'http://x'/health -H 'a b'\''c; rm -rf /'"#)
        let plain = try template.expand(environment: ["TOKEN": "t"], variables: ["URL": "http://x"], quoting: .none)
        #expect(plain == "curl http://x/health -H t")
    }

    @Test func missingValueIsAnErrorNamingIt() throws {
        let template = try Template.parse("echo ${{ env.NOPE_NOT_SET }}")
        #expect {
            _ = try template.expand(environment: [:], variables: [:], quoting: .shell)
        } throws: { error in
            "\(error)".contains("env.NOPE_NOT_SET")
        }
    }

    @Test func anEnvironmentVariableMayHaveAValueForWhenItIsUnset() throws {
        let template = try Template.parse("${{ env.BASE_URL || 'https://shop.acme.dev' }}/health")
        #expect(template.environmentNames == ["BASE_URL"])
        #expect(try template.expand(environment: [:], variables: [:], quoting: .none) == "https://shop.acme.dev/health")
        #expect(
            try template.expand(environment: ["BASE_URL": "http://x"], variables: [:], quoting: .shell)
                == "'http://x'/health")
        #expect(template.description == "${{ env.BASE_URL || 'https://shop.acme.dev' }}/health")
        // Only the environment has one, and only a single-quoted value.
        for bad in ["${{ vars.URL || 'x' }}", "${{ env.URL || x }}", "${{ env.URL || 'a'b' }}", "${{ env.URL || }}"] {
            #expect(throws: ExpressionSyntaxError.self, "\(bad)") { try Template.parse(bad) }
        }
    }

    @Test func replacingBytesReplacesEveryOccurrence() {
        #expect("**bold** and **more**".replacingBytes("**", with: "") == "bold and more")
        #expect("a***b".replacingBytes("**", with: "-") == "a-*b")
        #expect("ünïcode**ß".replacingBytes("**", with: " ") == "ünïcode ß")
        #expect("nothing".replacingBytes("**", with: "") == "nothing")
        #expect("".replacingBytes("x", with: "y") == "")
    }

    @Test func badReferences() {
        #expect(throws: ExpressionSyntaxError.self) { try Template.parse("${{ secrets.X }}") }
        #expect(throws: ExpressionSyntaxError.self) { try Template.parse("${{ env.X ") }
        #expect(throws: ExpressionSyntaxError.self) { try Template.parse("${{ env }}") }
    }
}

@Suite struct RedactorTests {
    @Test func redactsSecretLookingNamesURLPasswordsAndNamedOnes() {
        let redactor = Redactor(
            environment: [
                "GITHUB_TOKEN": "ghp_abcdefghijklmnop",
                "DATABASE_URL": "postgres://app:s3cr3t-pw@db:5432/app",
                "PLAIN": "visible-value",
                "CUSTOM": "custom-secret-value",
                "API_KEY": "ab",
            ],
            extraNames: ["CUSTOM"])
        let text = "token ghp_abcdefghijklmnop url postgres://app:s3cr3t-pw@db custom-secret-value visible-value ab"
        let redacted = redactor.redact(text)
        #expect(!redacted.contains("ghp_abcdefghijklmnop"))
        #expect(!redacted.contains("s3cr3t-pw"))
        #expect(!redacted.contains("custom-secret-value"))
        #expect(redacted.contains("visible-value"))
        // Too short to mask without masking ordinary text.
        #expect(redacted.hasSuffix(" ab"))
    }

    @Test func longestSecretFirst() {
        let redactor = Redactor(secrets: ["abcd", "abcdefgh"])
        #expect(redactor.redact("xabcdefghx") == "x***x")
    }
}

@Suite struct SuggestionTests {
    @Test func closeMisspellings() {
        #expect(Suggestions.closest(to: "timout", in: ["timeout", "title"]) == "timeout")
        #expect(Suggestions.closest(to: "zzz", in: ["timeout", "title"]) == nil)
    }
}
