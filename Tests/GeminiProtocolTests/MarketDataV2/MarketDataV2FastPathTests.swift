import CastorCore
import GeminiProtocol
import Testing

/// The single-pass `l2_updates` fast path must agree exactly with the general decoder.
/// Adding an unknown key sends a message down the general path, so each case is decoded
/// both ways and compared; malformed variants must throw the same error either way.
@Suite struct MarketDataV2FastPathTests {
    static let decimals = [
        "1", "0", "9", "12345", "1234567", "12345678", "123456789012345678", "1234567890123456789",
        "0.1", "1.5", "30000.01", "29999.99", "1234567.12345678", "1234567.123456789", "12345678.1",
        "0.00000001", "007.50", "5.", ".5", "-1", "1e3", "+1", "1.2.3", "", "1 ", " 1", "１",
    ]

    @Test func agreesWithTheGeneralPathOnEveryDecimalForm() throws {
        for price in Self.decimals {
            for quantity in ["0", "16.9", quantityFor(price)] {
                for compact in [true, false] {
                    let body = compact
                        ? #""symbol":"BTCUSD","changes":[["buy","\#(price)","\#(quantity)"],["sell","\#(quantity)","\#(price)"]]"#
                        : #" "symbol" : "BTCUSD" , "changes" : [ [ "buy" , "\#(price)" , "\#(quantity)" ] , [ "sell" , "\#(quantity)" , "\#(price)" ] ] "#
                    try compare(#"{"type":"l2_updates",\#(body)}"#)
                    try compare(#"{\#(body),"type":"l2_updates"}"#)
                }
            }
        }
    }

    @Test func agreesOnStructuralVariantsAndMalformedInput() throws {
        let cases = [
            #"{"type":"l2_updates","symbol":"BTCUSD","changes":[]}"#,
            #"{"changes":[["sell","1.5","2"]],"symbol":"ETHUSD","type":"l2_updates"}"#,
            #"{"type":"l2_updates","symbol":"BTCUSD","changes":[["buy","1.5","2"]]"#,
            #"{"type":"l2_updates","symbol":"BTCUSD","changes":[["buy","1.5","2"]]}x"#,
            #"{"type":"l2_updates","symbol":"BTCUSD","changes":[["buy","1.5"]]}"#,
            #"{"type":"l2_updates","symbol":"BTCUSD","changes":[["buy","1.5","2","3"]]}"#,
            #"{"type":"l2_updates","symbol":"BTCUSD","changes":[["hold","1.5","2"]]}"#,
            #"{"type":"l2_updates","symbol":"BTCUSD","changes":[["buy","0","2"]]}"#,
            #"{"type":"l2_updates","symbol":"BTCUSD","changes":[["buy",1.5,2]]}"#,
            #"{"type":"l2_updates","symbol":"BTC\u0055SD","changes":[["buy","1.5","2"]]}"#,
            #"{"type":"l2_updates","symbol":"BTCUSD","changes":[["buy","1.5","2"],]}"#,
            #"{"type":"l2_updates","symbol":"BTCUSD","changes":[["buy","1.5","2"]],}"#,
            #"{"type":"l2_updates","type":"l2_updates","symbol":"BTCUSD","changes":[]}"#,
            #"{"type":"l2_updates","symbol":"NEWSYMBOL12","changes":[["buy","1.5","2"]]}"#,
            #"{"type":"l2_updates","changes":[["buy","1.5","2"]]}"#,
            #"{"type":"l2_updates","symbol":"BTCUSD"}"#,
            "{\"type\":\"l2_updates\",\"symbol\":\"BTCUSD\",\"changes\":[[\"buy\",\"1.5\",\"2\"]]}\n\t ",
        ]
        for text in cases { try compare(text) }
    }

    private func quantityFor(_ price: String) -> String { price.isEmpty ? "1" : price }

    /// Decodes `text` as is and with an unknown key added (general path); same outcome.
    private func compare(_ text: String) throws {
        guard let brace = text.firstIndex(of: "{") else { return }
        let slow = text.replacingCharacters(in: brace...brace, with: #"{"zz_unknown":[1,{"a":null}],"#)
        var fastDecoder = MarketDataV2Decoder(symbols: SymbolTable(["BTCUSD", "ETHUSD"]))
        var slowDecoder = MarketDataV2Decoder(symbols: SymbolTable(["BTCUSD", "ETHUSD"]))
        let fast = Result { () throws(MarketDataV2DecodingError) in try decode(text, &fastDecoder) }
        let general = Result { () throws(MarketDataV2DecodingError) in try decode(slow, &slowDecoder) }
        switch (fast, general) {
        case let (.success(f), .success(g)):
            #expect(f.0 == g.0, "\(text)")
            #expect(f.1.l2.count == g.1.l2.count, "\(text)")
            for (a, b) in zip(f.1.l2, g.1.l2) {
                #expect(a.symbol == b.symbol && a.extras == b.extras, "\(text)")
                #expect(a.changes == b.changes, "\(text)")
                #expect(a.changes.map { "\($0.price) \($0.quantity)" } == b.changes.map { "\($0.price) \($0.quantity)" }, "\(text)")
            }
        case (.failure, .failure):
            break // offsets differ by the inserted key's length; both reject
        default:
            Issue.record("fast and general paths disagree on \(text): \(fast) vs \(general)")
        }
    }
}
