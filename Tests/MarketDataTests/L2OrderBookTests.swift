import CastorCore
import GeminiProtocol
import MarketData
import Testing

private func d(_ s: String) -> ExactDecimal { ExactDecimal(s)! }
private func buy(_ p: String, _ q: String) -> L2Change { L2Change(side: .buy, price: d(p), quantity: d(q)) }
private func sell(_ p: String, _ q: String) -> L2Change { L2Change(side: .sell, price: d(p), quantity: d(q)) }
private func levels(_ pairs: [(String, String)]) -> [L2Level] { pairs.map { L2Level(price: d($0.0), quantity: d($0.1)) } }

@Suite struct L2OrderBookTests {
    @Test func snapshotSortsBothSidesBestFirst() {
        var book = L2OrderBook()
        book.applySnapshot([buy("99.5", "1"), sell("101", "2"), buy("100", "3"), sell("100.5", "4"), buy("98", "5"), sell("102.25", "6")])
        #expect(book.hasSnapshot)
        #expect(book.topBids(10) == levels([("100", "3"), ("99.5", "1"), ("98", "5")]))
        #expect(book.topAsks(10) == levels([("100.5", "4"), ("101", "2"), ("102.25", "6")]))
        #expect(book.topBids(2).count == 2 && book.topAsks(0).isEmpty)
        #expect(book.bestBid == L2Level(price: d("100"), quantity: d("3")))
        #expect(book.bestAsk?.price.description == "100.5")
    }

    @Test func visitingTheTopMatchesTheTopArrays() {
        var book = L2OrderBook()
        book.applySnapshot([buy("99.5", "1"), sell("101", "2"), buy("100", "3"), sell("100.5", "4"), buy("98", "5"), sell("102.25", "6")])
        for depth in [0, 1, 2, 3, 10] {
            var bids: [L2Level] = [], asks: [L2Level] = []
            book.forEachTopBid(depth) { bids.append($0) }
            book.forEachTopAsk(depth) { asks.append($0) }
            #expect(bids == book.topBids(depth) && asks == book.topAsks(depth))
        }
        var none = 0
        L2OrderBook().forEachTopBid(5) { _ in none += 1 }
        #expect(none == 0)
    }

    @Test func snapshotReplacesEverything() {
        var book = L2OrderBook()
        book.applySnapshot([buy("1", "1"), sell("2", "1")])
        book.applySnapshot([buy("10", "1"), sell("11", "1")])
        #expect(book.topBids(5) == levels([("10", "1")]) && book.topAsks(5) == levels([("11", "1")]))
    }

    @Test func deltasSetTotalsAndZeroRemoves() {
        var book = L2OrderBook()
        book.applySnapshot([buy("100.00", "1"), buy("99.00", "2"), sell("101.00", "3")])
        var o = book.applyDelta([buy("100.00", "5"), buy("99.50", "0.25"), sell("101.00", "0")])
        #expect(o == L2ApplyOutcome())
        #expect(book.topBids(5) == levels([("100.00", "5"), ("99.50", "0.25"), ("99.00", "2")]))
        #expect(book.topAsks(5).isEmpty)
        // "100.0" and "100.00" are the same level; the price prints as last sent.
        o = book.applyDelta([buy("100.0", "0.00000000"), sell("105", "0")])
        #expect(o.removalsOfAbsentLevels == 1)
        #expect(book.topBids(5) == levels([("99.50", "0.25"), ("99.00", "2")]))
        #expect(book.removalsOfAbsentLevels == 1)
    }

    @Test func crossedAndLockedBooksAreReported() {
        var book = L2OrderBook()
        #expect(!book.applySnapshot([buy("100", "1"), sell("101", "1")]).crossed)
        #expect(book.applyDelta([buy("101", "1")]).crossed) // locked: bid == ask
        #expect(book.isCrossed)
        #expect(!book.applyDelta([buy("101", "0")]).crossed)
        #expect(book.applyDelta([sell("99.99", "1")]).crossed)
    }

    @Test func resetEmptiesAndWaitsForSnapshot() {
        var book = L2OrderBook()
        book.applySnapshot([buy("100", "1"), sell("101", "1")])
        book.reset()
        #expect(!book.hasSnapshot && book.bidCount == 0 && book.askCount == 0 && book.bestBid == nil)
    }

