public import Foundation

/// When a deploy may start: a time of day on some week days, in an IANA time zone, for some
/// environments and deploy types (`windows:`). Where no window applies, any time is open.
public struct DeployWindow: Sendable {
    public var name: String
    /// Environments and types it governs; empty means every one.
    public var environments: [String]
    public var types: [String]
    public var timeZone: TimeZone
    /// Calendar week days, 1 (Sunday) to 7 (Saturday).
    public var days: Set<Int>
    /// Minutes after local midnight: open at `start`, closed from `end` on.
    public var start: Int
    public var end: Int
    /// How long a deploy takes, when the window says: a deploy that would not finish before the
    /// window closes does not start.
    public var runway: Double?
    public var location: SourceLocation?

    public init(
        name: String, environments: [String] = [], types: [String] = [], timeZone: TimeZone, days: Set<Int>,
        start: Int, end: Int, runway: Double? = nil, location: SourceLocation? = nil
    ) {
        self.name = name
        self.environments = environments
        self.types = types
        self.timeZone = timeZone
        self.days = days
        self.start = start
        self.end = end
        self.runway = runway
        self.location = location
    }

    public func governs(environment: String?, type: String?) -> Bool {
        (environments.isEmpty || environment.map(environments.contains) == true)
            && (types.isEmpty || type.map(types.contains) == true)
    }

    var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar
    }

    /// The opening that contains `date`, as instants (DST-correct: local times made into instants
    /// on that very day), or nil when `date` falls outside.
    public func opening(containing date: Date) -> DateInterval? {
        let calendar = calendar
        guard days.contains(calendar.component(.weekday, from: date)),
            let interval = Self.interval(on: date, from: start, to: end, calendar: calendar),
            interval.start <= date, date < interval.end
        else { return nil }
        return interval
    }

    /// The next opening that starts after `date`, looking two weeks ahead.
    public func nextOpening(after date: Date) -> DateInterval? {
        let calendar = calendar
        var day = calendar.startOfDay(for: date)
        for _ in 0..<15 {
            if days.contains(calendar.component(.weekday, from: day)),
                let interval = Self.interval(on: day, from: start, to: end, calendar: calendar), interval.start > date
            {
                return interval
            }
            guard let next = calendar.date(byAdding: .day, value: 1, to: day) else { return nil }
            day = next
        }
        return nil
    }

    static func interval(on day: Date, from start: Int, to end: Int, calendar: Calendar) -> DateInterval? {
        guard
            let opens = calendar.date(bySettingHour: start / 60, minute: start % 60, second: 0, of: day),
            let closes = end >= 24 * 60
                ? calendar.date(byAdding: .day, value: 1, to: calendar.startOfDay(for: day))
                : calendar.date(bySettingHour: end / 60, minute: end % 60, second: 0, of: day),
            opens < closes
        else { return nil }
        return DateInterval(start: opens, end: closes)
    }

    /// `mon-fri 10:00-16:00 America/Los_Angeles`.
    public var summary: String {
        "\(DeployCalendar.describe(days: days)) \(DeployCalendar.clock(start))-\(DeployCalendar.clock(end)) \(timeZone.identifier)"
    }
}

/// A stretch of days when deploys do not start (`freezes:`): once (`2026-11-26` to `2026-11-27`)
/// or every year (`12-20` to `01-02`, across the new year), whole local days in a time zone.
public struct DeployFreeze: Sendable {
    public struct MonthDay: Sendable, Hashable {
        public var month: Int
        public var day: Int

        public init(month: Int, day: Int) {
            self.month = month
            self.day = day
        }

        var key: Int { month * 100 + day }
    }

    public enum Span: Sendable, Hashable {
        /// Days as year, month, day; both ends included.
        case once(from: DateComponents, to: DateComponents)
        /// Month and day, every year, both ends included; `from` after `to` crosses the new year.
        case yearly(from: MonthDay, to: MonthDay)
    }

    public var name: String
    public var span: Span
    public var reason: String
    public var environments: [String]
    public var timeZone: TimeZone
    public var location: SourceLocation?

    public init(
        name: String, span: Span, reason: String, environments: [String] = [], timeZone: TimeZone,
        location: SourceLocation? = nil
    ) {
        self.name = name
        self.span = span
        self.reason = reason
        self.environments = environments
        self.timeZone = timeZone
        self.location = location
    }

    public func governs(environment: String?) -> Bool {
        environments.isEmpty || environment.map(environments.contains) == true
    }

