import Foundation

/// `timezone:`, `windows:` and `freezes:`: read after every file, when the environments and
/// types they name are all known.
extension LoadState {
    func readTimeZone(_ node: ConfigNode) -> TimeZone? {
        guard let name = node.string(expected: "an IANA time zone such as America/Los_Angeles") else { return nil }
        // Only IANA names: an abbreviation (PST) or an offset would not follow daylight saving time.
        guard name == "UTC" || name.contains("/"), let zone = TimeZone(identifier: name) else {
            node.report(
                "unknown time zone `\(name)`; expected an IANA name such as America/Los_Angeles or Europe/Berlin (or UTC)"
            )
            return nil
        }
        return zone
    }

    func readCalendar() -> DeployCalendar {
        var calendar = DeployCalendar()
        for node in pendingWindows {
            if let window = readWindow(node) {
                for other in calendar.windows {
                    if let overlap = Self.overlap(window, other) {
                        node.report(
                            "window `\(window.name)` overlaps window `\(other.name)`\(other.location.map { " (\($0))" } ?? "") \(overlap); make them disjoint or merge them"
                        )
                    }
                }
                calendar.windows.append(window)
            }
        }
        for node in pendingFreezes {
            if let freeze = readFreeze(node) { calendar.freezes.append(freeze) }
        }
        return calendar
    }

    /// Names from `env:` or `type:`, each one declared.
    func declaredNames(_ node: ConfigNode?, among declared: [String], what: String, section: String) -> [String]? {
        guard let node else { return [] }
        guard let names = node.strings(expected: "a name or a list of names") else { return nil }
        for name in names where !declared.contains(name) {
            let hint = Suggestions.closest(to: name, in: declared).map { "; did you mean `\($0)`?" } ?? ""
            node.report("`\(name)` is not \(what) declared under `\(section):`\(hint)")
            return nil
        }
        return names
    }

    func readWindow(_ node: ConfigNode) -> DeployWindow? {
        guard let fields = node.fields(allowed: ConfigSchema.windowParameters.map(\.name)) else { return nil }
        guard let name = fields["name"]?.string() else {
            if fields["name"] == nil { node.report("a window needs a `name:`, used in messages") }
            return nil
        }
        let environmentNames = declaredNames(
            fields["env"], among: environments.keys.sorted(), what: "an environment", section: "environments")
        let typeNames = declaredNames(
            fields["type"], among: deployTypes.keys.sorted(), what: "a type", section: "types")
        let zone = fields["timezone"].map(readTimeZone) ?? defaultTimeZone
        let days = fields["days"].map(readDays) ?? Set(1...7)
        guard let hoursNode = fields["hours"] else {
            node.report("a window needs `hours:`, e.g. `hours: \"10:00-16:00\"`")
            return nil
        }
        let hours = readHours(hoursNode)
        let runway = fields["runway"]?.duration()
        guard let environmentNames, let typeNames, let zone, let days, let hours else { return nil }
        return DeployWindow(
            name: name, environments: environmentNames, types: typeNames, timeZone: zone, days: days,
            start: hours.start, end: hours.end, runway: runway, location: node.location)
    }

    static let dayNumbers = ["sun": 1, "mon": 2, "tue": 3, "wed": 4, "thu": 5, "fri": 6, "sat": 7]

    /// `mon-fri`, `mon,wed`, `[mon, tue]`, `every day`.
    func readDays(_ node: ConfigNode) -> Set<Int>? {
        guard let entries = node.strings(expected: "week days such as mon-fri or [mon, wed, fri]") else { return nil }
        var days = Set<Int>()
        for entry in entries.flatMap({ $0.split(separator: ",") }) {
            let text = entry.trimmingCharacters(in: .whitespaces).lowercased()
            if text == "every day" || text == "daily" {
                days.formUnion(1...7)
                continue
            }
            let ends = text.split(separator: "-").map { String($0.prefix(3)) }
            guard (1...2).contains(ends.count), let first = Self.dayNumbers[ends[0]],
                let last = Self.dayNumbers[ends[ends.count - 1]]
            else {
                node.report("`\(text)` is not a week day or a range of them; expected e.g. mon-fri, sat, sun")
                return nil
            }
            // mon-fri, or a range across the week's end such as fri-mon.
            var day = first
            days.insert(day)
            while day != last {
                day = day % 7 + 1
                days.insert(day)
            }
        }
        return days
    }

