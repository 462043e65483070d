import Foundation
import Testing

/// Bad input to the decisions, through the binary: refused with a clear message (exit 64), never a
/// crash and never silently bent; and random options to every command never crash it nor write on
/// a refusal.
@Suite struct BadInputCLITests {
    static let config = """
        version: 1
        roles: { cto: [frank@example.com] }
        environments: { production: { bypass: [cto] } }
        phases:
          pre-deploy:
            items:
              - { id: lint, title: Lint, run: "true" }
              - { id: review, title: Reviewed, manual: true }
        """

    static func store(_ directory: URL) -> URL { directory.appendingPathComponent(".shipcheck/shipcheck.db") }

    @Test(arguments: [
        (["--until", "9999999999999h"], "ends more than"),
        (["--until", "100000d"], "ends more than"),
        (["--until", "0s"], "is no time at all"),
        (["--until", "2027-02-30T10:00"], "nor a time that exists"),
        (["--until", "2020-01-01T10:00"], "has already passed"),
        (["--until", "soon"], "nor a time that exists"),
        (["--reason", String(repeating: "x", count: 100_000)], "longer than the 4096 a record keeps"),
        (["--reason", "approved \u{202E}gnitset"], "U+202E (a bidirectional formatting character)"),
        (["--reason", "line\none"], "U+000A (a control character)"),
        (["--reason", "   "], "it is empty"),
        (["--actor", "frank@example.com\u{2066}"], "U+2066"),
    ])
    func aWaiverWithBadInputIsRefusedAndWritesNothing(_ change: [String], _ message: String) throws {
        let directory = try CLI.temporaryDirectory(with: Self.config)
        var arguments = [
            "waive", "lint", "--env", "production", "--until", "1h", "--reason", "ok", "--actor", "frank@example.com",
        ]
        if let index = arguments.firstIndex(of: change[0]) { arguments[index + 1] = change[1] }
        let result = try CLI.run(arguments, in: directory)
        #expect(result.status == 64, "\(change[0]) \(change[1].prefix(40)): \(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr.prefix(500))")
        #expect(result.stderr.utf8.count < 2000, "the message does not repeat a huge input")
        #expect(!FileManager.default.fileExists(atPath: Self.store(directory).path), "a refusal writes nothing")
    }

    @Test func freezesTakeTheSameBounds() throws {
        let directory = try CLI.temporaryDirectory(with: Self.config)
        for (span, message) in [
            ("99999999999999h", "ends more than"), ("0s", "is no time at all"), ("-4h", "is not a duration"),
        ] {
            let result = try CLI.run(
                ["freeze", "--env", "production", "--for=\(span)", "--reason", "incident"], in: directory)
            #expect(result.status == 64 && result.stderr.contains(message), "\(span): \(result.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: Self.store(directory).path))
        let limited = try CLI.temporaryDirectory(with: "max-bypass: 2h\n" + Self.config)
        let long = try CLI.run(
            ["freeze", "--env", "production", "--for", "3h", "--reason", "incident"], in: limited)
        #expect(long.status == 64 && long.stderr.contains("the most `max-bypass:` allows"), "\(long.stderr)")
        #expect(
            try CLI.run(["freeze", "--env", "production", "--for", "1h", "--reason", "incident"], in: limited).status
                == 0)
    }

    /// Random strings, huge numbers, control and bidirectional characters into every option of every
    /// command: the binary never dies of a signal or a trap (no exit above 128), and a refusal (64)
    /// never leaves a store behind.
    @Test func randomOptionsNeverCrashTheBinaryNorWriteOnARefusal() throws {
        let commands: [[String]] = [
            ["run"], ["run", "deploy"], ["plan"], ["waive", "lint"], ["override", "window"], ["freeze"],
            ["unfreeze"], ["signoff", "review"], ["signoffs"], ["history"], ["show", "x"], ["export", "x"],
            ["metrics"], ["verdict"], ["audit", "verify"], ["audit", "export"], ["validate"], ["list"],
        ]
        let options = [
            "--env", "--until", "--reason", "--actor", "--for", "--note", "--at", "--only", "--skip", "--type",
            "--jobs", "--since", "--format", "--store", "--group", "--shard", "--wait", "--resume", "--limit",
            "--outcome",
        ]
        var generator = SeededGenerator(seed: 23)
        let values = [
            "9999999999999999999999h", "1e308s", "-1", "0", "0s", "NaN", "inf", "2027-02-30T10:00", "99:99",
            "production", "\u{202E}evil", "a\u{7}b", "\u{FEFF}", String(repeating: "9", count: 400), "../../etc",
            "postgres://u:p@127.0.0.1:1/x", "mysql://x", "%s%s%n", "{{ env.HOME }}", "'; DROP TABLE runs; --",
            "1/0", "0/0", "2/1", "latest", "lint,lint,lint", "🚀", "",
        ]
        for round in 0..<120 {
            let directory = try CLI.temporaryDirectory(with: Self.config)
            var arguments = commands[Int.random(in: 0..<commands.count, using: &generator)]
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                arguments.append(options[Int.random(in: 0..<options.count, using: &generator)])
                var value = values[Int.random(in: 0..<values.count, using: &generator)]
                if Bool.random(using: &generator) {
                    value += String(
                        (0..<Int.random(in: 1...12, using: &generator)).map { _ in
                            Character(Unicode.Scalar(UInt8.random(in: 33...126, using: &generator)))
                        })
                }
                arguments.append(value)
            }
            let result = try CLI.run(arguments, in: directory, environment: ["SHIPCHECK_STORE_TIMEOUT": "2"])
            #expect(
                result.status <= 128,
                "round \(round): \(arguments) exited \(result.status): \(result.stderr.suffix(300))")
            if result.status == 64 {
                #expect(
                    !FileManager.default.fileExists(atPath: Self.store(directory).path),
                    "round \(round): \(arguments) was refused but left a store")
            }
        }
    }
}

/// A small deterministic generator (SplitMix64), so that a failing round can be run again.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}
