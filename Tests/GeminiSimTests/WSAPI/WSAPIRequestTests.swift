import CastorCore
import CastorTestSupport
import Foundation
import Testing
@testable import GeminiSim

/// The request/reply envelope (WS-API.md §2): ids echoed with their JSON type, the utility
/// methods, errors, and REQUEST_WEIGHT / ORDERS limits.
@Suite(.serialized, .timeLimit(.minutes(2))) struct WSAPIRequestTests {
    static func error(_ id: GeminiJSON, _ status: Int, _ code: Int, _ msg: String) -> GeminiJSON {
        .object([("id", id), ("status", .int(status)), ("error", .object([("code", .int(code)), ("msg", .string(msg))]))])
    }

    @Test func utilityMethodsEchoTheIdWithItsType() async throws {
        let sim = try await SimHarness(config: WSAPIKeys.config())
        let ws = try await sim.openWSAPI()
        #expect(try await ws.call("100", "ping") == .object([("id", .int(100)), ("status", .int(200))]))
        #expect(try await ws.call("\"abc\"", "ping") == .object([("id", .string("abc")), ("status", .int(200))]))
        // An id above 2^53 comes back digit for digit.
        #expect(try await ws.call("9007199254740993", "ping")["id"] == .number("9007199254740993"))
        let time = try await ws.call("8", "time")
        #expect(time == .object([("id", .int(8)), ("status", .int(200)),
                                 ("result", .object([("serverTime", .int(sim.clock.nowMilliseconds()))]))]))
        #expect(try await ws.call("11", "nosuchmethod") == Self.error(.int(11), 400, -1020, "Unsupported operation"))
        // Only the subscription methods have an upper-case spelling.
        #expect(try await ws.call("12", "PING") == Self.error(.int(12), 400, -1020, "Unsupported operation"))
        #expect(try await ws.call("13", "LIST_SUBSCRIPTIONS") == .object([("id", .int(13)), ("status", .int(200)), ("result", .array([]))]))

        // Frames that are not requests: 400/-1013, with the id when it could be read.
        let before = ws.probe.messages.count
        ws.send("{not json")
        #expect(try await ws.frame(after: before, "malformed reply") { $0["status"] != nil }
            == Self.error(.null, 400, -1013, "Invalid parameters"))
        ws.send(#"{"id":14,"params":[]}"#)
        #expect(try await ws.reply("14") == Self.error(.int(14), 400, -1013, "Invalid parameters"))
        #expect(try await ws.call("15", "subscribe", #"{"streams":["btcusd@trade"]}"#) == Self.error(.int(15), 400, -1013, "Invalid parameters"))
        #expect(try await ws.call("16", "depth", #"{"symbol":"btcusd","limit":0}"#) == Self.error(.int(16), 400, -1013, "Invalid parameters"))
        #expect(try await ws.call("17", "depth", #"{"symbol":"nosuch"}"#) == Self.error(.int(17), 400, -1013, "Invalid parameters"))
        // A binary frame is no request either.
        let beforeBinary = ws.probe.messages.count
        ws.probe.sendBinary([0x7B, 0x7D])
        #expect(try await ws.frame(after: beforeBinary, "binary reply") { $0["status"] != nil }
            == Self.error(.null, 400, -1013, "Invalid parameters"))
        // Deeply nested or huge numbers do not hurt.
        #expect(try await ws.call("19", "depth", #"{"symbol":"btcusd","limit":99999999999999999999999999}"#)["status"] == .int(400))
        ws.send(String(repeating: "[", count: 10_000))
        #expect(try await ws.frame(after: ws.probe.messages.count, "nesting reply") { $0["status"] != nil }["status"] == .int(400))
        // The socket is still fine.
        #expect(try await ws.call("18", "ping")["status"] == .int(200))
        ws.close()
        await sim.stop()
    }

    /// `conninfo` reports the limits at the top level, in the probed shape, with counts.
    @Test func conninfoHasTheProbedShape() async throws {
        let sim = try await SimHarness(config: WSAPIKeys.config())
        sim.clock.set(milliseconds: 1_712_045_680_000)  // a 10 s window starts here
        let ws = try await sim.openWSAPI(key: WSAPIKeys.trader)
        _ = try await ws.call("1", "subscribe", #"["btcusd@trade","ethusd@trade","orders@account"]"#)  // weight 3
        _ = try await ws.call("2", "ping")
        _ = try await ws.call("3", "order.place",
                              #"{"symbol":"btcusd","side":"BUY","type":"LIMIT","timeInForce":"GTC","price":"100.00","quantity":"0.01"}"#)
        let info = try await ws.call("7", "conninfo")
        #expect(info.keys == ["id", "status", "rateLimits"])
        func row(_ type: String, _ interval: String, _ num: Int, _ limit: Int, _ count: Int) -> GeminiJSON {
            .object([("rateLimitType", .string(type)), ("interval", .string(interval)), ("intervalNum", .int(num)),
                     ("limit", .int(limit)), ("count", .int(count))])
        }
        #expect(info == .object([("id", .int(7)), ("status", .int(200)), ("rateLimits", .array([
            row("REQUEST_WEIGHT", "SECOND", 10, 7000, 6), row("ORDERS", "SECOND", 10, 3500, 1),
            row("ORDERS", "DAY", 1, 10_000_000, 1), row("CONNECTION_ATTEMPTS", "MINUTE", 5, 300, 1),
        ]))]))
        // The 10 s windows start over; the day's does not.
        sim.clock.advance(byMilliseconds: 10_000)
        let later = try await ws.call("8", "conninfo")
        #expect(later["rateLimits"]?.arrayValue?.map { $0["count"] } == [.int(1), .int(0), .int(1), .int(1)])
        ws.close()
        await sim.stop()
    }

    @Test func requestWeightAndOrdersBeyondTheLimitAre429() async throws {
        let limits = RateLimitConfig(wsAPIRequestWeightPer10s: 5, wsAPIOrdersPer10s: 2)
        let sim = try await SimHarness(config: WSAPIKeys.config(rateLimits: limits))
        sim.clock.set(milliseconds: 1_712_045_680_000)
        let ws = try await sim.openWSAPI(key: WSAPIKeys.trader)
        for i in 1...5 { #expect(try await ws.call("\(i)", "ping")["status"] == .int(200)) }
        #expect(try await ws.call("6", "ping") == Self.error(.int(6), 429, -1003, "Rate limit exceeded"))
        // A refused request is not counted, and another connection has its own weight.
        let other = try await sim.openWSAPI(key: WSAPIKeys.trader)
        #expect(try await other.call("1", "ping")["status"] == .int(200))
        sim.clock.advance(byMilliseconds: 10_000)
        // A subscribe weighs one per stream.
        #expect(try await ws.call("7", "subscribe", #"["btcusd@trade","ethusd@trade","btcusd@bookTicker","ethusd@bookTicker"]"#)["status"] == .int(200))
        #expect(try await ws.call("8", "subscribe", #"["btcusd@depth","ethusd@depth"]"#)["status"] == .int(429))
        sim.clock.advance(byMilliseconds: 10_000)
        // ORDERS: per key, across its connections.
        let order = #"{"symbol":"btcusd","side":"BUY","type":"LIMIT","timeInForce":"GTC","price":"100.00","quantity":"0.01"}"#
        #expect(try await ws.call("9", "order.place", order)["status"] == .int(200))
        #expect(try await other.call("2", "order.place", order)["status"] == .int(200))
        #expect(try await ws.call("10", "order.place", order) == Self.error(.int(10), 429, -1003, "Rate limit exceeded"))
        #expect(try await sim.ledgerOrders().count == 2)
        ws.close()
        other.close()
        await sim.stop()
    }

    @Test func streamNamesAreCheckedForTheWholeFrame() async throws {
        let sim = try await SimHarness(config: WSAPIKeys.config())
        let ws = try await sim.openWSAPI()
        #expect(try await ws.call("4", "subscribe", #"["btcusd@trade","nosuchperp@depth@100ms"]"#)
            == Self.error(.int(4), 400, -1013, "Invalid stream name: nosuchperp@depth@100ms"))
        #expect(try await ws.call("5", "list_subscriptions")["result"] == .array([]))
        for bad in ["btcusd@markPrice@1s", "btcusd@depth5", "btcusd@kline", "balances@account@1s", "btcusd", "@trade", "BTCUSD@TRADE"] {
            let reply = try await ws.call("6", "subscribe", #"["\#(bad)"]"#)
            #expect(reply == Self.error(.int(6), 400, -1013, "Invalid stream name: \(bad)"), "\(bad)")
        }
        // Upper-case symbols are accepted and listed canonically; duplicates once.
        #expect(try await ws.call("7", "SUBSCRIBE", #"["BTCUSD@bookTicker","ethusd@depth@100ms","btcusd@bookTicker"]"#)["status"] == .int(200))
        #expect(try await ws.call("8", "list_subscriptions")["result"]
            == .array([.string("btcusd@bookTicker"), .string("ethusd@depth@100ms")]))
        #expect(try await ws.call("9", "UNSUBSCRIBE", #"["btcusd@bookTicker","btcusd@trade"]"#)["status"] == .int(200))
        #expect(try await ws.call("10", "list_subscriptions")["result"] == .array([.string("ethusd@depth@100ms")]))
        ws.close()
        await sim.stop()
    }

    @Test func orderMethodsNeedAnAuthenticatedTrader() async throws {
        let sim = try await SimHarness(config: WSAPIKeys.config())
        let open = try await sim.openWSAPI()
        let auditor = try await sim.openWSAPI(key: WSAPIKeys.auditor)
        let order = #"{"symbol":"btcusd","side":"BUY","type":"LIMIT","timeInForce":"GTC","price":"100.00","quantity":"0.01"}"#
        for (method, params) in [("order.place", order), ("order.cancel", #"{"orderId":"1"}"#), ("order.cancel_all", nil),
                                 ("order.cancel_session", nil)] {
            #expect(try await open.call("1", method, params) == Self.error(.int(1), 401, -1002, "Authentication required"))
            #expect(try await auditor.call("2", method, params)
                == Self.error(.int(2), 401, -1002, "Authentication required - the API key lacks the Trader role"))
        }
        // An Auditor may read the account's streams.
        #expect(try await auditor.call("3", "subscribe", #"["orders@account","balances@account"]"#)["status"] == .int(200))
        #expect(try await sim.ledgerOrders().isEmpty)
        open.close()
        auditor.close()
        await sim.stop()
    }

    /// Protocol pings every 20 s of the injected clock, answered by the client; the client's
    /// pings are answered; `stopHeartbeats` stops the pings; a close is echoed.
    @Test func protocolPingsOnTheInjectedClock() async throws {
        let sim = try await SimHarness(config: WSAPIKeys.config())
        let openedAt = sim.clock.nowMilliseconds()
        let ws = try await sim.openWSAPI()
        try await pollUntil("ping timer armed", seconds: 10, intervalMs: 1) { sim.clock.pendingDeadlines.contains(openedAt + 20_000) }
        sim.clock.advance(byMilliseconds: 19_999)
        _ = try await roundTrip(ws, id: "1")
        #expect(sim.server.wsAPI.pingsSent == 0)
        sim.clock.advance(byMilliseconds: 1)
        try await pollUntil("our ping answered", seconds: 10, intervalMs: 2) { sim.server.wsAPI.pongsReceived == 1 }
        #expect(sim.server.wsAPI.pingsSent == 1)
        ws.probe.ping()
        try await pollUntil("the client's ping answered", seconds: 10, intervalMs: 2) { ws.probe.pongs == 1 }
        try await sim.setFaults(#"{"stopHeartbeats": true}"#)
        try await pollUntil("next ping armed", seconds: 10, intervalMs: 1) { sim.clock.pendingDeadlines.contains(openedAt + 40_000) }
        sim.clock.advance(byMilliseconds: 20_000)
        _ = try await roundTrip(ws, id: "2")
        #expect(sim.server.wsAPI.pingsSent == 1)
        // No application heartbeats at all: only the replies arrived.
        #expect(ws.frames.allSatisfy { $0["status"] != nil })
        ws.close()
        #expect(try await ws.probe.waitEnd() == .closed(code: 1000, reason: ""))
        await sim.stop()
    }
}
