import CastorCore
import GeminiProtocol
import MarketData
import Testing

/// The book against a plain model, a dictionary per side keyed by price value, over random
/// snapshot/delta streams: prices on a moving tick grid written several ways, off the grid,
/// far from the touch, beyond the ladder's window after big jumps, a grid that changes,
/// removals of absent levels, rejected prices, quantities wider than 64 bits, empty sides
/// and crossed books.
private struct ReferenceBook {
    /// Price value → (price as last sent, quantity).
    var bids: [ExactDecimal: (price: ExactDecimal, quantity: ExactDecimal)] = [:]
    var asks: [ExactDecimal: (price: ExactDecimal, quantity: ExactDecimal)] = [:]
    var removalsOfAbsentLevels = 0
    var rejectedChanges = 0

    /// `price × 10^20` fits an `Int128` exactly: what the book can represent.
    static func representable(_ p: ExactDecimal) -> Bool {
        let n = p.normalized
        return n.scale <= 20 && n.rescaled(to: 20) != nil
    }

    /// The price as the book prints it: as sent, but at most 20 decimals.
    static func printed(_ p: ExactDecimal) -> ExactDecimal {
        p.scale <= 20 ? p : p.normalized.rescaled(to: 20)!
    }

    mutating func apply(_ changes: [L2Change], snapshot: Bool) -> L2ApplyOutcome {
        if snapshot { bids = [:]; asks = [:] }
        var o = L2ApplyOutcome()
        for c in changes {
            guard ReferenceBook.representable(c.price) else { o.rejectedChanges += 1; continue }
            let value = c.price.normalized
            if c.quantity.isZero {
                let removed = c.side == .buy ? bids.removeValue(forKey: value) : asks.removeValue(forKey: value)
                if removed == nil { o.removalsOfAbsentLevels += 1 }
            } else if c.side == .buy {
                bids[value] = (ReferenceBook.printed(c.price), c.quantity)
            } else {
                asks[value] = (ReferenceBook.printed(c.price), c.quantity)
            }
        }
        removalsOfAbsentLevels += o.removalsOfAbsentLevels
        rejectedChanges += o.rejectedChanges
        o.crossed = isCrossed
        return o
    }

    var sortedBids: [L2Level] { bids.keys.sorted(by: >).map { L2Level(price: bids[$0]!.price, quantity: bids[$0]!.quantity) } }
    var sortedAsks: [L2Level] { asks.keys.sorted(by: <).map { L2Level(price: asks[$0]!.price, quantity: asks[$0]!.quantity) } }
    var bestBid: L2Level? { bids.keys.max().map { L2Level(price: bids[$0]!.price, quantity: bids[$0]!.quantity) } }
    var bestAsk: L2Level? { asks.keys.min().map { L2Level(price: asks[$0]!.price, quantity: asks[$0]!.quantity) } }
    var isCrossed: Bool {
        guard let b = bids.keys.max(), let a = asks.keys.min() else { return false }
        return b >= a
    }
}

/// Levels as text, so a price's scale (how it prints) is compared too, not only its value.
private func text(_ levels: [L2Level]) -> [String] { levels.map { "\($0.quantity)@\($0.price)" } }

/// A random stream: which features one seed exercises.
private struct StreamGenerator {
    var rng: SplitMix64
    let profile: Int
    /// The touch, in 0.01 ticks.
    var mid: Int64 = 3_000_000
    /// Ticks of the grid: 2 decimals, or 3 after `profile` 3 switches.
    var decimals = 2

    init(seed: UInt64) {
        rng = SplitMix64(seed: seed)
        profile = Int(seed % 6)
        if profile == 3 { decimals = 0; mid = 30_000 }
    }

    mutating func below(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }
    mutating func chance(_ percent: Int) -> Bool { below(100) < percent }

