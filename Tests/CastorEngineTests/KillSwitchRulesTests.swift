import CastorConfig
import CastorCore
import CastorEngine
import Logging
import Testing

/// Who may release the kill switch (issue 12): SIGUSR1 engages only and a second one changes
/// nothing; the file's `kill_switch` engages at a reload and releases only what the file
/// engaged; the operator releases anything. Every change is one critical line with `by`.
/// On virtual time against the scripted venue (`EngineVirtualTimeTests.Harness`).
@Suite(.serialized) struct KillSwitchRulesTests {
    typealias Harness = EngineVirtualTimeTests.Harness

    static func lines(_ h: Harness, _ event: String) -> [LogRecorder.Record] {
        h.log.records.filter { $0.metadata["event"] == event }
    }

    /// A running engine with one order resting on the venue.
    static func running() async throws -> Harness {
        let h = try Harness(orders: [(.buy, 49_995, "0.02")])
        try await h.start().get()
        #expect(h.advance(untilWithinMs: 10_000) { h.venue.resting.count == 1 })
        return h
    }

    /// `h.configuration` with `[risk] kill_switch` set as given (and one limit moved, so the
    /// risk section differs even when the switch does not).
    static func risk(_ h: Harness, killSwitch: Bool, maxOpenOrders: Int = 19) -> CastorConfiguration {
        var c = h.configuration
        c.risk.defaults.killSwitch = killSwitch
        c.risk.defaults.maxOpenOrders = maxOpenOrders
        return c
    }

    @Test func aSecondSignalChangesNothing() async throws {
        let h = try await Self.running()
        h.on { h.engine.setKillSwitch(true, by: .signal, reason: "SIGUSR1") }
        #expect(h.advance(untilWithinMs: 10_000) { h.venue.resting.isEmpty })
        h.advance(byMs: 1_000)
        let sessionCancels = Self.lines(h, "orders.session_cancelled").count
        h.on { h.engine.setKillSwitch(true, by: .signal, reason: "SIGUSR1") }
        h.advance(byMs: 2_000)

        #expect(h.on { h.engine.killSwitchHolder } == .signal)
        let engaged = Self.lines(h, "risk.kill_switch_engaged")
        #expect(engaged.count == 1)
        #expect(engaged.first?.level == .critical)
        #expect(engaged.first?.metadata["by"] == "signal")
        #expect(engaged.first?.metadata["reason"] == "signal")
        let again = try #require(Self.lines(h, "risk.kill_switch_already_engaged").first)
        #expect(again.metadata["held_by"] == "signal")
        #expect(again.level < .critical, "nothing changed, so not a critical line")
        #expect(Self.lines(h, "risk.kill_switch_released").isEmpty)
        // Nothing cancelled again: the first engagement's session cancel was confirmed.
        #expect(Self.lines(h, "orders.session_cancelled").count == sessionCancels)
    }

    @Test func aReloadDoesNotReleaseASignalEngagedSwitch() async throws {
        let h = try await Self.running()
        h.on { h.engine.setKillSwitch(true, by: .signal, reason: "SIGUSR1") }
        #expect(h.advance(untilWithinMs: 10_000) { h.venue.resting.isEmpty })
        // The file never said true; a reload that changes [risk] (kill_switch = false) keeps it.
        _ = try #require(h.reload(Self.risk(h, killSwitch: false))).get()
        #expect(h.on { h.engine.killSwitchHolder } == .signal)
        #expect(h.on { h.engine.isKillSwitchEngaged })
        let kept = try #require(Self.lines(h, "risk.kill_switch_kept").first)
        #expect(kept.metadata["by"] == "configuration")
        #expect(kept.metadata["held_by"] == "signal")
        #expect(Self.lines(h, "risk.kill_switch_released").isEmpty)
        // Still refusing: the strategy's order does not come back.
        h.advance(byMs: 3_000)
        #expect(h.venue.resting.isEmpty)
    }

    @Test func theFileEngagesAtAReloadAndReleasesOnlyWhatItEngaged() async throws {
        let h = try await Self.running()
        _ = try #require(h.reload(Self.risk(h, killSwitch: true))).get()
        let engaged = try #require(Self.lines(h, "risk.kill_switch_engaged").first, "a reload's kill_switch = true must be logged")
        #expect(engaged.level == .critical)
        #expect(engaged.metadata["by"] == "configuration")
        #expect(h.on { h.engine.killSwitchHolder } == .configuration)
        // Engaging at a reload cancels, as any engagement does.
        #expect(h.advance(untilWithinMs: 10_000) { h.venue.resting.isEmpty })

        _ = try #require(h.reload(Self.risk(h, killSwitch: false, maxOpenOrders: 18))).get()
        let released = try #require(Self.lines(h, "risk.kill_switch_released").first)
        #expect(released.level == .critical)
        #expect(released.metadata["by"] == "configuration")
        #expect(released.metadata["held_by"] == "configuration")
        #expect(h.on { h.engine.killSwitchHolder } == nil)
    }

    /// A switch the file engaged and a signal then engaged again is the signal's: taking the
    /// file's `kill_switch = true` out does not release it.
    @Test func aSignalTakesOverASwitchTheFileEngaged() async throws {
        let h = try await Self.running()
        _ = try #require(h.reload(Self.risk(h, killSwitch: true))).get()
        h.on { h.engine.setKillSwitch(true, by: .signal, reason: "SIGUSR1") }
        let held = try #require(Self.lines(h, "risk.kill_switch_held").first)
        #expect(held.level == .critical)
        #expect(held.metadata["by"] == "signal")
        #expect(held.metadata["held_by"] == "configuration")
        #expect(h.on { h.engine.killSwitchHolder } == .signal)

        _ = try #require(h.reload(Self.risk(h, killSwitch: false, maxOpenOrders: 18))).get()
        #expect(h.on { h.engine.killSwitchHolder } == .signal)
        #expect(Self.lines(h, "risk.kill_switch_released").isEmpty)
        #expect(Self.lines(h, "risk.kill_switch_kept").first?.metadata["held_by"] == "signal")
    }

    @Test func theOperatorReleasesWhateverEngagedIt() async throws {
        let h = try await Self.running()
        h.on { h.engine.setKillSwitch(true, by: .signal, reason: "SIGUSR1") }
        #expect(h.advance(untilWithinMs: 10_000) { h.venue.resting.isEmpty })
        h.on { h.engine.setKillSwitch(false, reason: "checked, all clear") }
        let released = try #require(Self.lines(h, "risk.kill_switch_released").first)
        #expect(released.level == .critical)
        #expect(released.metadata["by"] == "operator")
        #expect(released.metadata["held_by"] == "signal")
        #expect(released.metadata["detail"] == "checked, all clear")
        #expect(h.on { h.engine.killSwitchHolder } == nil)
    }

    @Test func everyCauseMayReleaseOnlyItsOwnButTheOperatorAny() {
        for holder in KillSwitchCause.allCases {
            #expect(KillSwitchCause.operator.mayRelease(heldBy: holder))
            #expect(KillSwitchCause.configuration.mayRelease(heldBy: holder) == (holder == .configuration))
            #expect(KillSwitchCause.signal.mayRelease(heldBy: holder) == (holder == .signal))
        }
    }
}
