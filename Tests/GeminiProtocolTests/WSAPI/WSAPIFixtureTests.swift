import CastorCore
import Foundation
import GeminiProtocol
import Testing

/// Every frame in WS-API.md §8 (requests, replies, market data, account streams) decodes
/// with the decoder of the socket it arrives on, or is refused with a typed error; the
/// values that matter are checked on the captured ones.
@Suite struct WSAPIFixtureTests {
    /// One fixture line: the frame and its source tag.
    struct Fixture: CustomStringConvertible {
        let section: String
        let frame: String
        let tag: String
        var description: String { "\(section): \(frame.prefix(80))" }
    }

    static let document: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("shared/gemini/WS-API.md")

    /// The lines of the code blocks under `### 8.x`, each split into frame and tag.
    static func fixtures() throws -> [Fixture] {
        let text = try String(contentsOf: document, encoding: .utf8)
        var out: [Fixture] = []
        var section = "", inEight = false, inBlock = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("## ") { inEight = line.hasPrefix("## 8.") }
            if line.hasPrefix("### 8.") { section = String(line.dropFirst(4).prefix(3)); inEight = true }
            guard inEight, !section.isEmpty else { continue }
            if line.hasPrefix("```") { inBlock.toggle(); continue }
            guard inBlock, let cut = line.range(of: "  [", options: .backwards) else { continue }
            out.append(Fixture(section: section, frame: String(line[..<cut.lowerBound]),
                               tag: String(line[cut.upperBound...])))
        }
        return out
    }

    struct Recorder: WSAPIMarketHandler {
        var depth: [(WSAPIDepthUpdate, [L2Change])] = []
        var trades: [MarketDataV2Trade] = []
        var replies: [WSAPIReply] = []
        mutating func depthUpdate(_ update: WSAPIDepthUpdate, levels: UnsafeBufferPointer<L2Change>) {
            depth.append((update, Array(levels)))
        }
        mutating func trade(_ trade: MarketDataV2Trade) { trades.append(trade) }
        mutating func reply(_ reply: WSAPIReply) { replies.append(reply) }
    }

    static let marketSymbols = ["BTCUSD", "ETHGUSDPERP", "AVAXGUSDPERP", "WIFUSD", "LINKRLUSD", "GUSDGBP", "BTCRLUSD",
                                "ETHUSD", "XRPGUSD", "BTCGUSDPERP", "GEMI-PRES2028-VANCE"]

    static func market(_ frame: String) throws(WSAPIDecodingError) -> (WSAPIMarketMessageKind, Recorder) {
        var decoder = WSAPIMarketDecoder(symbols: marketSymbols)
        var recorder = Recorder()
        let bytes = Array(frame.utf8)
        let kind: WSAPIMarketMessageKind
        do {
            kind = try bytes.withUnsafeBytes { raw in try decoder.decode(raw, into: &recorder) }
        } catch let error as WSAPIDecodingError {
            throw error
        } catch {
            fatalError("untyped \(error)")
        }
        return (kind, recorder)
    }

    @Test func theDocumentHoldsTheFixtures() throws {
        let all = try Self.fixtures()
        #expect(all.filter { $0.section == "8.1" }.count >= 10)
        #expect(all.filter { $0.section == "8.2" }.count >= 15)
        #expect(all.filter { $0.section == "8.3" }.count >= 20)
        #expect(all.filter { $0.section == "8.4" }.count >= 20)
    }

    /// Replies (§8.2) decode on both sockets with id, status and error intact.
    @Test func everyReplyDecodes() throws {
        for fixture in try Self.fixtures() where fixture.section == "8.2" {
            let (kind, recorder) = try Self.market(fixture.frame)
            #expect(kind == .reply, "\(fixture)")
            let reply = try #require(recorder.replies.first, "\(fixture)")
            guard case .reply(var again) = try WSAPIAccountDecoder.decode(Array(fixture.frame.utf8)) else {
                Issue.record("account decoder: \(fixture)")
                continue
            }
            // Only the account socket reads `conninfo`'s limits.
            #expect(again.rateLimits == nil || fixture.frame.contains("rateLimits"))
            again.rateLimits = nil
            #expect(again == reply)
            #expect((reply.status == 200) == (reply.errorCode == nil), "\(fixture)")
        }
        let (_, rejected) = try Self.market(#"{"id":4,"status":400,"error":{"code":-1013,"msg":"Invalid stream name: nosuchperp@depth@100ms"}}"#)
        #expect(rejected.replies == [WSAPIReply(id: .number(4), status: 400, errorCode: -1013,
                                                errorMessage: "Invalid stream name: nosuchperp@depth@100ms")])
        #expect(rejected.replies.first?.outcome == .rejected)
        let (_, notFound) = try Self.market(#"{"id": "1", "status": 400, "error": {"code": -1013, "msg": "Invalid parameters - order not found or already filled"}}"#)
        #expect(notFound.replies.first?.id == .text("1"))
        #expect(notFound.replies.first?.isOrderNotFound == true)
        let (_, hint) = try Self.market(#"{"id":"nfm000100000001","status":200,"result":{"orderId":"73797746498585286"}}"#)
        #expect(hint.replies.first?.orderIDHint == 73797746498585286)
        let conninfo = #"{"id":7,"status":200,"rateLimits":[{"rateLimitType":"REQUEST_WEIGHT","interval":"SECOND","intervalNum":10,"limit":7000,"count":33},{"rateLimitType":"ORDERS","interval":"SECOND","intervalNum":10,"limit":3500,"count":0},{"rateLimitType":"ORDERS","interval":"DAY","intervalNum":1,"limit":10000000,"count":0},{"rateLimitType":"CONNECTION_ATTEMPTS","interval":"MINUTE","intervalNum":5,"limit":300,"count":2}]}"#
        guard case .reply(let info) = try WSAPIAccountDecoder.decode(Array(conninfo.utf8)) else { Issue.record("conninfo"); return }
        #expect(info.rateLimits?.count == 4)
        #expect(info.rateLimits?.first == WSAPIRateLimit(type: "REQUEST_WEIGHT", interval: "SECOND", intervalCount: 10, limit: 7000, count: 33))
        #expect(info.rateLimits?.last?.description == "CONNECTION_ATTEMPTS 2/300 per 5 minute")
        let (_, limited) = try Self.market(#"{"id":7,"status":429,"error":{"code":-1003,"msg":"Rate limit exceeded"}}"#)
        #expect(limited.replies.first?.outcome == .rateLimited)
        let (_, auth) = try Self.market(#"{"id": "1", "status": 401, "error": {"code": -1002, "msg": "Authentication required"}}"#)
        #expect(auth.replies.first?.outcome == .unauthenticated)
    }

    /// Market data (§8.3): depth frames with their ids and levels, trades, and the frames
    /// Castor does not subscribe to (ignored, not errors). The one malformed trade is
    /// counted, not fatal.
    @Test func everyMarketFrameDecodes() throws {
        for fixture in try Self.fixtures() where fixture.section == "8.3" {
            let (kind, recorder) = try Self.market(fixture.frame)
            if fixture.frame.contains("depthUpdate") {
                #expect(kind == .depthUpdate, "\(fixture)")
                #expect(recorder.depth.count == 1)
            } else if fixture.tag.contains("MALFORMED") {
                #expect(kind == .malformedTrade, "\(fixture)")
            } else if fixture.frame.contains("\"t\"") && !fixture.frame.contains("\"e\": \"contractStatus\"") {
                #expect(kind == .trade, "\(fixture)")
                #expect(recorder.trades.count == 1)
            } else {
                #expect(kind == .ignored || kind == .other, "\(fixture)")
            }
        }
    }

    @Test func capturedFramesCarryExactValues() throws {
        // The probe's captured snapshot: U == u, levels zero-padded, sorted.
        let snapshot = #"{"e":"depthUpdate","E":1789456740173524809,"s":"avaxgusdperp","U":1764527605191349,"u":1764527605191349,"b":[["7.487000","140.40000"],["7.479000","570.50000"],["7.457000","680.90000"],["7.415000","2161.00000"],["7.407000","56.10000"],["0.350000","300.00000"],["0.160000","10000.00000"]],"a":[["7.503000","142.60000"],["7.510000","547.50000"],["7.533000","681.50000"],["7.559000","56.20000"],["7.566000","2110.70000"]]}"#
        let (_, s) = try Self.market(snapshot)
        let (update, levels) = try #require(s.depth.first)
        #expect(update.firstUpdateID == 1764527605191349 && update.lastUpdateID == 1764527605191349)
        #expect(update.eventTimeNs == 1789456740173524809)
        #expect(update.symbol == SymbolID(rawValue: 2))
        #expect(levels.count == 12)
        #expect(levels.filter { $0.side == .buy }.count == 7)
        #expect(levels[0] == L2Change(side: .buy, price: ExactDecimal("7.487")!, quantity: ExactDecimal("140.4")!))
        #expect(levels[7] == L2Change(side: .sell, price: ExactDecimal("7.503")!, quantity: ExactDecimal("142.6")!))
        // Removals, unsorted, an empty side.
        let removals = #"{"e": "depthUpdate", "E": 1783981199886103586, "s": "linkrlusd", "U": 1764549594426242, "u": 1764549594426275, "b": [], "a": [["7.8537500", "0.00000000"], ["7.8538800", "0.00000000"], ["7.8537400", "0.00000000"]]}"#
        let (_, r) = try Self.market(removals)
        #expect(r.depth.first?.1.allSatisfy { $0.side == .sell && $0.quantity == .zero } == true)
        #expect(r.depth.first?.1.count == 3)
        // An update id above 2^53 keeps every digit; an upper-case symbol matches.
        let (_, big) = try Self.market(#"{"e":"depthUpdate","E":1700000000000,"s":"BTCUSD","U":9007199254740993,"u":9007199254740994,"b":[],"a":[]}"#)
        #expect(big.depth.first?.0.firstUpdateID == 9007199254740993)
        #expect(big.depth.first?.0.lastUpdateID == 9007199254740994)
        #expect(big.depth.first?.0.symbol == SymbolID(rawValue: 0))
        // A captured trade: m true = the buyer is the maker, so the taker sold; ns → ms.
        let (_, t) = try Self.market(#"{"E": 1783981140085684200, "s": "btcrlusd", "t": 2840141014190422, "p": "62145.38000", "q": "0.0162522200", "m": true}"#)
        let trade = try #require(t.trades.first)
        #expect(trade.eventID == 2840141014190422)
        #expect(trade.price == ExactDecimal("62145.38")!)
        #expect(trade.quantity == ExactDecimal("0.01625222")!)
        #expect(trade.takerSide == .sell)
        #expect(trade.timestampMs == 1783981140085)
        // The conformance trade has `e` and a millisecond E.
        let (_, ct) = try Self.market(#"{"e":"trade","E":1700000000000,"s":"btcusd","t":123456789,"p":"1000.00","q":"0.25","m":false}"#)
        #expect(ct.trades.first?.takerSide == .buy)
        #expect(ct.trades.first?.timestampMs == 1700000000000)
    }

    @Test func malformedMarketFramesAreTypedErrors() {
        let cases: [(String, String)] = [
            (#"{"e":"depthUpdate","s":"btcusd","U":1,"u":2,"b":[["1"]],"a":[]}"#, "a level without a quantity"),
            (#"{"e":"depthUpdate","s":"btcusd","U":1,"u":2,"b":[["1","-2"]],"a":[]}"#, "a negative quantity"),
            (#"{"e":"depthUpdate","s":"btcusd","U":1,"u":2,"b":[["0","2"]],"a":[]}"#, "a zero price"),
            (#"{"e":"depthUpdate","s":"btcusd","U":1,"u":2,"b":[["x","2"]],"a":[]}"#, "a price that is no decimal"),
            (#"{"e":"depthUpdate","s":"btcusd","U":1,"u":2,"b":[["1","2","3"]],"a":[]}"#, "a level of three"),
            (#"{"e":"depthUpdate","s":"btcusd","u":2,"b":[],"a":[]}"#, "no U"),
            (#"{"e":"depthUpdate","s":"btcusd","U":3,"u":2,"b":[],"a":[]}"#, "u below U"),
            (#"{"e":"depthUpdate","s":"btcusd","U":99999999999999999999,"u":2,"b":[],"a":[]}"#, "U beyond Int64"),
            (#"{"e":"depthUpdate","U":1,"u":2,"b":[],"a":[]}"#, "no symbol"),
            (#"{"e":"depthUpdate","s":"btcusd","U":1,"u":2,"b":[["1","2"]"#, "truncated"),
            (#"[1,2]"#, "not an object"),
            (#"{"e":"depthUpdate"} x"#, "trailing bytes"),
        ]
        for (frame, what) in cases {
            #expect(throws: WSAPIDecodingError.self, "\(what)") { _ = try Self.market(frame) }
        }
    }

    @Test func frameOfAnotherSymbolIsIgnored() throws {
        let (kind, recorder) = try Self.market(#"{"e":"depthUpdate","s":"dogeusd","U":1,"u":1,"b":[["1","2"]],"a":[]}"#)
        #expect(kind == .unknownSymbol)
        #expect(recorder.depth.isEmpty)
    }

    /// Account frames (§8.4): order and balance events decode with every field; frames of
    /// other kinds are `.other`.
    @Test func everyAccountFrameDecodes() throws {
        for fixture in try Self.fixtures() where fixture.section == "8.4" {
            let message = try WSAPIAccountDecoder.decode(Array(fixture.frame.utf8))
            if fixture.frame.contains("orderUpdate") || fixture.frame.contains("\"X\": \"NEW\"") {
                guard case .orderUpdate = message else { Issue.record("\(fixture) → \(message)"); continue }
            } else if fixture.frame.contains("balanceUpdate") {
                guard case .balanceUpdate = message else { Issue.record("\(fixture) → \(message)"); continue }
            } else {
                #expect(message == .other, "\(fixture)")
            }
        }
    }

    @Test func orderEventsKeepEveryDigitAndField() throws {
        let fill = #"{"e":"orderUpdate","E":1700000000000,"T":1700000000000,"s":"GEMI-PRES2028-VANCE","i":145828833218573125,"c":"my-client-id","S":"BUY","o":"LIMIT","X":"FILLED","O":"YES","p":"0.27","q":"100","z":"0","Z":"100","L":"0.27","t":298374652910473625,"n":"0.01","m":true}"#
        guard case .orderUpdate(let u) = try WSAPIAccountDecoder.decode(Array(fill.utf8)) else { Issue.record("not an order"); return }
        #expect(u.orderID == 145828833218573125)
        #expect(u.tradeID == 298374652910473625)
        #expect(u.status == .filled)
        #expect(u.side == .buy)
        #expect(u.clientOrderID == "my-client-id")
        #expect(u.executedField == ExactDecimal(100))
        #expect(u.remaining == .zero)
        #expect(u.executedFromRemaining == ExactDecimal(100))
        #expect(u.fee == ExactDecimal("0.01")!)
        #expect(u.isMaker == true)
        #expect(u.lastPrice == ExactDecimal("0.27")!)
        let cancel = #"{"e":"orderUpdate","E":1759291847731455006,"s":"btcgusdperp","i":73797746498585286,"c":"fm000100000001","X":"CANCELED","Z":"0.0004","T":1759291847731455006}"#
        guard case .orderUpdate(let c) = try WSAPIAccountDecoder.decode(Array(cancel.utf8)) else { Issue.record("not an order"); return }
        #expect(c.symbol == "BTCGUSDPERP")
        #expect(c.status == .canceled)
        #expect(c.side == nil && c.quantity == nil)
        #expect(c.executedField == ExactDecimal("0.0004")!)
        let balance = #"{"e": "balanceUpdate", "E": 1768250434780, "u": 1768250421600, "B": [{ "a": "USD", "f": "207.39" }]}"#
        guard case .balanceUpdate(let b) = try WSAPIAccountDecoder.decode(Array(balance.utf8)) else { Issue.record("not a balance"); return }
        #expect(b.rows == [.init(currency: "USD", available: ExactDecimal("207.39")!, total: nil)])
        #expect(b.eventTimeMs == 1768250434780)
    }

    @Test func malformedOrderEventsAreTypedErrors() {
        let cases: [(String, String)] = [
            (#"{"e":"orderUpdate","s":"BTCUSD","X":"NEW"}"#, "no order id"),
            (#"{"e":"orderUpdate","s":"BTCUSD","i":1.5,"X":"NEW"}"#, "a fractional order id"),
            (#"{"e":"orderUpdate","s":"BTCUSD","i":"12ab","X":"NEW"}"#, "an order id with letters"),
            (#"{"e":"orderUpdate","s":"BTCUSD","i":99999999999999999999,"X":"NEW"}"#, "an order id beyond Int64"),
            (#"{"e":"orderUpdate","s":"BTCUSD","i":7}"#, "no status"),
            (#"{"e":"orderUpdate","i":7,"X":"NEW"}"#, "no symbol"),
            (#"{"e":"orderUpdate","s":"BTCUSD","i":7,"X":"FILLED","Z":"abc"}"#, "a quantity that is no decimal"),
            (#"{"e":"orderUpdate","s":"BTCUSD","i":7,"X":"FILLED","Z":"-1"}"#, "a negative quantity"),
            (#"{"e":"balanceUpdate","B":[{"a":"USD"}]}"#, "a balance without an amount"),
            (#"{"e":"orderUpdate","s":"BTCUSD","i":7,"X":"NEW""#, "truncated"),
        ]
        for (frame, what) in cases {
            #expect(throws: WSAPIDecodingError.self, "\(what)") { _ = try WSAPIAccountDecoder.decode(Array(frame.utf8)) }
        }
    }

    /// Requests (§8.1) and ours: the frames Castor writes are valid JSON of the documented shape.
    @Test func requestsHaveTheDocumentedShape() throws {
        #expect(WSAPIRequest.subscribe(id: 1, streams: [WSAPIRequest.depthStream("BTCUSD"), WSAPIRequest.tradeStream("ethusd")])
                == #"{"id":1,"method":"subscribe","params":["btcusd@depth@100ms","ethusd@trade"]}"#)
        #expect(WSAPIRequest.call(id: 100, method: "ping") == #"{"id":100,"method":"ping"}"#)
        #expect(WSAPIRequest.cancel(id: 3, orderID: 73797746498585286)
                == #"{"id":3,"method":"order.cancel","params":{"orderId":"73797746498585286"}}"#)
        let place = WSAPIRequest.place(id: 2, WSAPIOrderParameters(
            symbol: "BTCUSD", side: .buy, price: ExactDecimal("10000.00")!, quantity: ExactDecimal("0.001")!,
            timeInForce: .goodTillCancel, clientOrderID: "ws_bot_001"))
        #expect(place == #"{"id":2,"method":"order.place","params":{"symbol":"btcusd","side":"BUY","type":"LIMIT","timeInForce":"GTC","price":"10000.00","quantity":"0.001","clientOrderId":"ws_bot_001"}}"#)
        let parsed = try JSONSerialization.jsonObject(with: Data(place.utf8)) as? [String: Any]
        #expect((parsed?["params"] as? [String: Any])?["clientOrderId"] as? String == "ws_bot_001")
        for fixture in try Self.fixtures() where fixture.section == "8.1" {
            #expect((try? JSONSerialization.jsonObject(with: Data(fixture.frame.utf8))) != nil, "\(fixture)")
        }
    }
}
