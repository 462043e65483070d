public import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Timestamps in UTC written by hand: a `DateFormatter` or `ISO8601DateFormatter` starts ICU, which
/// cost a run more CPU than an item does.
public enum UTCTime {
    /// `20261207-154431`, for run ids.
    public static func compact(_ date: Date) -> String {
        let t = fields(date)
        return digits(t.year, 4) + digits(t.month, 2) + digits(t.day, 2) + "-" + digits(t.hour, 2)
            + digits(t.minute, 2) + digits(t.second, 2)
    }

    /// `2026-12-07T15:44:31Z`, as `ISO8601DateFormatter` writes it by default.
    public static func iso8601(_ date: Date) -> String {
        let t = fields(date)
        return digits(t.year, 4) + "-" + digits(t.month, 2) + "-" + digits(t.day, 2) + "T" + digits(t.hour, 2) + ":"
            + digits(t.minute, 2) + ":" + digits(t.second, 2) + "Z"
    }

    static func fields(_ date: Date) -> (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return (
            Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday), Int(parts.tm_hour),
            Int(parts.tm_min), Int(parts.tm_sec)
        )
    }

    static func digits(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}
