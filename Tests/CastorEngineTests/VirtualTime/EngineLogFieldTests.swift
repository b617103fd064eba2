import CastorCore
import CastorEngine
import Testing

/// The engine's log lines carry typed fields and a `reason` that is a short code (issue 9,
/// "Logs"): reconciliation, the kill switch, the shutdown and reloads, on virtual time
/// against the scripted venue.
@Suite(.serialized) struct EngineLogFieldTests {
    typealias Harness = EngineVirtualTimeTests.Harness

    /// A `reason` is a code: one word of letters, digits and underscores, no prose (the
    /// venue's own reasons, such as `InvalidSignature`, are kept as the venue spells them).
    static func isCode(_ s: String?) -> Bool {
        guard let s, !s.isEmpty else { return false }
        return s.allSatisfy { ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "_" }
    }

    static func lines(_ h: Harness, _ event: String) -> [LogRecorder.Record] {
        h.log.records.filter { $0.metadata["event"] == event }
    }

    @Test func reconciliationsNameTheirTriggerAsACode() async throws {
        let h = try Harness(orders: [])
        try await h.start().get()
        #expect(h.advance(untilWithinMs: 10_000) { h.on { h.engine.reconciliationsCompleted } >= 2 })
        let started = Self.lines(h, "reconcile.started")
        #expect(started.map { $0.metadata["reason"] } == ["startup", "reconnect"])
        #expect(started.map { $0.metadata["open_orders_from"] } == ["rest", "order_events"])
        #expect(started.last?.metadata["snapshot_orders"] == "0")
        let results = Self.lines(h, "reconcile.result")
        #expect(results.map { $0.metadata["reason"] } == ["startup", "reconnect"])
        #expect(results.first?.metadata["exchange_open"] == "0")
        #expect(results.first?.metadata["new_fills"] == "0")

        _ = try #require(h.shutdown()).get()
        #expect(Self.lines(h, "reconcile.started").last?.metadata["reason"] == "shutdown_catch_up")
        #expect(Self.lines(h, "reconcile.result").last?.metadata["reason"] == "shutdown_catch_up")
    }

    /// The operator's words go in `detail`; `reason` says who engaged it.
    @Test func theKillSwitchLinesCarryACauseCodeAndTheOperatorsWordsAsDetail() async throws {
        let h = try Harness(orders: [(.buy, 49_995, "0.02")])
        try await h.start().get()
        #expect(h.advance(untilWithinMs: 10_000) { h.venue.resting.count == 1 })
        h.on { h.engine.setKillSwitch(true, reason: "SIGUSR1: stop it") }
        #expect(h.advance(untilWithinMs: 10_000) { h.venue.resting.isEmpty })
        let engaged = try #require(Self.lines(h, "risk.kill_switch_engaged").first)
        #expect(engaged.metadata["reason"] == "operator")
        #expect(engaged.metadata["detail"] == "SIGUSR1: stop it")
        let cancelled = try #require(Self.lines(h, "orders.session_cancelled").first)
        #expect(cancelled.metadata["reason"] == "kill_switch")

        h.on { h.engine.setKillSwitch(false, reason: "all clear") }
        let released = try #require(Self.lines(h, "risk.kill_switch_released").first)
        #expect(released.metadata["reason"] == "operator")
        #expect(released.metadata["detail"] == "all clear")
    }

    /// Engaged before start, the switch is logged as such; the start-up reconciliation
    /// then finds nothing open to cancel.
    @Test func aKillSwitchBeforeStartIsLoggedWithItsCause() async throws {
        let h = try Harness(orders: [])
        h.on { h.engine.setKillSwitch(true, reason: "maintenance window") }
        let line = try #require(Self.lines(h, "risk.kill_switch_engaged_before_start").first)
        #expect(line.metadata["reason"] == "operator")
        #expect(line.metadata["detail"] == "maintenance window")
    }

