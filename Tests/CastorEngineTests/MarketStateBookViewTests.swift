import CastorCore
import CastorFeeds
import CastorStrategy
import Dispatch
import GeminiProtocol
import MarketData
import Testing
@testable import CastorEngine

/// `MarketState.bookView` refills only the side whose generation moved: on a random stream
/// the view it hands out must still equal the book's top levels after every update, and a
/// view a strategy kept must not change under it.
@Suite struct MarketStateBookViewTests {
    private static func d(_ s: String) -> ExactDecimal { ExactDecimal(s)! }

    private static func expected(_ book: L2OrderBook) -> ([BookLevel], [BookLevel]) {
        (book.topBids(MarketState.bookDepth).map { BookLevel(price: $0.price, quantity: $0.quantity) },
         book.topAsks(MarketState.bookDepth).map { BookLevel(price: $0.price, quantity: $0.quantity) })
    }

    @Test func theViewFollowsEveryUpdateOnEitherSide() {
        let queue = DispatchQueue(label: "test.market-state")
        queue.sync {
            let books = MarketBooks(symbols: ["BTCUSD", "ETHUSD"], queue: queue)
            var market = MarketState()
            market.books = books
            var rng = SplitMix64(seed: 7)
            func below(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }
            var snapshot: [L2Change] = []
            for i in 0..<40 {
                snapshot.append(L2Change(side: .buy, price: ExactDecimal(mantissa: Int128(10_000 - i), scale: 2), quantity: Self.d("1")))
                snapshot.append(L2Change(side: .sell, price: ExactDecimal(mantissa: Int128(10_001 + i), scale: 2), quantity: Self.d("1")))
            }
            for s in 0..<2 {
                snapshot.withUnsafeBufferPointer {
                    books.books.l2Updates(symbol: SymbolID(rawValue: UInt16(s)), changes: $0, carriesSnapshotExtras: false)
                }
            }
            var kept: BookView?
            var keptCopy: BookView?
            for step in 0..<3_000 {
                let symbol = SymbolID(rawValue: UInt16(below(2)))
                // One side or both, near the touch or deep, sometimes a removal.
                var changes: [L2Change] = []
                for _ in 0..<(1 + below(3)) {
                    let bid = below(100) < (step % 3 == 0 ? 100 : 50)
                    let offset = Int128(below(step % 5 == 0 ? 40 : 12))
                    let price = bid ? ExactDecimal(mantissa: 10_000 - offset, scale: 2) : ExactDecimal(mantissa: 10_001 + offset, scale: 2)
                    let quantity = below(4) == 0 ? ExactDecimal.zero : ExactDecimal(mantissa: Int128(1 + below(900)), scale: 3)
                    changes.append(L2Change(side: bid ? .buy : .sell, price: price, quantity: quantity))
                }
                changes.withUnsafeBufferPointer { books.books.l2Updates(symbol: symbol, changes: $0, carriesSnapshotExtras: false) }
                let index = BookIndex(gemini: symbol)
                guard let view = market.bookView(index, timestampMs: Int64(step)) else {
                    Issue.record("no view at step \(step)"); return
                }
                let (bids, asks) = Self.expected(books.book(index)!)
                #expect(view.bids == bids, "bids at step \(step)")
                #expect(view.asks == asks, "asks at step \(step)")
                #expect(view.timestampMs == Int64(step))
                // A strategy that keeps a view: it stays as it was handed out.
                if step % 97 == 0 { kept = view; keptCopy = BookView(symbol: view.symbol, bids: Array(view.bids), asks: Array(view.asks), timestampMs: view.timestampMs) }
                if let kept, let keptCopy { #expect(kept == keptCopy) }
            }
        }
    }
}
