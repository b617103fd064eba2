import CastorCore
@testable import GeminiProtocol
import Testing

/// The new API's single-pass fast path (`depthUpdate` and trades) must agree exactly with
/// the general path: every case is decoded by `decode` (fast first) and by `decodeFrame`
/// alone, and the outcomes compared — the same kind and values, or both refused. Plain
/// frames must really take the fast path.
@Suite struct WSAPIFastPathTests {
    static let symbols = ["BTCUSD", "ETHUSD", "AVAXGUSDPERP"]
    static let depth = #"{"e":"depthUpdate","E":1624493666000000000,"s":"btcusd","U":1764527605191352,"u":1764527605191355,"b":[["29999.99","12.00822466"],["29999.98","0"]],"a":[["30000.01","1.5"]]}"#
    static let trade = #"{"E":1624493666877000000,"s":"ethusd","t":45465818001,"p":"2000.01","q":"19.98","m":false}"#

    struct Recorder: WSAPIMarketHandler {
        var depth: [(WSAPIDepthUpdate, [L2Change])] = []
        var trades: [MarketDataV2Trade] = []
        var replies = 0
        mutating func depthUpdate(_ update: WSAPIDepthUpdate, levels: UnsafeBufferPointer<L2Change>) {
            depth.append((update, Array(levels)))
        }
        mutating func trade(_ trade: MarketDataV2Trade) { trades.append(trade) }
        mutating func reply(_ reply: WSAPIReply) { replies += 1 }
    }

    static func withBytes<R>(_ text: String, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try Array(text.utf8).withUnsafeBytes(body)
    }

