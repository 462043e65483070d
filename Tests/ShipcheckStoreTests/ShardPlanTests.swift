import Foundation
import ShipcheckApp
import Testing

@testable import ShipcheckCore

/// Shards are balanced by recorded durations, and items joined by `needs` stay together.
@Suite struct ShardPlanTests {
    static func item(_ id: String, needs: [String] = []) -> Item {
        Item(
            id: id, title: id, description: nil, phase: .preDeploy, section: "Checks",
            body: .manual(SignoffRequirement()), needs: needs, when: nil, timeout: 60, retries: 0, retryDelay: 0,
            severity: .block, expectations: [], rollback: nil, source: nil, location: nil)
    }

    @Test func theLongestPartsGoFirstToTheLeastLoadedShard() throws {
        let items = ["slow", "a", "b", "c", "d"].map { Self.item($0) }
        let durations = ["slow": 60.0, "a": 10, "b": 10, "c": 10, "d": 10]
        let plan = try #require(ShardPlan.assign(items, count: 2, durations: durations))
        #expect(plan["slow"] == 1)
        #expect(["a", "b", "c", "d"].allSatisfy { plan[$0] == 2 })
        let three = try #require(ShardPlan.assign(items, count: 3, durations: durations))
        #expect(three["slow"] == 1)
        #expect(Set(["a", "b", "c", "d"].compactMap { three[$0] }) == [2, 3])
    }

    @Test func itemsJoinedByNeedsStayInOneShard() throws {
        let items = [
            Self.item("build"), Self.item("unit", needs: ["build"]), Self.item("e2e", needs: ["unit"]),
            Self.item("lint"), Self.item("docs"),
        ]
        let plan = try #require(ShardPlan.assign(items, count: 3, durations: [:]))
        #expect(plan["build"] == plan["unit"] && plan["unit"] == plan["e2e"])
        #expect(Set(plan.values) == [1, 2, 3])
        // Three parts cannot fill four shards.
        #expect(ShardPlan.assign(items, count: 4, durations: [:]) == nil)
    }

    @Test func unknownDurationsCountAsTheTypicalOne() throws {
        let items = ["known", "new-1", "new-2"].map { Self.item($0) }
        let plan = try #require(ShardPlan.assign(items, count: 2, durations: ["known": 30]))
        // Each new item counts 30 s like the known one, so they spread; at 1 s they would pile up.
        #expect(plan["known"] == 1 && plan["new-1"] == 2 && plan["new-2"] == 1)
    }

    @Test func shardSelectionsAreRead() {
        #expect(ShardSelection("2/5")?.index == 2)
        #expect(ShardSelection("0/5") == nil && ShardSelection("6/5") == nil && ShardSelection("x") == nil)
    }
}
