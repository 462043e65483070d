import Foundation
import Testing

@testable import ShipcheckCore

/// Deploy windows and freezes on fixed instants: window edges, both daylight saving changes in
/// America/Los_Angeles, freezes across the new year, the runway, and configuration errors.
@Suite struct DeployCalendarTests {
    static let config = """
        version: 1
        timezone: America/Los_Angeles
        environments: { staging: {}, production: {} }
        types: { standard: {}, hotfix: {} }
        windows:
          - name: business-hours
            env: production
            type: standard
            days: mon-fri
            hours: "10:00-16:00"
            runway: 45m
        freezes:
          - name: year-end
            from: 12-20
            to: 01-02
            reason: Holidays, nobody on call
            env: production
          - name: launch
            from: 2026-06-10
            to: 2026-06-11
            reason: Product launch
        phases:
          pre-deploy:
            items:
              - { id: a, title: A, manual: true }
        """

    static let calendar = try! Fixtures.load(config).calendar

    /// An instant from UTC text.
    static func utc(_ text: String) -> Date {
        DeployCalendar.parseTime(text + "Z", zone: TimeZone(identifier: "UTC")!)!
    }

    static func rules(_ date: Date, env: String = "production", type: String = "standard", typical: Double? = nil)
        -> [PolicyBlock.Rule]
    {
        calendar.blocks(at: date, environment: env, type: type, typicalDuration: typical).map(\.rule)
    }

    @Test func theWindowOpensAtTenAndClosesAtFourLocal() {
        // Tuesday 2026-12-08, PST (UTC-8): 10:00 is 18:00 UTC, 16:00 is 00:00 UTC the next day.
        #expect(Self.rules(Self.utc("2026-12-08T17:59:59")) == [.window])
        #expect(Self.rules(Self.utc("2026-12-08T18:00:00")) == [])
        #expect(Self.rules(Self.utc("2026-12-08T23:14:00")) == [])
        #expect(Self.rules(Self.utc("2026-12-08T23:59:59")) == [.runway], "45 minutes do not fit before 16:00")
        #expect(Self.rules(Self.utc("2026-12-09T00:00:00")) == [.window])
        // Saturday, and another environment or type the window does not govern.
        #expect(Self.rules(Self.utc("2026-12-12T19:00:00")) == [.window])
        #expect(Self.rules(Self.utc("2026-12-12T19:00:00"), env: "staging") == [])
        #expect(Self.rules(Self.utc("2026-12-08T07:00:00"), type: "hotfix") == [])
    }

