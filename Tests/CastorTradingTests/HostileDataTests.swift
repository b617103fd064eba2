import CastorCore
import CastorFeeds
import Foundation
import GeminiProtocol
import Testing
@testable import CastorTrading

/// Values from the exchange that the ledger, a lifecycle or reconciliation cannot carry
/// exactly are refused (and reported), never allowed to trap the process.
@Suite struct HostileDataTests {
    private func fill(_ tid: Int64, price: ExactDecimal, amount: ExactDecimal, side: Side = .buy, fee: ExactDecimal = .zero) -> LedgerFill {
        LedgerFill(tradeID: TradeID(tid), orderID: "9", clientOrderID: nil, symbol: "BTCUSD", side: side, price: price,
             amount: amount, fee: fee, feeCurrency: "USD", timestampMs: 1, isMaker: nil, source: .myTrades)
    }

    /// A running total that would overflow (here: the quote cash, when a fill of scale 36
    /// meets one of 10^20) refuses the fill instead of trapping in `+=`.
    @Test func ledgerRefusesAFillWhoseTotalsWouldOverflow() {
        var ledger = FillLedger()
        let big = fill(1, price: d("99999999999999999999"), amount: d("1"))
        #expect(ledger.record(big) == .applied(big))
        let fine = fill(2, price: d("0.000000000000000001"), amount: d("0.000000000000000001"))
        #expect(ledger.refusal(of: fine) != nil)
        #expect(ledger.record(fine) == .conflicting(existing: fine, ignored: fine))
        #expect(ledger.refused[TradeID(2)] != nil)
        #expect(ledger.contains(TradeID(2)))
        #expect(ledger.position("BTCUSD").fillCount == 1)
        #expect(ledger.position("BTCUSD").quoteCash == d("-99999999999999999999"))
        #expect(ledger.executed(orderID: "9") == d("1"))
        // Later copies are duplicates, not counted either.
        #expect(ledger.record(fine) == .duplicate(TradeID(2)))
    }

    /// price × amount itself overflowing is refused too (it trapped in `signedQuote`).
    @Test func ledgerRefusesAFillWhoseNotionalOverflows() {
        var ledger = FillLedger()
        let huge = fill(3, price: d("99999999999999999999"), amount: d("99999999999999999999"), side: .sell)
        #expect(LedgerFill.problem(price: huge.price, amount: huge.amount, fee: .zero) != nil)
        #expect(ledger.record(huge) == .conflicting(existing: huge, ignored: huge))
        #expect(ledger.positions.isEmpty)
    }

    @Test func fillProblemsAreNamed() {
        #expect(LedgerFill.problem(price: d("100"), amount: d("0.5"), fee: d("0.01")) == nil)
        #expect(LedgerFill.problem(price: d("100"), amount: d("0"), fee: .zero) != nil)
        #expect(LedgerFill.problem(price: d("100"), amount: d("-1"), fee: .zero) != nil)
        #expect(LedgerFill.problem(price: d("-1"), amount: d("1"), fee: .zero) != nil)
    }

    /// `remaining` and the fill total of a lifecycle never trap, whatever the fills add up to.
    @Test func lifecycleArithmeticNeverTraps() throws {
        var l = OrderLifecycle(clientOrderID: try #require(ClientOrderID("cx-a-1")), symbol: "BTCUSD", side: .buy,
                               price: d("100.00"), amount: d("0.5"))
        let enormous = ExactDecimal(mantissa: .max, scale: 0)
        _ = l.applyNewFill(amount: enormous, orderID: "9")
        #expect(l.remaining == .zero)          // 0.5 − 1.7e38 cannot even be aligned
        _ = l.applyNewFill(amount: enormous, orderID: "9")   // the sum overflows
        #expect(l.executed == enormous)
        #expect(l.remaining == .zero)
    }

    /// One bad `/v1/mytrades` row (a price out of range, a fee that is no number, seconds
    /// that overflow in milliseconds, a notional that overflows) decodes as a rejected row,
    /// so the page and the good rows still go through; reconciliation reports the bad rows
    /// and plans only the good one. It used to fail the page, or trap in the ledger on
    /// every restart.
    @Test func badMyTradesRowsAreRejectedNotFatal() throws {
        func row(_ tid: Int, price: String = #""100.00""#, amount: String = #""0.5""#, fee: String = #""0.1""#,
                 time: String = #""timestamp":1700000000,"timestampms":1700000000000"#) -> String {
            #"{"price":\#(price),"amount":\#(amount),\#(time),"type":"Buy","aggressor":true,"fee_currency":"USD","fee_amount":\#(fee),"tid":\#(tid),"order_id":"9","client_order_id":"cx-b-1","symbol":"BTCUSD","exchange":"gemini"}"#
        }
        let body = "[" + [
            row(1),
            row(2, price: #""1e30""#),
            row(3, fee: #""abc""#),
            row(4, time: #""timestamp":\#(Int64.max)"#),
            row(5, price: #""99999999999999999999""#, amount: #""99999999999999999999""#),
        ].joined(separator: ",") + "]"
        guard case .success(let wire) = try GeminiRESTDecoder.decode([MyTrade].self, from: Data(body.utf8)) else {
            Issue.record("page did not decode"); return
        }
        let rows = wire.compactMap(TradeReport.init(gemini:))
        #expect(rows.count == 5)
        #expect(rows[0].rejection == nil)
        #expect(rows[1].rejection != nil && rows[2].rejection != nil && rows[3].rejection != nil)
        #expect(rows[3].timestampMs == nil)
        #expect(rows[4].rejection == nil)          // in range, but price × amount overflows
        #expect(LedgerFill(trade: rows[4]) == nil)

        let plan = Reconciler.plan(ReconciliationInput(local: [], exchangeOpen: [], myTrades: ["BTCUSD": rows], ourPrefix: "cx"),
                                   ledger: FillLedger())
        #expect(plan.fills.map(\.tradeID) == [TradeID(1)])
        #expect(plan.rejectedTrades.map(\.trade.tradeID) == [2, 3, 4, 5])
        var m = makeManager()
        #expect(m.apply(plan, now: 1).fills.count == 1)
    }
}