    var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar
    }

    /// Whether the local day of `date` is frozen.
    public func covers(_ date: Date) -> Bool {
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        guard let year = parts.year, let month = parts.month, let day = parts.day else { return false }
        switch span {
        case .once(let from, let to):
            let key = [year, month, day]
            let first = [from.year ?? 0, from.month ?? 0, from.day ?? 0]
            let last = [to.year ?? 0, to.month ?? 0, to.day ?? 0]
            return !key.lexicographicallyPrecedes(first) && !last.lexicographicallyPrecedes(key)
        case .yearly(let from, let to):
            let key = MonthDay(month: month, day: day).key
            return from.key <= to.key ? (from.key...to.key).contains(key) : key >= from.key || key <= to.key
        }
    }

    /// The first instant after `date` that is not frozen (the start of the first free local day).
    public func thaw(after date: Date) -> Date {
        let calendar = calendar
        var day = calendar.startOfDay(for: date)
        for _ in 0..<400 {
            guard let next = calendar.date(byAdding: .day, value: 1, to: day) else { break }
            day = next
            if !covers(day) { return day }
        }
        return day
    }

    public var summary: String {
        switch span {
        case .once(let from, let to):
            "\(DeployCalendar.day(from)) to \(DeployCalendar.day(to)) \(timeZone.identifier)"
        case .yearly(let from, let to):
            "every \(DeployCalendar.monthDay(from)) to \(DeployCalendar.monthDay(to)) \(timeZone.identifier)"
        }
    }
}

/// A reason a deploy may not start now.
public struct PolicyBlock: Sendable, Hashable, Codable, CustomStringConvertible {
    public enum Rule: String, Sendable, Codable {
        case window, freeze, runway
        /// A freeze declared on the spot (`shipcheck freeze`): only `unfreeze` ends it early.
        case emergency = "emergency-freeze"
        /// The deploy's pre-deploy gate: none recorded for the commit, or the newest did not pass.
        case gate
        /// A gate item whose newest result for the commit failed.
        case failed
        /// A manual gate item whose sign-offs do not satisfy it.
        case signoffs = "sign-offs"
        /// Another deploy (or a person) holds the environment's deploy lock.
        case lock
    }

    public var rule: Rule
    public var message: String

    public init(_ rule: Rule, _ message: String) {
        self.rule = rule
        self.message = message
    }

    public var description: String { message }
}

/// A freeze declared on the spot (`shipcheck freeze --for 4h`), recorded in the run store: it
/// thaws by itself at `until`, or earlier when someone allowed to ends it.
public struct EmergencyFreeze: Sendable, Hashable, Codable {
    public var id: String
    public var environment: String
    public var reason: String
    public var declaredBy: String
    public var from: Date
    public var until: Date
    public var endedBy: String?
    /// How the people who declared and ended it were known.
    public var declaredVia: Identity.Source? = nil
    public var endedVia: Identity.Source? = nil

    public init(
        id: String, environment: String, reason: String, declaredBy: String, from: Date, until: Date,
        endedBy: String? = nil
    ) {
        self.id = id
        self.environment = environment
        self.reason = reason
        self.declaredBy = declaredBy
        self.from = from
        self.until = until
        self.endedBy = endedBy
    }

    public func holds(at date: Date) -> Bool { from <= date && date < until }
}

/// The windows and freezes together: whether a deploy of a type to an environment may start at a
/// given instant, and why not.
public struct DeployCalendar: Sendable {
    public var windows: [DeployWindow]
    public var freezes: [DeployFreeze]
    /// Freezes declared on the spot, from the run store.
    public var emergencies: [EmergencyFreeze] = []

    public init(windows: [DeployWindow] = [], freezes: [DeployFreeze] = []) {
        self.windows = windows
        self.freezes = freezes
    }

    /// What stands in the way of starting at `date`, in order: the window, freezes, the runway. The
    /// runway is the window's `runway:`, else `typicalDuration` (recent deploys' median). The runway
    /// is judged once nothing else blocks, or only rules in `overridden` do.
    public func blocks(
        at date: Date, environment: String?, type: String?, typicalDuration: Double? = nil,
        overridden: Set<PolicyBlock.Rule> = []
    ) -> [PolicyBlock] {
        var blocks: [PolicyBlock] = []
        let governing = windows.filter { $0.governs(environment: environment, type: type) }
        var closes: (window: DeployWindow, at: Date)?
        if !governing.isEmpty {
            let open = governing.compactMap { window in window.opening(containing: date).map { (window, $0.end) } }
            if let latest = open.max(by: { $0.1 < $1.1 }) {
                closes = (latest.0, latest.1)
            } else {
                let next = governing.compactMap { window in
                    window.nextOpening(after: date).map { (window: window, opening: $0) }
                }.min { $0.opening.start < $1.opening.start }
                var message =
                    "outside the deploy window: "
                    + governing.map { "`\($0.name)` (\($0.summary))" }.joined(separator: " or ")
                if let next {
                    message += "; it opens \(Self.local(next.opening.start, in: next.window.timeZone))"
                }
                blocks.append(PolicyBlock(.window, message))
            }
        }
        for emergency in emergencies where emergency.environment == environment && emergency.holds(at: date) {
            blocks.append(
                PolicyBlock(
                    .emergency,
                    "in an emergency freeze of \(emergency.environment) declared by \(emergency.declaredBy): \(emergency.reason); it thaws by itself \(Self.local(emergency.until, in: TimeZone(identifier: "UTC") ?? .current))"
                ))
        }
        let freezing = freezes.filter { $0.governs(environment: environment) }
        for freeze in freezing where freeze.covers(date) {
            blocks.append(
                PolicyBlock(
                    .freeze,
                    "in the freeze `\(freeze.name)` (\(freeze.summary)): \(freeze.reason); it thaws \(Self.local(freeze.thaw(after: date), in: freeze.timeZone))"
                ))
        }
        let expected = closes?.window.runway ?? typicalDuration
        if let expected, expected > 0, blocks.allSatisfy({ overridden.contains($0.rule) }) {
            let finish = date.addingTimeInterval(expected)
            if let closes, finish > closes.at {
                blocks.append(
                    PolicyBlock(
                        .runway,
                        "a deploy takes about \(Value.formatDuration(expected)) and the window `\(closes.window.name)` closes \(Self.local(closes.at, in: closes.window.timeZone)): it would not finish in time"
                    ))
            }
            // A freeze that starts before the deploy would end.
            for freeze in freezing where Self.frozenDay(freeze, between: date, and: finish) {
                blocks.append(
                    PolicyBlock(
                        .runway,
                        "a deploy takes about \(Value.formatDuration(expected)) and the freeze `\(freeze.name)` starts before it would finish: \(freeze.reason)"
                    ))
            }
        }
        return blocks
    }

