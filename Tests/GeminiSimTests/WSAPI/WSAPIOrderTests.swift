import CastorCore
import CastorTestSupport
import Foundation
import Testing
@testable import GeminiSim

/// Order entry on the new WebSocket API (WS-API.md §2.4.8–2.4.11, §3.7–3.8): replies
/// before events, the order lifecycle as `orderUpdate`s, balances, cancels, the
/// connection-scoped methods and `cancelOnDisconnect`, one ledger with REST.
@Suite(.serialized, .timeLimit(.minutes(2))) struct WSAPIOrderTests {
    static func place(_ side: String, _ price: String, _ quantity: String, tif: String = "GTC", symbol: String = "btcusd",
                      cid: String? = nil, extra: String = "") -> String {
        #"{"symbol":"\#(symbol)","side":"\#(side)","type":"LIMIT","timeInForce":"\#(tif)","price":"\#(price)","quantity":"\#(quantity)"\#(cid.map { #","clientOrderId":"\#($0)""# } ?? "")\#(extra)}"#
    }

    static func rejected(_ id: Int, _ reason: String) -> GeminiJSON {
        .object([("id", .int(id)), ("status", .int(400)), ("error", .object([("code", .int(-2010)), ("msg", .string(reason))]))])
    }

    @Test func placeRepliesThenNewThenFillsAndBalances() async throws {
        let sim = try await SimHarness(config: WSAPIKeys.config())
        try await sim.makerOrder("sell", "0.3", "45001.00")
        try await sim.makerOrder("sell", "0.5", "45002.00")
        let ws = try await sim.openWSAPI(key: WSAPIKeys.trader)
        _ = try await ws.call("1", "subscribe", #"["orders@account","balances@account"]"#)
        let start = ws.probe.messages.count
        ws.request("2", "order.place", Self.place("BUY", "45002.00", "1", cid: "ws_bot_001"))
        _ = try await ws.probe.waitMessages(start + 5)
        let frames = Array(ws.frames.dropFirst(start))
        // The reply has no result and comes first.
        #expect(frames[0] == .object([("id", .int(2)), ("status", .int(200))]))
        let new = frames[1]
        #expect(new.keys == ["e", "E", "s", "i", "c", "S", "o", "X", "p", "q", "z", "T"])
        #expect(new["e"] == .string("orderUpdate") && new["X"] == .string("NEW") && new["s"] == .string("BTCUSD"))
        #expect(new["c"] == .string("ws_bot_001") && new["S"] == .string("BUY") && new["o"] == .string("LIMIT"))
        #expect(new["p"] == .string("45002.00") && new["q"] == .string("1.00000000") && new["z"] == .string("1.00000000"))
        let orderId = try #require(new["i"]?.int64)
        #expect(orderId > 9_007_199_254_740_992)
        #expect(new["E"]?.int64 == sim.clock.nowMilliseconds() * 1_000_000 && new["T"] == new["E"])
        // Two fills, partial then partial (0.2 left rests).
        let fills = frames.filter { $0["X"] == .string("PARTIALLY_FILLED") }
        #expect(fills.count == 2)
        #expect(fills[0].keys == ["e", "E", "s", "i", "c", "S", "o", "X", "p", "q", "z", "Z", "L", "t", "n", "m", "T"])
        #expect(fills[0]["Z"] == .string("0.30000000") && fills[0]["L"] == .string("45001.00") && fills[0]["z"] == .string("0.70000000"))
        #expect(fills[1]["Z"] == .string("0.50000000") && fills[1]["L"] == .string("45002.00") && fills[1]["z"] == .string("0.20000000"))
        #expect(fills.allSatisfy { $0["m"] == .bool(false) && $0["i"]?.int64 == orderId })
        // Taker fee 35 bps of 0.3 × 45001.00.
        #expect(fills[0]["n"] == .string("47.25105"))
        let ledger = try await sim.ledgerOrders()
        let tids = ledger.last?["trades"]?.arrayValue?.compactMap { $0["tid"]?.int64 }
        #expect(tids == fills.compactMap { $0["t"]?.int64 })
        // One balance update for the whole change, with the changed assets.
        let balance = try await ws.frame(after: start, "balance update") { $0["e"] == .string("balanceUpdate") }
        #expect(balance.keys == ["e", "E", "u", "B"])
        #expect(balance["E"]?.int64 == sim.clock.nowMilliseconds())
        let rows = balance["B"]?.arrayValue ?? []
        #expect(rows.map { $0["a"] } == [.string("BTC"), .string("USD")])
        #expect(rows[0] == .object([("a", .string("BTC")), ("f", .string("10.8")), ("c", .string("10.8"))]))
        // USD: 1,000,000 − 36001.30 for 0.8 BTC − 126.00455 taker fees = 963872.69545; held: the
        // 0.2 left × 45002.00 plus 35 bps = 9031.9014.
        let usd = try #require(try await sim.get("/sim/ledger").json?["accounts"]?.arrayValue?.first?["balances"]?.arrayValue?
            .first { $0["currency"] == .string("USD") })
        func decimal(_ json: GeminiJSON?) -> ExactDecimal? { json?.stringValue.flatMap(ExactDecimal.init) }
        #expect(decimal(rows[1]["c"]) == ExactDecimal("963872.69545") && decimal(rows[1]["c"]) == decimal(usd["amount"]))
        #expect(decimal(rows[1]["f"]) == decimal(usd["available"]) && decimal(rows[1]["f"]) == ExactDecimal("954840.79405"), "\(rows[1])")

        // The rest fills against a REST seller: FILLED, maker, z 0 shown.
        let before = ws.probe.messages.count
        #expect(try await sim.placeOrder(key: SimHarness.makerKey, side: "sell", amount: "0.2", price: "45002.00").status == 200)
        let filled = try await ws.frame(after: before, "FILLED") { $0["X"] == .string("FILLED") }
        #expect(filled["z"] == .string("0.00000000") && filled["Z"] == .string("0.20000000") && filled["m"] == .bool(true))
        #expect(filled["n"] == .string("9.0004"))
        ws.close()
        await sim.stop()
    }

    @Test func timeInForceOutcomesAreCancels() async throws {
        let sim = try await SimHarness(config: WSAPIKeys.config())
        try await sim.makerOrder("sell", "0.3", "45001.00")
        let ws = try await sim.openWSAPI(key: WSAPIKeys.trader)
        _ = try await ws.call("1", "subscribe", #"["orders@session"]"#)
        func outcome(_ id: Int, _ params: String) async throws -> [GeminiJSON] {
            let start = ws.probe.messages.count
            #expect(try await ws.call("\(id)", "order.place", params) == .object([("id", .int(id)), ("status", .int(200))]))
            _ = try await ws.frame(after: start, "final event") { ["FILLED", "CANCELED"].contains($0["X"]?.stringValue ?? "") }
            return ws.frames.dropFirst(start).filter { $0["e"] == .string("orderUpdate") }
        }
        // Maker-or-cancel that would take: NEW, then CANCELED MakerOrCancelWouldTake.
        let moc = try await outcome(2, Self.place("BUY", "45001.00", "0.1", tif: "MOC"))
        #expect(moc.map { $0["X"] } == [.string("NEW"), .string("CANCELED")])
        #expect(moc[1].keys == ["e", "E", "s", "i", "X", "r", "T"])
        #expect(moc[1]["r"] == .string("MakerOrCancelWouldTake"))
        // Fill-or-kill that cannot fill.
        let fok = try await outcome(3, Self.place("BUY", "45001.00", "0.5", tif: "FOK"))
        #expect(fok.map { $0["X"] } == [.string("NEW"), .string("CANCELED")])
        #expect(fok[1]["r"] == .string("FillOrKillWouldNotFill"))
        // Immediate-or-cancel: a partial fill, then its remainder cancelled with Z cumulative.
        let ioc = try await outcome(4, Self.place("BUY", "45001.00", "0.5", tif: "IOC", cid: "ioc-1"))
        #expect(ioc.map { $0["X"] } == [.string("NEW"), .string("PARTIALLY_FILLED"), .string("CANCELED")])
        #expect(ioc[2].keys == ["e", "E", "s", "i", "c", "X", "Z", "r", "T"])
        #expect(ioc[2]["Z"] == .string("0.30000000") && ioc[2]["r"] == .string("ImmediateOrCancelWouldPost"))
        // A fully filled IOC ends FILLED.
        try await sim.makerOrder("sell", "0.1", "45001.00")
        let full = try await outcome(5, Self.place("BUY", "45001.00", "0.1", tif: "IOC"))
        #expect(full.map { $0["X"] } == [.string("NEW"), .string("FILLED")])
        // A stop-limit rests as STOP_LIMIT with its stop price.
        let start = ws.probe.messages.count
        #expect(try await ws.call("6", "order.place", Self.place("BUY", "46000.00", "0.1", extra: #","stopPrice":"45900.00""#))["status"] == .int(200))
        let stop = try await ws.frame(after: start, "stop NEW") { $0["X"] == .string("NEW") }
        #expect(stop["o"] == .string("STOP_LIMIT") && stop["P"] == .string("45900.00"))
        ws.close()
        await sim.stop()
    }

    @Test func refusalsAre2010WithTheReason() async throws {
        let sim = try await SimHarness(config: WSAPIKeys.config())
        let ws = try await sim.openWSAPI(key: WSAPIKeys.trader)
        _ = try await ws.call("1", "subscribe", #"["orders@account"]"#)
        let cases: [(String, String)] = [
            (Self.place("BUY", "45000.005", "0.1"), "LimitPriceOffTick"),
            (Self.place("BUY", "0", "0.1"), "InvalidPrice"),
            (Self.place("BUY", "abc", "0.1"), "InvalidPrice"),
            (Self.place("BUY", "45000.00", "0.000000001"), "InvalidQuantity"),
            (Self.place("BUY", "45000.00", "0.000001"), "InvalidQuantity"),
            (Self.place("BUY", "45000.00", "1e30"), "InvalidQuantity"),
            (Self.place("BUY", "99999999999999.99", "99999999.99999999"), "InsufficientFunds"),
            (Self.place("BUY", "45000.00", "100"), "InsufficientFunds"),
            (Self.place("SELL", "45000.00", "11"), "InsufficientFunds"),
            (Self.place("BUY", "45000.00", "0.1", symbol: "dogeusd"), "UnknownInstrument"),
            (Self.place("BUY", "46000.00", "0.1", extra: #","stopPrice":"47000.00""#), "InvalidStopPrice"),
            (#"{"symbol":"btcusd","side":"BUY","type":"MARKET","timeInForce":"IOC","quantity":"0.1"}"#, "UnsupportedOrderType"),
        ]
        for (index, (params, reason)) in cases.enumerated() {
            #expect(try await ws.call("\(index + 10)", "order.place", params) == Self.rejected(index + 10, reason), "\(params)")
        }
        // Malformed params: -1013.
        for params in [#"{"symbol":"btcusd"}"#, Self.place("buy", "45000.00", "0.1"), Self.place("BUY", "45000.00", "0.1", tif: "DAY"),
                       #"[1]"#, Self.place("BUY", "46000.00", "0.1", tif: "IOC", extra: #","stopPrice":"45900.00""#)] {
            #expect(try await ws.call("2", "order.place", params)["error"]?["code"] == .int(-1013), "\(params)")
        }
        // A client order id a live order carries: DuplicateOrder; once that order is gone it is free.
        #expect(try await ws.call("3", "order.place", Self.place("BUY", "100.00", "0.1", cid: "dup"))["status"] == .int(200))
        #expect(try await ws.call("4", "order.place", Self.place("BUY", "101.00", "0.1", cid: "dup")) == Self.rejected(4, "DuplicateOrder"))
        _ = try await ws.call("5", "order.cancel_all")
        #expect(try await ws.call("6", "order.place", Self.place("BUY", "102.00", "0.1", cid: "dup"))["status"] == .int(200))
        // No REJECTED events by default, and nothing refused reached the ledger.
        _ = try await roundTrip(ws, id: "7")
        #expect(!ws.orderUpdates.contains { $0["X"] == .string("REJECTED") })
        #expect(try await sim.ledgerOrders().count == 2)
        // The REST path refuses huge values instead of trapping too.
        #expect(try await sim.placeOrder(side: "buy", amount: "1e20", price: "1e20").status == 400)
        #expect(try await sim.placeOrder(side: "buy", amount: "1.000000000000000000000000000000", price: "99999999999999999.99").status == 406)
        ws.close()
        await sim.stop()
    }

    @Test func rejectedEventsBehindTheFlag() async throws {
        let sim = try await SimHarness(config: WSAPIKeys.config { $0.wsAPIRejectedEvents = true })
        let ws = try await sim.openWSAPI(key: WSAPIKeys.trader)
        _ = try await ws.call("1", "subscribe", #"["orders@session"]"#)
        let start = ws.probe.messages.count
        #expect(try await ws.call("2", "order.place", Self.place("BUY", "45000.00", "100", cid: "big")) == Self.rejected(2, "InsufficientFunds"))
        let event = try await ws.frame(after: start, "REJECTED") { $0["X"] == .string("REJECTED") }
        #expect(event.keys == ["e", "E", "s", "i", "c", "X", "r", "T"])
        #expect(event["r"] == .string("InsufficientFunds") && event["c"] == .string("big"))
        // The reply came first.
        #expect(ws.frames[start]["id"] == .int(2))
        // An unknown instrument is rejected too (its event keeps the symbol as sent, upper case).
        let next = ws.probe.messages.count
        #expect(try await ws.call("3", "order.place", Self.place("BUY", "1.00", "1", symbol: "dogeusd")) == Self.rejected(3, "UnknownInstrument"))
        let unknown = try await ws.frame(after: next, "REJECTED unknown") { $0["X"] == .string("REJECTED") }
        #expect(unknown["s"] == .string("DOGEUSD") && unknown["r"] == .string("UnknownInstrument"))
        ws.close()
        await sim.stop()
    }

    @Test func cancelsAndTheirScopes() async throws {
        let sim = try await SimHarness(config: WSAPIKeys.config())
        let a = try await sim.openWSAPI(key: WSAPIKeys.trader)
        let b = try await sim.openWSAPI(key: WSAPIKeys.trader2)
        let watcher = try await sim.openWSAPI(key: WSAPIKeys.auditor)
        _ = try await a.call("1", "subscribe", #"["orders@session"]"#)
        _ = try await watcher.call("1", "subscribe", #"["orders@account"]"#)
        for (i, price) in ["100.00", "101.00"].enumerated() {
            #expect(try await a.call("\(i + 2)", "order.place", Self.place("BUY", price, "0.1"))["status"] == .int(200))
        }
        #expect(try await b.call("2", "order.place", Self.place("BUY", "102.00", "0.1"))["status"] == .int(200))
        let rest = try #require(try await sim.placeOrder(side: "buy", amount: "0.1", price: "103.00").json?["order_id"]?.stringValue)
        // orders@account sees every order of the account (REST ones too); orders@session only its own.
        try await pollUntil("watcher saw four NEWs", seconds: 10, intervalMs: 2) { watcher.orderUpdates.count == 4 }
        _ = try await roundTrip(a, id: "9")
        #expect(a.orderUpdates.count == 2)
        let ids = watcher.orderUpdates.compactMap { $0["i"]?.int64 }
        #expect(ids.last == Int64(rest))

        // order.cancel by string or integer id; CANCELED without r or Z; again: -1013.
        var start = a.probe.messages.count
        #expect(try await a.call("10", "order.cancel", #"{"orderId":"\#(ids[0])"}"#) == .object([("id", .int(10)), ("status", .int(200))]))
        let cancelled = try await a.frame(after: start, "CANCELED") { $0["X"] == .string("CANCELED") }
        #expect(cancelled.keys == ["e", "E", "s", "i", "X", "T"] && cancelled["i"]?.int64 == ids[0])
        let notFound = GeminiJSON.object([("id", .int(11)), ("status", .int(400)),
                                          ("error", .object([("code", .int(-1013)), ("msg", .string("Invalid parameters - order not found or already filled"))]))])
        #expect(try await a.call("11", "order.cancel", #"{"orderId":\#(ids[0])}"#) == notFound)
        #expect(try await a.call("11", "order.cancel", #"{"orderId":"73751560172999999"}"#) == notFound)
        #expect(try await a.call("12", "order.cancel", #"{"orderId":true}"#)["error"]?["code"] == .int(-1013))
        // Another account's order is not found either.
        let makers = try await sim.makerOrder("sell", "0.1", "90000.00")
        #expect(try await a.call("11", "order.cancel", #"{"orderId":"\#(makers)"}"#) == notFound)
        // A REST cancel reaches the stream too.
        start = watcher.probe.messages.count
        _ = try await sim.privatePost("/v1/order/cancel", fields: [("order_id", .integer(Int64(rest)!))])
        _ = try await watcher.frame(after: start, "REST cancel") { $0["X"] == .string("CANCELED") && $0["i"]?.int64 == Int64(rest) }

        // cancel_session: this connection's orders only (a's second order), not b's.
        #expect(try await a.call("13", "order.cancel_session") == .object([("id", .int(13)), ("status", .int(200))]))
        try await pollUntil("a's order cancelled", seconds: 10, intervalMs: 2) {
            watcher.orderUpdates.contains { $0["X"] == .string("CANCELED") && $0["i"]?.int64 == ids[1] }
        }
        #expect(!watcher.orderUpdates.contains { $0["X"] == .string("CANCELED") && $0["i"]?.int64 == ids[2] })
        // cancel_all: everything of the account, whichever connection or channel placed it.
        _ = try await sim.placeOrder(side: "buy", amount: "0.1", price: "104.00")
        #expect(try await a.call("14", "order.cancel_all")["status"] == .int(200))
        #expect(try await sim.privatePost("/v1/orders").json == .array([]))
        // The ledger tells the channels apart.
        let vias = try await sim.ledgerOrders().map { $0["via"]?.stringValue ?? "?" }
        #expect(vias == ["websocket", "websocket", "websocket", "rest", "rest"])
        for client in [a, b, watcher] { client.close() }
        await sim.stop()
    }

    /// `cancelOnDisconnect=true`: closing the socket (here the client's close; a drop works
    /// the same way) cancels the orders placed on it, and the account's other connections
    /// hear of it. Without it, orders stay.
    @Test func cancelOnDisconnect() async throws {
        let sim = try await SimHarness(config: WSAPIKeys.config())
        let watcher = try await sim.openWSAPI(key: WSAPIKeys.trader2)
        _ = try await watcher.call("1", "subscribe", #"["orders@account"]"#)
        let guarded = try await sim.openWSAPI("cancelOnDisconnect=true", key: WSAPIKeys.trader)
        let plain = try await sim.openWSAPI(key: WSAPIKeys.trader)
        #expect(try await guarded.call("1", "order.place", Self.place("BUY", "100.00", "0.1"))["status"] == .int(200))
        #expect(try await plain.call("1", "order.place", Self.place("BUY", "101.00", "0.1"))["status"] == .int(200))
        _ = try await sim.placeOrder(side: "buy", amount: "0.1", price: "102.00")
        try await pollUntil("three NEWs", seconds: 10, intervalMs: 2) { watcher.orderUpdates.count == 3 }
        let guardedId = watcher.orderUpdates[0]["i"]
        guarded.close()
        _ = try await guarded.probe.waitEnd()
        _ = try await watcher.frame("CANCELED after the close") { $0["X"] == .string("CANCELED") && $0["i"] == guardedId }
        plain.close()
        _ = try await plain.probe.waitEnd()
        try await pollUntil("plain connection gone", seconds: 10, intervalMs: 2) { sim.server.wsAPI.connectionCount == 1 }
        let live = try #require(try await sim.privatePost("/v1/orders").json?.arrayValue)
        #expect(live.map { $0["price"] } == [.string("101.00"), .string("102.00")])
        // A drop fault closes the socket too.
        let dropped = try await sim.openWSAPI("cancelOnDisconnect=true", key: WSAPIKeys.trader)
        #expect(try await dropped.call("1", "order.place", Self.place("BUY", "103.00", "0.1"))["status"] == .int(200))
        try await sim.setFaults(#"{"dropWebSocketsNow": true}"#)
        #expect(try await dropped.probe.waitEnd() == .closed(code: 1011, reason: "simulated connection drop"))
        try await pollUntil("dropped connection's order cancelled", seconds: 10, intervalMs: 2) {
            (try? await sim.privatePost("/v1/orders").json?.arrayValue?.count) == 2
        }
        watcher.close()
        await sim.stop()
    }
}
