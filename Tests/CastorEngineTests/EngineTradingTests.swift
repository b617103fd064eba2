import CastorConfig
import CastorCore
import CastorEngine
import CastorTrading
import GeminiProtocol
import GeminiSim
import Testing

/// The engine's fills, as (trade id, amount, price) for comparison with the venue.
func engineFills(_ h: SimHarness, _ engine: Engine) -> Set<String> {
    h.on { Set(engine.fillLedger.fills.values.map { "\($0.tradeID.rawValue) \($0.amount) \($0.price)" }) }
}

func venueFills(_ h: SimHarness) async throws -> Set<String> {
    Set(try await h.ledgerTrades().map { "\($0.tid) \($0.amount) \($0.price)" })
}

@Suite(.serialized, .timeLimit(.minutes(3))) struct EngineTradingTests {
    @Test func startQuotesAndFillsMatchTheVenueLedger() async throws {
        let h = try await SimHarness.start()
        defer { Task { await h.stop() } }
        let engine = try h.makeEngine(h.configuration())
        let started = await h.start(engine)
        #expect(throws: Never.self) { try started.get() }
        #expect(h.on { engine.strategyName } == "market-maker")
        try await waitUntil("the market maker quotes both sides") { await h.simOpenOrders().count == 2 }
        #expect(try await h.hitOurBid())
        try await waitUntil("the engine counts the fill") { h.on { engine.fillLedger.fills.count } >= 1 }
        try await waitUntil("engine fills equal the venue's") {
            let venue = try await venueFills(h)
            return !venue.isEmpty && engineFills(h, engine) == venue
        }
        // Every intent produced at most one exchange order.
        #expect(await h.simOrdersByClientID().values.allSatisfy { $0 == 1 })
        let stopped = await h.shutdown(engine)
        #expect(throws: Never.self) { try stopped.get() }
        #expect(await h.simOpenOrders().isEmpty)
    }
}
