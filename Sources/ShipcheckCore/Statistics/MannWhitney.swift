import Foundation

/// The Mann-Whitney U test: whether one set of samples (latencies while a deploy is watched) tends
/// to be larger than another (the same probe before anything changed), without assuming a shape for
/// either, so that one noisy percentile neither rolls back a healthy deploy nor hides a real
/// regression. The same numbers as SciPy's `mannwhitneyu` (method `auto`, continuity correction):
/// exact when one side has 8 samples or fewer and nothing ties, else the normal approximation with
/// the tie correction.
public enum MannWhitney {
    public enum Alternative: String, Sendable, CaseIterable {
        /// `x` tends to be larger than `y`.
        case greater
        case less
        case twoSided = "two-sided"
    }

    public enum Method: String, Sendable, Codable {
        case exact, asymptotic
    }

    public struct Result: Sendable, Codable, Hashable {
        /// U for `x`: the number of pairs in which the `x` sample is larger (ties count half).
        public var statistic: Double
        public var pValue: Double
        /// U / (n1 · n2): the probability that an `x` sample exceeds a `y` sample (0.5: no difference).
        public var effect: Double
        public var method: Method
        public var n1: Int
        public var n2: Int
    }

    /// Nil when either side has no sample, or a sample is not a finite number.
    public static func test(_ x: [Double], _ y: [Double], alternative: Alternative = .twoSided, continuity: Bool = true)
        -> Result?
    {
        let n1 = x.count
        let n2 = y.count
        guard n1 > 0, n2 > 0, x.allSatisfy(\.isFinite), y.allSatisfy(\.isFinite) else { return nil }
        // Ranks of the pooled samples, ties given their average rank; the sizes of the tied groups.
        let pooled = (x.map { ($0, true) } + y.map { ($0, false) }).sorted { $0.0 < $1.0 }
        var rankSumX = 0.0
        var tieTerm = 0.0
        var start = 0
        while start < pooled.count {
            var end = start + 1
            while end < pooled.count, pooled[end].0 == pooled[start].0 { end += 1 }
            let rank = Double(start + end + 1) / 2
            for index in start..<end where pooled[index].1 { rankSumX += rank }
            let tied = Double(end - start)
            tieTerm += tied * tied * tied - tied
            start = end
        }
        let u1 = rankSumX - Double(n1 * (n1 + 1)) / 2
        let u2 = Double(n1 * n2) - u1
        let (u, factor): (Double, Double) =
            switch alternative {
            case .greater: (u1, 1)
            case .less: (u2, 1)
            case .twoSided: (max(u1, u2), 2)
            }
        let exact = (n1 <= 8 || n2 <= 8) && tieTerm == 0
        var p: Double
        if exact {
            p = ExactU(min(n1, n2), max(n1, n2)).survival(Int(u.rounded()))
        } else {
            let n = Double(n1 + n2)
            let spread = (Double(n1 * n2) / 12 * ((n + 1) - tieTerm / (n * (n - 1)))).squareRoot()
            let z = (u - Double(n1 * n2) / 2 - (continuity ? 0.5 : 0)) / spread
            p = spread > 0 ? 0.5 * erfc(z / 2.0.squareRoot()) : 1
        }
        p = min(1, max(0, p * factor))
        return Result(
            statistic: u1, pValue: p, effect: u1 / Double(n1 * n2), method: exact ? .exact : .asymptotic, n1: n1,
            n2: n2)
    }
}

/// The exact null distribution of U for sizes m ≤ n: the coefficients of the Gaussian binomial
/// [m+n choose m]_q, built as the product over i of (1 − q^(n+i)) / (1 − q^i), one factor at a time
/// (each step leaves the coefficients of [n+i choose i]_q, all non-negative).
struct ExactU {
    let m: Int
    let n: Int

    init(_ m: Int, _ n: Int) {
        self.m = m
        self.n = n
    }

    /// P(U ≥ k).
    func survival(_ k: Int) -> Double {
        let degree = m * n
        guard k > 0 else { return 1 }
        guard k <= degree else { return 0 }
        var coefficients = [Double](repeating: 0, count: degree + 1)
        coefficients[0] = 1
        var reached = 0
        for i in stride(from: 1, through: m, by: 1) {
            let top = n + i
            reached += n
            // × (1 − q^(n+i))
            if top <= reached {
                for power in stride(from: reached, through: top, by: -1) {
                    coefficients[power] -= coefficients[power - top]
                }
            }
            // ÷ (1 − q^i): a running sum with stride i.
            if i <= reached {
                for power in i...reached { coefficients[power] += coefficients[power - i] }
            }
        }
        let total = coefficients.reduce(0, +)
        var tail = 0.0
        for power in k...degree { tail += coefficients[power] }
        return tail / total
    }
}
