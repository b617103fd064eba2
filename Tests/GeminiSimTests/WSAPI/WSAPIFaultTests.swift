import CastorCore
import CastorTestSupport
import Foundation
import Testing
@testable import GeminiSim

/// The WebSocket API's faults, switched at run time with `POST /sim/faults`: gaps, stale
/// repeats, delayed replies, a close after placing, a crossed book, silence, drops.
@Suite(.serialized, .timeLimit(.minutes(2))) struct WSAPIFaultTests {
    /// A subscribed snapshot connection on a seeded book, and a way to make one BTCUSD
    /// change per batch.
    static func subscribed(_ sim: SimHarness) async throws -> WSAPIClient {
        try await WSAPIMarketDataTests.seed(sim)
        let ws = try await sim.openWSAPI("snapshot=-1")
        _ = try await ws.call("1", "subscribe", #"["btcusd@depth@100ms"]"#)
        return ws
    }

    static func batches(_ sim: SimHarness, _ count: Int, from price: Int = 44_000) async throws {
        for i in 0..<count {
            try await sim.makerOrder("buy", "0.1", "\(price + i).00")
            try await sim.nextBatch()
        }
    }

    @Test func droppedDiffLeavesAGapInTheChain() async throws {
        let sim = try await SimHarness(config: WSAPIKeys.config())
        let ws = try await Self.subscribed(sim)
        try await sim.setFaults(#"{"wsAPIDropDiffEvery": 2}"#)
        try await Self.batches(sim, 4)
        _ = try await roundTrip(ws, id: "2")
        let depth = ws.depth()
        #expect(depth.count == 3)  // the snapshot, diffs 1 and 3 (2 and 4 dropped)
        #expect(depth[1]["U"] == depth[0]["u"])
        #expect(try #require(depth[2]["U"]?.int64) > (depth[1]["u"]?.int64 ?? .max))  // the gap a client must catch
        #expect(depth[2]["b"]?.levels == [["44002.00", "0.10000000"]])
        ws.close()
        await sim.stop()
    }

    @Test func repeatedDiffIsStale() async throws {
        let sim = try await SimHarness(config: WSAPIKeys.config())
        let ws = try await Self.subscribed(sim)
        try await sim.setFaults(#"{"wsAPIRepeatDiffEvery": 2}"#)
        try await Self.batches(sim, 3)
        _ = try await roundTrip(ws, id: "2")
        let depth = ws.depth()
        #expect(depth.count == 5)  // snapshot, 1, 2, 2 again, 3
        #expect(depth[3] == depth[2])
        #expect(try #require(depth[3]["u"]?.int64) <= (depth[2]["u"]?.int64 ?? .min))
        #expect(depth[4]["U"] == depth[2]["u"])
        ws.close()
        await sim.stop()
    }

    /// The reply waits on the injected clock; the order is placed and its events go at once.
    @Test func delayedReplyAfterTheEvents() async throws {
        let sim = try await SimHarness(config: WSAPIKeys.config())
        let ws = try await sim.openWSAPI(key: WSAPIKeys.trader)
        _ = try await ws.call("1", "subscribe", #"["orders@session"]"#)
        try await sim.setFaults(#"{"wsAPIReplyDelayMs": 5000}"#)
        let start = ws.probe.messages.count
        ws.request("2", "order.place", WSAPIOrderTests.place("BUY", "100.00", "0.1"))
        _ = try await ws.frame(after: start, "NEW before the reply") { $0["X"] == .string("NEW") }
        #expect(try await sim.ledgerOrders().count == 1)
        let due = sim.clock.nowMilliseconds() + 5_000
        try await pollUntil("reply waits on the clock", seconds: 10, intervalMs: 1) { sim.clock.pendingDeadlines.contains(due) }
        #expect(!ws.frames.contains { $0["id"] == .int(2) })
        sim.clock.advance(byMilliseconds: 5_000)
        #expect(try await ws.reply("2", after: start) == .object([("id", .int(2)), ("status", .int(200))]))
        try await sim.setFaults("{}")
        #expect(try await ws.call("3", "ping")["status"] == .int(200))
        ws.close()
        await sim.stop()
    }

    /// The order is placed, then the socket closes before any reply; the next placement
    /// (the countdown spent) is answered.
    @Test func closeAfterPlace() async throws {
        let sim = try await SimHarness(config: WSAPIKeys.config())
        let watcher = try await sim.openWSAPI(key: WSAPIKeys.trader2)
        _ = try await watcher.call("1", "subscribe", #"["orders@account"]"#)
        try await sim.setFaults(#"{"wsAPICloseAfterPlaceNext": 1}"#)
        let ws = try await sim.openWSAPI(key: WSAPIKeys.trader)
        _ = try await ws.call("1", "subscribe", #"["orders@session"]"#)
        let start = ws.probe.messages.count
        ws.request("2", "order.place", WSAPIOrderTests.place("BUY", "100.00", "0.1", cid: "ambiguous"))
        #expect(try await ws.probe.waitEnd() == .closed(code: 1011, reason: "simulated connection drop"))
        #expect(ws.probe.messages.count == start)
        _ = try await watcher.frame("the placed order's NEW") { $0["c"] == .string("ambiguous") }
        #expect(try await sim.ledgerOrders().map { $0["client_order_id"] } == [.string("ambiguous")])
        #expect(try await sim.get("/sim/faults").json?["wsAPICloseAfterPlaceNext"] == .int(0))
        let again = try await sim.openWSAPI(key: WSAPIKeys.trader)
        #expect(try await again.call("3", "order.place", WSAPIOrderTests.place("BUY", "101.00", "0.1"))["status"] == .int(200))
        again.close()
        watcher.close()
        await sim.stop()
    }

    /// A phantom bid above the best ask, as the sandbox's crossed books: in the snapshot,
    /// as a diff when switched on and off, in `depth` and the book ticker; never matched.
    @Test func crossedBook() async throws {
        let sim = try await SimHarness(config: WSAPIKeys.config())
        let ws = try await Self.subscribed(sim)
        _ = try await ws.call("2", "subscribe", #"["btcusd@bookTicker"]"#)
        try await sim.setFaults(#"{"wsAPICrossBook": ["btcusd"]}"#)
        try await sim.nextBatch()
        let on = try await ws.frame(after: 2, "the phantom as a diff") { $0["e"] == .string("depthUpdate") }
        // One percent above the best ask (45001.00), on the grid, plus one step; 10× the minimum size.
        #expect(on["b"]?.levels == [["45451.02", "0.00010000"]])
        #expect(on["U"] == ws.frames[0]["u"])
        let ticker = try await ws.frame("crossed ticker") { $0["B"] != nil }
        #expect(ticker["b"] == .string("45451.02") && ticker["a"] == .string("45001.00"))
        let depth = try await ws.call("3", "depth", #"{"symbol":"btcusd","limit":1}"#)
        #expect(depth["result"]?["bids"]?.levels == [["45451.02", "0.00010000"]])
        let fresh = try await sim.openWSAPI("snapshot=-1")
        _ = try await fresh.call("1", "subscribe", #"["btcusd@depth@100ms"]"#)
        #expect(fresh.frames[0]["b"]?.levels.first == ["45451.02", "0.00010000"])
        // The engine's book is not crossed (REST writes the price as it was placed, unpadded).
        #expect(try await sim.get("/v1/book/btcusd").json?["bids"]?.arrayValue?.first?["price"] == .string("45000.5"))
        try await sim.setFaults("{}")
        try await sim.nextBatch()
        let off = try await ws.frame(after: ws.frames.firstIndex(of: on)! + 1, "the phantom removed") { $0["e"] == .string("depthUpdate") }
        #expect(off["b"]?.levels == [["45451.02", "0.00000000"]] && off["U"] == on["u"])
        ws.close()
        fresh.close()
        await sim.stop()
    }

    /// Silence: no market data while the socket, pings and replies go on; afterwards the
    /// depth chain resumes with what changed meanwhile.
    @Test func silenceStopsMarketDataOnly() async throws {
        let sim = try await SimHarness(config: WSAPIKeys.config())
        let ws = try await Self.subscribed(sim)
        _ = try await ws.call("2", "subscribe", #"["btcusd@trade"]"#)
        try await sim.setFaults(#"{"wsAPISilence": true}"#)
        let count = ws.probe.messages.count
        try await Self.batches(sim, 3)
        #expect(try await sim.placeOrder(side: "sell", amount: "0.1", price: "45000.50").status == 200)
        try await sim.nextBatch()
        #expect(try await roundTrip(ws, id: "3") == count + 1)
        #expect(ws.isOpenProbe)
        try await sim.setFaults("{}")
        try await sim.nextBatch()
        let resumed = try await ws.frame(after: count, "diff after the silence") { $0["e"] == .string("depthUpdate") }
        #expect(resumed["U"] == ws.frames[0]["u"])
        #expect(Set(resumed["b"]?.levels ?? []) == [["44000.00", "0.10000000"], ["44001.00", "0.10000000"],
                                                   ["44002.00", "0.10000000"], ["45000.50", "0.40000000"]])
        #expect(!ws.frames.contains { $0["t"] != nil })  // the trade during the silence is lost
        ws.close()
        await sim.stop()
    }

    @Test func dropFaultsCloseWebSocketAPIConnections() async throws {
        let sim = try await SimHarness(config: WSAPIKeys.config())
        let ws = try await sim.openWSAPI()
        let signed = try await sim.openWSAPI(key: WSAPIKeys.trader)
        let appliedAt = sim.clock.nowMilliseconds()
        try await sim.setFaults(#"{"dropWebSocketsEveryMs": 3000}"#)
        try await pollUntil("drop timer armed", seconds: 10, intervalMs: 1) { sim.clock.pendingDeadlines.contains(appliedAt + 3_000) }
        sim.clock.advance(byMilliseconds: 3_000)
        #expect(try await ws.probe.waitEnd() == .closed(code: 1011, reason: "simulated connection drop"))
        #expect(try await signed.probe.waitEnd() == .closed(code: 1011, reason: "simulated connection drop"))
        try await pollUntil("connections forgotten", seconds: 10, intervalMs: 2) { sim.server.wsAPI.connectionCount == 0 }
        try await sim.setFaults("{}")
        let again = try await sim.openWSAPI(key: WSAPIKeys.trader)
        #expect(try await again.call("1", "ping")["status"] == .int(200))
        again.close()
        await sim.stop()
    }
}

extension WSAPIClient {
    var isOpenProbe: Bool { probe.isOpen }
}
