import CastorCore
import Foundation
import GeminiProtocol
import Testing

private func ok<T: Decodable>(_ type: T.Type, _ json: String) throws -> T {
    switch try GeminiRESTDecoder.decode(type, from: Data(json.utf8)) {
    case .success(let value): return value
    case .failure(let body): throw body
    }
}

private func fixtureResponse(_ key: String) throws -> String {
    try #require(FixtureCatalog.load("gemini_docs_examples.json")["rest"]?[key]?["response"]).text
}

@Suite struct RESTResponseTests {
    @Test func newOrderResponse() throws {
        let order = try ok(OrderStatus.self, fixtureResponse("POST /v1/order/new"))
        #expect(order.orderID == "106817811")
        #expect(order.symbol == "BTCUSD")
        #expect(order.side == .buy && order.type == .exchangeLimit)
        #expect(order.avgExecutionPrice?.description == "3632.8508430064554")
        #expect(order.executedAmount?.description == "3.7567928949")
        #expect(order.price?.description == "3633.00")
        #expect(order.timestampSeconds == 1_547_220_404)
        #expect(order.timestampMilliseconds == 1_547_220_404_836)
        #expect(order.clientOrderID == "20190110-4738721")
        #expect(order.state == .open)
    }

    @Test func cancelledOrderAndDerivedStates() throws {
        let cancelled = try ok(OrderStatus.self, fixtureResponse("POST /v1/order/cancel"))
        #expect(cancelled.reason == .requested)
        #expect(cancelled.state == .cancelled)
        let filled = try ok(OrderStatus.self, fixtureResponse("POST /v1/order/status"))
        #expect(filled.orderID == "123456789012345")
        #expect(filled.state == .filled)
        #expect(filled.remainingAmount?.isZero == true)
    }

    @Test func orderHistoryWithIdAbove2To53() throws {
        let list = try ok(OrderList.self, fixtureResponse("POST /v1/orders/history"))
        let order = try #require(list.orders.first)
        #expect(order.orderID == "73751560172006688")
        #expect(order.symbol == "ETHGUSD")
        #expect(order.trades == [])
        #expect(order.state == .cancelled)
    }

    @Test func activeOrdersAcceptNullAndEmpty() throws {
        #expect(try ok(OrderList.self, "null").orders.isEmpty)
        #expect(try ok(OrderList.self, "[]").orders.isEmpty)
        #expect(try ok(OrderList.self, fixtureResponse("POST /v1/orders")).orders.map(\.orderID) == ["107421210", "107421205"])
    }

    @Test func statusByClientOrderIDAcceptsAnArrayOrOneObject() throws {
        let one = try fixtureResponse("POST /v1/order/status")
        // Gemini's documented shape by client_order_id: every order carrying the id.
        let two = try ok(OrderStatusMatches.self, "[\(one), \(one)]")
        #expect(two.orders.map(\.orderID) == ["123456789012345", "123456789012345"])
        #expect(try ok(OrderStatusMatches.self, one).orders.map(\.orderID) == ["123456789012345"])
        #expect(try ok(OrderStatusMatches.self, "[]").orders.isEmpty)
        #expect(try ok(OrderStatusMatches.self, "null").orders.isEmpty)
    }

    @Test func cancelAllNumericIds() throws {
        let all = try ok(CancelAllResponse.self, fixtureResponse("POST /v1/order/cancel/all"))
        #expect(all.cancelledOrders == ["330429106", "330429079", "330429082"])
        #expect(all.cancelRejects.isEmpty)
        let session = try ok(CancelAllResponse.self, fixtureResponse("POST /v1/order/cancel/session"))
        #expect(session.cancelRejects == ["330429345"])
    }

    @Test func myTrades() throws {
        let trades = try ok([MyTrade].self, fixtureResponse("POST /v1/mytrades"))
        #expect(trades.count == 2)
        #expect(trades[0].tid == 107_317_526)
        #expect(trades[0].side == .buy)
        #expect(trades[0].aggressor == true)
        #expect(trades[0].feeAmount?.description == "0.024937655575035")
        #expect(trades[1].orderID == "106817811")
        #expect(trades[1].timestampSeconds == 1_547_220_640)
    }

    @Test func balances() throws {
        let balances = try ok([Balance].self, fixtureResponse("POST /v1/balances"))
        #expect(balances.map(\.currency) == ["BTC", "USD", "ETH"])
        #expect(balances[0].pendingWithdrawal?.description == "0.25")
        #expect(balances[1].available.description == "5000.00")
        #expect(balances[2].pendingDeposit == nil)
    }