    @Test func theMessageNamesTheWindowAndWhenItOpens() throws {
        let block = try #require(
            Self.calendar.blocks(at: Self.utc("2026-12-09T02:30:00"), environment: "production", type: "standard")
                .first)
        #expect(block.message.contains("`business-hours` (mon-fri 10:00-16:00 America/Los_Angeles)"), "\(block)")
        #expect(block.message.contains("it opens Wed 2026-12-09 10:00 -08:00"), "\(block)")
    }

    @Test func theWindowFollowsDaylightSavingTime() {
        // Spring forward on Sunday 2026-03-08: 10:00 is 18:00 UTC on Friday, 17:00 UTC on Monday.
        #expect(Self.rules(Self.utc("2026-03-06T17:30:00")) == [.window])
        #expect(Self.rules(Self.utc("2026-03-06T18:00:00")) == [])
        #expect(Self.rules(Self.utc("2026-03-09T17:00:00")) == [])
        #expect(Self.rules(Self.utc("2026-03-09T22:14:00")) == [], "15:14 PDT: 45 minutes fit")
        #expect(Self.rules(Self.utc("2026-03-09T23:00:00")) == [.window], "16:00 PDT is 23:00 UTC")
        // Fall back on Sunday 2026-11-01: 10:00 is 17:00 UTC on Friday, 18:00 UTC on Monday.
        #expect(Self.rules(Self.utc("2026-10-30T17:00:00")) == [])
        #expect(Self.rules(Self.utc("2026-11-02T17:30:00")) == [.window])
        #expect(Self.rules(Self.utc("2026-11-02T18:00:00")) == [])
    }

    @Test func aWindowAcrossTheChangeItselfIsAsLongAsTheDayMakesIt() throws {
        let zone = try #require(TimeZone(identifier: "America/Los_Angeles"))
        let night = DeployWindow(name: "night", timeZone: zone, days: [1], start: 60, end: 180)
        // 2026-03-08 01:00 PST is 09:00 UTC; 03:00 PDT is 10:00 UTC: one hour.
        let opening = try #require(night.opening(containing: Self.utc("2026-03-08T09:30:00")))
        #expect(Int(opening.duration) == 3600)
        #expect(night.opening(containing: Self.utc("2026-03-08T10:00:00")) == nil)
        // 2026-11-01 01:00 PDT is 08:00 UTC; 03:00 PST is 11:00 UTC: three hours.
        #expect(night.opening(containing: Self.utc("2026-11-01T10:30:00")).map { Int($0.duration) } == 3 * 3600)
    }

    @Test func aYearlyFreezeCrossesTheNewYear() {
        // Local midnight in PST is 08:00 UTC.
        #expect(Self.rules(Self.utc("2026-12-18T19:00:00")) == [])
        #expect(Self.rules(Self.utc("2026-12-21T18:00:00")) == [.freeze])
        #expect(Self.rules(Self.utc("2027-01-01T20:00:00"), env: "production", type: "hotfix") == [.freeze])
        #expect(Self.rules(Self.utc("2027-01-03T07:59:59"), type: "hotfix") == [.freeze], "Jan 2, 23:59 local")
        #expect(Self.rules(Self.utc("2027-01-04T18:00:00")) == [])
        #expect(Self.rules(Self.utc("2026-12-21T18:00:00"), env: "staging") == [], "only production freezes")
        let freeze = Self.calendar.freezes[0]
        // Local midnight starting December 20 (PST) is 08:00 UTC.
        #expect(!freeze.covers(Self.utc("2026-12-20T07:59:59")))
        #expect(freeze.covers(Self.utc("2026-12-20T08:00:00")))
        #expect(freeze.thaw(after: Self.utc("2026-12-25T12:00:00")) == Self.utc("2027-01-03T08:00:00"))
    }

    @Test func aOneOffFreezeHoldsItsDaysInEveryEnvironment() {
        #expect(Self.rules(Self.utc("2026-06-10T18:00:00"), env: "staging") == [.freeze])
        // June 11 ends at 07:00 UTC the next day (PDT, UTC-7).
        #expect(Self.rules(Self.utc("2026-06-12T06:59:00"), env: "staging") == [.freeze])
        #expect(Self.rules(Self.utc("2026-06-12T07:00:00"), env: "staging") == [])
    }

    @Test func theRunwayRefusesADeployThatWouldNotFinish() {
        // The window's runway is 45 minutes: at 15:15 local it would end at 16:00, too late.
        #expect(Self.rules(Self.utc("2026-12-08T23:14:00")) == [])
        #expect(Self.rules(Self.utc("2026-12-08T23:15:01")) == [.runway])
        // Without a window (staging), a typical duration that runs into a freeze.
        #expect(Self.rules(Self.utc("2026-06-10T06:00:00"), env: "staging", typical: 3 * 3600) == [.runway])
        #expect(Self.rules(Self.utc("2026-06-10T06:00:00"), env: "staging", typical: 1800) == [])
    }

    @Test func anEmergencyFreezeThawsByItself() {
        var calendar = Self.calendar
        let declared = Self.utc("2026-12-08T19:00:00")
        calendar.emergencies = [
            EmergencyFreeze(
                id: "f1", environment: "production", reason: "incident #123", declaredBy: "grace@mina.com",
                from: declared, until: declared.addingTimeInterval(4 * 3600))
        ]
        func rules(_ date: Date, env: String = "production") -> [PolicyBlock.Rule] {
            calendar.blocks(at: date, environment: env, type: "standard").map(\.rule)
        }
        #expect(rules(declared.addingTimeInterval(-1)) == [])
        #expect(rules(declared) == [.emergency])
        #expect(rules(declared.addingTimeInterval(4 * 3600 - 1)) == [.emergency])
        #expect(rules(declared.addingTimeInterval(4 * 3600)) == [], "thawed by itself")
        #expect(rules(declared, env: "staging") == [])
        let message = calendar.blocks(at: declared, environment: "production", type: "standard").first?.message ?? ""
        #expect(
            message.contains(
                "declared by grace@mina.com: incident #123; it thaws by itself Tue 2026-12-08 23:00 +00:00"),
            "\(message)")
    }

    @Test func timesReadInTheConfigurationsZoneUnlessTheySayOtherwise() throws {
        let zone = try #require(TimeZone(identifier: "America/Los_Angeles"))
        #expect(DeployCalendar.parseTime("2026-12-08T18:30", zone: zone) == Self.utc("2026-12-09T02:30:00"))
        #expect(DeployCalendar.parseTime("2026-07-08 18:30", zone: zone) == Self.utc("2026-07-09T01:30:00"))
        #expect(DeployCalendar.parseTime("2026-12-08T18:30-05:00", zone: zone) == Self.utc("2026-12-08T23:30:00"))
        #expect(DeployCalendar.parseTime("2026-13-08T18:30", zone: zone) == nil)
        #expect(DeployCalendar.parseTime("tomorrow", zone: zone) == nil)
    }

    @Test func badWindowsAndFreezesAreRefusedWhereTheyStand() {
        func problems(_ windows: String) -> String {
            Fixtures.problems(
                """
                version: 1
                environments: { production: {} }
                types: { standard: {} }
                \(windows)
                phases:
                  pre-deploy:
                    items:
                      - { id: a, title: A, manual: true }
                """
            ).map(\.description).joined(separator: "\n")
        }
        let zone = problems("timezone: Pacific/Nowhere")
        #expect(zone.contains("test.yml:4:11: at `timezone`: unknown time zone `Pacific/Nowhere`"), "\(zone)")
        #expect(problems("timezone: PST").contains("unknown time zone `PST`"))
        let inverted = problems("windows: [{ name: w, hours: \"16:00-10:00\" }]")
        #expect(inverted.contains("test.yml:4:") && inverted.contains("ends before it starts"), "\(inverted)")
        let overlap = problems(
            """
            windows:
              - { name: morning, env: production, days: mon-fri, hours: "09:00-12:00" }
              - { name: midday, days: [wed], hours: "11:00-14:00" }
            """)
        #expect(
            overlap.contains("test.yml:6:5")
                && overlap.contains(
                    "window `midday` overlaps window `morning` (test.yml:5:5) for production on wed 11:00-12:00"),
            "\(overlap)")
        let unknown = problems("windows: [{ name: w, env: prod, hours: \"10:00-16:00\" }]")
        #expect(
            unknown.contains(
                "test.yml:4:27: at `windows[0].env`: `prod` is not an environment declared under `environments:`"),
            "\(unknown)")
        #expect(
            problems("windows: [{ name: w, days: weekdays, hours: \"10:00-16:00\" }]").contains(
                "`weekdays` is not a week day"))
        let freeze = problems("freezes: [{ name: f, from: 2026-12-20, to: 2026-12-01, reason: r }]")
        #expect(freeze.contains("ends (2026-12-01) before it starts (2026-12-20)"), "\(freeze)")
        #expect(problems("freezes: [{ name: f, from: 12-20, to: 01-02 }]").contains("a freeze needs `reason:`"))
        #expect(problems("freezes: [{ name: f, from: 12-20, to: 2027-01-02, reason: r }]").contains("same form"))
    }
}