    @Test func manyLevelsStaySortedAgainstAReferenceModel() {
        var book = L2OrderBook()
        var reference: [Int: Int] = [:] // bid price ticks → quantity
        var state: UInt64 = 7
        func next() -> Int { state = state &* 6364136223846793005 &+ 1442695040888963407; return Int(state >> 33) }
        for _ in 0..<5000 {
            let ticks = 1000 + next() % 300
            let qty = next() % 5 // 0 removes
            book.applyDelta([L2Change(side: .buy, price: ExactDecimal(mantissa: Int128(ticks), scale: 2), quantity: ExactDecimal(qty))])
            if qty == 0 { reference[ticks] = nil } else { reference[ticks] = qty }
        }
        let expected = reference.keys.sorted(by: >).map { L2Level(price: ExactDecimal(mantissa: Int128($0), scale: 2), quantity: ExactDecimal(reference[$0]!)) }
        #expect(book.topBids(1000) == expected)
    }
}

@Suite struct BookSetTests {
    @Test func firstUpdateAfterResetIsTheSnapshot() throws {
        var feed = MarketDataV2Feed(symbols: ["BTCUSD"])
        func send(_ s: String) throws {
            var bytes = Array(s.utf8)
            try bytes.withUnsafeMutableBytes { b in _ = try feed.receive(UnsafeRawBufferPointer(b)) }
        }
        try send(#"{"type":"l2_updates","symbol":"BTCUSD","changes":[["buy","1","1"],["sell","3","1"]]}"#)
        try send(#"{"type":"l2_updates","symbol":"BTCUSD","changes":[["buy","2","1"]]}"#)
        let id = try #require(feed.symbolID("BTCUSD"))
        #expect(feed.books.book(id)?.bidCount == 2)
        feed.reset()
        try send(#"{"type":"l2_updates","symbol":"BTCUSD","changes":[["buy","5","1"],["sell","6","1"]]}"#)
        #expect(feed.books.book(id)?.topBids(5).map(\.price.description) == ["5"])
        #expect(feed.books.counters.snapshots == 2 && feed.books.counters.l2Messages == 3)
        try send(#"{"type":"l2_updates","symbol":"BTCUSD","changes":[["buy","7","1"]]}"#)
        #expect(feed.books.crossedSymbols == [id] && feed.books.counters.crossedUpdates == 1)
        try send(#"{"type":"trade","symbol":"BTCUSD","event_id":9,"timestamp":1,"price":"6","quantity":"0.5","side":"buy"}"#)
        #expect(feed.books.lastTrade(id)?.eventID == 9)
        try send(#"{"type":"mystery","symbol":"BTCUSD"}"#)
        try send(#"{"type":"mystery"}"#)
        #expect(feed.books.unknownTypes == ["mystery"] && feed.books.counters.unknownMessages == 2)
    }
}

@Suite struct L2OrderBookGenerationTests {
    @Test func aSideMovesOnlyWhenAnUpdateChangesIt() {
        var book = L2OrderBook()
        book.applySnapshot([buy("100", "1"), sell("101", "1")])
        let (b0, a0) = (book.bidGeneration, book.askGeneration)
        book.applyDelta([buy("99", "2")])
        #expect(book.bidGeneration == b0 &+ 1 && book.askGeneration == a0)
        book.applyDelta([sell("102", "2"), sell("103", "1")])
        #expect(book.bidGeneration == b0 &+ 1 && book.askGeneration == a0 &+ 1)
        book.applyDelta([buy("98", "1"), sell("104", "1")])
        #expect(book.bidGeneration == b0 &+ 2 && book.askGeneration == a0 &+ 2)
        // A removal of an absent level is still an update of that side (counted, not trusted).
        book.applyDelta([sell("150", "0")])
        #expect(book.askGeneration == a0 &+ 3)
        let (b1, a1) = (book.bidGeneration, book.askGeneration)
        book.reset()
        #expect(book.bidGeneration != b1 && book.askGeneration != a1)
        let (b2, a2) = (book.bidGeneration, book.askGeneration)
        book.applySnapshot([buy("10", "1")])
        #expect(book.bidGeneration != b2 && book.askGeneration != a2)
    }

    @Test func topLevelsIntoABufferMatchTheArrays() {
        var book = L2OrderBook()
        book.applySnapshot([buy("99.5", "1"), sell("101", "2"), buy("100", "3"), sell("100.5", "4"), buy("98", "5"), sell("102.25", "6")])
        book.applyDelta([buy("0.001", "7"), sell("1000000", "8"), buy("99.75", "9")]) // far and off-grid levels too
        for capacity in [0, 1, 2, 4, 10] {
            let bids = [L2Level](unsafeUninitializedCapacity: capacity) { buffer, count in count = book.topBids(into: buffer) }
            let asks = [L2Level](unsafeUninitializedCapacity: capacity) { buffer, count in count = book.topAsks(into: buffer) }
            #expect(bids == book.topBids(capacity))
            #expect(asks == book.topAsks(capacity))
        }
    }
}