    /// `ticks` at the grid's decimals, written one of several ways (trailing zeros, fewer
    /// digits when they are zeros, more than 20 decimals).
    mutating func price(ticks: Int64) -> ExactDecimal {
        let m = Int128(ticks)
        switch below(12) {
        case 0: return ExactDecimal(mantissa: m * 10, scale: UInt8(decimals + 1))
        case 1: return ExactDecimal(mantissa: m * 1_000_000, scale: UInt8(decimals + 6))
        case 2 where ticks % 10 == 0 && decimals > 0: return ExactDecimal(mantissa: m / 10, scale: UInt8(decimals - 1))
        case 3 where chance(20): return ExactDecimal(mantissa: m * 1_000_000_000_000_000_000_000, scale: UInt8(decimals + 21))
        default: return ExactDecimal(mantissa: m, scale: UInt8(decimals))
        }
    }

    mutating func quantity() -> ExactDecimal {
        if profile == 4, chance(3) { return ExactDecimal(mantissa: Int128(1) << 80 + Int128(below(1000)), scale: 8) }
        switch below(4) {
        case 0: return ExactDecimal(mantissa: Int128(1 + below(50)), scale: 0)
        case 1: return ExactDecimal(mantissa: Int128(1 + below(1_000_000)), scale: 8)
        default: return ExactDecimal(mantissa: Int128(1 + below(100_000)), scale: UInt8(below(5)))
        }
    }

    /// One change: mostly on the grid within 300 ticks of the touch, then the features.
    mutating func change() -> L2Change {
        let buy = chance(50)
        let side: Side = buy ? .buy : .sell
        let removal = chance(25)
        func q(_ g: inout StreamGenerator) -> ExactDecimal { removal ? .zero : g.quantity() }
        let roll = below(100)
        if profile >= 1, roll < 4 {
            // Far: a tenth of the price or less for bids, ten times or more for asks.
            let ticks = buy ? Int64(1 + below(Int(mid / 10))) : mid * 10 + Int64(below(1_000_000))
            return L2Change(side: side, price: price(ticks: ticks), quantity: q(&self))
        }
        if profile >= 1, roll < 8 {
            // Off the grid: one more decimal, not zero.
            let ticks = mid + Int64(below(600)) - 300
            let p = ExactDecimal(mantissa: Int128(ticks) * 10 + Int128(1 + below(9)), scale: UInt8(decimals + 1))
            return L2Change(side: side, price: p, quantity: q(&self))
        }
        if profile == 4, roll < 10 {
            // Not representable: more than 20 decimals that matter, or ≥ 1.7e18.
            let p = chance(50) ? ExactDecimal(mantissa: Int128(1 + below(9)), scale: 25)
                : ExactDecimal(mantissa: 2_000_000_000_000_000_000 + Int128(below(1000)), scale: 0)
            return L2Change(side: side, price: p, quantity: q(&self))
        }
        // Near the touch; profile 4 lets the sides overlap (crossed books).
        let spread: Int64 = profile == 4 ? -20 : 1
        let offset = Int64(below(300))
        let ticks = buy ? mid - spread - offset : mid + spread + offset
        return L2Change(side: side, price: price(ticks: max(1, ticks)), quantity: q(&self))
    }

    /// The next message: (changes, whether it is a snapshot).
    mutating func message(first: Bool) -> ([L2Change], Bool) {
        // Jumps of the touch: small steps, and (profile 2) jumps past the ladder's window.
        if chance(10) { mid += Int64(below(21)) - 10 }
        if profile == 2, chance(2) { mid = max(1_000_000, mid + Int64(below(400_001)) - 200_000) }
        if profile == 3, chance(1), decimals == 0 {
            // The symbol's prices gain three decimals: the grid must get finer.
            decimals = 3
            mid *= 1000
        }
        if first || chance(1) {
            var changes: [L2Change] = []
            let n = below(5) == 0 ? below(4) : below(300)
            let sides = below(4) // 0: both, 1: bids only, 2: asks only, 3: both
            for _ in 0..<n {
                var c = change()
                if sides == 1 { c.side = .buy } else if sides == 2 { c.side = .sell }
                changes.append(c)
            }
            return (changes, true)
        }
        return ((0..<(1 + below(4))).map { _ in change() }, false)
    }
}