    @Test func plainFramesTakeTheFastPath() throws {
        let depths = [
            Self.depth,
            #"{"e":"depthUpdate","s":"btcusd","U":1,"u":1,"b":[],"a":[]}"#,
            #"{ "a" : [ [ "1.5" , "2" ] ] , "b":[], "u": 9223372036854775807 , "U" :0, "s" : "ethusd", "e" : "depthUpdate" }"#,
            #"{"e":"depthUpdate","E":1,"s":"avaxgusdperp","U":12345678,"u":123456789,"b":[["7.487000","140.40000"]]}"#,
            "{\"e\":\"depthUpdate\",\"s\":\"btcusd\",\"U\":5,\"u\":6}\r\n",
        ]
        for text in depths {
            var decoder = WSAPIMarketDecoder(symbols: Self.symbols)
            let fast = Self.withBytes(text) { decoder.fastFrame($0) }
            guard case .depth = fast else { Issue.record("not fast: \(text)"); continue }
            try compare(text)
        }
        let trades = [
            Self.trade,
            #"{"e":"trade","E":1700000000000,"s":"btcusd","t":123456789,"p":"1000.00","q":"0.25","m":true}"#,
            #"{ "m" : true , "q":"2", "p" : "30000.01", "t": 0, "s":"btcusd" }"#,
            #"{"s":"btcusd","t":9223372036854775807,"p":"1","q":"0.00000001","m":false,"E":1783981140085684200}"#,
        ]
        for text in trades {
            var decoder = WSAPIMarketDecoder(symbols: Self.symbols)
            let fast = Self.withBytes(text) { decoder.fastFrame($0) }
            guard case .trade = fast else { Issue.record("not fast: \(text)"); continue }
            try compare(text)
        }
        var decoder = WSAPIMarketDecoder(symbols: Self.symbols)
        let trade = try #require(Self.withBytes(Self.trade) { decoder.fastTrade($0) })
        #expect(trade == MarketDataV2Trade(symbol: SymbolID(rawValue: 1), eventID: 45465818001, timestampMs: 1624493666877,
                                           price: ExactDecimal("2000.01")!, quantity: ExactDecimal("19.98")!, takerSide: .buy,
                                           tid: 45465818001))
        let (update, count) = try #require(Self.withBytes(Self.depth) { decoder.fastDepth($0) })
        #expect(update == WSAPIDepthUpdate(symbol: SymbolID(rawValue: 0), firstUpdateID: 1764527605191352,
                                           lastUpdateID: 1764527605191355, eventTimeNs: 1624493666000000000))
        #expect(count == 3)
        #expect(decoder.fastLevels[1] == L2Change(side: .buy, price: ExactDecimal("29999.98")!, quantity: .zero))
        #expect(decoder.fastLevels[2].side == .sell)
    }

    @Test func integersAtEveryLengthAgree() throws {
        let values = ["0", "7", "12345678", "123456789", "45465818001", "123456789012345", "00000000123", "1234567890123456",
                      "12345678901234567", "123456789012345678", "1234567890123456789", "9223372036854775807",
                      "9223372036854775808", "9999999999999999999",
                      "12345678901234567890", "123456789012345678901234", "0123456789012345", "1234567890123456.5",
                      "1234567890123456789e1", "12345678901234567E2", "1234567890123456 ", "01", "00", "-1", "1.5", "1e3",
                      "1E3", "\"5\"", "1 ",
                      // Exactly 16 digits (update ids) and what may follow them.
                      "1764527605191350", "1234567890123456e1", "1234567890123456E1", "1234567890123456.0",
                      "0000000000000000", "9999999999999999", "1234567890123456\"", "1234567890123456x"]
        for v in values {
            try compare(#"{"e":"depthUpdate","E":\#(v),"s":"btcusd","U":1,"u":2,"b":[],"a":[]}"#)
            try compare(#"{"e":"depthUpdate","s":"btcusd","U":\#(v),"u":9223372036854775807}"#)
            try compare(#"{"e":"depthUpdate","s":"btcusd","U":0,"u":\#(v)}"#)
            try compare(#"{"s":"btcusd","t":\#(v),"p":"1","q":"1","m":true}"#)
        }
        var decoder = WSAPIMarketDecoder(symbols: Self.symbols)
        let frame = #"{"e":"depthUpdate","E":9223372036854775807,"s":"btcusd","U":1234567890123456789,"u":1234567890123456790}"#
        let (update, _) = try #require(Self.withBytes(frame) { decoder.fastDepth($0) })
        #expect(update.eventTimeNs == Int64.max)
        #expect(update.firstUpdateID == 1234567890123456789 && update.lastUpdateID == 1234567890123456790)
    }

    @Test func agreesWithTheGeneralPathOnVariants() throws {
        let cases = [
            // Keys or values only the general path takes (or both refuse).
            #"{"e":"depthUpdate","s":"BTCUSD","U":1,"u":2,"b":[],"a":[]}"#,
            #"{"e":"depthUpdate","s":"dogeusd","U":1,"u":2,"b":[],"a":[]}"#,
            #"{"e":"depthUpdate","s":"btc\u0075sd","U":1,"u":2,"b":[],"a":[]}"#,
            #"{"e":"depthUpdate","s":"btcusd","U":"1","u":2,"b":[],"a":[]}"#,
            #"{"e":"depthUpdate","s":"btcusd","U":3,"u":2,"b":[],"a":[]}"#,
            #"{"e":"depthUpdate","s":"btcusd","U":1,"u":2,"b":[["1","2","3"]],"a":[]}"#,
            #"{"e":"depthUpdate","s":"btcusd","U":1,"u":2,"b":[["0","2"]],"a":[]}"#,
            #"{"e":"depthUpdate","s":"btcusd","U":1,"u":2,"b":[["1","-2"]],"a":[]}"#,
            #"{"e":"depthUpdate","s":"btcusd","U":1,"u":2,"b":[["1",2]],"a":[]}"#,
            #"{"e":"depthUpdate","s":"btcusd","U":1,"u":2,"b":[["1","2"]],"b":[],"a":[]}"#,
            #"{"e":"depthUpdate","s":"btcusd","U":1,"u":2,"b":"1","a":[]}"#,
            #"{"e":"depthUpdate","s":"btcusd","u":2,"b":[],"a":[]}"#,
            #"{"e":"depthUpdate","U":1,"u":2,"b":[],"a":[]}"#,
            #"{"e":"depthUpdate","s":"btcusd","U":1,"u":2,"t":5,"b":[],"a":[]}"#,
            #"{"e":"depthUpdate","s":"btcusd","U":1,"u":2,"b":[],"a":[],"id":1,"status":200}"#,
            #"{"e":"depthUpdate","s":"btcusd","U":1,"u":2,"lastUpdateId":3}"#,
            #"{"e":"depthupdate","s":"btcusd","U":1,"u":2,"b":[],"a":[]}"#,
            #"{"e":"depthUpdate","s":"btcusd","U":1,"u":2,"b":[],"a":[]} x"#,
            #"{"e":"depthUpdate","s":"btcusd","U":1,"u":2,"b":[],"a":[],}"#,
            #"{"e":"depthUpdate","s":"btcusd","U":1,"u":2,"b":[],"a":[]"#,
            #"{"e":"depthUpdate","s":"btcusd" "U":1,"u":2}"#,
            #"{"\u0065":"depthUpdate","s":"btcusd","U":1,"u":2}"#,
            // Trades: a depth event with trade keys, missing or duplicated fields, values
            // of other forms, non-positive amounts.
            #"{"e":"depthUpdate","s":"btcusd","t":1,"p":"1","q":"1","m":true}"#,
            #"{"e":"trade","s":"btcusd","t":1,"p":"1","q":"1","m":true,"U":4}"#,
            #"{"e":"bookTicker","s":"btcusd","t":1,"p":"1","q":"1","m":true}"#,
            #"{"s":"btcusd","t":1,"p":"1","q":"1","m":true,"b":"2"}"#,
            #"{"s":"btcusd","t":1,"p":"1","q":"1"}"#,
            #"{"s":"btcusd","t":1,"p":"1","m":true}"#,
            #"{"s":"btcusd","p":"1","q":"1","m":true}"#,
            #"{"t":1,"p":"1","q":"1","m":true}"#,
            #"{"s":"btcusd","t":1,"t":2,"p":"1","q":"1","m":true}"#,
            #"{"s":"btcusd","t":1,"p":"0","q":"1","m":true}"#,
            #"{"s":"btcusd","t":1,"p":"1","q":"0","m":true}"#,
            #"{"s":"btcusd","t":1,"p":"1","q":"-1","m":true}"#,
            #"{"s":"btcusd","t":1,"p":1,"q":"1","m":true}"#,
            #"{"s":"btcusd","t":"1","p":"1","q":"1","m":true}"#,
            #"{"s":"btcusd","t":1,"p":"1","q":"1","m":"true"}"#,
            #"{"s":"btcusd","t":1,"p":"1","q":"1","m":truex}"#,
            #"{"s":"btcusd","t":1,"p":"1","q":"1","m":fals}"#,
            #"{"s":"btcusd","t":1,"p":"1","q":"1","m":null}"#,
            #"{"s":"btcusd","t":1,"p":"1","q":"1","m": false }"#,
            #"{"s":"btcusd","t":1,"p":"1e2","q":"1","m":true}"#,
            #"{"s":"btcusd","t":1,"p":"1234567890123456789","q":"1","m":true}"#,
            #"{"s":"ethusd","t":1,"p":"1","q":"1","m":true,"x":1}"#,
            #"{"E":-1,"s":"ethusd","t":1,"p":"1","q":"1","m":true}"#,
            #"{"id":"1","status":200,"result":null}"#,
        ]
        for text in cases { try compare(text) }
    }

    @Test func everyTruncationAgrees() throws {
        // Every prefix of a plain frame: the fast path must never read past the end or
        // accept what the general path refuses.
        for frame in [Self.depth, Self.trade] {
            let bytes = Array(frame.utf8)
            for n in 0...bytes.count { try compare(String(decoding: bytes[0..<n], as: UTF8.self)) }
        }
    }

    @Test func geminisLayoutAgreesWithTheKeyByKeyScan() throws {
        // Gemini's own key order is matched as whole words (`scanCanonical`); whatever that
        // accepts, the key-by-key scan must read the same, and on every one-byte change of
        // it both must still agree with the general path.
        for frame in [Self.depth, Self.trade] {
            let bytes = Array(frame.utf8)
            #expect(Self.scans(bytes).canonical != nil, "\(frame)")
            for k in bytes.indices {
                for replacement in Array(" 09\",x}]-.e".utf8) {
                    var mutated = bytes
                    mutated[k] = replacement
                    let (canonical, keyByKey) = Self.scans(mutated)
                    if let canonical { #expect(canonical == keyByKey, "\(String(decoding: mutated, as: UTF8.self))") }
                    try compare(String(decoding: mutated, as: UTF8.self))
                }
            }
        }
    }

    static let decimalForms = ["0", "00", "1", "7.5", "12.5", "0.1", "1.0", "29999.99", "12.00822466", "1234567.12345678",
                               "1234567", "12345678", "12345678.1", "1.123456789", "1234567.123456789", "123456789012345678",
                               "1234567890123456789", "1.", ".5", "-1", "+1", "1e5", "1E5", "1.5e3", " 1.5", "1.5 ", "1,5", "",
                               "\\u0031", "1.2.3", "0.00000001", "9.99999999"]

    @Test func decimalsNearTheEndOfAFrameReadAsTheCheckedPathReadsThem() throws {
        // `nearDecimal` (no bounds checks of its own, 9+ bytes from the end) and the
        // checked `commonDecimal` on every form of value at every distance from the end:
        // the same value, scale and end, or the near reader declines (nil) and leaves `i`.
        for form in Self.decimalForms {
            for closing in ["\"", ""] {
                for tail in 0...20 {
                    let text = "\"" + form + closing + String(repeating: "]", count: tail)
                    let bytes = Array(text.utf8)
                    guard bytes.count >= 8 else { continue } // both readers need 8 bytes
                    bytes.withUnsafeBufferPointer { b in
                        var checked = FastL2Scanner(p: b.baseAddress!, n: b.count)
                        var near = checked
                        let expected = checked.commonDecimal()
                        if let got = near.nearDecimal() {
                            #expect(expected.map { "\($0) \($0.scale)" } == "\(got) \(got.scale)", "\(text)")
                            #expect(near.i == checked.i, "\(text)")
                        } else {
                            #expect(near.i == 0, "\(text)")
                            // Declined only near the end or where the checked path declines too.
                            #expect(expected == nil || b.count < 19, "\(text)")
                        }
                    }
                }
            }
        }
    }

    @Test func levelsEndingAFrameAgreeWithTheGeneralPath() throws {
        // The last quantity of a frame sits within a few bytes of its end, where the level
        // loop's inline reader hands over to the general one: every form there, with the
        // frame closed at once, after whitespace, or after an empty ask side.
        for form in Self.decimalForms {
            for end in ["]]}", "]] }", "]]}\r\n", "]],\"a\":[]}", "] ] }"] {
                try compare(#"{"e":"depthUpdate","E":1624493666000000000,"s":"btcusd","U":1764527605191352,"u":1764527605191355,"b":[["29999.99","1"]],"a":[["30000.01",""# + form + "\"" + end)
                try compare(#"{"e":"depthUpdate","s":"ethusd","U":1,"u":2,"b":[],"a":[[""# + form + #"",""# + form + "\"" + end)
            }
            try compare(#"{"E":1624493666877000000,"s":"ethusd","t":45465818001,"p":""# + form + #"","q":""# + form + #"","m":false}"#)
        }
        // A removal ending the frame is read inline, and as zero.
        var decoder = WSAPIMarketDecoder(symbols: Self.symbols)
        let frame = #"{"e":"depthUpdate","E":1,"s":"btcusd","U":1,"u":2,"b":[],"a":[["2018.11","0"]]}"#
        let (_, count) = try #require(Self.withBytes(frame) { decoder.fastDepth($0) })
        #expect(count == 1)
        #expect(decoder.fastLevels[0] == L2Change(side: .sell, price: ExactDecimal("2018.11")!, quantity: .zero))
        #expect("\(decoder.fastLevels[0].quantity)" == "0")
    }

    /// Both scanners' fields (as text, decimals digit for digit) and levels, nil when one refuses.
    static func scans(_ bytes: [UInt8]) -> (canonical: String?, keyByKey: String?) {
        func run(_ canonical: Bool) -> String? {
            var out = [L2Change](repeating: L2Change(side: .buy, price: .zero, quantity: .zero), count: 16)
            var f = WSAPIFastFields()
            let ok = bytes.withUnsafeBufferPointer { b in
                out.withUnsafeMutableBufferPointer { o in
                    var s = FastL2Scanner(p: b.baseAddress!, n: b.count)
                    return canonical ? s.scanCanonical(into: o.baseAddress!, capacity: o.count, &f)
                                     : s.scanFrame(into: o.baseAddress!, capacity: o.count, &f)
                }
            }
            guard ok else { return nil }
            let levels = out[0..<f.count].map { "\($0.side) \($0.price) \($0.quantity)" }
            return "\(f.seen) \(f.eventIsTrade) \(f.symbolStart) \(f.symbolLength) \(f.first) \(f.last) \(f.time) "
                + "\(f.tradeID) \(f.price) \(f.quantity) \(f.buyerIsMaker) \(levels)"
        }
        return (run(true), run(false))
    }

    /// `decode` (fast path first) and `decodeFrame` (general path only) on `text`: the same
    /// kind and values, or both refuse.
    private func compare(_ text: String) throws {
        var fastDecoder = WSAPIMarketDecoder(symbols: Self.symbols)
        var generalDecoder = WSAPIMarketDecoder(symbols: Self.symbols)
        var fastRecorder = Recorder(), generalRecorder = Recorder()
        let fast = Result { () throws -> WSAPIMarketMessageKind in
            try Self.withBytes(text) { b in try fastDecoder.decode(b, into: &fastRecorder) }
        }
        let general = Result { () throws -> WSAPIMarketMessageKind in
            try Self.withBytes(text) { b in try generalDecoder.decodeFrame(b, into: &generalRecorder) }
        }
        switch (fast, general) {
        case let (.success(f), .success(g)):
            #expect(f == g, "\(text)")
            #expect(fastRecorder.trades == generalRecorder.trades, "\(text)")
            #expect(fastRecorder.trades.map { "\($0.price) \($0.quantity)" }
                        == generalRecorder.trades.map { "\($0.price) \($0.quantity)" }, "\(text)")
            #expect(fastRecorder.depth.map(\.0) == generalRecorder.depth.map(\.0), "\(text)")
            #expect(fastRecorder.depth.map(\.1) == generalRecorder.depth.map(\.1), "\(text)")
            #expect(fastRecorder.depth.map { $0.1.map { "\($0.price) \($0.quantity)" } }
                        == generalRecorder.depth.map { $0.1.map { "\($0.price) \($0.quantity)" } }, "\(text)")
            #expect(fastRecorder.replies == generalRecorder.replies, "\(text)")
        case (.failure, .failure):
            break
        default:
            Issue.record("fast and general paths disagree on \(text): \(fast) vs \(general)")
        }
    }
}
