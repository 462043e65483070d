import Foundation
import ShipcheckCore
import Testing

/// The watch's judge: absolute conditions with the baseline's medians, growth judged with a
/// Mann-Whitney U test, and probes that cannot be measured tolerated, then counted as failing.
@Suite struct WatchJudgeTests {
    static func sample(_ facts: Facts, unmeasured: [String: String] = [:]) -> WatchSample {
        WatchSample(at: Date(), facts: facts, unmeasured: unmeasured)
    }

    static func latency(_ milliseconds: Double) -> WatchSample {
        sample(["traffic.latency.p50": .duration(milliseconds / 1000), "traffic.error_rate": .number(0)])
    }

    static let errors = RollbackTrigger(
        title: "Error rate > 5%", priority: "P1",
        condition: try? FactExpression.parse("traffic.error_rate > 5%"))
    static let slower = RollbackTrigger(
        title: "Response time degradation > 50%", priority: "P1",
        aboveBaseline: RollbackTrigger.AboveBaseline(fact: "traffic.latency.p50", by: 0.5))

    static var settings: WatchSettings {
        var settings = WatchSettings()
        settings.tolerate = 2
        settings.minimumSamples = 5
        return settings
    }

    @Test func anAbsoluteConditionFiresOnTheSampleThatMeetsIt() {
        var judge = WatchJudge(triggers: [Self.errors], settings: Self.settings, baseline: [])
        #expect(judge.judge(Self.sample(["traffic.error_rate": .number(1)])).isEmpty)
        let fired = judge.judge(Self.sample(["traffic.error_rate": .number(30)]))
        #expect(fired.count == 1)
        #expect(fired.first?.reason == "traffic.error_rate > 5 (traffic.error_rate = 30)")
    }

    @Test func aProbeThatCannotBeMeasuredIsToleratedThenCountsAsFailing() {
        var judge = WatchJudge(triggers: [Self.errors], settings: Self.settings, baseline: [])
        let down = Self.sample([:], unmeasured: ["traffic": "connection refused"])
        #expect(judge.judge(down).isEmpty)
        #expect(judge.judge(down).isEmpty)
        let fired = judge.judge(down)
        #expect(fired.first?.reason.contains("`traffic` could not be measured 3 samples in a row") == true)
        // One answer in between starts the count again.
        var again = WatchJudge(triggers: [Self.errors], settings: Self.settings, baseline: [])
        for measured in [false, false, true, false, false] {
            let fired = again.judge(measured ? Self.sample(["traffic.error_rate": .number(0)]) : down)
            #expect(fired.isEmpty)
        }
    }

    @Test func latencyHalfAgainAboveTheBaselineIsJudgedAndFires() {
        let baseline = (0..<8).map { Self.latency(20 + Double($0 % 3)) }
        var judge = WatchJudge(triggers: [Self.slower], settings: Self.settings, baseline: baseline)
        var fired: [TriggerFiring] = []
        for index in 0..<8 where fired.isEmpty { fired = judge.judge(Self.latency(36 + Double(index % 3))) }
        #expect(judge.samples.count == 5, "it fires as soon as it has its minimum of samples")
        let judgement = fired.first?.judgement
        #expect(judgement != nil && judgement!.pValue < 0.05 && judgement!.effect == 1)
        #expect(fired.first?.reason.contains("median 37ms over the last 5 samples against 21ms before (+76%)") == true)
    }

    @Test func noisyButNotSlowerNeverFires() {
        let baseline = (0..<10).map { Self.latency(20 + Double($0 % 3)) }
        var judge = WatchJudge(triggers: [Self.slower], settings: Self.settings, baseline: baseline)
        // The same median, much wider: one sample at 45ms is noise, not a regression.
        let noisy: [Double] = [8, 32, 20, 45, 12, 25, 18, 30, 10, 22, 28, 15]
        for value in noisy { #expect(judge.judge(Self.latency(value)).isEmpty) }
    }

    @Test func aTriggerWithoutABaselineIsNotJudgedAndSaysSo() {
        let dataLoss = RollbackTrigger(
            title: "Data loss", condition: try? FactExpression.parse("data.rows < baseline.data.rows"))
        var judge = WatchJudge(triggers: [dataLoss, Self.slower], settings: Self.settings, baseline: [])
        for _ in 0..<8 {
            #expect(judge.judge(Self.sample(["data.rows": .number(3), "traffic.latency.p50": .duration(1)])).isEmpty)
        }
        #expect(judge.notes.count == 2)
        // With a baseline, the same condition judges.
        var withBaseline = WatchJudge(
            triggers: [dataLoss], settings: Self.settings, baseline: [Self.sample(["data.rows": .number(3)])])
        #expect(withBaseline.judge(Self.sample(["data.rows": .number(2)])).count == 1)
    }

    @Test func triggersParseAndAreCheckedAgainstTheWatchProbes() throws {
        let yaml = """
            version: 1
            watch: { for: 10s, interval: 500ms, baseline: 4, confidence: 99% }
            triggers:
              - { title: Outage, priority: P0, when: health.error_rate == 100% }
              - { title: Slower, above-baseline: { fact: health.latency.p50, by: 50% }, action: ask, otherwise: notify }
              - { title: Queue, when: queue.depth > 10 }
            phases:
              watch:
                items:
                  - { id: health, title: Health, fake: {} }
            """
        let checklist = try Fixtures.load(yaml)
        #expect(checklist.watch.interval == 0.5 && checklist.watch.baselineSamples == 4)
        #expect(checklist.watch.confidence == 0.99)
        #expect(checklist.triggers[1].aboveBaseline?.by == 0.5)
        #expect(checklist.triggers[1].action == .ask && checklist.triggers[1].otherwise == .notify)
        #expect(
            checklist.warnings.map(\.description).contains {
                $0.contains("reads `queue`, which is not a probe of the watch phase")
            })

        let bad = """
            version: 1
            triggers:
              - { title: Both, when: a.b > 1, above-baseline: { fact: a.b, by: 50% } }
              - { title: Growth, above-baseline: { fact: latency, by: 0% } }
              - { title: Act, when: a.b > 1, action: revert }
            phases: { deploy: { items: [{ id: x, title: X, fake: {} }] } }
            """
        #expect(throws: ConfigurationError.self) { try Fixtures.load(bad) }
        do {
            _ = try Fixtures.load(bad)
        } catch {
            let text = "\(error)"
            #expect(text.contains("not several"))
            #expect(text.contains("expected a watch probe's fact"))
            #expect(text.contains("`revert` is not an action"))
        }
    }
}