@Suite struct L2OrderBookPropertyTests {
    @Test(arguments: 0..<24)
    func randomStreamsMatchADictionaryModel(seed: Int) {
        var gen = StreamGenerator(seed: UInt64(seed))
        var book = L2OrderBook()
        var model = ReferenceBook()
        for step in 0..<1200 {
            let (changes, snapshot) = gen.message(first: step == 0)
            let got = snapshot ? book.applySnapshot(changes) : book.applyDelta(changes)
            let want = model.apply(changes, snapshot: snapshot)
            #expect(got == want, "seed \(seed) step \(step): \(changes)")
            #expect(book.bestBid.map { "\($0)" } == model.bestBid.map { "\($0)" }, "seed \(seed) step \(step)")
            #expect(book.bestAsk.map { "\($0)" } == model.bestAsk.map { "\($0)" }, "seed \(seed) step \(step)")
            if step % 10 == 0 || snapshot {
                let bids = model.sortedBids, asks = model.sortedAsks
                #expect(book.bidCount == bids.count && book.askCount == asks.count, "seed \(seed) step \(step)")
                #expect(text(book.topBids(bids.count + 5)) == text(bids), "seed \(seed) step \(step)")
                #expect(text(book.topAsks(asks.count + 5)) == text(asks), "seed \(seed) step \(step)")
                #expect(text(book.topBids(3)) == text(Array(bids.prefix(3))) && text(book.topAsks(3)) == text(Array(asks.prefix(3))))
                var visited: [L2Level] = []
                book.forEachTopBid(7) { visited.append($0) }
                #expect(text(visited) == text(Array(bids.prefix(7))))
                // Point queries: every level, and prices with no level.
                for c in changes {
                    let side = c.side == .buy ? model.bids : model.asks
                    let want = ReferenceBook.representable(c.price) ? side[c.price.normalized]?.quantity ?? .zero : .zero
                    #expect(book.quantity(at: c.price, on: c.side) == want, "seed \(seed) step \(step) \(c)")
                }
            }
            #expect(book.removalsOfAbsentLevels == model.removalsOfAbsentLevels && book.rejectedChanges == model.rejectedChanges)
        }
    }

    @Test func copiesDoNotShareChanges() {
        var book = L2OrderBook()
        let levels = (0..<200).map { L2Change(side: .buy, price: ExactDecimal(mantissa: Int128(10_000 - $0 * 3), scale: 2), quantity: ExactDecimal(1 + $0)) }
        book.applySnapshot(levels + [L2Change(side: .sell, price: ExactDecimal(mantissa: 10_001, scale: 2), quantity: ExactDecimal(1))])
        let before = book
        let bidsBefore = text(before.topBids(1000))
        var other = book
        book.applyDelta([L2Change(side: .buy, price: ExactDecimal(mantissa: 10_000, scale: 2), quantity: .zero),
                         L2Change(side: .buy, price: ExactDecimal(mantissa: 9_001, scale: 2), quantity: ExactDecimal(7))])
        other.reset()
        #expect(text(before.topBids(1000)) == bidsBefore)
        #expect(book.bidCount == 200 && book.bestBid?.price == ExactDecimal(mantissa: 9_997, scale: 2))
        #expect(other.bidCount == 0 && !other.hasSnapshot && before.bidCount == 200)
        other.applySnapshot([L2Change(side: .buy, price: ExactDecimal(mantissa: 5, scale: 0), quantity: ExactDecimal(1))])
        #expect(text(before.topBids(1000)) == bidsBefore && other.bestBid?.price == ExactDecimal(5))
    }

