public import Foundation

/// One sample of the watch probes: their facts under the probe's id (`health.status`), and the
/// probes that could not be measured, with why.
public struct WatchSample: Sendable, Codable, Hashable {
    public var at: Date
    public var facts: Facts
    public var unmeasured: [String: String]

    public init(at: Date, facts: Facts = [:], unmeasured: [String: String] = [:]) {
        self.at = at
        self.facts = facts
        self.unmeasured = unmeasured
    }
}

/// A trigger that fired on a sample, and why.
public struct TriggerFiring: Sendable {
    public var trigger: RollbackTrigger
    public var reason: String
    /// The test behind an `above-baseline` firing.
    public var judgement: MannWhitney.Result?
}

/// Judges the watch's samples with the triggers, one sample at a time: absolute conditions on each
/// sample (the baseline's medians are readable as `baseline.PROBE.FACT`), `above-baseline` growth
/// with a one-sided Mann-Whitney U test over the latest samples against the baseline's, and a probe
/// that cannot be measured tolerated for `tolerate` samples in a row, then counted as failing.
public struct WatchJudge: Sendable {
    public let triggers: [RollbackTrigger]
    public let settings: WatchSettings
    public let baseline: [WatchSample]
    public private(set) var samples: [WatchSample] = []
    /// What could not be judged and was left alone (a trigger that reads a baseline the service did
    /// not have), said once each.
    public private(set) var notes: [String] = []
    private let baselineFacts: Facts
    private var misses: [String: Int] = [:]
    private var unjudged: [String: Int] = [:]

    public init(triggers: [RollbackTrigger], settings: WatchSettings, baseline: [WatchSample]) {
        self.triggers = triggers.filter(\.isWatched)
        self.settings = settings
        self.baseline = baseline
        self.baselineFacts = Self.medians(of: baseline)
    }

    /// The median of each numeric fact over the samples, as `baseline.PROBE.FACT`.
    static func medians(of samples: [WatchSample]) -> Facts {
        var series: [String: [Value]] = [:]
        for sample in samples {
            for (path, value) in sample.facts where value.measure != nil { series[path, default: []].append(value) }
        }
        var facts: Facts = [:]
        for (path, values) in series {
            let sorted = values.compactMap(\.measure).sorted()
            let middle = sorted.count / 2
            let median = sorted.count.isMultiple(of: 2) ? (sorted[middle - 1] + sorted[middle]) / 2 : sorted[middle]
            if case .duration = values[0] {
                facts["baseline." + path] = .duration(median)
            } else {
                facts["baseline." + path] = .number(median)
            }
        }
        return facts
    }

    /// Judges one more sample: the triggers that fire on it.
    public mutating func judge(_ sample: WatchSample) -> [TriggerFiring] {
        samples.append(sample)
        for probe in Set(misses.keys).union(sample.unmeasured.keys) {
            misses[probe] = sample.unmeasured[probe] == nil ? 0 : (misses[probe] ?? 0) + 1
        }
        var fired: [TriggerFiring] = []
        for trigger in triggers {
            // A probe that could not answer: tolerated for a while, then the trigger counts it as failing.
            let missing = trigger.probes.filter { sample.unmeasured[$0] != nil }.sorted()
            if !missing.isEmpty {
                if let probe = missing.first(where: { (misses[$0] ?? 0) > settings.tolerate }) {
                    fired.append(
                        TriggerFiring(
                            trigger: trigger,
                            reason:
                                "`\(probe)` could not be measured \(misses[probe] ?? 0) samples in a row (\(settings.tolerate) tolerated): \(sample.unmeasured[probe] ?? "")"
                        ))
                }
                continue
            }
            let firing: TriggerFiring?
            do {
                firing = try judge(trigger, sample)
                unjudged[trigger.title] = 0
            } catch {
                let count = (unjudged[trigger.title] ?? 0) + 1
                unjudged[trigger.title] = count
                firing =
                    count > settings.tolerate
                    ? TriggerFiring(
                        trigger: trigger,
                        reason:
                            "could not be judged \(count) samples in a row (\(settings.tolerate) tolerated): \(error)")
                    : nil
            }
            if let firing { fired.append(firing) }
        }
        return fired
    }

