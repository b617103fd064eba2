import CastorCore
import Testing
@testable import GeminiSim

@Suite struct ValidationTests {
    struct Case: Sendable, CustomStringConvertible {
        let request: SimOrderRequest
        let reason: String
        let status: Int
        var description: String { reason }
    }

    static let cases: [Case] = [
        Case(request: .init(symbol: "BTCXYZ", amount: "1", price: "100", side: "buy"), reason: "InvalidSymbol", status: 400),
        Case(request: .init(symbol: "btcusd", amount: "1", price: "0", side: "buy"), reason: "InvalidPrice", status: 400),
        Case(request: .init(symbol: "btcusd", amount: "1", price: "-5.00", side: "buy"), reason: "InvalidPrice", status: 400),
        Case(request: .init(symbol: "btcusd", amount: "1", price: "100.001", side: "buy"), reason: "InvalidPrice", status: 400),
        Case(request: .init(symbol: "btcusd", amount: "1", price: "abc", side: "buy"), reason: "InvalidPrice", status: 400),
        Case(request: .init(symbol: "btcusd", amount: "0", price: "100", side: "buy"), reason: "InvalidQuantity", status: 400),
        Case(request: .init(symbol: "btcusd", amount: "0.000009", price: "100", side: "buy"), reason: "InvalidQuantity", status: 400),
        Case(request: .init(symbol: "ethusd", amount: "2.00618643", price: "100", side: "buy"), reason: "InvalidQuantity", status: 400),
        Case(request: .init(symbol: "btcusd", amount: "1", price: "100", side: "BUY"), reason: "InvalidSide", status: 400),
        Case(request: .init(symbol: "btcusd", amount: "1", price: "100", side: "buy", type: "LIMIT"), reason: "InvalidOrderType", status: 400),
        Case(request: .init(symbol: "btcusd", amount: "1", price: "100", side: "buy", options: ["maker-or-cancel", "fill-or-kill"]),
             reason: "ConflictingOptions", status: 400),
        Case(request: .init(symbol: "btcusd", amount: "1", price: "100", side: "buy", options: ["auction-only"]),
             reason: "UnsupportedOption", status: 400),
        Case(request: .init(symbol: "btcusd", amount: "1", price: "100", side: "buy", type: "exchange stop limit",
                            options: ["maker-or-cancel"], stopPrice: "99"), reason: "UnsupportedOption", status: 400),
        Case(request: .init(symbol: "btcusd", amount: "1", price: "100", side: "buy",
                            clientOrderId: String(repeating: "a", count: 37)), reason: "ClientOrderIdTooLong", status: 400),
        Case(request: .init(symbol: "btcusd", amount: "1", price: "100", side: "buy", clientOrderId: "bad id!"),
             reason: "InvalidClientOrderId", status: 400),
        Case(request: .init(symbol: "btcusd", amount: "1", price: "100", side: "buy", type: "exchange stop limit", stopPrice: "101"),
             reason: "InvalidStopPriceBuy", status: 400),
        Case(request: .init(symbol: "btcusd", amount: "1", price: "100", side: "sell", type: "exchange stop limit", stopPrice: "99"),
             reason: "InvalidStopPriceSell", status: 400),
        Case(request: .init(symbol: "btcusd", amount: "1", price: "160", side: "buy", type: "exchange stop limit", stopPrice: "100"),
             reason: "InvalidStopPriceRatio", status: 400),
        Case(request: .init(symbol: "btcusd", amount: "1", price: "100", side: "buy", type: "exchange stop limit"),
             reason: "InvalidStopPrice", status: 400),
        Case(request: .init(symbol: "btcusd", amount: "100", price: "65000", side: "buy"), reason: "InsufficientFunds", status: 406),
        Case(request: .init(symbol: "btcusd", amount: "101", price: "65000", side: "sell"), reason: "InsufficientFunds", status: 406),
    ]

    @Test(arguments: cases)
    func rejectsWithGeminiReason(_ c: Case) {
        let f = EngineFixture()
        _ = f.engine.drainOrderEvents()
        do {
            try f.engine.placeOrder(c.request, account: f.alice, session: "alice-key")
            Issue.record("expected \(c.reason)")
        } catch {
            #expect(error.reason == c.reason)
            #expect(error.httpStatus == c.status)
        }
        let events = f.engine.drainOrderEvents()
        #expect(events.map(\.type) == [.rejected])
        #expect(events.first?.reason == c.reason)
        #expect(f.engine.activeOrders(account: f.alice).isEmpty)
        #expect(f.balance(f.alice, "USD").held == .zero)
    }

    @Test func messagesQuoteTheClientsText() {
        let f = EngineFixture()
        #expect(throws: SimError(reason: "InvalidQuantity", message: "Invalid quantity for symbol BTCUSD: 0.0008535960807300151")) {
            try f.place(f.alice, .buy, "0.0008535960807300151", "100")
        }
        #expect(throws: SimError(reason: "InvalidPrice", message: "Invalid price for symbol ETHUSD: 3314.001")) {
            try f.place(f.alice, .sell, "1", "3314.001", symbol: "ethusd")
        }
        #expect(throws: SimError(reason: "InsufficientFunds", httpStatus: 406,
                                 message: "Failed to place buy order on symbol 'SOLUSD' for price 10.457 USD and quantity 100000 SOL due to insufficient funds")) {
            try f.place(f.alice, .buy, "100000", "10.457", symbol: "solusd")
        }
    }

    @Test func clientOrderIdCharsetAndLength() throws {
        let f = EngineFixture()
        let ok = try f.place(f.alice, .buy, "0.001", "100", clientOrderId: "a:b-c_d.e#F9" + String(repeating: "x", count: 24))
        #expect(ok.clientOrderId?.count == 36)
    }

    @Test func marketStatusGatesNewOrders() throws {
        let f = EngineFixture()
        let resting = try f.place(f.alice, .buy, "1", "100")
        for status in [SimSymbolStatus.closed, .cancelOnly] {
            f.engine.setStatus(status, for: "btcusd")
            #expect(throws: SimError.self) { try f.place(f.alice, .buy, "1", "100") }
            #expect((try? f.place(f.alice, .buy, "1", "100", options: ["maker-or-cancel"])) == nil)
        }
        f.engine.setStatus(.postOnly, for: "btcusd")
        do { try f.place(f.alice, .buy, "1", "100"); Issue.record("post_only accepted a plain limit") } catch {
            #expect(error.reason == "MarketNotOpen")
        }
        #expect(try f.place(f.alice, .buy, "1", "100", options: ["maker-or-cancel"]).isLive)
        f.engine.setStatus(.cancelOnly, for: "btcusd")
        #expect(try f.engine.cancelOrder(orderId: resting.orderId, account: f.alice).isCancelled)
        f.engine.setStatus(.limitOnly, for: "btcusd")
        #expect(try f.place(f.alice, .buy, "1", "100").isLive)
    }

    @Test func defaultSymbolsHaveGeminiPrecision() {
        let btc = SimSymbol.defaults[0]
        #expect(btc.symbol == "BTCUSD" && btc.tickSize == dec("0.00000001") && btc.quoteIncrement == dec("0.01"))
        #expect(btc.minOrderSize == dec("0.00001") && btc.lowercased == "btcusd")
        let sol = SimSymbol.defaults[3]
        #expect(sol.quoteIncrement == dec("0.001") && sol.minOrderSize == dec("0.01"))
    }
}
