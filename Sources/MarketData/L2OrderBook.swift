import CastorCore
import GeminiProtocol

/// A price level as reported to callers.
public struct L2Level: Sendable, Equatable, CustomStringConvertible {
    public var price: ExactDecimal
    public var quantity: ExactDecimal
    public init(price: ExactDecimal, quantity: ExactDecimal) {
        self.price = price
        self.quantity = quantity
    }
    public var description: String { "\(quantity) @ \(price)" }
}

/// What applying one `l2_updates` message did to a book.
public struct L2ApplyOutcome: Sendable, Equatable {
    /// Changes that removed a level the book did not have (harmless: Gemini sometimes
    /// re-sends removals; a steady stream of them suggests a missed snapshot).
    public var removalsOfAbsentLevels = 0
    /// Changes whose price could not be represented (more than 20 decimal places or beyond
    /// ±1.7e18); they were ignored. Nonzero means the book is incomplete: resubscribe.
    public var rejectedChanges = 0
    /// True when, after the message, best bid ≥ best ask (crossed or locked). Gemini's
    /// books never cross, so this means the book is wrong: resubscribe for a snapshot.
    public var crossed = false
    public init() {}
}

/// The level 2 book of one symbol, built from v2 `l2_updates`.
///
/// Structure: each side is a contiguous array of levels sorted so that the best level is
/// at the end (bids by ascending price, asks by descending price — stored as negated
/// keys so one ascending code path serves both). Market data mostly touches the first few
/// levels, so updates land at the end of the array, where insertion and removal move only
/// a few elements; lookups probe the top four levels, then binary search. Contiguous
/// storage beats a tree here: a book has hundreds of levels, not millions, and cache
/// locality dominates. Prices are compared as integers: `price × 10^20` in an `Int128`,
/// so `"9122.0"` and `"9122.00"` are the same level and comparisons are one instruction pair.
///
/// Value type with no locking: confine each book (usually via `BookSet`) to the serial
/// queue that owns the market-data connection.
public struct L2OrderBook: Sendable {
    @usableFromInline
    struct Slot: Sendable {
        /// Price × 10^20, negated for asks.
        var key: Int128
        var quantity: ExactDecimal
        /// The price's scale as sent, so it prints back as sent.
        var priceScale: UInt8
    }

    /// Fixed decimal places of the integer price keys.
    static let keyScale: UInt8 = 20
    private static let powersOfTen: [Int128] = {
        var t: [Int128] = [1]
        for _ in 0..<38 { t.append(t.last! * 10) }
        return t
    }()

    /// Bids, ascending by price: best bid last.
    private var bids: [Slot] = []
    /// Asks, descending by price (ascending by negated key): best ask last.
    private var asks: [Slot] = []

    /// True once a snapshot was applied since creation or the last `reset()`.
    public private(set) var hasSnapshot = false
    /// Total removals of absent levels (see `L2ApplyOutcome`).
    public private(set) var removalsOfAbsentLevels = 0
    /// Total rejected changes (see `L2ApplyOutcome`).
    public private(set) var rejectedChanges = 0

    public init() {
        bids.reserveCapacity(1024)
        asks.reserveCapacity(1024)
    }

    /// Number of bid levels.
    public var bidCount: Int { bids.count }
    /// Number of ask levels.
    public var askCount: Int { asks.count }

    /// Forgets all levels and waits for a snapshot (call on disconnect / resubscribe).
    public mutating func reset() {
        bids.removeAll(keepingCapacity: true)
        asks.removeAll(keepingCapacity: true)
        hasSnapshot = false
    }

    /// Replaces the book with `changes` (the first `l2_updates` after subscribing).
    @discardableResult
    public mutating func applySnapshot(_ changes: UnsafeBufferPointer<L2Change>) -> L2ApplyOutcome {
        bids.removeAll(keepingCapacity: true)
        asks.removeAll(keepingCapacity: true)
        hasSnapshot = true
        return applyDelta(changes)
    }

    /// Applies incremental `changes`: each sets a level's total; quantity 0 removes it.
    @discardableResult
    public mutating func applyDelta(_ changes: UnsafeBufferPointer<L2Change>) -> L2ApplyOutcome {
        var outcome = L2ApplyOutcome()
        for change in changes {
            guard let key = L2OrderBook.key(of: change.price) else {
                outcome.rejectedChanges += 1
                continue
            }
            let slot = Slot(key: change.side == .buy ? key : -key, quantity: change.quantity, priceScale: change.price.scale)
            let absent = change.side == .buy ? L2OrderBook.set(slot, in: &bids) : L2OrderBook.set(slot, in: &asks)
            if absent { outcome.removalsOfAbsentLevels += 1 }
        }
        removalsOfAbsentLevels += outcome.removalsOfAbsentLevels
        rejectedChanges += outcome.rejectedChanges
        outcome.crossed = isCrossed
        return outcome
    }

    /// Convenience for arrays (tests, tools).
    @discardableResult
    public mutating func applyDelta(_ changes: [L2Change]) -> L2ApplyOutcome {
        changes.withUnsafeBufferPointer { applyDelta($0) }
    }

    /// Convenience for arrays (tests, tools).
    @discardableResult
    public mutating func applySnapshot(_ changes: [L2Change]) -> L2ApplyOutcome {
        changes.withUnsafeBufferPointer { applySnapshot($0) }
    }

    /// True when both sides are non-empty and best bid ≥ best ask.
    public var isCrossed: Bool {
        guard let b = bids.last, let a = asks.last else { return false }
        return b.key >= -a.key
    }