    @Test func symbolDetailsTickSizesAreJSONNumbers() throws {
        let details = try ok(SymbolDetails.self, fixtureResponse("GET /v1/symbols/details/BTCUSD"))
        #expect(details.tickSize.description == "0.00000001")
        #expect(details.quoteIncrement.description == "0.01")
        #expect(details.minOrderSize.description == "0.00001")
        #expect(details.isOpen)
        let capitalE = try ok(SymbolDetails.self, #"{"symbol":"ETHUSD","base_currency":"ETH","quote_currency":"USD","tick_size":1E-6,"quote_increment":0.01,"min_order_size":"0.001","status":"post_only"}"#)
        #expect(capitalE.tickSize == ExactDecimal("0.000001")!)
        #expect(!capitalE.isOpen)
    }

    @Test func symbolsAreNormalisedToUpperCase() throws {
        #expect(try ok([Symbol].self, #"["btcusd","1inchusd","btcgusdperp"]"#) == ["BTCUSD", "1INCHUSD", "BTCGUSDPERP"])
    }

    @Test func pubTickerTimestampNumberOrString() throws {
        let docs = try ok(PubTicker.self, fixtureResponse("GET /v1/pubticker/BTCUSD"))
        #expect(docs.volume["USD"]?.description == "2135477.463379586263")
        #expect(docs.volumeTimestampMilliseconds == 1_483_018_200_000)
        let ccxt = try ok(PubTicker.self, #"{"bid": "73367.96", "ask": "73385.27", "last": "73268.24", "volume": {"BTC": "3.5434218", "USDT": "259620.278863632", "timestamp": "1710328245000"}}"#)
        #expect(ccxt.volume == ["BTC": ExactDecimal("3.5434218")!, "USDT": ExactDecimal("259620.278863632")!])
        #expect(ccxt.volumeTimestampMilliseconds == 1_710_328_245_000)
    }

    @Test func tickerV2AndBook() throws {
        let ticker = try ok(TickerV2.self, fixtureResponse("GET /v2/ticker/BTCUSD"))
        #expect(ticker.changes.count == 24)
        #expect(ticker.changes[6].description == "9245")
        #expect(ticker.bid?.description == "9345.70")
        let book = try ok(OrderBookSnapshot.self, fixtureResponse("GET /v1/book/BTCUSD"))
        #expect(book.bids.first?.amount.description == "6.643373")
        #expect(book.asks.first?.price.description == "3607.86")
        #expect(book.asks.first?.timestampSeconds == 1_547_147_541)
    }

    @Test func publicTradesWithStringIdsAndTimestamps() throws {
        let trades = try ok([PublicTrade].self, #"[{"timestamp": "1710325796", "timestampms": "1710325796526", "tid": "2840140831246421", "price": "73268.24", "amount": "0.00028921", "exchange": "gemini", "type": "buy"}]"#)
        #expect(trades.first?.tid == 2_840_140_831_246_421)
        #expect(trades.first?.timestampMilliseconds == 1_710_325_796_526)
        #expect(trades.first?.takerSide == .buy)
        let docs = try ok([PublicTrade].self, fixtureResponse("GET /v1/trades/BTCUSD"))
        #expect(docs.first?.tid == 5_335_307_668 && docs.first?.broken == true)
    }

    @Test func candlesFromJSONNumbersAreExact() throws {
        let candles = try ok([Candle].self, fixtureResponse("GET /v2/candles/BTCUSD/15m"))
        #expect(candles.count == 2)
        #expect(candles[0].timeMilliseconds == 1_559_755_800_000)
        #expect(candles[0].open.description == "7781.6")
        #expect(candles[0].high.description == "7820.23")
        #expect(candles[0].volume.description == "34.7624802159")
        #expect(candles[1].volume.description == "43.4228281059")
    }

    @Test func heartbeatRolesAndNotionalVolume() throws {
        #expect(try ok(ResultOK.self, #"{"result": "ok"}"#).result == "ok")
        let roles = try ok(Roles.self, fixtureResponse("POST /v1/roles"))
        #expect(roles.isTrader && !roles.isAuditor && !roles.isFundManager)
        let volume = try ok(NotionalVolume.self, fixtureResponse("POST /v1/notionalvolume"))
        #expect(volume.apiMakerFeeBps == 10)
        #expect(volume.apiTakerFeeBps == 35)
        #expect(volume.notional30dVolume == ExactDecimal(150))
        #expect(volume.lastUpdatedMilliseconds == 1_551_371_446_000)
        #expect(volume.notional1dVolume.map(\.date) == ["2019-02-22", "2019-02-14"])
    }

    @Test func decodingErrorsNameTheResponseAndField() throws {
        #expect {
            _ = try ok(OrderStatus.self, #"{"order_id":"1","symbol":"btcusd","side":"buy","type":"exchange limit","is_live":true}"#)
        } throws: { error in
            let error = error as! GeminiDecodingError
            return error.messageType == "OrderStatus" && error.path == "is_cancelled" && error.problem == .missingField
        }
        #expect {
            _ = try ok([Candle].self, #"[[1559755800000, 7781.6, "x", 1, 1, 1]]"#)
        } throws: { error in
            let error = error as! GeminiDecodingError
            return error.messageType == "Array<Candle>" && error.path.hasPrefix("[0]")
        }
        #expect {
            _ = try ok(CancelAllResponse.self, #"{"result":"ok","details":{"cancelledOrders":[1.5]}}"#)
        } throws: { error in
            (error as! GeminiDecodingError).path == "details.cancelledOrders[0]"
        }
    }
}
