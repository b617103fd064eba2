import CastorCore
import GeminiProtocol
import Testing

@Suite struct MarketDataV2DecoderTests {
    @Test func anyKeyOrderWhitespaceAndUnknownNestedKeys() throws {
        var decoder = MarketDataV2Decoder()
        let text = """
             {
              "changes" : [ [ "sell" , "9160.20" , "0.1921229751" ] ,["buy","9160.1","1e-8"]],
              "extra": {"nested": [1, {"a": [true, false, null]}, "x\\"y"], "n": -1.5e+3},
              "symbol":"BTCUSD",\t"type":"l2_updates"
            }\r\n
            """
        let (kind, h) = try decode(text, &decoder)
        #expect(kind == .l2Updates)
        #expect(decoder.symbols.name(of: h.l2[0].symbol) == "BTCUSD")
        #expect(h.l2[0].changes == [L2Change(side: .sell, price: dec("9160.20"), quantity: dec("0.1921229751")),
                                    L2Change(side: .buy, price: dec("9160.1"), quantity: dec("0.00000001"))])
        #expect(!h.l2[0].extras)
    }

    @Test func escapesInKeysTypesSymbolsAndValues() throws {
        var decoder = MarketDataV2Decoder()
        let text = #"{"t\u0079pe":"l2\u005fupdates","symbol":"\u0042TCUSD","changes":[["b\u0075y","91\u00322.04","\u0030.5"]]}"#
        let (kind, h) = try decode(text, &decoder)
        #expect(kind == .l2Updates)
        #expect(decoder.symbols.name(of: h.l2[0].symbol) == "BTCUSD")
        #expect(h.l2[0].changes == [L2Change(side: .buy, price: dec("9122.04"), quantity: dec("0.5"))])
        // The escaped and plain spellings intern to the same id.
        let (_, h2) = try decode(#"{"type":"l2_updates","symbol":"BTCUSD","changes":[]}"#, &decoder)
        #expect(h2.l2[0].symbol == h.l2[0].symbol && decoder.symbols.count == 1)
    }

    @Test func decimalsAsNumbersOrStrings() throws {
        var decoder = MarketDataV2Decoder()
        let (_, h) = try decode(#"{"type":"trade","symbol":"ETHUSD","event_id":"7","timestamp":1,"price":3633.00,"quantity":"2","side":"sell"}"#, &decoder)
        #expect(h.trades[0].price.description == "3633.00" && h.trades[0].eventID == 7 && h.trades[0].takerSide == .sell)
    }

    @Test func unknownTypesAreToleratedAndCounted() throws {
        var decoder = MarketDataV2Decoder()
        let (k1, h1) = try decode(#"{"type":"auction_open_v9","symbol":"BTCUSD","x":[1,2]}"#, &decoder)
        let (k2, _) = try decode(#"{"type":"auction_open","symbol":"BTCUSD","auction_time_ms":1607943600000,"first_indicative_ms":1607943000000,"last_cancel_time_ms":1607943540000}"#, &decoder)
        #expect(k1 == .unknown && h1.unknown == ["auction_open_v9"])
        #expect(k2 == .auction && decoder.unknownTypeCount == 1)
    }

    @Test func topLevelAuctionMessage() throws {
        var decoder = MarketDataV2Decoder()
        let (_, h) = try decode(#"{"type":"auction_open","symbol":"BTCUSD","auction_time_ms":1607943600000,"first_indicative_ms":1607943000000,"last_cancel_time_ms":1607943540000}"#, &decoder)
        #expect(h.auctions.count == 1 && h.auctions[0].kind == .open && h.auctions[0].auctionTimeMs == 1607943600000)
        #expect(h.auctions[0].lastCancelTimeMs == 1607943540000 && !h.auctions[0].fromSnapshot)
    }

    static let malformed: [(String, MarketDataV2DecodingError)] = [
        (#"{"type":"l2_updates","symbol":"BTCUSD","changes":[["buy","1","2"]"#, .malformedJSON(offset: 65, problem: .unexpectedEnd)),
        (#"{"type":"heartbeat"} x"#, .malformedJSON(offset: 21, problem: .trailingData)),
        (#"{"type":"heartbeat",}"#, .malformedJSON(offset: 20, problem: .unexpectedByte(0x7D))),
        (#"{"type":"heart\qbeat"}"#, .malformedJSON(offset: 14, problem: .invalidEscape)),
        ("{\"type\":\"a\u{01}\"}", .malformedJSON(offset: 10, problem: .controlCharacterInString)),
        (#"{"type":"trade","price":01}"#, .malformedJSON(offset: 25, problem: .unexpectedByte(0x31))),
        (#"{"type":"trade","price":-}"#, .malformedJSON(offset: 24, problem: .invalidNumber)),
        (#"{"type":"trade","x":nul}"#, .malformedJSON(offset: 20, problem: .invalidLiteral)),
        (#"{"type":"trade","x":"abc}"#, .malformedJSON(offset: 20, problem: .unterminatedString)),
        (String(repeating: "[", count: 100), .malformedJSON(offset: 64, problem: .nestedTooDeeply)),
        ("", .malformedJSON(offset: 0, problem: .unexpectedEnd)),
        (#"["l2_updates"]"#, .notAnObject(offset: 0)),
        (#"{"symbol":"BTCUSD"}"#, .missingField(.type, offset: 0)),
        (#"{"type":"l2_updates","changes":[]}"#, .missingField(.symbol, offset: 0)),
        (#"{"type":"l2_updates","symbol":"BTCUSD"}"#, .missingField(.changes, offset: 0)),
        (#"{"type":"l2_updates","symbol":"BTCUSD","changes":[["buy","1"]]}"#, .invalidValue(.changes, offset: 50)),
        (#"{"type":"l2_updates","symbol":"BTCUSD","changes":[["buy","1","2","3"]]}"#, .invalidValue(.changes, offset: 50)),
        (#"{"type":"l2_updates","symbol":"BTCUSD","changes":[["bid","1","2"]]}"#, .invalidValue(.side, offset: 51)),
        (#"{"type":"l2_updates","symbol":"BTCUSD","changes":[["buy","1.2.3","2"]]}"#, .invalidValue(.price, offset: 57)),
        (#"{"type":"l2_updates","symbol":"BTCUSD","changes":[["buy","1","-2"]]}"#, .invalidValue(.quantity, offset: 61)),
        (#"{"type":"l2_updates","symbol":"BTCUSD","changes":[["buy","0","2"]]}"#, .invalidValue(.price, offset: 57)),
        (#"{"type":"l2_updates","symbol":7,"changes":[]}"#, .invalidValue(.symbol, offset: 30)),
        (#"{"type":"trade","symbol":"BTCUSD","event_id":1,"timestamp":2,"price":"1","side":"buy"}"#, .missingField(.quantity, offset: 0)),
        (#"{"type":"trade","symbol":"BTCUSD","event_id":1.5,"timestamp":2,"price":"1","quantity":"1","side":"buy"}"#, .invalidValue(.eventID, offset: 45)),
        (#"{"type":"candles_1m_updates","symbol":"BTCUSD","changes":[[1,2,3,4,5]]}"#, .invalidValue(.candle, offset: 58)),
    ]

    @Test(arguments: 0..<MarketDataV2DecoderTests.malformed.count)
    func malformedInputThrowsTypedErrorAndCallsNothing(_ index: Int) {
        let (text, expected) = Self.malformed[index]
        var decoder = MarketDataV2Decoder()
        var handler = RecordingHandler()
        #expect(throws: expected) {
            try withBytes(text) { b throws(MarketDataV2DecodingError) in _ = try decoder.decode(b, into: &handler) }
        }
        #expect(handler.callCount == 0)
    }

    @Test func aBadChangeLaterInTheMessageLeavesTheHandlerUntouched() {
        var decoder = MarketDataV2Decoder()
        #expect(throws: MarketDataV2DecodingError.self) {
            _ = try decode(#"{"type":"l2_updates","symbol":"BTCUSD","changes":[["buy","1","2"],["sell","2","x"]]}"#, &decoder)
        }
    }

    @Test func subscribeMessages() {
        let s = MarketDataV2Subscription.subscribeMessage([
            MarketDataV2Subscription(.l2, symbols: ["BTCUSD", "ETHUSD"]),
            MarketDataV2Subscription(.candles(.fifteenMinutes), symbols: ["BTCUSD"]),
        ])
        #expect(s == #"{"type":"subscribe","subscriptions":[{"name":"l2","symbols":["BTCUSD","ETHUSD"]},{"name":"candles_15m","symbols":["BTCUSD"]}]}"#)
        let u = MarketDataV2Subscription.unsubscribeMessage([MarketDataV2Subscription(.fundingAmount, symbols: ["BTC-GUSD-PERP"])])
        #expect(u == #"{"type":"unsubscribe","subscriptions":[{"name":"funding_amount","symbols":["BTC-GUSD-PERP"]}]}"#)
    }

    @Test func builtSubscribeDecodesAsOutgoingRequest() throws {
        var decoder = MarketDataV2Decoder()
        let s = MarketDataV2Subscription.subscribeMessage([MarketDataV2Subscription(.l2, symbols: ["BTCUSD"])])
        #expect(try decode(s, &decoder).0 == .outgoingRequest)
    }
}
