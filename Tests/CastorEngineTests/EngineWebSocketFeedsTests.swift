import CastorEngine
import CastorTestSupport
import GeminiSim
import Testing

/// The engine with its production feed adapters (`EngineFeedFactory.gemini`) against the
/// simulator's real WebSocket feeds: fills arrive as order events, and after the feeds are
/// cut or skip a sequence number the engine reconnects and still agrees with the venue.
@Suite(.serialized, .timeLimit(.minutes(3)), .tags(.slow)) struct EngineWebSocketFeedsTests {
    @Test func fillsArriveOverOrderEventsAndMatchTheLedger() async throws {
        let h = try await SimHarness.start()
        defer { Task { await h.stop() } }
        let engine = try h.makeEngine(h.configuration(), realFeeds: true)
        try await h.start(engine).get()
        try await pollUntil("the market maker quotes both sides") { await h.simOpenOrders().count == 2 }
        #expect(try await h.hitOurBid())
        try await pollUntil("engine fills equal the venue's") {
            let venue = try await venueFills(h)
            return !venue.isEmpty && engineFills(h, engine) == venue
        }
        #expect(await h.simOrdersByClientID().values.allSatisfy { $0 == 1 })
        try await h.shutdown(engine).get()
        #expect(await h.simOpenOrders().isEmpty)
    }

    @Test func reconnectsAfterDropsAndGapsWithoutLosingFills() async throws {
        let h = try await SimHarness.start()
        defer { Task { await h.stop() } }
        let engine = try h.makeEngine(h.configuration(), realFeeds: true)
        try await h.start(engine).get()
        try await pollUntil("the market maker quotes both sides") { await h.simOpenOrders().count == 2 }
        let before = h.on { engine.feedConnectCounts }

        // Cut both feeds; fill our bid while they are down.
        _ = try await h.core.setFaults(FaultConfig(dropWebSocketsNow: true))
        #expect(try await h.hitOurBid())
        try await pollUntil("both feeds reconnected", seconds: 40) {
            let now = h.on { engine.feedConnectCounts }
            return now.marketData > before.marketData && now.orderEvents > before.orderEvents
        }
        try await pollUntil("engine fills equal the venue's after the drop", seconds: 40) {
            let venue = try await venueFills(h)
            return !venue.isEmpty && engineFills(h, engine) == venue
        }

        // Now a socket_sequence gap on the order-events feed: the engine must reconnect.
        let mid = h.on { engine.feedConnectCounts }
        _ = try await h.core.setFaults(FaultConfig(skipSocketSequenceEvery: 1))
        try await pollUntil("order events reconnected after the gap", seconds: 40) {
            h.on { engine.feedConnectCounts }.orderEvents > mid.orderEvents
        }
        _ = try await h.core.setFaults(FaultConfig())
        // The first hit swept the maker's bids too; restore a two-sided market to quote around.
        try await h.makeMarket(bid: 49_990, ask: 50_010)
        try await pollUntil("the market maker quotes again", seconds: 40) { await h.simOpenOrders().count == 2 }
        #expect(try await h.hitOurBid())
        try await pollUntil("engine fills equal the venue's after the gap", seconds: 40) {
            engineFills(h, engine) == (try await venueFills(h))
        }
        #expect(await h.simOrdersByClientID().values.allSatisfy { $0 == 1 })
        try await h.shutdown(engine).get()
    }
}
