import CastorCore
import CastorTestSupport
import Foundation
import GeminiProtocol
import Testing
@testable import GeminiSim

/// Rebuilds books from v2 messages with the project's decoder, as a client would.
struct V2Book: MarketDataV2Handler {
    struct Level: Hashable { let buy: Bool; let price: ExactDecimal }
    var books: [SymbolID: [Level: ExactDecimal]] = [:]
    var snapshots: [SymbolID] = []
    var trades: [MarketDataV2Trade] = []
    var heartbeats: [Int64?] = []
    var replies: [SubscriptionReply] = []
    var updates = 0

    mutating func l2Updates(symbol: SymbolID, changes: UnsafeBufferPointer<L2Change>, carriesSnapshotExtras: Bool) {
        if carriesSnapshotExtras {
            books[symbol] = [:]
            snapshots.append(symbol)
        } else {
            updates += 1
        }
        for change in changes {
            let level = Level(buy: change.side == .buy, price: change.price)
            books[symbol, default: [:]][level] = change.quantity.isZero ? nil : change.quantity
        }
    }

    mutating func trade(_ trade: MarketDataV2Trade) { trades.append(trade) }
    mutating func heartbeat(timestampMs: Int64?) { heartbeats.append(timestampMs) }
    mutating func subscriptionReply(_ reply: SubscriptionReply) { replies.append(reply) }
}

/// Decodes every message of `texts` into one `V2Book`; returns it with the decoder's symbols.
func rebuild(_ texts: [String]) throws -> (V2Book, SymbolTable) {
    var decoder = MarketDataV2Decoder()
    var book = V2Book()
    for text in texts {
        var bytes = Array(text.utf8)
        _ = try bytes.withUnsafeMutableBytes { raw in try decoder.decode(UnsafeRawBufferPointer(raw), into: &book) }
    }
    return (book, decoder.symbols)
}

extension V2Book {
    /// The book of `symbol` as `/v1/book` levels would list it: (side, price, amount) sorted.
    func levels(_ symbol: String, in table: SymbolTable) -> [String] {
        guard let id = table.all.first(where: { $0.1 == symbol })?.0 else { return [] }
        return (books[id] ?? [:]).map { "\($0.key.buy ? "buy" : "sell") \($0.key.price.normalized) \($0.value.normalized)" }.sorted()
    }
}

/// `/v1/book/{symbol}` (all levels) in the same form.
func restLevels(_ sim: SimHarness, _ symbol: String) async throws -> [String] {
    let book = try await sim.get("/v1/book/\(symbol)?limit_bids=0&limit_asks=0").json
    var out: [String] = []
    for (side, key) in [("buy", "bids"), ("sell", "asks")] {
        for level in book?[key]?.arrayValue ?? [] {
            let price = ExactDecimal(level["price"]!.stringValue!)!.normalized
            let amount = ExactDecimal(level["amount"]!.stringValue!)!.normalized
            out.append("\(side) \(price) \(amount)")
        }
    }
    return out.sorted()
}

func subscribe(_ symbols: [String], kind: String = "subscribe", name: String = "l2") -> String {
    #"{"type":"\#(kind)","subscriptions":[{"name":"\#(name)","symbols":[\#(symbols.map { "\"\($0)\"" }.joined(separator: ","))]}]}"#
}

