import Histogram
import ShipcheckCore

enum LatencyFacts {
    /// `latency.p50/p90/p95/p99/max` from seconds, through an HdrHistogram at microsecond resolution
    /// (enough for loopback) with an hour of range.
    static func percentiles(_ latencies: [Double]) -> Facts {
        var histogram = Histogram<UInt64>(highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
        for latency in latencies { _ = histogram.record(UInt64(max(1, min(latency * 1e6, 3.6e9)))) }
        var facts: Facts = [:]
        for (label, percentile) in [("p50", 50.0), ("p90", 90.0), ("p95", 95.0), ("p99", 99.0)] {
            facts["latency." + label] = .duration(Double(histogram.valueAtPercentile(percentile)) / 1e6)
        }
        facts["latency.max"] = .duration(Double(histogram.max) / 1e6)
        return facts
    }
}
