import CastorCore
import CastorStrategy
import Testing

/// The mid and spread of a book from the exchange never trap: when the exact result does
/// not fit (38-digit prices), there is none.
@Suite struct BookTopTests {
    private func top(_ bid: ExactDecimal, _ ask: ExactDecimal) -> BookTop {
        BookTop(bestBid: BookLevel(price: bid, quantity: 1), bestAsk: BookLevel(price: ask, quantity: 1))
    }

    @Test func midAndSpreadOfOrdinaryPrices() {
        let t = top(ExactDecimal("100.00")!, ExactDecimal("100.05")!)
        #expect(t.mid?.description == "100.025")
        #expect(t.spread?.description == "0.05")
    }

    @Test func thirtyEightDigitPricesGiveNoMidInsteadOfTrapping() {
        let big = ExactDecimal("99999999999999999999999999999999999999")!
        #expect(top(big, big).mid == nil)            // bid + ask overflows
        let tiny = ExactDecimal(mantissa: 1, scale: 38), tiny2 = ExactDecimal(mantissa: 2, scale: 38)
        #expect(top(tiny, tiny2).mid == nil)          // 1.5e-38 needs a 39th place
        #expect(top(ExactDecimal(mantissa: -.max, scale: 0), big).spread == nil)
        #expect(top(ExactDecimal("0.01")!, ExactDecimal("10000000000000000000000000000000000000")!).spread == nil)
    }
}