    @Test func theShutdownLinesCarryTypedFields() async throws {
        let h = try Harness(orders: [(.buy, 49_995, "0.02")])
        try await h.start().get()
        #expect(h.advance(untilWithinMs: 10_000) { h.on { h.engine.openOrderCount } == 1 })
        _ = try #require(h.shutdown()).get()
        let stopping = try #require(Self.lines(h, "engine.shutting_down").first)
        #expect(stopping.metadata["reason"] == "shutdown")
        #expect(stopping.metadata["cancel_open_orders"] == "true")
        #expect(stopping.metadata["was_running"] == "true")
        #expect(stopping.metadata["open_orders"] == "1")
        #expect(Self.lines(h, "orders.session_cancelled").first?.metadata["reason"] == "shutdown")
        let stopped = try #require(Self.lines(h, "engine.stopped").first)
        #expect(stopped.metadata["outcome"] == "ok")
        #expect(stopped.metadata["reason"] == nil)
        let opened = try #require(Self.lines(h, "journal.opened").first)
        #expect(opened.metadata["open_orders"] == "0")
        #expect(opened.metadata["fills"] == "0")
        #expect(opened.metadata["reason"] == nil)
    }

    @Test func reloadLinesCarryTypedFields() async throws {
        let h = try Harness(orders: [])
        try await h.start().get()
        #expect(h.advance(untilWithinMs: 10_000) { h.on { h.engine.reconciliationsCompleted } >= 2 })
        var added = h.configuration
        added.engine.symbols = ["BTCUSD", "ETHUSD"]
        _ = try #require(h.reload(added)).get()
        let applied = try #require(Self.lines(h, "reload.applied").first)
        #expect(applied.metadata["changes"] == "symbols")
        #expect(applied.metadata["applied"] == "symbols")
        #expect(applied.metadata["reconnected"] == "true")
        #expect(applied.metadata["needs_restart"] == "")
        let resubscribe = try #require(Self.lines(h, "feeds.market_data_resubscribe").first)
        #expect(resubscribe.metadata["reason"] == "symbols_changed")
        #expect(resubscribe.metadata["added"] == "ETHUSD")
        #expect(resubscribe.metadata["removed"] == "")
        #expect(resubscribe.metadata["cancelled_orders"] == "0")
        let switched = try #require(Self.lines(h, "reload.strategy_switched").first)
        #expect(switched.metadata["reason"] == "symbols_changed")
        #expect(h.advance(untilWithinMs: 10_000) { Self.lines(h, "reconcile.result").count >= 3 })
        #expect(Self.lines(h, "reconcile.started").last?.metadata["reason"] == "symbols_changed")

        h.venue.close(Symbol("SOLUSD"))
        var closed = added
        closed.engine.symbols = ["BTCUSD", "ETHUSD", "SOLUSD"]
        guard case .failure = try #require(h.reload(closed)) else { Issue.record("a closed symbol must be refused"); return }
        let refused = try #require(Self.lines(h, "reload.refused").first)
        #expect(refused.metadata["reason"] == "symbol_unavailable")
        #expect(refused.metadata["detail"]?.contains("SOLUSD") == true)
    }

    /// Over a start, placements, a reload and a shutdown, and over another engine's kill
    /// switch, every line that has a `reason` has a code there, never prose.
    @Test func everyReasonIsAShortCode() async throws {
        let h = try Harness(orders: [(.buy, 49_995, "0.02"), (.sell, 50_005, "0.01")])
        try await h.start().get()
        #expect(h.advance(untilWithinMs: 10_000) { h.on { h.engine.openOrderCount } == 2 })
        var added = h.configuration
        added.engine.symbols = ["BTCUSD", "ETHUSD"]
        _ = try #require(h.reload(added)).get()
        _ = try #require(h.shutdown()).get()

        // The scripted venue's session cancel sends no order events, so this engine's
        // orders stay pending cancel: it is not shut down.
        let k = try Harness(orders: [(.buy, 49_995, "0.02")])
        try await k.start().get()
        #expect(k.advance(untilWithinMs: 10_000) { k.venue.resting.count == 1 })
        k.on { k.engine.setKillSwitch(true, reason: "a test, with prose") }
        #expect(k.advance(untilWithinMs: 10_000) { k.venue.resting.isEmpty })
        k.on { k.engine.setKillSwitch(false, reason: "over") }

        let records = h.log.records + k.log.records
        let prose = records.filter { $0.metadata["reason"] != nil && !Self.isCode($0.metadata["reason"]) }
        #expect(prose.isEmpty, "prose in reason: \(prose.map { "\($0.metadata["event"] ?? "?"): \($0.metadata["reason"] ?? "")" })")
    }
}