    /// `10:00-16:00`, end excluded; `24:00` ends at midnight.
    func readHours(_ node: ConfigNode) -> (start: Int, end: Int)? {
        guard let text = node.string(expected: "local hours such as \"10:00-16:00\"") else { return nil }
        let ends = text.split(separator: "-").map { $0.trimmingCharacters(in: .whitespaces) }
        func minutes(_ clock: String) -> Int? {
            let parts = clock.split(separator: ":")
            guard parts.count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]), (0...24).contains(hour),
                (0...59).contains(minute), hour * 60 + minute <= 24 * 60
            else { return nil }
            return hour * 60 + minute
        }
        guard ends.count == 2, let start = minutes(ends[0]), let end = minutes(ends[1]) else {
            node.report("expected local hours as HH:MM-HH:MM, e.g. \"10:00-16:00\", got `\(text)`")
            return nil
        }
        guard start < end else {
            node.report(
                "the window `\(text)` ends before it starts; hours run from start to end on the same day (a window across midnight is two windows: 22:00-24:00 and 00:00-02:00)"
            )
            return nil
        }
        return (start, end)
    }

    /// Where two windows govern the same deploys at the same local time, described; nil when they
    /// never do. Windows in different time zones are compared only when their zones agree.
    static func overlap(_ one: DeployWindow, _ other: DeployWindow) -> String? {
        func shared(_ a: [String], _ b: [String]) -> [String]? {
            if a.isEmpty { return b }
            if b.isEmpty { return a }
            let common = a.filter(b.contains)
            return common.isEmpty ? nil : common
        }
        guard one.timeZone.identifier == other.timeZone.identifier,
            let environments = shared(one.environments, other.environments),
            let types = shared(one.types, other.types)
        else { return nil }
        let days = one.days.intersection(other.days)
        let start = max(one.start, other.start)
        let end = min(one.end, other.end)
        guard !days.isEmpty, start < end else { return nil }
        let scope = [
            environments.isEmpty ? nil : environments.joined(separator: ","),
            types.isEmpty ? nil : types.joined(separator: ","),
        ].compactMap { $0 }
        return "for \(scope.isEmpty ? "every deploy" : scope.joined(separator: " "))"
            + " on \(DeployCalendar.describe(days: days)) \(DeployCalendar.clock(start))-\(DeployCalendar.clock(end))"
    }

    func readFreeze(_ node: ConfigNode) -> DeployFreeze? {
        guard let fields = node.fields(allowed: ConfigSchema.freezeParameters.map(\.name)) else { return nil }
        for key in ["name", "from", "to", "reason"] where fields[key] == nil {
            node.report("a freeze needs `\(key):`" + (key == "reason" ? ", shown to whoever tries to deploy" : ""))
            return nil
        }
        let environmentNames = declaredNames(
            fields["env"], among: environments.keys.sorted(), what: "an environment", section: "environments")
        let zone = fields["timezone"].map(readTimeZone) ?? defaultTimeZone
        guard let name = fields["name"]?.string(), let reason = fields["reason"]?.string(),
            let fromNode = fields["from"], let toNode = fields["to"], let from = fromNode.string(),
            let to = toNode.string(),
            let environmentNames, let zone
        else { return nil }
        func numbers(_ text: String) -> [Int]? {
            let parts = text.split(separator: "-", omittingEmptySubsequences: false).compactMap { Int($0) }
            guard (2...3).contains(parts.count), parts.count == text.split(separator: "-").count else { return nil }
            return parts
        }
        func valid(_ parts: [Int]) -> Bool {
            let month = parts[parts.count - 2]
            let day = parts[parts.count - 1]
            return (1...12).contains(month) && (1...31).contains(day)
        }
        guard let first = numbers(from), valid(first) else {
            fromNode.report("expected a day as YYYY-MM-DD (once) or MM-DD (every year), got `\(from)`")
            return nil
        }
        guard let last = numbers(to), valid(last), last.count == first.count else {
            toNode.report(
                "expected a day in the same form as `from` (\(first.count == 3 ? "YYYY-MM-DD" : "MM-DD")), got `\(to)`")
            return nil
        }
        let span: DeployFreeze.Span
        if first.count == 3 {
            guard !last.lexicographicallyPrecedes(first) else {
                toNode.report("the freeze ends (\(to)) before it starts (\(from))")
                return nil
            }
            span = .once(
                from: DateComponents(year: first[0], month: first[1], day: first[2]),
                to: DateComponents(year: last[0], month: last[1], day: last[2]))
        } else {
            // Every year; a `from` after `to` crosses the new year (12-20 to 01-02).
            span = .yearly(
                from: DeployFreeze.MonthDay(month: first[0], day: first[1]),
                to: DeployFreeze.MonthDay(month: last[0], day: last[1]))
        }
        return DeployFreeze(
            name: name, span: span, reason: reason, environments: environmentNames, timeZone: zone,
            location: node.location)
    }
}
