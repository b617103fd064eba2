import Testing
@testable import GeminiSim

@Suite(.timeLimit(.minutes(2))) struct PublicEndpointTests {
    @Test func symbolsAndDetails() async throws {
        let sim = try await SimHarness()
        #expect(try await sim.get("/v1/symbols").text == #"["btcusd","ethusd"]"#)
        #expect(try await sim.get("/v1/symbols/details/BTCUSD").text ==
            #"{"symbol":"BTCUSD","base_currency":"BTC","quote_currency":"USD","tick_size":1e-8,"quote_increment":0.01,"min_order_size":"0.00001","status":"open","wrap_enabled":false,"product_type":"spot","contract_type":"vanilla","contract_price_currency":"USD"}"#)
        let unknown = try await sim.get("/v1/pubticker/dogeusd")
        #expect(unknown.status == 400 && unknown.reason == "InvalidSymbol" && unknown.json?["result"] == .string("error"))
        #expect(try await sim.get("/v1/nothing").status == 404)
        await sim.stop()
    }

    @Test func bookTickersTradesAndCandlesFollowTheEngine() async throws {
        let sim = try await SimHarness()
        _ = try await sim.placeOrder(key: SimHarness.makerKey, side: "sell", amount: "2", price: "30100.00")
        _ = try await sim.placeOrder(key: SimHarness.makerKey, side: "sell", amount: "1", price: "30200.00")
        _ = try await sim.placeOrder(key: SimHarness.makerKey, side: "buy", amount: "1", price: "29900.00")
        _ = try await sim.placeOrder(side: "buy", amount: "0.5", price: "30100.00")

        let book = try #require(try await sim.get("/v1/book/btcusd?limit_bids=1&limit_asks=1").json)
        #expect(book["bids"]?.arrayValue?.count == 1)
        #expect(book["asks"]?.arrayValue?.first?["price"] == .string("30100.00"))
        #expect(book["asks"]?.arrayValue?.first?["amount"] == .string("1.5"))
        if case .string = book["asks"]?.arrayValue?.first?["timestamp"] {} else { Issue.record("book timestamp must be a string") }
        #expect(try await sim.get("/v1/book/btcusd?limit_asks=0").json?["asks"]?.arrayValue?.count == 2)

        let ticker = try #require(try await sim.get("/v1/pubticker/btcusd").json)
        #expect(ticker["bid"] == .string("29900.00") && ticker["ask"] == .string("30100.00") && ticker["last"] == .string("30100.00"))
        #expect(ticker["volume"]?["BTC"] == .string("0.5"))
        let v2 = try #require(try await sim.get("/v2/ticker/btcusd").json)
        #expect(v2["symbol"] == .string("BTCUSD") && v2["close"] == .string("30100.00"))
        #expect(v2["changes"]?.arrayValue?.count == 24)

        let trades = try #require(try await sim.get("/v1/trades/btcusd").json?.arrayValue)
        #expect(trades.count == 1)
        #expect(trades[0]["type"] == .string("buy") && trades[0]["exchange"] == .string("gemini"))
        guard case .number(let tid)? = trades[0]["tid"] else { Issue.record("tid must be a number"); return }
        #expect(try await sim.get("/v1/trades/btcusd?since_tid=\(tid)").json == .array([]))

        let candles = try #require(try await sim.get("/v2/candles/btcusd/1m").json?.arrayValue)
        #expect(candles.count == 1)
        #expect(candles[0].arrayValue?.count == 6)
        #expect(candles[0].arrayValue?[4] == .number("30100"))
        #expect(try await sim.get("/v2/candles/btcusd/7m").status == 400)
        await sim.stop()
    }

    @Test func syntheticMarketQuotesAndTradesOnTheClock() async throws {
        var config = SimHarness.standardConfig()
        config.syntheticMarket = true
        let sim = try await SimHarness(config: config)
        let ticker = try #require(try await sim.get("/v1/pubticker/btcusd").json)
        #expect(ticker["bid"] != nil && ticker["ask"] != nil)
        #expect((try await sim.get("/v1/book/btcusd").json?["bids"]?.arrayValue?.count ?? 0) > 0)
        // Let simulated minutes pass in market-step increments; the taker trades sometimes.
        for _ in 0..<2_000 {
            sim.clock.advance(byMilliseconds: 250)
            if try await !(sim.get("/v1/trades/btcusd").json?.arrayValue?.isEmpty ?? true) { break }
        }
        #expect(try await !(sim.get("/v1/trades/btcusd").json?.arrayValue?.isEmpty ?? true))
        // A marketable order from a configured account fills against the synthetic maker.
        let ask = try #require(try await sim.get("/v1/pubticker/btcusd").json?["ask"]?.stringValue)
        let fill = try await sim.placeOrder(side: "buy", amount: "0.001", price: ask, options: ["immediate-or-cancel"])
        #expect(fill.json?["executed_amount"] == .string("0.001"), "\(fill.text)")
        await sim.stop()
    }

    @Test func websiteCurrencyDataForCcxt() async throws {
        let sim = try await SimHarness()
        let page = try await sim.get("/")
        #expect(page.text.contains(#"id="currencyData">{"tradingPairs":[["BTCUSD",2,8,"0.00001",10,true]"#))
        await sim.stop()
    }
}