@Suite(.serialized, .timeLimit(.minutes(2))) struct MarketDataV2EndpointTests {
    /// With the synthetic market running: snapshot then deltas rebuild `/v1/book` exactly,
    /// for two symbols on one connection, while the market moves on the injected clock.
    @Test func snapshotThenDeltasRebuildTheBook() async throws {
        var config = SimHarness.standardConfig()
        config.syntheticMarket = true
        config.marketStepMs = 250
        let sim = try await SimHarness(config: config)
        let ws = try WSProbe.marketData(sim)
        try await ws.waitOpen()
        ws.send(subscribe(["BTCUSD", "ethusd"]))
        let first = try await ws.waitMessages(2)
        #expect(first[0].hasPrefix(#"{"type":"l2_updates","symbol":"BTCUSD","changes":[["buy","#))
        #expect(first[0].contains(#""auction_events":[]"#))
        #expect(first[1].contains(#""symbol":"ETHUSD""#))

        // Step the market a number of times and trade against it from REST.
        for step in 0..<12 {
            let now = sim.clock.nowMilliseconds()
            try await pollUntil("market loop asleep", seconds: 10, intervalMs: 1) { sim.clock.pendingDeadlines.contains(now + 250) }
            sim.clock.advance(byMilliseconds: 250)
            if step % 4 == 1 {
                let ask = try #require(try await sim.get("/v1/pubticker/BTCUSD").json?["ask"]?.stringValue)
                #expect(try await sim.placeOrder(side: "buy", amount: "0.01", price: ask).status == 200)
            }
        }
        let now = sim.clock.nowMilliseconds()
        try await pollUntil("market loop asleep", seconds: 10, intervalMs: 1) { sim.clock.pendingDeadlines.contains(now + 250) }
        for symbol in ["BTCUSD", "ETHUSD"] {
            let expected = try await restLevels(sim, symbol)
            #expect(!expected.isEmpty)
            try await pollUntil("\(symbol) book rebuilt", seconds: 10, intervalMs: 2) {
                let (book, table) = try rebuild(ws.messages)
                return book.levels(symbol, in: table) == expected
            }
        }
        let (book, _) = try rebuild(ws.messages)
        #expect(book.snapshots.count == 2)
        #expect(book.updates > 0)
        #expect(book.trades.contains { !$0.fromSnapshot })
        await sim.stop()
    }

    @Test func tradesCarryTakerSideAndIds() async throws {
        let sim = try await SimHarness()
        _ = try await sim.placeOrder(key: SimHarness.makerKey, side: "sell", amount: "0.3", price: "60000.00")
        let ws = try WSProbe.marketData(sim)
        try await ws.waitOpen()
        ws.send(subscribe(["BTCUSD"]))
        let snapshot = try await ws.waitMessages(1)
        #expect(snapshot[0] == #"{"type":"l2_updates","symbol":"BTCUSD","changes":[["sell","60000.00","0.3"]],"trades":[],"auction_events":[]}"#)

        _ = try await sim.placeOrder(side: "buy", amount: "0.1", price: "60000.00")
        let trade = try await ws.waitFor(after: 1, "trade") { $0.contains(#""type":"trade""#) }
        let tid = try #require(try await sim.get("/v1/trades/BTCUSD").json?.arrayValue?.first?["tid"]?.numberOrStringText)
        #expect(trade == #"{"type":"trade","symbol":"BTCUSD","event_id":\#(tid),"timestamp":\#(sim.clock.nowMilliseconds()),"price":"60000.00","quantity":"0.1","side":"buy","tid":\#(tid)}"#)
        let update = try await ws.waitFor(after: 1, "level update") { $0.contains(#""changes""#) }
        #expect(update == #"{"type":"l2_updates","symbol":"BTCUSD","changes":[["sell","60000.00","0.2"]]}"#)

        // A second subscriber's snapshot lists the trade.
        let late = try WSProbe.marketData(sim)
        try await late.waitOpen()
        late.send(subscribe(["BTCUSD"]))
        let (book, _) = try rebuild(try await late.waitMessages(1))
        #expect(book.trades.count == 1 && book.trades.first?.fromSnapshot == true)
        #expect(book.trades.first?.tid.map(String.init) == tid)
        await sim.stop()
    }

    @Test func unsubscribeStopsASymbolAndErrorsAreReported() async throws {
        let sim = try await SimHarness()
        let ws = try WSProbe.marketData(sim)
        try await ws.waitOpen()
        ws.send(subscribe(["DOGEUSD"]))
        ws.send(subscribe(["BTCUSD"], name: "candles_1m"))
        ws.send("not json")
        let errors = try await ws.waitMessages(3)
        let (replies, _) = try rebuild(errors)
        #expect(replies.replies.map(\.reason) == ["InvalidSymbol", "InvalidSubscription", "InvalidJson"])
        #expect(replies.replies.allSatisfy { $0.isError })

        ws.send(subscribe(["BTCUSD", "ETHUSD"]))
        _ = try await ws.waitMessages(5)
        ws.send(subscribe(["BTCUSD"], kind: "unsubscribe"))
        // Unsubscribe has no reply; an ETH change after a BTC change proves the BTC one was not sent.
        try await pollUntil("unsubscribed", seconds: 10, intervalMs: 1) {
            _ = try await sim.placeOrder(side: "buy", amount: "0.1", price: "100.00")
            _ = try await sim.placeOrder(symbol: "ethusd", side: "buy", amount: "1", price: "10.00")
            return ws.messages.dropFirst(5).contains { $0.contains("ETHUSD") }
        }
        let afterUnsubscribe = ws.messages.dropFirst(5)
        let lastBTC = afterUnsubscribe.lastIndex { $0.contains("BTCUSD") }
        let lastETH = afterUnsubscribe.lastIndex { $0.contains("ETHUSD") }
        #expect(lastBTC == nil || lastBTC! < lastETH!)
        await sim.stop()
    }

    @Test func heartbeatsEveryFiveSecondsOfTheInjectedClock() async throws {
        let sim = try await SimHarness()
        let openedAt = sim.clock.nowMilliseconds()
        let ws = try WSProbe.marketData(sim)
        try await ws.waitOpen()
        try await pollUntil("heartbeat timer armed", seconds: 10, intervalMs: 1) { sim.clock.pendingDeadlines.contains(openedAt + 5_000) }
        sim.clock.advance(byMilliseconds: 5_000)
        let beat = try await ws.waitMessages(1)
        #expect(beat[0] == #"{"type":"heartbeat","timestamp":\#(openedAt + 5_000)}"#)
        await sim.stop()
    }
}
