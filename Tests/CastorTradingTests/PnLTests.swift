import CastorCore
import Testing
@testable import CastorTrading

/// `SymbolPnL` and `PnLBook`: FIFO realized profit, unrealized at a mark, fees apart, exact
/// decimals, no trap on overflow.
@Suite struct PnLTests {
    static func d(_ s: String) -> ExactDecimal { ExactDecimal(s)! }

    @Test func aPartialCloseRealizesItsShareAndTheRestIsMarked() {
        var p = SymbolPnL()
        p.record(side: .buy, amount: Self.d("1"), price: Self.d("100"), fee: Self.d("0.10"), feeCurrency: "USD", feeIsQuote: true)
        p.record(side: .sell, amount: Self.d("0.4"), price: Self.d("110"), fee: Self.d("0.05"), feeCurrency: "USD", feeIsQuote: true)
        #expect(p.realized == Self.d("4"))
        #expect(p.position == Self.d("0.6"))
        #expect(p.unrealized(atMark: Self.d("120")) == Self.d("12"))
        #expect(p.quoteFees == Self.d("0.15"))
        #expect(p.realizedAfterFees == Self.d("3.85"))
        #expect(p.fillCount == 2 && p.volume == Self.d("1.4"))
    }

    @Test func lotsCloseOldestFirst() {
        var p = SymbolPnL()
        p.record(side: .buy, amount: 1, price: 100, fee: .zero, feeCurrency: nil, feeIsQuote: true)
        p.record(side: .buy, amount: 1, price: 110, fee: .zero, feeCurrency: nil, feeIsQuote: true)
        p.record(side: .sell, amount: 1, price: 105, fee: .zero, feeCurrency: nil, feeIsQuote: true)
        #expect(p.realized == 5)  // the 100 lot, not the 110 one
        #expect(p.lots == [SymbolPnL.Lot(amount: 1, price: 110)])
    }

    @Test func aFillThroughZeroClosesTheLongAndOpensAShort() {
        var p = SymbolPnL()
        p.record(side: .buy, amount: 1, price: 100, fee: .zero, feeCurrency: nil, feeIsQuote: true)
        p.record(side: .sell, amount: Self.d("1.5"), price: 90, fee: .zero, feeCurrency: nil, feeIsQuote: true)
        #expect(p.realized == -10)
        #expect(p.isShort && p.position == Self.d("-0.5"))
        #expect(p.unrealized(atMark: 80) == 5)  // short 0.5 from 90, marked at 80
        p.record(side: .buy, amount: Self.d("0.5"), price: 80, fee: .zero, feeCurrency: nil, feeIsQuote: true)
        #expect(p.realized == -5 && p.position.isZero && p.lots.isEmpty)
    }

    @Test func feesInAnotherCurrencyAreKeptApart() {
        var p = SymbolPnL()
        p.record(side: .buy, amount: 1, price: 100, fee: Self.d("0.001"), feeCurrency: "gusd", feeIsQuote: false)
        #expect(p.quoteFees.isZero && p.otherFees == ["GUSD": Self.d("0.001")])
    }

    /// The FIFO split never loses money: realized + unrealized at any mark equals the cash
    /// flow plus the position at that mark (fees apart), whatever the fills.
    @Test func realizedPlusUnrealizedEqualsCashPlusPositionAtTheMark() {
        var rng = SeededRandom(seed: 42)
        var p = SymbolPnL()
        var cash = ExactDecimal.zero
        var base = ExactDecimal.zero
        for _ in 0..<2_000 {
            let side: Side = rng.next() % 2 == 0 ? .buy : .sell
            let amount = ExactDecimal(mantissa: Int128(1 + rng.next() % 5_000), scale: 4)
            let price = ExactDecimal(mantissa: Int128(9_000_000 + rng.next() % 2_000_000), scale: 2)
            p.record(side: side, amount: amount, price: price, fee: .zero, feeCurrency: nil, feeIsQuote: true)
            if side == .buy { cash -= amount * price; base += amount } else { cash += amount * price; base -= amount }
        }
        #expect(!p.isOverflowed)
        #expect(p.position == base)
        for mark in [ExactDecimal(90_000), ExactDecimal(100_000), Self.d("105000.55")] {
            #expect(p.realized + p.unrealized(atMark: mark)! == cash + base * mark)
        }
    }

    @Test func aFigureThatWouldOverflowFreezesTheBookInsteadOfTrapping() {
        var p = SymbolPnL()
        let huge = ExactDecimal(mantissa: Int128.max / 4, scale: 0)
        p.record(side: .buy, amount: 1, price: 100, fee: .zero, feeCurrency: nil, feeIsQuote: true)
        p.record(side: .sell, amount: 1, price: huge, fee: .zero, feeCurrency: nil, feeIsQuote: true)
        p.record(side: .buy, amount: huge, price: huge, fee: .zero, feeCurrency: nil, feeIsQuote: true)
        p.record(side: .sell, amount: huge, price: 1, fee: .zero, feeCurrency: nil, feeIsQuote: true)
        #expect(p.isOverflowed)
        let frozen = p
        p.record(side: .buy, amount: 1, price: 1, fee: .zero, feeCurrency: nil, feeIsQuote: true)
        #expect(p == frozen)
        #expect(SymbolPnL().unrealized(atMark: huge) == .zero)
    }

    @Test func aCarriedInPositionIsValuedFromItsFirstMark() {
        var book = PnLBook()
        book.carryIn(["BTCUSD": Self.d("0.5"), "ETHUSD": .zero])
        #expect(book.awaitingMark.keys.map(\.rawValue) == ["BTCUSD"])
        book.mark("BTCUSD", 60_000)
        book.mark("BTCUSD", 70_000)  // only the first mark opens it
        let fill = LedgerFill(tradeID: TradeID(1), orderID: 9, clientOrderID: nil, symbol: "BTCUSD", side: .sell,
                              price: 61_000, amount: Self.d("0.5"), fee: Self.d("1"), feeCurrency: "USD",
                              timestampMs: 1, isMaker: true, source: .orderEvent)
        book.record(fill, feeIsQuote: true)
        let btc = book.symbols["BTCUSD"]!
        #expect(btc.realized == 500 && btc.position.isZero && btc.quoteFees == 1)
    }

    @Test func aFillBeforeAnyMarkCarriesTheRestoredPositionInAtTheFillsPrice() {
        var book = PnLBook()
        book.carryIn(["BTCUSD": Self.d("-1")])
        let fill = LedgerFill(tradeID: TradeID(1), orderID: 9, clientOrderID: nil, symbol: "BTCUSD", side: .buy,
                              price: 50_000, amount: 1, fee: .zero, feeCurrency: nil, timestampMs: 1, isMaker: true,
                              source: .orderEvent)
        book.record(fill, feeIsQuote: true)
        #expect(book.symbols["BTCUSD"]!.realized.isZero && book.symbols["BTCUSD"]!.position.isZero)
        #expect(book.awaitingMark.isEmpty)
    }
}