    static func frozenDay(_ freeze: DeployFreeze, between start: Date, and end: Date) -> Bool {
        let calendar = freeze.calendar
        var day = calendar.startOfDay(for: start)
        while day <= end {
            if day > start, freeze.covers(day) { return true }
            guard let next = calendar.date(byAdding: .day, value: 1, to: day) else { return false }
            day = next
        }
        return false
    }

    // MARK: - Text

    static let dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]

    /// `mon-fri`, `sat,sun`, `every day`.
    static func describe(days: Set<Int>) -> String {
        let sorted = days.sorted()
        if sorted.count == 7 { return "every day" }
        if sorted.count > 2, let first = sorted.first, let last = sorted.last, last - first == sorted.count - 1 {
            return "\(dayNames[first - 1])-\(dayNames[last - 1])"
        }
        return sorted.map { dayNames[$0 - 1] }.joined(separator: ",")
    }

    static func clock(_ minutes: Int) -> String {
        String(format: "%02d:%02d", minutes / 60, minutes % 60)
    }

    static func day(_ parts: DateComponents) -> String {
        String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }

    static func monthDay(_ parts: DeployFreeze.MonthDay) -> String {
        String(format: "%02d-%02d", parts.month, parts.day)
    }

    /// `Tue 2026-03-10 10:00 -07:00`: local time with that day's offset from UTC (abbreviations
    /// such as PDT are not known on every platform).
    public static func local(_ date: Date, in zone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .weekday], from: date)
        let weekday = dayNames[(parts.weekday ?? 1) - 1].capitalized
        let offset = zone.secondsFromGMT(for: date)
        let sign = offset < 0 ? "-" : "+"
        return String(
            format: "%@ %04d-%02d-%02d %02d:%02d %@%02d:%02d", weekday, parts.year ?? 0, parts.month ?? 0,
            parts.day ?? 0, parts.hour ?? 0, parts.minute ?? 0, sign, abs(offset) / 3600, abs(offset) % 3600 / 60)
    }
}

extension DeployCalendar {
    /// Reads `2026-12-08T18:30` (in `zone`), `2026-12-08 18:30:00`, or with a zone: `…Z`, `…-08:00`.
    public static func parseTime(_ text: String, zone: TimeZone) -> Date? {
        let pattern = #"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?(Z|[+-]\d{2}:?\d{2})?$"#
        guard let regex = try? NSRegularExpression(pattern: pattern),
            let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text))
        else { return nil }
        func group(_ index: Int) -> String? {
            Range(match.range(at: index), in: text).map { String(text[$0]) }
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        if let suffix = group(7) {
            if suffix == "Z" {
                calendar.timeZone = TimeZone(identifier: "UTC") ?? zone
            } else {
                let digits = suffix.dropFirst().replacingOccurrences(of: ":", with: "")
                guard let hours = Int(digits.prefix(2)), let minutes = Int(digits.suffix(2)),
                    let offset = TimeZone(
                        secondsFromGMT: (suffix.hasPrefix("-") ? -1 : 1) * (hours * 3600 + minutes * 60))
                else { return nil }
                calendar.timeZone = offset
            }
        }
        let parts = DateComponents(
            year: group(1).flatMap { Int($0) }, month: group(2).flatMap { Int($0) }, day: group(3).flatMap { Int($0) },
            hour: group(4).flatMap { Int($0) }, minute: group(5).flatMap { Int($0) },
            second: group(6).flatMap { Int($0) } ?? 0)
        guard let month = parts.month, (1...12).contains(month), let day = parts.day, (1...31).contains(day),
            let hour = parts.hour, hour < 24, let minute = parts.minute, minute < 60, let second = parts.second,
            second < 60, let date = calendar.date(from: parts)
        else { return nil }
        // 2027-02-30 would roll over to March 2, and 02:30 on a spring-forward night to 03:30: a time
        // that does not exist is refused, never bent into another.
        let back = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        guard back.year == parts.year, back.month == month, back.day == day, back.hour == hour, back.minute == minute
        else { return nil }
        return date
    }
}
