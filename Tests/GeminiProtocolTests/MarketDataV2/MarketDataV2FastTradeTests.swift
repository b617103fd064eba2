import CastorCore
@testable import GeminiProtocol
import Testing

/// The single-pass `trade` fast path must agree exactly with the general decoder: each case
/// is decoded as is and with an unknown key added (which only the general path takes), and
/// the results compared; malformed variants must be refused either way. Plain trades must
/// really take the fast path.
@Suite struct MarketDataV2FastTradeTests {
    static let plain = #"{"type":"trade","symbol":"BTCUSD","event_id":3575573053,"timestamp":1624493666869,"price":"9004.21","quantity":"0.09110000","side":"buy"}"#

    @Test func plainTradesTakeTheFastPath() throws {
        let cases = [
            Self.plain,
            #"{"type":"trade","symbol":"ETHUSD","event_id":1,"timestamp":0,"price":"1","quantity":"0","side":"sell","tid":77}"#,
            #"{ "type" : "trade" , "side" : "sell" , "quantity":"2", "price":"30000.01","timestamp":12,"event_id":9,"symbol":"BTCUSD" }"#,
            "{\"type\":\"trade\",\"symbol\":\"BTCUSD\",\"event_id\":5,\"timestamp\":6,\"price\":\"1.5\",\"quantity\":\"2\",\"side\":\"buy\"}\n",
        ]
        for text in cases {
            var decoder = MarketDataV2Decoder(symbols: SymbolTable(["BTCUSD", "ETHUSD"]))
            let result = try withBytes(text) { b in decoder.fastPath(b) }
            guard case .trade(let t) = result else { Issue.record("not fast: \(text)"); continue }
            #expect(t.fromSnapshot == false)
            try compare(text)
        }
        var decoder = MarketDataV2Decoder(symbols: SymbolTable(["BTCUSD"]))
        let (kind, handler) = try decode(Self.plain, &decoder)
        #expect(kind == .trade)
        #expect(handler.trades == [MarketDataV2Trade(symbol: SymbolID(rawValue: 0), eventID: 3575573053, timestampMs: 1624493666869,
                                                     price: dec("9004.21"), quantity: dec("0.09110000"), takerSide: .buy)])
        #expect(handler.trades.first.map { "\($0.quantity)" } == "0.09110000")
    }

    @Test func agreesWithTheGeneralPathOnVariants() throws {
        let cases = [
            // `type` not first: the general path (same result).
            #"{ "side" : "sell" , "quantity":"2", "price":"30000.01","timestamp":12,"event_id":9,"symbol":"BTCUSD","type":"trade" }"#,
            // Fields the fast path leaves to the general one (or both refuse).
            #"{"type":"trade","symbol":"BTCUSD","event_id":"3575573053","timestamp":1,"price":"1","quantity":"1","side":"buy"}"#,
            #"{"type":"trade","symbol":"BTCUSD","event_id":1,"timestamp":-5,"price":"1","quantity":"1","side":"buy"}"#,
            #"{"type":"trade","symbol":"BTCUSD","event_id":1,"timestamp":1.5,"price":"1","quantity":"1","side":"buy"}"#,
            #"{"type":"trade","symbol":"BTCUSD","event_id":1,"timestamp":1e3,"price":"1","quantity":"1","side":"buy"}"#,
            #"{"type":"trade","symbol":"BTCUSD","event_id":1,"timestamp":1E3,"price":"1","quantity":"1","side":"buy"}"#,
            #"{"type":"trade","symbol":"BTCUSD","event_id":007,"timestamp":1,"price":"1","quantity":"1","side":"buy"}"#,
            #"{"type":"trade","symbol":"BTCUSD","event_id":0,"timestamp":1,"price":"1","quantity":"1","side":"buy"}"#,
            #"{"type":"trade","symbol":"BTCUSD","event_id":12345678901234567890,"timestamp":1,"price":"1","quantity":"1","side":"buy"}"#,
            #"{"type":"trade","symbol":"BTCUSD","event_id":123456789012345678,"timestamp":1,"price":"1","quantity":"1","side":"buy"}"#,
            #"{"type":"trade","symbol":"BTCUSD","event_id":1234567890123456789,"timestamp":1,"price":"1","quantity":"1","side":"buy"}"#,
            #"{"type":"trade","symbol":"BTCUSD","event_id":1,"timestamp":1,"price":1.5,"quantity":"1","side":"buy"}"#,
            #"{"type":"trade","symbol":"BTCUSD","event_id":1,"timestamp":1,"price":"-1","quantity":"1","side":"buy"}"#,
            #"{"type":"trade","symbol":"BTCUSD","event_id":1,"timestamp":1,"price":"1e3","quantity":"1","side":"buy"}"#,
            #"{"type":"trade","symbol":"BTCUSD","event_id":1,"timestamp":1,"price":"1234567890123456789","quantity":"1","side":"buy"}"#,
            #"{"type":"trade","symbol":"BTCUSD","event_id":1,"timestamp":1,"price":"1","quantity":"1","side":"hold"}"#,
            #"{"type":"trade","symbol":"BTCUSD","event_id":1,"timestamp":1,"price":"1","quantity":"1","side":"BUY"}"#,
            #"{"type":"trade","symbol":"BTC\u0055SD","event_id":1,"timestamp":1,"price":"1","quantity":"1","side":"buy"}"#,
            #"{"type":"trade","symbol":"NEWSYMBOL","event_id":1,"timestamp":1,"price":"1","quantity":"1","side":"buy"}"#,
            #"{"type":"trade","symbol":"BTCUSD","event_id":1,"timestamp":1,"price":"1","quantity":"1","side":"buy","tid":"4"}"#,
            #"{"type":"trade","symbol":"BTCUSD","event_id":1,"timestamp":1,"price":"1","quantity":"1","side":"buy","tid":-4}"#,
            // Missing, duplicated and extra keys; broken JSON.
            #"{"type":"trade","symbol":"BTCUSD","timestamp":1,"price":"1","quantity":"1","side":"buy"}"#,
            #"{"type":"trade","symbol":"BTCUSD","event_id":1,"price":"1","quantity":"1","side":"buy"}"#,
            #"{"type":"trade","symbol":"BTCUSD","event_id":1,"timestamp":1,"quantity":"1","side":"buy"}"#,
            #"{"type":"trade","event_id":1,"timestamp":1,"price":"1","quantity":"1","side":"buy"}"#,
            #"{"type":"trade","symbol":"BTCUSD","event_id":1,"timestamp":1,"price":"1","quantity":"1"}"#,
            #"{"type":"trade","symbol":"BTCUSD","event_id":1,"event_id":2,"timestamp":1,"price":"1","quantity":"1","side":"buy"}"#,
            #"{"type":"trade","symbol":"BTCUSD","event_id":1,"timestamp":1,"price":"1","price":"2","quantity":"1","side":"buy"}"#,
            #"{"type":"trade","symbol":"BTCUSD","event_id":1,"timestamp":1,"price":"1","quantity":"1","side":"buy","extra":[1]}"#,
            #"{"type":"trade","symbol":"BTCUSD","event_id":1,"timestamp":1,"price":"1","quantity":"1","side":"buy",}"#,
            #"{"type":"trade","symbol":"BTCUSD","event_id":1,"timestamp":1,"price":"1","quantity":"1","side":"buy"}x"#,
            #"{"type":"trade","symbol":"BTCUSD","event_id":1,"timestamp":1,"price":"1","quantity":"1","side":"buy""#,
            #"{"type":"trade","symbol":"BTCUSD","event_id":1 "timestamp":1,"price":"1","quantity":"1","side":"buy"}"#,
            #"{"type":"trades","symbol":"BTCUSD","event_id":1,"timestamp":1,"price":"1","quantity":"1","side":"buy"}"#,
            #"{"type":"trade"}"#,
            #"{"type":"trade","symbol":"BTCUSD","event_id":1,"timestamp":1,"price":"1","quantity":"1","side":"buy","type":"trade"}"#,
        ]
        for text in cases { try compare(text) }
    }

    @Test func everyTruncationAgrees() throws {
        // Every prefix of a plain trade: the fast path must never read past the end or
        // accept what the general path refuses.
        let bytes = Array(Self.plain.utf8)
        for n in 0..<bytes.count {
            try compare(String(decoding: bytes[0..<n], as: UTF8.self))
        }
    }

    /// Decodes `text` as is and with an unknown key added (general path); same outcome.
    private func compare(_ text: String) throws {
        var fastDecoder = MarketDataV2Decoder(symbols: SymbolTable(["BTCUSD", "ETHUSD"]))
        var slowDecoder = MarketDataV2Decoder(symbols: SymbolTable(["BTCUSD", "ETHUSD"]))
        let fast = Result { () throws(MarketDataV2DecodingError) in try decode(text, &fastDecoder) }
        guard let brace = text.firstIndex(of: "{") else { return }
        let slow = text.replacingCharacters(in: brace...brace, with: #"{"zz_unknown":[1,{"a":null}],"#)
        let general = Result { () throws(MarketDataV2DecodingError) in try decode(slow, &slowDecoder) }
        switch (fast, general) {
        case let (.success(f), .success(g)):
            #expect(f.0 == g.0, "\(text)")
            #expect(f.1.trades == g.1.trades, "\(text)")
            #expect(f.1.trades.map { "\($0.price) \($0.quantity)" } == g.1.trades.map { "\($0.price) \($0.quantity)" }, "\(text)")
            #expect(f.1.callCount == g.1.callCount, "\(text)")
        case (.failure, .failure):
            break // offsets differ by the inserted key's length; both reject
        default:
            Issue.record("fast and general paths disagree on \(text): \(fast) vs \(general)")
        }
    }
}