    private mutating func note(_ text: String) {
        if !notes.contains(text) { notes.append(text) }
    }

    private mutating func judge(_ trigger: RollbackTrigger, _ sample: WatchSample) throws(EvaluationError)
        -> TriggerFiring?
    {
        if let condition = trigger.condition {
            let scope = Scope(facts: sample.facts.merging(baselineFacts) { current, _ in current })
            do {
                guard try condition.truth(in: scope) else { return nil }
            } catch {
                if let missing = error.missingFact, missing.hasPrefix("baseline.") {
                    note("\(trigger.label): not judged, the baseline has no `\(missing.dropFirst(9))`")
                    return nil
                }
                throw error
            }
            let values = Set(condition.factPaths).sorted().compactMap { path in
                scope.facts[path].map { "\(path) = \($0)" }
            }
            return TriggerFiring(
                trigger: trigger,
                reason: "\(condition)" + (values.isEmpty ? "" : " (\(values.joined(separator: ", ")))"))
        }
        guard let above = trigger.aboveBaseline else { return nil }
        let before = baseline.compactMap { $0.facts[above.fact]?.measure }
        guard !before.isEmpty else {
            note("\(trigger.label): not judged, the baseline has no `\(above.fact)`")
            return nil
        }
        let window = max(settings.minimumSamples, baseline.count)
        let during = samples.suffix(window).compactMap { $0.facts[above.fact]?.measure }
        guard sample.facts[above.fact] != nil else {
            throw EvaluationError(message: "fact `\(above.fact)` is missing", missingFact: above.fact)
        }
        guard during.count >= settings.minimumSamples else { return nil }
        let grown = before.map { $0 * (1 + above.by) }
        guard let result = MannWhitney.test(during, grown, alternative: .greater),
            result.pValue < 1 - settings.confidence
        else { return nil }
        let medianBefore = Self.median(before)
        let medianDuring = Self.median(during)
        let change = medianBefore > 0 ? " (\(Self.signed((medianDuring / medianBefore - 1) * 100))%)" : ""
        let unit: (Double) -> String =
            if case .duration = sample.facts[above.fact] { { Value.formatDuration($0) } } else {
                { Value.number($0).description }
            }
        return TriggerFiring(
            trigger: trigger,
            reason:
                "\(above.fact): median \(unit(medianDuring)) over the last \(during.count) samples against \(unit(medianBefore)) before\(change), judged above the baseline +\(Value.number(above.by * 100))% (Mann-Whitney U = \(Value.number(result.statistic)), p = \(Self.precise(result.pValue)), effect \(Self.precise(result.effect)), confidence \(Value.number(settings.confidence * 100))%)",
            judgement: result)
    }

    /// The baseline's medians of the facts the triggers read: `health.latency.p50 12ms, …`.
    public var baselineSummary: String {
        let read = Set(
            triggers.flatMap { trigger in
                (trigger.condition?.factPaths ?? []) + (trigger.aboveBaseline.map { [$0.fact] } ?? [])
            }.map { $0.hasPrefix("baseline.") ? String($0.dropFirst(9)) : $0 })
        return read.sorted().compactMap { path in baselineFacts["baseline." + path].map { "\(path) \($0)" } }
            .joined(separator: ", ")
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count.isMultiple(of: 2) ? (sorted[middle - 1] + sorted[middle]) / 2 : sorted[middle]
    }

    static func signed(_ percent: Double) -> String {
        (percent >= 0 ? "+" : "") + String(format: "%.0f", percent)
    }

    static func precise(_ value: Double) -> String { String(format: "%.4g", value) }
}

extension Value {
    /// A number or a duration (in seconds), as a number to compare; nil for anything else.
    public var measure: Double? {
        switch self {
        case .number(let number): number
        case .duration(let seconds): seconds
        default: nil
        }
    }
}
