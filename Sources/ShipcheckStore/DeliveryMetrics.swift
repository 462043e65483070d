public import Foundation

/// The four delivery figures (DORA's) and the gate's own, from recorded runs. The definitions live
/// here and in docs/metrics.md, nowhere else:
///
/// - A **deploy** is a finished run of the `deploy` phase (an interrupted one is not a deploy). It
///   **succeeded** when its verdict is `passed`.
/// - A deploy was **rolled back** when a passing `rollback` run in the same environment started
///   after it finished and before the next deploy there started.
/// - **Deployment frequency**: successful deploys per week over the window.
/// - **Lead time for changes**: for each successful deploy that was not rolled back and knows its
///   commit's time, deploy finish minus commit time; the median.
/// - **Change failure rate**: deploys that failed or were rolled back, divided by all deploys (not
///   by changes).
/// - **Time to restore**: for each failed or rolled-back deploy, from its finish to the first
///   successful deploy or passing rollback after it in the same environment; the median over those
///   restored (ones not yet restored are counted apart).
/// - **Stopped by the gate**: `pre-deploy` runs whose verdict was `failed`: a bad deploy refused.
public struct DeliveryMetrics: Sendable, Codable, Hashable {
    public struct Run: Sendable, Hashable {
        public var phase: String
        public var environment: String?
        public var startedAt: Date
        public var finishedAt: Date?
        public var verdict: String?
        public var commitTime: Date?

        public init(
            phase: String, environment: String?, startedAt: Date, finishedAt: Date?, verdict: String?,
            commitTime: Date?
        ) {
            self.phase = phase
            self.environment = environment
            self.startedAt = startedAt
            self.finishedAt = finishedAt
            self.verdict = verdict
            self.commitTime = commitTime
        }
    }

    public struct Week: Sendable, Codable, Hashable {
        /// Monday 00:00 UTC.
        public var start: Date
        public var deploys: Int
        public var successfulDeploys: Int
        public var failedOrRolledBack: Int
        public var stoppedByGate: Int
    }

    public var since: Date
    public var until: Date
    public var environment: String?
    public var deploys: Int
    public var successfulDeploys: Int
    public var failedOrRolledBack: Int
    public var deploysPerWeek: Double
    /// Seconds; nil without a successful deploy that knows its commit's time.
    public var leadTimeMedian: Double?
    /// Between 0 and 1; nil without deploys.
    public var changeFailureRate: Double?
    /// Seconds; nil when nothing was restored.
    public var timeToRestoreMedian: Double?
    public var notRestored: Int
    public var stoppedByGate: Int
    public var weeks: [Week]
    /// What `shipcheck deploy` recorded of its rollbacks: nil without deployments in the window.
    public var rollbacks: Rollbacks? = nil

    /// Rollbacks as deployments recorded them: how they started, whether the service came back, and
    /// the time from the trigger (or failed step) to the service answering again.
    public struct Rollbacks: Sendable, Codable, Hashable {
        public var deployments: Int
        public var automatic: Int
        public var byHand: Int
        public var restored: Int
        public var notRestored: Int
        /// Seconds, trigger to the service verified back; nil when none was restored.
        public var timeToRecoverMedian: Double?

        /// From the deployments started in the window (of one environment when given).
        public static func of(_ deployments: [Deployment], since: Date, until: Date, environment: String?) -> Rollbacks?
        {
            let inWindow = deployments.filter {
                $0.startedAt >= since && $0.startedAt <= until && (environment == nil || $0.environment == environment)
            }
            guard !inWindow.isEmpty else { return nil }
            let rollbacks = inWindow.compactMap(\.rollback)
            let recovered = rollbacks.filter { $0.restored == true }
            return Rollbacks(
                deployments: inWindow.count, automatic: rollbacks.filter(\.automatic).count,
                byHand: rollbacks.filter { !$0.automatic }.count, restored: recovered.count,
                notRestored: rollbacks.count - recovered.count,
                timeToRecoverMedian: DeliveryMetrics.median(
                    recovered.compactMap { rollback in
                        rollback.finishedAt.map { $0.timeIntervalSince(rollback.startedAt) }
                    }
                ))
        }
    }

