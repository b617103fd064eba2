import CastorCore
import GeminiProtocol
import Testing
@testable import CastorTrading

@Suite struct LedgerTests {
    @Test func tradeIDsCompareAcrossSources() {
        #expect(TradeID("00123") == TradeID(Int64(123)))
        #expect(TradeID("9") < TradeID("10"))
    }

    @Test func dedupAcrossEventsMyTradesAndStatusTrades() {
        var l = FillLedger()
        let ev = LedgerFill(event: event("fill", orderID: "9", cid: nil, executed: "0.5", fill: ("107317526", "0.5", "3648.09", "0.02")))!
        let mt = LedgerFill(trade: trade(tid: 107317526, orderID: "9", price: "3648.09", amount: "0.5", fee: "0.02"))!
        let st = LedgerFill(trade: trade(tid: 107317526, orderID: "9", symbol: nil, price: "3648.09", amount: "0.5", fee: "0.02"),
                      knownSymbol: "btcusd", source: .orderStatus)!
        #expect(l.record(mt) == .applied(mt))
        #expect(l.record(ev) == .duplicate(TradeID(107317526)))
        #expect(l.record(st) == .duplicate(TradeID(107317526)))
        #expect(l.position("BTCUSD").base == d("0.5") && l.position("BTCUSD").fillCount == 1)
        let bad = LedgerFill(trade: trade(tid: 107317526, orderID: "9", price: "3648.09", amount: "0.6"))!
        if case .conflicting = l.record(bad) {} else { Issue.record("expected a conflict") }
        #expect(l.position("BTCUSD").base == d("0.5"))
    }

    @Test func positionsAreExact() {
        var l = FillLedger(quoteCurrencies: ["ETHBTC": "btc"])
        l.record(LedgerFill(trade: trade(tid: 1, orderID: "1", side: "Buy", price: "3633.00", amount: "0.00423677", fee: "0.038480463525", ms: 10))!)
        l.record(LedgerFill(trade: trade(tid: 2, orderID: "2", side: "Sell", price: "3648.09", amount: "0.0027343246", fee: "0.024937655575035", ms: 30))!)
        l.record(LedgerFill(trade: trade(tid: 3, orderID: "3", side: "Buy", price: "1", amount: "1", fee: "0.5", feeCurrency: "GUSD", ms: 20))!)
        let p = l.position("BTCUSD")
        #expect(p.base == d("0.00423677") - d("0.0027343246") + d("1"))
        // −3633.00×0.00423677 + 3648.09×0.0027343246 − 1 − fees in USD
        let expected = -(d("3633.00") * d("0.00423677")) + d("3648.09") * d("0.0027343246") - d("1")
            - d("0.038480463525") - d("0.024937655575035")
        #expect(p.quoteCash == expected)
        #expect(p.quoteFees == d("0.063418119100035"))
        #expect(p.otherFees == ["GUSD": d("0.5")])
        #expect(l.lastFillTimestampMs == 30)
        #expect(l.executed(orderID: "1") == d("0.00423677"))
        l.record(LedgerFill(trade: trade(tid: 4, orderID: "4", symbol: "ETHBTC", side: "Sell", price: "0.05", amount: "2", fee: "0.0001", feeCurrency: "BTC"))!)
        #expect(l.position("ETHBTC").quoteCash == d("0.0999"))
    }

    @Test func restoringFromJournalCollapsesDuplicates() {
        let f = LedgerFill(trade: trade(tid: 1, orderID: "1", amount: "1"))!
        let l = FillLedger(restoring: [f, f, f])
        #expect(l.position("BTCUSD").base == d("1") && l.fills.count == 1)
    }

    @Test func brokenTradesAreRecognised() {
        #expect(trade(tid: 1, orderID: "1", amount: "1", breakKind: "full").isFullyBroken)
        #expect(!trade(tid: 1, orderID: "1", amount: "1", breakKind: "manual").isFullyBroken)
    }
}