    /// The highest bid.
    public var bestBid: L2Level? { bids.last.map { L2OrderBook.level($0, negated: false) } }
    /// The lowest ask.
    public var bestAsk: L2Level? { asks.last.map { L2OrderBook.level($0, negated: true) } }

    /// The quantity displayed at `price` on `side` (`.buy`: bids), zero when there is no
    /// such level (a fill model's queue position).
    public func quantity(at price: ExactDecimal, on side: Side) -> ExactDecimal {
        guard let k = L2OrderBook.key(of: price) else { return .zero }
        let key = side == .buy ? k : -k
        let levels = side == .buy ? bids : asks
        let i = levels.withUnsafeBufferPointer { L2OrderBook.lowerBound(of: key, in: $0) }
        return i < levels.count && levels[i].key == key ? levels[i].quantity : .zero
    }

    /// Up to `depth` bids, best (highest) first.
    public func topBids(_ depth: Int) -> [L2Level] {
        bids.suffix(max(0, depth)).reversed().map { L2OrderBook.level($0, negated: false) }
    }

    /// Up to `depth` asks, best (lowest) first.
    public func topAsks(_ depth: Int) -> [L2Level] {
        asks.suffix(max(0, depth)).reversed().map { L2OrderBook.level($0, negated: true) }
    }

    /// Calls `body` with up to `depth` bids, best first, without building an array (for a
    /// caller that refills a buffer it keeps).
    public func forEachTopBid(_ depth: Int, _ body: (L2Level) -> Void) {
        var i = bids.count - 1
        let end = max(-1, bids.count - 1 - max(0, depth))
        while i > end { body(L2OrderBook.level(bids[i], negated: false)); i -= 1 }
    }

    /// Calls `body` with up to `depth` asks, best first (see `forEachTopBid`).
    public func forEachTopAsk(_ depth: Int, _ body: (L2Level) -> Void) {
        var i = asks.count - 1
        let end = max(-1, asks.count - 1 - max(0, depth))
        while i > end { body(L2OrderBook.level(asks[i], negated: true)); i -= 1 }
    }

    /// `price × 10^20`, or nil if not representable.
    @inline(__always)
    static func key(of price: ExactDecimal) -> Int128? {
        // Common case: a 64-bit mantissa with at least 2 decimal places, so the factor is at
        // most 10^18 and the product stays below 2^123: no overflow check needed.
        let m = price.mantissa
        if price.scale >= 2, price.scale <= keyScale, let small = Int64(exactly: m) {
            return Int128(small) &* Int128(L2OrderBook.power64(Int(keyScale &- price.scale)))
        }
        var p = price
        if p.scale > keyScale {
            guard let r = p.normalized.rescaled(to: keyScale) else { return nil }
            p = r
        }
        let (k, overflow) = p.mantissa.multipliedReportingOverflow(by: powersOfTen[Int(keyScale - p.scale)])
        return overflow ? nil : k
    }

    /// `10^k` for `k` in `0...18`, without touching a lazily initialised table.
    @inline(__always)
    static func power64(_ k: Int) -> Int64 {
        switch k {
        case 0: 1
        case 1: 10
        case 2: 100
        case 3: 1000
        case 4: 10000
        case 5: 100000
        case 6: 1000000
        case 7: 10000000
        case 8: 100000000
        case 9: 1000000000
        case 10: 10000000000
        case 11: 100000000000
        case 12: 1000000000000
        case 13: 10000000000000
        case 14: 100000000000000
        case 15: 1000000000000000
        case 16: 10000000000000000
        case 17: 100000000000000000
        default: 1_000_000_000_000_000_000
        }
    }

    private static func level(_ s: Slot, negated: Bool) -> L2Level {
        let key = negated ? -s.key : s.key
        let scale = min(s.priceScale, keyScale)
        let mantissa = key / powersOfTen[Int(keyScale - scale)]
        return L2Level(price: ExactDecimal(mantissa: mantissa, scale: scale), quantity: s.quantity)
    }

    /// Sets, inserts or removes `slot` in an ascending side; returns true when the change
    /// removed a level that was not there. Levels move by hand (they are plain data and
    /// changes land near the end), not through `Array.insert`/`remove`.
    @inline(__always)
    private static func set(_ slot: Slot, in levels: inout [Slot]) -> Bool {
        let i = levels.withUnsafeBufferPointer { lowerBound(of: slot.key, in: $0) }
        let count = levels.count
        let present = i < count && levels[i].key == slot.key
        if slot.quantity.isZero {
            guard present else { return true }
            levels.withUnsafeMutableBufferPointer { b in
                var j = i
                while j + 1 < count { b[j] = b[j + 1]; j += 1 }
            }
            levels.removeLast()
            return false
        }
        if present {
            levels[i] = slot
            return false
        }
        levels.append(slot)
        if i < count {
            levels.withUnsafeMutableBufferPointer { b in
                var j = count
                while j > i { b[j] = b[j - 1]; j -= 1 }
                b[i] = slot
            }
        }
        return false
    }

    /// The first index whose key is ≥ `key`; probes the best end first.
    @inline(__always)
    private static func lowerBound(of key: Int128, in a: UnsafeBufferPointer<Slot>) -> Int {
        var hi = a.count
        var probes = 0
        while hi > 0, probes < 4 {
            if a[hi - 1].key < key { return hi }
            hi -= 1
            probes += 1
        }
        var lo = 0
        while lo < hi {
            let mid = (lo + hi) >> 1
            if a[mid].key < key { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
