import Testing

@testable import ShipcheckCore

/// The judge against SciPy 1.17's `mannwhitneyu` (values computed there): exact for small samples
/// without ties, the normal approximation with tie and continuity corrections otherwise.
@Suite struct MannWhitneyTests {
    @Test(arguments: [
        ([1.2, 3.4, 2.2, 5.1], [2.0, 6.3, 7.1, 8.4, 9.0], MannWhitney.Alternative.greater, 3.0, 0.9682539682539683),
        (
            [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13], .twoSided, 32.0,
            0.11216570413504812
        ),
        ([10, 12, 12, 13, 15, 15, 15, 20], [11, 12, 14, 16, 18, 18, 22, 25, 30], .less, 20.0, 0.06683544276219518),
        ([5.0], [1.0, 2.0, 3.0], .greater, 3.0, 0.25),
    ])
    func matchesSciPy(
        _ x: [Double], _ y: [Double], _ alternative: MannWhitney.Alternative, _ statistic: Double, _ p: Double
    ) throws {
        let result = try #require(MannWhitney.test(x, y, alternative: alternative))
        #expect(result.statistic == statistic)
        #expect(abs(result.pValue - p) < 1e-12, "\(result.pValue) against \(p)")
    }

    @Test func aClearShiftIsSignificantAndNoShiftIsNot() throws {
        let before = (0..<200).map { 100 + Double($0 % 17) }
        let slower = before.map { $0 * 1.5 }
        let judged = try #require(MannWhitney.test(slower, before, alternative: .greater))
        #expect(judged.pValue < 1e-10 && judged.effect > 0.9)
        let same = try #require(MannWhitney.test(before.reversed(), before, alternative: .greater))
        #expect(same.pValue > 0.4 && abs(same.effect - 0.5) < 1e-9)
    }

    @Test func nothingToCompareIsNoResult() {
        #expect(MannWhitney.test([], [1]) == nil)
        #expect(MannWhitney.test([1, .nan], [1]) == nil)
        #expect(MannWhitney.test([1], [.infinity]) == nil)
    }

    @Test func theExactDistributionSumsToOne() {
        #expect(ExactU(3, 5).survival(0) == 1)
        #expect(ExactU(3, 5).survival(16) == 0)
        #expect(abs(ExactU(2, 2).survival(4) - 1.0 / 6) < 1e-15)
        #expect(abs(ExactU(8, 10_000).survival(40_000) - 0.5) < 0.01)
    }
}