    public static func compute(_ runs: [Run], since: Date, until: Date, environment: String?) -> DeliveryMetrics {
        // One pass sorts the runs into what each figure reads.
        var deploys: [Run] = []
        var rollbacks: [Run] = []
        var stopped: [Date] = []
        for run in runs
        where run.startedAt >= since && run.startedAt <= until
            && (environment == nil || run.environment == environment)
        {
            switch run.phase {
            case "deploy" where run.finishedAt != nil && run.verdict != "interrupted": deploys.append(run)
            case "rollback" where run.finishedAt != nil && run.verdict == "passed": rollbacks.append(run)
            case "pre-deploy" where run.verdict == "failed": stopped.append(run.startedAt)
            default: break
            }
        }
        deploys.sort { ($0.finishedAt ?? $0.startedAt) < ($1.finishedAt ?? $1.startedAt) }

        // Per environment, in time order, so that "the next deploy" and "the first rollback after" are
        // found by index and binary search.
        let deployIndices = Dictionary(grouping: deploys.indices, by: { deploys[$0].environment ?? "" })
        let rollbacksByEnvironment = Dictionary(grouping: rollbacks, by: { $0.environment ?? "" }).mapValues {
            $0.sorted { $0.startedAt < $1.startedAt }
        }
        var isBad = [Bool](repeating: false, count: deploys.count)
        var restoreTimes: [Double] = []
        var notRestored = 0
        for (environmentName, indices) in deployIndices {
            let rollbacksHere = rollbacksByEnvironment[environmentName] ?? []
            // Earliest finish of a passing rollback started at or after each index.
            var earliestFinish = [Date](repeating: .distantFuture, count: rollbacksHere.count + 1)
            for index in rollbacksHere.indices.reversed() {
                earliestFinish[index] = min(
                    rollbacksHere[index].finishedAt ?? .distantFuture, earliestFinish[index + 1])
            }
            // Earliest finish of a successful deploy at or after each position.
            var nextSuccess = [Date](repeating: .distantFuture, count: indices.count + 1)
            for position in indices.indices.reversed() {
                let deploy = deploys[indices[position]]
                nextSuccess[position] =
                    deploy.verdict == "passed"
                    ? min(deploy.finishedAt ?? .distantFuture, nextSuccess[position + 1]) : nextSuccess[position + 1]
            }
            for (position, index) in indices.enumerated() {
                let deploy = deploys[index]
                let end = deploy.finishedAt ?? deploy.startedAt
                let limit = position + 1 < indices.count ? deploys[indices[position + 1]].startedAt : .distantFuture
                let firstRollback = Self.firstIndex(in: rollbacksHere) { $0.startedAt > end }
                let rolledBack = firstRollback < rollbacksHere.count && rollbacksHere[firstRollback].startedAt < limit
                guard deploy.verdict != "passed" || rolledBack else { continue }
                isBad[index] = true
                let restored = min(earliestFinish[firstRollback], nextSuccess[position + 1])
                if restored < .distantFuture {
                    restoreTimes.append(restored.timeIntervalSince(end))
                } else {
                    notRestored += 1
                }
            }
        }
        var successful = 0
        var bad = 0
        var leadTimes: [Double] = []
        // Weeks by index from the window's first Monday: arithmetic, no lookup per run.
        let starts = weekStarts(from: since, to: until)
        var weeks = starts.map {
            Week(start: $0, deploys: 0, successfulDeploys: 0, failedOrRolledBack: 0, stoppedByGate: 0)
        }
        func week(_ date: Date) -> Int? {
            guard let first = starts.first else { return nil }
            let index = Int((weekStart(date).timeIntervalSince(first) / (7 * 86_400)).rounded())
            return weeks.indices.contains(index) ? index : nil
        }
        for (index, deploy) in deploys.enumerated() {
            let week = week(deploy.startedAt)
            if let week { weeks[week].deploys += 1 }
            if deploy.verdict == "passed" {
                successful += 1
                if let week { weeks[week].successfulDeploys += 1 }
            }
            if isBad[index] {
                bad += 1
                if let week { weeks[week].failedOrRolledBack += 1 }
            } else if let commit = deploy.commitTime, let end = deploy.finishedAt {
                leadTimes.append(end.timeIntervalSince(commit))
            }
        }
        for startedAt in stopped {
            if let week = week(startedAt) { weeks[week].stoppedByGate += 1 }
        }
        let weeksInWindow = max(until.timeIntervalSince(since) / (7 * 86_400), 1.0 / 7)
        return DeliveryMetrics(
            since: since, until: until, environment: environment, deploys: deploys.count,
            successfulDeploys: successful, failedOrRolledBack: bad,
            deploysPerWeek: Double(successful) / weeksInWindow, leadTimeMedian: median(leadTimes),
            changeFailureRate: deploys.isEmpty ? nil : Double(bad) / Double(deploys.count),
            timeToRestoreMedian: median(restoreTimes), notRestored: notRestored, stoppedByGate: stopped.count,
            weeks: weeks)
    }

    /// The first index whose element satisfies `isAfter`, in a list where it holds from some index on.
    static func firstIndex(in runs: [Run], where isAfter: (Run) -> Bool) -> Int {
        var low = 0
        var high = runs.count
        while low < high {
            let middle = (low + high) / 2
            if isAfter(runs[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }

    static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count.isMultiple(of: 2) ? (sorted[middle - 1] + sorted[middle]) / 2 : sorted[middle]
    }

    /// The Monday 00:00 UTC that starts the week of `date` (1970-01-05 was a Monday). Arithmetic,
    /// not a calendar: it runs once per deploy.
    static func weekStart(_ date: Date) -> Date {
        let monday = 4 * 86_400.0
        let week = 7 * 86_400.0
        return Date(
            timeIntervalSince1970: ((date.timeIntervalSince1970 - monday) / week).rounded(.down) * week + monday)
    }

    static func weekStarts(from since: Date, to until: Date) -> [Date] {
        var starts: [Date] = []
        var start = weekStart(since)
        while start <= until, starts.count < 10_000 {
            starts.append(start)
            start = start.addingTimeInterval(7 * 86_400)
        }
        return starts
    }
}
