import CastorCore
import Foundation
import GeminiProtocol
import Testing

/// Every v2 payload in the shared fixtures decodes, with real values checked.
@Suite struct MarketDataV2FixtureTests {
    static let fixturesDirectory: URL = {
        // Tests/GeminiProtocolTests/MarketDataV2/<file> → package root → its parent.
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("shared/gemini/fixtures")
    }()

    /// The raw text of every JSON object in `file` (nested ones included), as written.
    static func rawObjects(_ file: String) throws -> [String] {
        let data = try Data(contentsOf: fixturesDirectory.appendingPathComponent(file))
        let bytes = [UInt8](data)
        var stack: [Int] = [], out: [String] = []
        var inString = false, escaped = false
        for (i, b) in bytes.enumerated() {
            if inString {
                if escaped { escaped = false } else if b == 0x5C { escaped = true } else if b == 0x22 { inString = false }
                continue
            }
            switch b {
            case 0x22: inString = true
            case 0x7B: stack.append(i)
            case 0x7D: out.append(String(decoding: bytes[stack.removeLast()...i], as: UTF8.self))
            default: break
            }
        }
        return out
    }

    /// Objects whose `type` marks them as v2 market data received from the server.
    static func v2Payloads() throws -> [String] {
        try ["gocryptotrader_ws_messages.json", "gemini_docs_examples.json"].flatMap(rawObjects).filter { text in
            guard let o = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
                  let type = o["type"] as? String else { return false }
            switch type {
            case "l2_updates", "mark_price_updates", "funding_amount_updates": return true
            case "trade": return o["symbol"] != nil && o["event_id"] != nil
            case "heartbeat": return o["timestamp"] != nil && o["socket_sequence"] == nil
            default: return type.hasPrefix("candles_") && type.hasSuffix("_updates")
            }
        }
    }

    @Test func everyV2FixtureDecodes() throws {
        let payloads = try Self.v2Payloads()
        // l2 ×2 (+1 nested trade), trade ×3, candles, heartbeat, mark price, funding amount.
        #expect(payloads.count >= 9)
        var decoder = MarketDataV2Decoder()
        for p in payloads {
            let (kind, handler) = try decode(p, &decoder)
            #expect(kind != .unknown, "\(p)")
            #expect(handler.callCount > 0, "\(p)")
        }
    }

    @Test func snapshotWithTradesAndAuctionEvents() throws {
        let text = try #require(try Self.v2Payloads().first { $0.contains("auction_events") })
        var decoder = MarketDataV2Decoder()
        let (kind, h) = try decode(text, &decoder)
        #expect(kind == .l2Updates)
        let btc = try #require(lookup(decoder.symbols, "BTCUSD"))
        #expect(h.l2.count == 1 && h.l2[0].extras && h.l2[0].symbol == btc)
        #expect(h.l2[0].changes == [L2Change(side: .buy, price: dec("9122.04"), quantity: dec("0.00121425")),
                                    L2Change(side: .sell, price: dec("9122.07"), quantity: dec("0.98942292"))])
        #expect(h.trades == [MarketDataV2Trade(symbol: btc, eventID: 169841458, timestampMs: 1560976400428, price: dec("9122.04"),
                                               quantity: dec("0.0073173"), takerSide: .sell, fromSnapshot: true)])
        #expect(h.auctions.map(\.kind) == [.result, .indicative])
        #expect(h.auctions[0].auctionPrice?.description == "9145.00")
        #expect(h.auctions[0].auctionQuantity == dec("470.10390845"))
        #expect(h.auctions[0].succeeded == true && h.auctions[0].timeMs == 1560974400000)
        #expect(h.auctions[1].collarPrice == dec("9146.84"))
    }

    @Test func tradesKeepExactDecimalsAndOptionalTid() throws {
        let trades = try Self.v2Payloads().filter { $0.contains("\"trade\"") && !$0.contains("l2_updates") }
        var decoder = MarketDataV2Decoder()
        var all: [MarketDataV2Trade] = []
        for t in trades { all += try decode(t, &decoder).1.trades }
        let docs = try #require(all.first { $0.tid != nil })
        #expect(docs.tid == 2840140800042677 && docs.eventID == 3575573053)
        #expect(docs.price.description == "9004.21000000" && docs.quantity.description == "0.09110000")
        #expect(docs.takerSide == .buy && !docs.fromSnapshot)
        let real = try #require(all.first { $0.eventID == 45465818387 })
        #expect(decoder.symbols.name(of: real.symbol) == "ANKRUSD")
        #expect(real.tid == nil && real.timestampMs == 1624493670759 && real.price == dec("0.07946"))
    }

    @Test func candlesFromJSONNumbers() throws {
        let text = try #require(try Self.v2Payloads().first { $0.contains("candles_15m_updates") })
        var decoder = MarketDataV2Decoder()
        let (_, h) = try decode(text, &decoder)
        #expect(h.candles.count == 2)
        #expect(h.candles[0].timeframe == .fifteenMinutes && h.candles[0].timeMs == 1561054500000)
        #expect(h.candles[0].open.description == "9350.18" && h.candles[0].volume.description == "2.07")
        #expect(h.candles[1].volume.description == "1.5900161")
    }

    @Test func perpetualsAndHeartbeat() throws {
        var decoder = MarketDataV2Decoder()
        var h = RecordingHandler()
        for p in try Self.v2Payloads() where p.contains("mark_price_updates") || p.contains("funding_amount_updates") || p.contains("heartbeat") {
            let r = try decode(p, &decoder).1
            h.marks += r.marks; h.fundings += r.fundings; h.heartbeats += r.heartbeats
        }
        #expect(h.marks.first?.markPrice.description == "21154.098" && h.marks.first?.timestampNs == 1673932381478308169)
        #expect(h.marks.first?.spotIndex == dec("21175.27333"))
        #expect(h.fundings.first?.fundingIntervalMinutes == 60 && h.fundings.first?.isRealized == false)
        #expect(h.fundings.first?.fundingAmount == dec("0"))
        #expect(h.heartbeats.contains(1624493666869))
    }

    @Test func requestsAndErrorRepliesInFixtures() throws {
        var decoder = MarketDataV2Decoder()
        let objects = try Self.rawObjects("gocryptotrader_ws_messages.json")
        let unsubscribe = try #require(objects.first { $0.contains("\"unsubscribe\"") && $0.contains("subscriptions") })
        #expect(try decode(unsubscribe, &decoder).0 == .outgoingRequest)
        let invalid = try #require(objects.first { $0.contains("WeAreGoingToTheMoonKirby") })
        let (kind, h) = try decode(invalid, &decoder)
        #expect(kind == .subscriptionReply)
        #expect(h.replies == [SubscriptionReply(result: "error", reason: "InvalidJson", message: "WeAreGoingToTheMoonKirby")])
        let test = try #require(objects.first { $0.contains("\"test\"") && !$0.contains("test_func") })
        let (k2, h2) = try decode(test, &decoder)
        #expect(k2 == .unknown && h2.unknown == ["test"] && decoder.unknownTypeCount == 1)
    }
}

/// The id of `name` if `table` knows it (a `StaticString` has stable storage, so the
/// pointer does not dangle).
func lookup(_ table: SymbolTable, _ name: StaticString) -> SymbolID? {
    table.lookup(UnsafeRawBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
}
