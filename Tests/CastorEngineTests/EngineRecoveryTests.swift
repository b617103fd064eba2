import CastorConfig
import CastorCore
import CastorEngine
import CastorTestSupport
import GeminiSim
import Testing

@Suite(.serialized, .timeLimit(.minutes(3)), .tags(.slow)) struct EngineRecoveryTests {
    /// An engine dropped without shutdown (a crash) while its order fills; the next one on
    /// the same state directory finds the fill exactly once.
    @Test func restartAfterAbruptStopLosesAndDoublesNoFill() async throws {
        let h = try await SimHarness.start()
        defer { Task { await h.stop() } }
        var first: Engine? = try h.makeEngine(h.configuration())
        let started = await h.start(first!)
        #expect(throws: Never.self) { try started.get() }
        try await pollUntil("market maker quotes") { await h.simOpenOrders().count == 2 }
        #expect(try await h.hitOurBid())
        try await pollUntil("the first engine counts the fill") { h.on { first!.fillLedger.fills.count } == 1 }
        // Abrupt stop: feeds halted, engine dropped, nothing cancelled or flushed. A reply
        // still in flight keeps the engine (and its open journal) alive until it arrives; a
        // crashed process would be gone, so wait for that before the next engine opens it.
        let dropped = WeakEngine(first)
        h.on {
            for f in h.marketFeeds { f.stop() }
            for f in h.orderFeeds { f.stop() }
            first = nil
        }
        try await pollUntil("the dropped engine is gone") { h.on { dropped.engine == nil } }
        // While nobody is running, the resting ask fills.
        let ours = await h.accountID(SimHarness.key), taker = await h.accountID(SimHarness.takerKey)
        try await h.core.withEngine { e in
            let ask = e.activeOrders(account: ours).first { $0.side == .sell }!
            _ = try e.placeOrder(SimOrderRequest(symbol: "BTCUSD", side: .buy, amount: 2, price: ask.price,
                                                 options: ["immediate-or-cancel"]), account: taker, session: SimHarness.takerKey)
        }
        #expect(try await h.ledgerTrades().count == 2)

        let second = try h.makeEngine(h.configuration())
        // Start completes (READY) only after the reconciliation that follows the order-events
        // connect, with the fill made while down already counted.
        let (restarted, reconciledAtReady, fillsAtReady) = await withCheckedContinuation { c in
            h.queue.async {
                second.start { result in
                    c.resume(returning: (result, second.reconciliationsCompleted, second.fillLedger.fills.count))
                }
            }
        }
        #expect(throws: Never.self) { try restarted.get() }
        #expect(reconciledAtReady >= 2, "start-up and post-connect reconciliations before READY")
        #expect(fillsAtReady == 2)
        try await pollUntil("the second engine has both fills, each once") {
            let venue = try await venueFills(h)
            return venue.count == 2 && engineFills(h, second) == venue
        }
        #expect(h.on { second.fillLedger.fills.count } == 2)
        let stopped = await h.shutdown(second)
        #expect(throws: Never.self) { try stopped.get() }
        #expect(await h.simOpenOrders().isEmpty)
    }

    /// 1,200 fills made while no engine runs (more than two `/v1/mytrades` pages, many
    /// sharing a millisecond): the next start's catch-up pages forward through all of them
    /// and counts each exactly once.
    @Test func fillCatchUpPagesThroughMoreThanAPageOfFills() async throws {
        let h = try await SimHarness.start()
        defer { Task { await h.stop() } }
        let ours = await h.accountID(SimHarness.key), taker = await h.accountID(SimHarness.takerKey)
        try await h.core.withEngine { e in
            _ = try e.placeOrder(SimOrderRequest(symbol: "BTCUSD", side: .sell, amount: 5, price: 49_995),
                                 account: taker, session: SimHarness.takerKey)
            for i in 1...1_200 {
                _ = try e.placeOrder(SimOrderRequest(symbol: "BTCUSD", side: .buy, amount: ExactDecimal("0.001")!, price: 49_995,
                                                     options: ["immediate-or-cancel"], clientOrderId: "\(SimHarness.ownPrefix)-gone1-\(i)"),
                                     account: ours, session: SimHarness.key)
            }
        }
        let venue = try await venueFills(h)
        #expect(venue.count == 1_200)
        let engine = try h.makeEngine(h.configuration(strategy: .builtIn(.observe), params: ["symbol": .string("BTCUSD")]))
        let started = await h.start(engine)
        #expect(throws: Never.self) { try started.get() }
        #expect(h.on { engine.fillLedger.fills.count } == 1_200)
        #expect(engineFills(h, engine).symmetricDifference(venue).count == 0, "fills differ from the venue's")
        let stopped = await h.shutdown(engine)
        #expect(throws: Never.self) { try stopped.get() }
    }

    /// Responses dropped after the order executed (the ambiguous case) and 5xx errors:
    /// every intent still has at most one exchange order, and fills equal the ledger.
    @Test func ambiguousFailuresNeverDuplicateOrders() async throws {
        let h = try await SimHarness.start()
        defer { Task { await h.stop() } }
        _ = try await h.core.setFaults(FaultConfig(privateErrorPercent: 30, dropResponsePercent: 30, dropResponseNext: 3))
        #expect(await h.core.currentFaults.dropResponseNext == 3)
        let engine = try h.makeEngine(h.configuration())
        let started = await h.start(engine)
        #expect(throws: Never.self) { try started.get() }
        try await pollUntil("market maker quotes despite faults", seconds: 40) { await h.simOpenOrders().count >= 2 }
        for move in 1...3 {
            _ = try await h.hitOurBid()
            try await h.makeMarket(bid: 49_990 + move * 10, ask: 50_010 + move * 10)
        }
        _ = try await h.core.setFaults(FaultConfig())
        try await pollUntil("engine fills equal the venue's", seconds: 40) {
            let venue = try await venueFills(h)
            return !venue.isEmpty && engineFills(h, engine) == venue
        }
        #expect(await h.simOrdersByClientID().values.allSatisfy { $0 == 1 })
        let stopped = await h.shutdown(engine)
        #expect(throws: Never.self) { try stopped.get() }
        #expect(await h.simOpenOrders().isEmpty)
    }
}

/// A weak reference to an engine, to see it deallocated.
final class WeakEngine: @unchecked Sendable {
    weak var engine: Engine?
    init(_ engine: Engine?) { self.engine = engine }
}
