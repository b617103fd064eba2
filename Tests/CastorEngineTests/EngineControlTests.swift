import CastorConfig
import CastorCore
import CastorEngine
import CastorTestSupport
import GeminiSim
import Testing

@Suite(.serialized, .timeLimit(.minutes(3)), .tags(.slow)) struct EngineControlTests {
    @Test func strategySwitchWithoutReconnectAndBadNamesRefused() async throws {
        let h = try await SimHarness.start()
        defer { Task { await h.stop() } }
        let config = h.configuration()
        let engine = try h.makeEngine(config)
        let started = await h.start(engine)
        #expect(throws: Never.self) { try started.get() }
        try await pollUntil("market maker quotes") { await h.simOpenOrders().count == 2 }

        // A plug-in that does not exist: refused, the market maker keeps running.
        var bad = config
        bad.strategy.selection = .plugin(path: "/nonexistent/libnothing.so", name: "nothing")
        let refused = await h.apply(engine, bad)
        #expect(throws: EngineError.self) { try refused.get() }
        #expect(h.on { engine.strategyName } == "market-maker")

        // Bad parameters for a known strategy: refused too.
        var badParams = config
        badParams.strategy.selection = .builtIn(.grid)
        badParams.strategy.parameters = StrategyParameterTable(["symbol": .string("btcusd"), "levels": .integer(0)])
        let badParamsRefused = await h.apply(engine, badParams)
        #expect(throws: EngineError.self) { try badParamsRefused.get() }
        #expect(h.on { engine.strategyName } == "market-maker")

        // Market maker → grid, live: feeds are not restarted.
        var grid = config
        grid.strategy.selection = .builtIn(.grid)
        grid.strategy.parameters = StrategyParameterTable([
            "symbol": .string("btcusd"), "levels": .integer(2), "step_bps": .integer(10), "size": .string("0.01")])
        let outcome = try await h.apply(engine, grid).get()
        #expect(outcome.applied.contains(.strategy))
        #expect(!outcome.reconnected)
        #expect(h.on { engine.strategyName } == "grid")
        #expect(h.marketFeeds.count == 1 && h.marketFeeds[0].startCalls == 1)
        #expect(h.orderFeeds.count == 1 && h.orderFeeds[0].startCalls == 1)
        // The market maker's quotes were cancelled (on_switch = cancel); the grid's rest.
        try await pollUntil("grid orders rest and the old quotes are gone") {
            let open = await h.simOpenOrders()
            return open.count == 4 && !open.contains { $0.price == 49_975 || $0.price == 50_025 }
        }
        #expect(await h.simOrdersByClientID().values.allSatisfy { $0 == 1 })
        _ = await h.shutdown(engine)
    }

    /// `[engine] symbols` BTCUSD → ETHUSD live: the new symbol is checked with the venue
    /// first (an unknown one refuses the reload, nothing changes), then the BTCUSD quotes
    /// are cancelled on the venue, market data resubscribes (the order-events feed stays)
    /// and the rebuilt market maker quotes ETHUSD from the new feed's book.
    @Test func symbolsChangeMovesTradingToTheNewSymbolWithoutANewSession() async throws {
        let h = try await SimHarness.start()
        defer { Task { await h.stop() } }
        // Inside the market maker's 10 bp spread, so it never quotes against its own orders.
        try await h.makeMarket(bid: 3_499, ask: 3_501, symbol: "ETHUSD")
        // No `symbol` parameter: the market maker trades the first engine symbol.
        let config = h.configuration(params: ["spread_bps": .integer(10), "size": .string("0.01"), "requote_bps": .integer(1)])
        let engine = try h.makeEngine(config, realFeeds: true)
        try await h.start(engine).get()
        try await pollUntil("the market maker quotes BTCUSD") {
            let open = await h.simOpenOrders()
            return open.count == 2 && open.allSatisfy { $0.symbol == "BTCUSD" }
        }
        let before = h.on { engine.feedConnectCounts }

        var unknown = config
        unknown.engine.symbols = ["BTCUSD", "DOGEUSD"]
        let refused = await h.apply(engine, unknown)
        guard case .failure(.reloadRefused(let why)) = refused else { Issue.record("expected a refusal, got \(refused)"); return }
        #expect(why.contains("DOGEUSD"))
        #expect(h.on { engine.feedConnectCounts } == before)
        #expect(await h.simOpenOrders().filter { $0.symbol == "BTCUSD" }.count == 2)

        var eth = config
        eth.engine.symbols = ["ETHUSD"]
        let outcome = try await h.apply(engine, eth).get()
        #expect(outcome.applied == [.symbols] && outcome.reconnected)
        try await pollUntil("the BTCUSD quotes are cancelled and ETHUSD is quoted") {
            let open = await h.simOpenOrders()
            return open.count == 2 && open.allSatisfy { $0.symbol == "ETHUSD" }
        }
        let after = h.on { engine.feedConnectCounts }
        #expect(after.marketData == before.marketData + 1)
        #expect(after.orderEvents == before.orderEvents, "the order-events feed is not filtered by symbol: it stays up")
        #expect(h.on { engine.strategyName } == "market-maker")
        #expect(await h.simOrdersByClientID().values.allSatisfy { $0 == 1 })
        try await h.shutdown(engine).get()
        #expect(await h.simOpenOrders().isEmpty)
    }

    @Test func killSwitchCancelsEverythingAndRefusesNewOrders() async throws {
        let h = try await SimHarness.start()
        defer { Task { await h.stop() } }
        let engine = try h.makeEngine(h.configuration())
        let started = await h.start(engine)
        #expect(throws: Never.self) { try started.get() }
        try await pollUntil("market maker quotes") { await h.simOpenOrders().count == 2 }
        h.on { engine.setKillSwitch(true, reason: "test") }
        try await pollUntil("every order cancelled on the venue") { await h.simOpenOrders().isEmpty }
        let placed = await h.simOrdersByClientID().count
        // The strategy keeps trying on every book update; nothing reaches the venue.
        let updates = h.on { h.marketFeeds[0].appliedCount }
        try await pollUntil("a few more book updates reach the strategy") { h.on { h.marketFeeds[0].appliedCount } >= updates + 3 }
        #expect(await h.simOrdersByClientID().count == placed)
        #expect(h.on { engine.isKillSwitchEngaged })
        #expect(h.on { engine.statusLine }.contains("KILL SWITCH"))
        h.on { engine.setKillSwitch(false, reason: "test over") }
        // The market maker requotes when mid moves (it does not retry a refused quote by itself).
        try await h.makeMarket(bid: 50_005, ask: 50_040)
        try await pollUntil("quoting resumes") { await h.simOpenOrders().count == 2 }
        let stopped = await h.shutdown(engine)
        #expect(throws: Never.self) { try stopped.get() }
        #expect(await h.simOpenOrders().isEmpty)
    }
    /// The kill switch's cancel-session is the one request that reaches orders the engine
    /// does not track; it is retried until the exchange confirms it.
    @Test func killSwitchRetriesCancelSessionUntilConfirmed() async throws {
        let h = try await SimHarness.start()
        defer { Task { await h.stop() } }
        let engine = try h.makeEngine(h.configuration())
        try await h.start(engine).get()
        try await pollUntil("market maker quotes") { await h.simOpenOrders().count == 2 }
        // Placed with our key behind the engine's back: only cancel-session reaches it.
        let ours = await h.accountID(SimHarness.key)
        _ = try await h.core.withEngine { e in
            try e.placeOrder(SimOrderRequest(symbol: "BTCUSD", side: .buy, amount: ExactDecimal("0.01")!, price: 49_000),
                             account: ours, session: SimHarness.key)
        }
        _ = try await h.core.setFaults(FaultConfig(failPathNext: ["/v1/order/cancel/session": 3]))
        h.on { engine.setKillSwitch(true, reason: "test") }
        try await pollUntil("every order cancelled on the venue, the untracked one too") { await h.simOpenOrders().isEmpty }
        // Three answered 500 (injected before the request is counted), then one confirmed.
        #expect(await h.core.trafficStats.injectedErrors == 3)
        #expect(await h.core.currentFaults.failPathNext["/v1/order/cancel/session"] == 0)
        #expect(await h.core.trafficStats.privatePaths["key:\(SimHarness.key)"]?["/v1/order/cancel/session"] == 1)
        try await h.shutdown(engine).get()
    }
}
