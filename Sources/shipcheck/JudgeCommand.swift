import ArgumentParser
import Foundation
import ShipcheckApp
import ShipcheckCore

struct JudgeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "judge",
        abstract:
            "Compare two sets of samples (a probe's latencies after a change against before) with a Mann-Whitney U test.",
        discussion: """
            The watch's judge: whether SAMPLES tend to be larger than BASELINE, without assuming a shape \
            for either. Each file holds numbers separated by white space or commas. Prints U, the p-value, \
            the effect size (the probability that a sample exceeds a baseline sample; 0.5 is no difference) \
            and the method (exact for 8 samples or fewer without ties, else the normal approximation with \
            the tie and continuity corrections), as SciPy's `mannwhitneyu` computes them. Exits 1 when \
            the p-value is below --alpha.

            Examples:
              shipcheck judge baseline.txt after.txt
              shipcheck judge baseline.txt after.txt --alternative two-sided --alpha 0.01 --format json
            """)

    @Argument(help: "The baseline samples (before the change).") var baseline: String
    @Argument(help: "The samples to judge (after the change).") var samples: String
    @Option(help: "greater (default: SAMPLES tend to be larger), less or two-sided.") var alternative = "greater"
    @Option(help: "The significance level (default 0.05).") var alpha = 0.05
    @Option(help: "text or json.") var format = "text"

    func validate() throws {
        guard MannWhitney.Alternative(rawValue: alternative) != nil else {
            throw ValidationError("--alternative: expected greater, less or two-sided")
        }
        guard alpha > 0, alpha < 1 else { throw ValidationError("--alpha: expected a number between 0 and 1") }
        guard ["text", "json"].contains(format) else { throw ValidationError("--format: expected text or json") }
    }

    static func numbers(_ path: String) throws -> [Double] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CommandFailure("cannot read \(path): no such file", .usage)
        }
        var values: [Double] = []
        let text = String(decoding: data, as: UTF8.self)
        for (index, word) in text.split(whereSeparator: { $0.isWhitespace || $0 == "," }).enumerated() {
            guard let value = Double(word), value.isFinite else {
                throw CommandFailure(
                    "\(path): value \(index + 1) `\(word.prefix(40))` is not a finite number", .usage)
            }
            values.append(value)
        }
        guard !values.isEmpty else { throw CommandFailure("\(path) holds no samples", .usage) }
        return values
    }

    func run() throws {
        let before = try Self.numbers(baseline)
        let after = try Self.numbers(samples)
        let started = DispatchTime.now().uptimeNanoseconds
        guard
            let result = MannWhitney.test(
                after, before, alternative: MannWhitney.Alternative(rawValue: alternative) ?? .greater)
        else { throw CommandFailure("the samples cannot be compared", .usage) }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        if format == "json" {
            let object: [String: Any] = [
                "statistic": result.statistic, "pvalue": result.pValue, "effect": result.effect,
                "method": result.method.rawValue, "n1": result.n1, "n2": result.n2, "seconds": seconds,
            ]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(
                "U = \(result.statistic), p = \(result.pValue) (\(result.method.rawValue)), effect \(result.effect) (n = \(result.n1) after, \(result.n2) before)"
            )
        }
        if result.pValue < alpha { throw ExitCode(ExitCodes.failed) }
    }
}
