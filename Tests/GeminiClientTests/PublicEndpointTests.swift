import CastorCore
import Foundation
import GeminiClient
import GeminiProtocol
import Testing

/// Every public GET against the stub, values asserted exactly.
@Suite(.timeLimit(.minutes(2))) struct PublicEndpointTests {
    @Test func symbols() async throws {
        let stub = try await StubGemini()
        let client = GeminiRESTClient(venue: stub.venue, http: stub.http)
        let symbols = try success(await call { client.symbols(on: $0, completion: $1) })
        #expect(symbols == ["BTCUSD", "ETHBTC", "ETHUSD", "BTCGUSDPERP"])
    }

    @Test func symbolDetailsKeepsNumberSpellingsExact() async throws {
        let stub = try await StubGemini()
        let client = GeminiRESTClient(venue: stub.venue, http: stub.http)
        let details = try success(await call { client.symbolDetails("BTCUSD", on: $0, completion: $1) })
        #expect(details.symbol == "BTCUSD")
        #expect(details.baseCurrency == "BTC")
        #expect(details.quoteCurrency == "USD")
        #expect(details.tickSize == dec("0.00000001"))
        #expect(details.quoteIncrement == dec("0.01"))
        #expect(details.minOrderSize == dec("0.00001"))
        #expect(details.isOpen)
        // The symbol went into the path in lower case.
        #expect(try await stub.log().publicRequests.map(\.path) == ["/v1/symbols/details/btcusd"])
    }

    @Test func tickerV1() async throws {
        let stub = try await StubGemini()
        let client = GeminiRESTClient(venue: stub.venue, http: stub.http)
        let ticker = try success(await call { client.ticker("btcusd", on: $0, completion: $1) })
        #expect(ticker.bid == dec("977.59"))
        #expect(ticker.ask == dec("977.35"))
        #expect(ticker.last == dec("977.65"))
        #expect(ticker.volume["BTC"] == dec("2210.505328803"))
        #expect(ticker.volume["USD"] == dec("2135477.463379586263"))
        #expect(ticker.volumeTimestampMilliseconds == 1_483_018_200_000)
    }

    @Test func tickerV2() async throws {
        let stub = try await StubGemini()
        let client = GeminiRESTClient(venue: stub.venue, http: stub.http)
        let ticker = try success(await call { client.tickerV2("btcusd", on: $0, completion: $1) })
        #expect(ticker.symbol == "BTCUSD")
        #expect(ticker.open == dec("9121.76"))
        #expect(ticker.close == dec("9347.66"))
        #expect(ticker.changes == [dec("9365.1"), dec("9386.16"), dec("9373.41")])
        #expect(ticker.bid == dec("9345.70"))
        #expect(ticker.ask == dec("9347.67"))
    }

    @Test func bookSendsLimits() async throws {
        let stub = try await StubGemini()
        let client = GeminiRESTClient(venue: stub.venue, http: stub.http)
        let book = try success(await call { client.book("btcusd", limitBids: 0, limitAsks: 5, on: $0, completion: $1) })
        #expect(book.bids.map(\.price) == [dec("3607.85")])
        #expect(book.bids.map(\.amount) == [dec("6.643373")])
        #expect(book.asks.map(\.price) == [dec("3607.86")])
        #expect(book.asks.map(\.amount) == [dec("14.68205084")])
        #expect(book.asks.first?.timestampSeconds == 1_547_147_541)
        let seen = try await stub.log().publicRequests
        #expect(seen.map(\.query) == ["limit_bids=0&limit_asks=5"])
    }

    @Test func tradesSendsSinceAndLimit() async throws {
        let stub = try await StubGemini()
        let client = GeminiRESTClient(venue: stub.venue, http: stub.http)
        let trades = try success(await call {
            client.trades("btcusd", since: .tradeID(5_335_307_000), limit: 10, on: $0, completion: $1)
        })
        #expect(trades.count == 1)
        let trade = try #require(trades.first)
        #expect(trade.tid == 5_335_307_668)
        #expect(trade.price == dec("3610.85"))
        #expect(trade.amount == dec("0.27413495"))
        #expect(trade.takerSide == .buy)
        #expect(trade.timestampMilliseconds == 1_547_146_811_357)
        _ = try success(await call { client.trades("btcusd", since: .timestampMilliseconds(1_547_146_000_000), on: $0, completion: $1) })
        #expect(try await stub.log().publicRequests.map(\.query) == ["since_tid=5335307000&limit_trades=10", "timestamp=1547146000000"])
    }

    @Test func candlesParseFloatsExactly() async throws {
        let stub = try await StubGemini()
        let client = GeminiRESTClient(venue: stub.venue, http: stub.http)
        let candles = try success(await call { client.candles("btcusd", timeFrame: .oneHour, on: $0, completion: $1) })
        #expect(candles.count == 2)
        let first = try #require(candles.first)
        #expect(first.timeMilliseconds == 1_559_755_800_000)
        #expect(first.open == dec("7781.6"))
        #expect(first.high == dec("7820.23"))
        #expect(first.low == dec("7776.56"))
        #expect(first.close == dec("7819.39"))
        #expect(first.volume == dec("34.7624802159"))
        #expect(try await stub.log().publicRequests.map(\.path) == ["/v2/candles/btcusd/1hr"])
    }

    @Test func unknownSymbolIsAnExchangeError() async throws {
        let stub = try await StubGemini()
        let client = GeminiRESTClient(venue: stub.venue, http: stub.http)
        let error = try failure(await call { client.ticker("nosuch", on: $0, completion: $1) })
        #expect(error.reason == .badRequest)
        #expect(error.classification == .reject)
        #expect(!error.mayHaveExecuted)
    }

    @Test func symbolThatWouldChangeThePathIsRefusedUnsent() async throws {
        let stub = try await StubGemini()
        let client = GeminiRESTClient(venue: stub.venue, http: stub.http)
        let error = try failure(await call { client.ticker("btc/../usd", on: $0, completion: $1) })
        guard case .invalidRequest = error else { Issue.record("expected invalidRequest, got \(error)"); return }
        #expect(try await stub.log().publicRequests.isEmpty)
    }

    @Test func privateCallOnPublicOnlyClientIsInvalidRequest() async throws {
        let stub = try await StubGemini()
        let client = GeminiRESTClient(venue: stub.venue, http: stub.http)
        let error = try failure(await call { client.balances(on: $0, completion: $1) })
        guard case .invalidRequest = error else { Issue.record("expected invalidRequest, got \(error)"); return }
        #expect(try await stub.log().privateRequests.isEmpty)
    }
}