    @Test func deepBooksAndFarLevelsStayOrdered() {
        // 3,000 levels over 4,000 ticks, far levels on both sides, then the touch walks
        // far enough to move the window several times.
        var book = L2OrderBook()
        var model = ReferenceBook()
        var rng = SplitMix64(seed: 99)
        func below(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }
        var snapshot: [L2Change] = []
        for k in 0..<4000 where below(4) != 0 {
            snapshot.append(L2Change(side: .buy, price: ExactDecimal(mantissa: Int128(3_000_000 - k), scale: 2), quantity: ExactDecimal(1 + below(9))))
            snapshot.append(L2Change(side: .sell, price: ExactDecimal(mantissa: Int128(3_000_001 + k), scale: 2), quantity: ExactDecimal(1 + below(9))))
        }
        for k in 0..<50 {
            snapshot.append(L2Change(side: .buy, price: ExactDecimal(mantissa: Int128(1 + k * 997), scale: 2), quantity: ExactDecimal(1)))
            snapshot.append(L2Change(side: .sell, price: ExactDecimal(mantissa: Int128(90_000_000 + k * 997), scale: 2), quantity: ExactDecimal(1)))
        }
        #expect(book.applySnapshot(snapshot) == model.apply(snapshot, snapshot: true))
        var mid: Int64 = 3_000_000
        for step in 0..<4000 {
            mid += Int64(below(61)) - 20 // drifts up by ~10 ticks a message: ~40,000 in all
            var changes: [L2Change] = []
            for _ in 0..<3 { // (the book crosses at times, as the touch outruns old asks: compared too)
                let buy = below(2) == 0
                let offset = Int64(below(4000))
                let ticks = buy ? mid - offset : mid + 1 + offset
                let q = below(3) == 0 ? ExactDecimal.zero : ExactDecimal(1 + below(9))
                changes.append(L2Change(side: buy ? .buy : .sell, price: ExactDecimal(mantissa: Int128(ticks), scale: 2), quantity: q))
            }
            #expect(book.applyDelta(changes) == model.apply(changes, snapshot: false), "step \(step)")
            if step % 250 == 0 {
                #expect(text(book.topBids(100_000)) == text(model.sortedBids) && text(book.topAsks(100_000)) == text(model.sortedAsks))
            }
        }
        #expect(text(book.topBids(100_000)) == text(model.sortedBids) && text(book.topAsks(100_000)) == text(model.sortedAsks))
        #expect(book.bidCount > 1000 && book.askCount > 1000 && book.isCrossed == model.isCrossed, "\(book.bidCount) \(book.askCount)")
    }

    @Test func aFinerGridMidStreamKeepsEveryLevel() {
        // Whole-number prices, then prices with three decimals: the book re-grids finer
        // once they are more than an eighth of it, and nothing is lost or reordered.
        var book = L2OrderBook()
        var model = ReferenceBook()
        let snapshot = (0..<100).map { L2Change(side: .buy, price: ExactDecimal(30_000 - $0), quantity: ExactDecimal(1)) }
            + (0..<100).map { L2Change(side: .sell, price: ExactDecimal(30_001 + $0), quantity: ExactDecimal(2)) }
        #expect(book.applySnapshot(snapshot) == model.apply(snapshot, snapshot: true))
        for k in 0..<300 {
            let changes = [L2Change(side: .buy, price: ExactDecimal(mantissa: Int128(29_950_001 + k * 7), scale: 3), quantity: ExactDecimal(1 + k)),
                           L2Change(side: .sell, price: ExactDecimal(mantissa: Int128(30_050_003 + k * 11), scale: 3), quantity: k % 5 == 0 ? .zero : ExactDecimal(k))]
            #expect(book.applyDelta(changes) == model.apply(changes, snapshot: false))
        }
        #expect(text(book.topBids(10_000)) == text(model.sortedBids) && text(book.topAsks(10_000)) == text(model.sortedAsks))
    }
}
