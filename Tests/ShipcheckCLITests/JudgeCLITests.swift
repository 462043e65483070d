import Foundation
import Testing

/// `shipcheck judge` through the binary against SciPy's `mannwhitneyu` on random samples of many
/// sizes (exact and asymptotic, with and without ties, every alternative): the same U and p-values.
@Suite struct JudgeCLITests {
    @Test func agreesWithSciPy() throws {
        guard try CLI.toolsPresent("python3 -c 'import scipy'", otherwise: "the judge's cross-check needs SciPy")
        else { return }
        let directory = try CLI.temporaryDirectory()
        let script = """
            import json, random, subprocess, sys
            from scipy.stats import mannwhitneyu
            random.seed(int(sys.argv[2]))
            worst = 0.0
            for trial in range(30):
                n1 = random.choice([1, 3, 8, 9, 40, 300]); n2 = random.choice([2, 8, 12, 100, 2000])
                ties = random.random() < 0.4
                draw = lambda n, s: [round(v, 1) if ties else v for v in (random.lognormvariate(0, 0.5) + s for _ in range(n))]
                a, b = draw(n1, 0), draw(n2, random.choice([0, 0.1, 1]))
                open("a.txt", "w").write("\\n".join(map(repr, a))); open("b.txt", "w").write(",".join(map(repr, b)))
                for alternative in ["greater", "less", "two-sided"]:
                    reference = mannwhitneyu(b, a, alternative=alternative)
                    out = subprocess.run([sys.argv[1], "judge", "a.txt", "b.txt", "--alternative", alternative,
                                          "--format", "json"], capture_output=True, text=True)
                    got = json.loads(out.stdout)
                    assert abs(got["statistic"] - reference.statistic) < 1e-9, (got, reference)
                    worst = max(worst, abs(got["pvalue"] - reference.pvalue))
            print(worst)
            """
        try script.write(to: directory.appendingPathComponent("cross.py"), atomically: true, encoding: .utf8)
        let run = try CLI.shell("python3 cross.py '\(CLI.binary.path)' 23", in: directory)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        let worst = Double(run.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 1
        #expect(worst < 1e-9, "largest p-value difference \(worst)")
    }

    @Test func badSamplesAreRefusedNamingTheValue() throws {
        let directory = try CLI.temporaryDirectory()
        try "1 2 3".write(to: directory.appendingPathComponent("a.txt"), atomically: true, encoding: .utf8)
        try "4 five 6".write(to: directory.appendingPathComponent("b.txt"), atomically: true, encoding: .utf8)
        let bad = try CLI.run(["judge", "a.txt", "b.txt"], in: directory)
        #expect(
            bad.status == 64 && bad.stderr.contains("b.txt: value 2 `five` is not a finite number"), "\(bad.stderr)")
        try "40 50 60 70 80 90 100 110 120".write(
            to: directory.appendingPathComponent("b.txt"), atomically: true, encoding: .utf8)
        let slower = try CLI.run(["judge", "a.txt", "b.txt"], in: directory)
        #expect(slower.status == 1 && slower.stdout.contains("(exact)"), "\(slower.stdout)")
    }
}
