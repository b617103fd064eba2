import CastorCore
import CastorTestSupport
import Foundation
import Testing
@testable import GeminiSim

/// Market data on the new WebSocket API (WS-API.md §3.3–3.6, §3.11): snapshots, the diff
/// chain `U == previous u`, one global id counter, zero-padded values, trades, book tickers.
@Suite(.serialized, .timeLimit(.minutes(2))) struct WSAPIMarketDataTests {
    /// A two-sided BTCUSD book from the maker account.
    static func seed(_ sim: SimHarness) async throws {
        try await sim.makerOrder("buy", "0.5", "45000.5")
        try await sim.makerOrder("buy", "1.25", "45000.25")
        try await sim.makerOrder("sell", "0.75", "45001")
        try await sim.makerOrder("sell", "2", "45002.00")
    }

    @Test func snapshotBeforeAckThenAnUnbrokenChainOfDiffs() async throws {
        let sim = try await SimHarness(config: WSAPIKeys.config())
        try await Self.seed(sim)
        let ws = try await sim.openWSAPI("snapshot=-1")
        let ack = try await ws.call("1", "subscribe", #"["btcusd@depth@100ms"]"#)
        #expect(ack == .object([("id", .int(1)), ("status", .int(200))]))
        let frames = ws.frames
        #expect(frames.count == 2)
        let snapshot = frames[0]
        #expect(snapshot.keys == ["e", "E", "s", "U", "u", "b", "a"])
        #expect(snapshot["e"] == .string("depthUpdate") && snapshot["s"] == .string("btcusd"))
        let u0 = try #require(snapshot["u"]?.int64)
        #expect(snapshot["U"]?.int64 == u0)
        #expect(u0 == sim.server.wsAPI.currentUpdateId && u0 > 9_007_199_254_740_992)
        #expect(try #require(snapshot["E"]?.int64) == sim.clock.nowMilliseconds() * 1_000_000)
        // Sorted (bids best first, asks best first) and padded to the instrument's scale.
        #expect(snapshot["b"]?.levels == [["45000.50", "0.50000000"], ["45000.25", "1.25000000"]])
        #expect(snapshot["a"]?.levels == [["45001.00", "0.75000000"], ["45002.00", "2.00000000"]])

        // Step 1: a new bid.
        try await sim.makerOrder("buy", "0.1", "45000.75")
        try await sim.nextBatch()
        let d1 = try await ws.frame(after: 2, "diff 1") { $0["e"] == .string("depthUpdate") }
        #expect(d1["U"]?.int64 == u0)
        let u1 = try #require(d1["u"]?.int64)
        #expect(u1 > u0)
        #expect(d1["b"]?.levels == [["45000.75", "0.10000000"]] && d1["a"]?.levels == [])

        // Step 2: ETHUSD moves the global counter; then a BTCUSD level goes (qty 0).
        try await sim.makerOrder("buy", "1", "3000.00", symbol: "ethusd")
        let bid = try await sim.makerOrder("buy", "0.3", "44999.00")
        #expect(try await sim.privatePost("/v1/order/cancel", key: SimHarness.makerKey,
                                          fields: [("order_id", .integer(Int64(bid)!))]).status == 200)
        try await sim.makerOrder("sell", "1", "45003.00")
        try await sim.nextBatch()
        let d2 = try await ws.frame(after: 3, "diff 2") { $0["e"] == .string("depthUpdate") }
        #expect(d2["U"]?.int64 == u1)
        let u2 = try #require(d2["u"]?.int64)
        #expect(u2 >= u1 + 4)  // ETHUSD's change, the bid, its cancel, the ask: one id each
        // One entry per level changed in the batch, with its size at the end of it.
        #expect(d2["b"]?.levels == [["44999.00", "0.00000000"]])
        #expect(d2["a"]?.levels == [["45003.00", "1.00000000"]])

        // Step 3: nothing changed, nothing sent.
        let count = ws.probe.messages.count
        try await sim.nextBatch()
        #expect(try await roundTrip(ws, id: "2") == count + 1)

        // Step 4: a trade through two levels (a REST taker).
        #expect(try await sim.placeOrder(side: "sell", amount: "0.6", price: "45000.50").status == 200)
        try await sim.nextBatch()
        let d3 = try await ws.frame(after: count + 1, "diff 3") { $0["e"] == .string("depthUpdate") }
        #expect(d3["U"]?.int64 == u2)
        #expect(Set(d3["b"]?.levels ?? []) == [["45000.75", "0.00000000"], ["45000.50", "0.00000000"]])
        let all = ws.depth()
        for (previous, next) in zip(all, all.dropFirst()) {
            #expect(next["U"] == previous["u"])
            #expect(try #require(next["u"]?.int64) > (next["U"]?.int64 ?? .max))
        }
        ws.close()
        await sim.stop()
    }

    @Test func snapshotParameterPicksFullTopNOrNone() async throws {
        let sim = try await SimHarness(config: WSAPIKeys.config())
        try await Self.seed(sim)
        let top = try await sim.openWSAPI("snapshot=1")
        _ = try await top.call("1", "subscribe", #"["btcusd@depth@100ms"]"#)
        #expect(top.frames[0]["b"]?.levels == [["45000.50", "0.50000000"]])
        #expect(top.frames[0]["a"]?.levels == [["45001.00", "0.75000000"]])

        let none = try await sim.openWSAPI()
        let subscribedAt = sim.server.wsAPI.currentUpdateId
        _ = try await none.call("1", "subscribe", #"["btcusd@depth@100ms"]"#)
        #expect(none.frames.count == 1)
        try await sim.makerOrder("buy", "0.1", "45000.75")
        try await sim.nextBatch()
        let first = try await none.frame(after: 1, "first diff") { $0["e"] == .string("depthUpdate") }
        #expect(first["U"]?.int64 == subscribedAt)
        #expect(try #require(first["u"]?.int64) > subscribedAt)
        top.close()
        none.close()
        await sim.stop()
    }

    /// Unsubscribe and subscribe on the same snapshot connection: both replies, then the
    /// snapshot (WS-API.md §2.2), which restarts the chain.
    @Test func resubscribeRepliesThenSendsAFreshSnapshot() async throws {
        let sim = try await SimHarness(config: WSAPIKeys.config())
        try await Self.seed(sim)
        let ws = try await sim.openWSAPI("snapshot=-1")
        _ = try await ws.call("1", "subscribe", #"["btcusd@depth@100ms"]"#)
        try await sim.makerOrder("buy", "0.1", "45000.75")
        let before = ws.probe.messages.count
        ws.request("2", "unsubscribe", #"["btcusd@depth@100ms"]"#)
        ws.request("3", "subscribe", #"["btcusd@depth@100ms"]"#)
        _ = try await ws.probe.waitMessages(before + 3)
        let frames = Array(ws.frames.dropFirst(before))
        #expect(frames[0] == .object([("id", .int(2)), ("status", .int(200))]))
        #expect(frames[1] == .object([("id", .int(3)), ("status", .int(200))]))
        #expect(frames[2]["e"] == .string("depthUpdate") && frames[2]["U"] == frames[2]["u"])
        #expect(frames[2]["u"]?.int64 == sim.server.wsAPI.currentUpdateId)
        #expect(frames[2]["b"]?.levels.first == ["45000.75", "0.10000000"])
        // The change before the unsubscribe is in the snapshot, not in a later diff.
        try await sim.nextBatch()
        #expect(try await roundTrip(ws, id: "4") == before + 4)
        ws.close()
        await sim.stop()
    }

    /// `{sym}@depth` batches per second, on the injected clock's second boundaries.
    @Test func slowDepthBatchesPerSecond() async throws {
        let sim = try await SimHarness(config: WSAPIKeys.config())
        try await Self.seed(sim)
        let ws = try await sim.openWSAPI("snapshot=-1")
        _ = try await ws.call("1", "subscribe", #"["btcusd@depth"]"#)
        #expect(sim.clock.nowMilliseconds() % 1000 == 0)
        try await sim.makerOrder("buy", "0.1", "45000.75")
        let count = ws.probe.messages.count
        for _ in 0..<9 { try await sim.nextBatch() }
        #expect(try await roundTrip(ws, id: "2") == count + 1)
        try await sim.nextBatch()
        let diff = try await ws.frame(after: count, "the second's diff") { $0["e"] == .string("depthUpdate") }
        #expect(diff["U"] == ws.frames[0]["u"] && diff["b"]?.levels == [["45000.75", "0.10000000"]])
        ws.close()
        await sim.stop()
    }

    /// Trades in real time (`m`: the buyer is the maker) and book tickers in the depth id space.
    @Test func tradesAndBookTickers() async throws {
        let sim = try await SimHarness(config: WSAPIKeys.config())
        try await Self.seed(sim)
        let ws = try await sim.openWSAPI()
        _ = try await ws.call("1", "subscribe", #"["btcusd@trade","BTCUSD@bookTicker"]"#)
        // A REST taker sells into the best bid: the buyer (the resting bid) is the maker.
        #expect(try await sim.placeOrder(side: "sell", amount: "0.2", price: "45000.50").status == 200)
        let trade = try await ws.frame("trade") { $0["t"] != nil }
        #expect(trade.keys == ["E", "s", "t", "p", "q", "m"])
        #expect(trade["s"] == .string("btcusd") && trade["p"] == .string("45000.50") && trade["q"] == .string("0.20000000"))
        #expect(trade["m"] == .bool(true))
        let tid = try #require(trade["t"]?.int64)
        #expect(try await sim.ledgerOrders().last?["trades"]?.arrayValue?.first?["tid"]?.int64 == tid)
        let ticker = try await ws.frame("book ticker") { $0["B"] != nil }
        #expect(ticker.keys == ["u", "E", "s", "b", "B", "a", "A", "c", "C"])
        #expect(ticker["b"] == .string("45000.50") && ticker["B"] == .string("0.30000000"))
        #expect(ticker["a"] == .string("45001.00") && ticker["A"] == .string("0.75000000"))
        #expect(ticker["c"] == .string("45000.50") && ticker["C"] == .string("0.20000000"))
        #expect(ticker["u"]?.int64 == sim.server.wsAPI.currentUpdateId)
        // A taker buying lifts the ask: the buyer took, m is false. A change away from the
        // top sends no ticker.
        let count = ws.probe.messages.count
        try await sim.makerOrder("sell", "1", "45010.00")
        #expect(try await sim.placeOrder(side: "buy", amount: "0.1", price: "45001.00").status == 200)
        let buy = try await ws.frame(after: count, "taker buy") { $0["t"] != nil }
        #expect(buy["m"] == .bool(false))
        let next = try await ws.frame(after: count, "ticker after the buy") { $0["B"] != nil }
        #expect(next["A"] == .string("0.65000000"))
        #expect(ws.all { $0["B"] != nil }.count == 2)
        ws.close()
        await sim.stop()
    }

    /// The one-shot `depth` method: the same books and id space as the streams.
    @Test func depthMethod() async throws {
        let sim = try await SimHarness(config: WSAPIKeys.config())
        try await Self.seed(sim)
        let ws = try await sim.openWSAPI()
        let reply = try await ws.call("9", "depth", #"{"symbol":"BTCUSD","limit":1}"#)
        #expect(reply == .object([("id", .int(9)), ("status", .int(200)), ("result", .object([
            ("lastUpdateId", .int(sim.server.wsAPI.currentUpdateId)),
            ("bids", .array([.array([.string("45000.50"), .string("0.50000000")])])),
            ("asks", .array([.array([.string("45001.00"), .string("0.75000000")])])),
        ]))]))
        let full = try await ws.call("10", "depth", #"{"symbol":"btcusd"}"#)
        #expect(full["result"]?["bids"]?.arrayValue?.count == 2 && full["result"]?["asks"]?.arrayValue?.count == 2)
        let empty = try await ws.call("11", "depth", #"{"symbol":"ethusd","limit":5000}"#)
        #expect(empty["result"]?["bids"] == .array([]))
        ws.close()
        await sim.stop()
    }
}
