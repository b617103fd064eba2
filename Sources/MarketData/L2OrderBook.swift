import Glibc
import CastorCore
import GeminiProtocol

/// The level 2 book of one symbol, built from v2 `l2_updates`.
///
/// Structure: each side is a **price ladder** — a window of `LadderMemory.width` (65,536)
/// consecutive ticks starting at a movable base `lo`, one 16-byte slot and one presence bit
/// per tick — plus a **sparse** sorted array for every level the ladder cannot hold.
///
/// - The tick is `10^-scale` (`Grid`): Gemini prices lie on each symbol's price step, so the
///   book takes the number of decimals that 95 % of a snapshot's prices need (trailing zeros
///   ignored), and switches to a finer one if later levels off that grid become more than an
///   eighth of the book. A price on the grid is `ticks × 10^-scale`; its slot is
///   `ticks - lo`, so setting, replacing or removing a level there is O(1) — no search and
///   no moving of other levels, however deep the update lands.
/// - Presence is a bitmap (one bit a tick) with a summary bitmap (one bit a bitmap word),
///   so the next-best level after the best is removed, and each step of a top-N walk, is a
///   couple of word scans (`leadingZeroBitCount`/`trailingZeroBitCount`), not a slot scan.
///   The best slot of each side is kept, so the best price is O(1).
/// - The sparse side holds the rest: prices off the grid, prices outside the window (far
///   levels: a bid at a tenth of the price), quantities whose mantissa needs more than 64
///   bits. It is the previous structure: sorted by `price × 10^20` (an `Int128`), best at
///   the end, binary search. Queries merge both: the best of a side is the better of the
///   ladder's best and the sparse array's last; a top-N walk merges the two in price order.
///   A given price value always lives in exactly one of them (a function of the grid, the
///   window and the quantity's size), so they never disagree.
/// - The window moves with the market: bids keep their best at about three quarters of
///   the window (room behind the touch), asks at a quarter. When a side's best leaves the
///   comfortable part of its window (or a level arrives on the grid, beyond the window and
///   better than the best), the side is rebuilt around the new best after the message:
///   O(levels), and rare — the touch has to travel a quarter of the window first.
///
/// Costs, n levels a side, s of them sparse: update on the ladder O(1) (plus a bitmap scan
/// when the best is removed), update in the sparse part O(log s + s); best O(1); top-N
/// O(N + empty words skipped); `quantity(at:on:)` O(1) on the ladder. Memory per side: an
/// anonymous 1 MiB mapping, touched (resident) only where levels are, allocated at the
/// side's first placement and reused across snapshots and resets; nothing is allocated per
/// message (the sparse array and the rebuild's scratch grow to the largest seen).
///
/// Prices are compared as integers (`price × 10^20`), so `"9122.0"` and `"9122.00"` are the
/// same level; each level keeps the price's scale as last sent, so it prints back as sent.
///
/// Value type: copies share storage until one is mutated (copy on write). No locking:
/// confine each book (usually via `BookSet`) to the serial queue that owns the market-data
/// connection.
public struct L2OrderBook: Sendable {
    @usableFromInline
    struct Slot: Sendable {
        /// Price × 10^20, negated for asks.
        var key: Int128
        var quantity: ExactDecimal
        /// The price's scale as sent (at most `keyScale`), so it prints back as sent.
        var priceScale: UInt8
    }

    /// Fixed decimal places of the integer price keys.
    static let keyScale: UInt8 = 20
    static let powersOfTen: [Int128] = {
        var t: [Int128] = [1]
        for _ in 0..<38 { t.append(t.last! * 10) }
        return t
    }()
    /// Largest |ticks| the ladder takes, so that `ticks × 10^(20 - scale)` fits an `Int128`.
    static let maxTicks: UInt64 = 100_000_000_000_000_000

    /// The levels, behind one reference: a copy of the book costs one retain, and the
    /// first change to a shared copy copies them (`makeUnique`).
    private var storage = BookStorage()

    // The state in `storage`, reached through its pointers (no exclusivity bookkeeping).
    // Every mutating entry point calls `makeUnique()` (or replaces `storage`) first.
    private var bids: LadderSide {
        unsafeAddress { UnsafePointer(storage.bids) }
        nonmutating unsafeMutableAddress { storage.bids }
    }
    private var asks: LadderSide {
        unsafeAddress { UnsafePointer(storage.asks) }
        nonmutating unsafeMutableAddress { storage.asks }
    }
    /// The tick the ladders count in.
    private var grid: Grid {
        unsafeAddress { UnsafePointer(storage.grid) }
        nonmutating unsafeMutableAddress { storage.grid }
    }
    /// Off-grid levels above which a finer grid is considered (doubles after each look).
    private var regridFloor: Int {
        unsafeAddress { UnsafePointer(storage.regridFloor) }
        nonmutating unsafeMutableAddress { storage.regridFloor }
    }
    /// Rebuild scratch, kept for its capacity.
    private var scratch: [Slot] {
        unsafeAddress { UnsafePointer(storage.scratch) }
        nonmutating unsafeMutableAddress { storage.scratch }
    }

    /// True once a snapshot was applied since creation or the last `reset()`.
    public private(set) var hasSnapshot = false
    /// Total removals of absent levels (see `L2ApplyOutcome`).
    public private(set) var removalsOfAbsentLevels = 0
    /// Total rejected changes (see `L2ApplyOutcome`).
    public private(set) var rejectedChanges = 0
    /// Counts the updates that carried a change to the bids (a snapshot and a reset count
    /// for both sides): a reader that keeps a copy of the top levels refills only the side
    /// whose generation moved since it looked.
    public private(set) var bidGeneration: UInt64 = 0
    /// As `bidGeneration`, for the asks.
    public private(set) var askGeneration: UInt64 = 0

    public init() {}

    /// Number of bid levels.
    public var bidCount: Int { bids.ladderCount + bids.sparse.count }
    /// Number of ask levels.
    public var askCount: Int { asks.ladderCount + asks.sparse.count }

    /// Forgets all levels and waits for a snapshot (call on disconnect / resubscribe).
    public mutating func reset() {
        bidGeneration &+= 1
        askGeneration &+= 1
        // Shared levels are not copied only to be cleared: this copy starts afresh.
        guard isKnownUniquelyReferenced(&storage) else {
            storage = BookStorage()
            hasSnapshot = false
            return
        }
        bids.clear()
        asks.clear()
        grid = .none
        regridFloor = 32
        hasSnapshot = false
    }

    /// Replaces the book with `changes` (the first `l2_updates` after subscribing).
    @discardableResult
    public mutating func applySnapshot(_ changes: UnsafeBufferPointer<L2Change>) -> L2ApplyOutcome {
        reset()
        hasSnapshot = true
        // Choose the grid and place both windows around the snapshot's best prices, then
        // apply the snapshot as one delta onto the empty book.
        var histogram = ScaleHistogram()
        for change in changes where !change.quantity.isZero {
            if let k = L2OrderBook.key(of: change.price) { histogram.add(key: k) }
        }
        grid = Grid(scale: histogram.tickScale())
        if grid.scale >= 0 {
            var bestBid: Int64?, bestAsk: Int64?
            for change in changes where !change.quantity.isZero {
                guard let t = grid.ticks(change.price) else { continue }
                if change.side == .buy { if bestBid.map({ t > $0 }) ?? true { bestBid = t } }
                else if bestAsk.map({ t < $0 }) ?? true { bestAsk = t }
            }
            if let bestBid { bids.place(anchor: bestBid, bid: true) }
            if let bestAsk { asks.place(anchor: bestAsk, bid: false) }
        }
        return applyDelta(changes)
    }

    /// Applies incremental `changes`: each sets a level's total; quantity 0 removes it.
    @discardableResult
    public mutating func applyDelta(_ changes: UnsafeBufferPointer<L2Change>) -> L2ApplyOutcome {
        makeUnique()
        var outcome = L2ApplyOutcome()
        let grid = self.grid
        var bidChanges = 0
        for change in changes {
            let buy = change.side == .buy
            bidChanges &+= buy ? 1 : 0
            let r = buy ? L2OrderBook.set(change, in: &bids, bid: true, grid: grid)
                : L2OrderBook.set(change, in: &asks, bid: false, grid: grid)
            switch r {
            case .done: break
            case .absent: outcome.removalsOfAbsentLevels += 1
            case .rejected: outcome.rejectedChanges += 1
            }
        }
        if bids.offGrid &+ asks.offGrid > regridFloor { considerFinerGrid() }
        if bids.wantsRebuild { rebuildIfNeeded(bid: true) }
        if asks.wantsRebuild { rebuildIfNeeded(bid: false) }
        removalsOfAbsentLevels += outcome.removalsOfAbsentLevels
        rejectedChanges += outcome.rejectedChanges
        if bidChanges > 0 { bidGeneration &+= 1 }
        if bidChanges < changes.count { askGeneration &+= 1 }
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
        // Both sides on the ladders alone (the usual case, asked after every update): one
        // grid, a key is ticks × a positive tickKey, so comparing ticks is comparing keys,
        // without the 128-bit products.
        if bids.sparse.isEmpty, asks.sparse.isEmpty {
            guard bids.best >= 0, asks.best >= 0 else { return false }
            return bids.lo &+ Int64(bids.best) >= asks.lo &+ Int64(asks.best)
        }
        guard let b = bestKey(bids, bid: true), let a = bestKey(asks, bid: false) else { return false }
        return b >= a
    }

    /// The highest bid.
    public var bestBid: L2Level? {
        var found: L2Level?
        forEach(bids, bid: true, depth: 1) { found = $0 }
        return found
    }

    /// The lowest ask.
    public var bestAsk: L2Level? {
        var found: L2Level?
        forEach(asks, bid: false, depth: 1) { found = $0 }
        return found
    }

    /// The quantity displayed at `price` on `side` (`.buy`: bids), zero when there is no
    /// such level (a fill model's queue position).
    public func quantity(at price: ExactDecimal, on side: Side) -> ExactDecimal {
        guard let k = L2OrderBook.key(of: price) else { return .zero }
        let bid = side == .buy
        let s = bid ? bids : asks
        if let t = grid.ticks(price) {
            let i = t &- s.lo
            if UInt64(bitPattern: i) < UInt64(bitPattern: s.width) {
                if s.has(Int(i)) { return s.quantity(Int(i)) }
                if s.bigInWindow == 0 { return .zero }
            }
        }
        let key = bid ? k : -k
        let i = s.sparse.withUnsafeBufferPointer { L2OrderBook.lowerBound(of: key, in: $0) }
        return i < s.sparse.count && s.sparse[i].key == key ? s.sparse[i].quantity : .zero
    }

    /// Up to `depth` bids, best (highest) first.
    public func topBids(_ depth: Int) -> [L2Level] {
        var out: [L2Level] = []
        out.reserveCapacity(min(max(0, depth), bidCount))
        forEach(bids, bid: true, depth: depth) { out.append($0) }
        return out
    }

    /// Up to `depth` asks, best (lowest) first.
    public func topAsks(_ depth: Int) -> [L2Level] {
        var out: [L2Level] = []
        out.reserveCapacity(min(max(0, depth), askCount))
        forEach(asks, bid: false, depth: depth) { out.append($0) }
        return out
    }

    /// Writes up to `buffer.count` bids, best first, into `buffer` and returns how many:
    /// the refill of a caller's own buffer, with no closure call per level (one a level
    /// costs about a third of a top-10 walk).
    public func topBids(into buffer: UnsafeMutableBufferPointer<L2Level>) -> Int {
        var n = 0
        forEach(bids, bid: true, depth: buffer.count) { buffer.initializeElement(at: n, to: $0); n &+= 1 }
        return n
    }

    /// As `topBids(into:)`, for the asks, best (lowest) first.
    public func topAsks(into buffer: UnsafeMutableBufferPointer<L2Level>) -> Int {
        var n = 0
        forEach(asks, bid: false, depth: buffer.count) { buffer.initializeElement(at: n, to: $0); n &+= 1 }
        return n
    }

    /// Calls `body` with up to `depth` bids, best first, without building an array (for a
    /// caller that refills a buffer it keeps).
    public func forEachTopBid(_ depth: Int, _ body: (L2Level) -> Void) {
        forEach(bids, bid: true, depth: depth, body)
    }

    /// Calls `body` with up to `depth` asks, best first (see `forEachTopBid`).
    public func forEachTopAsk(_ depth: Int, _ body: (L2Level) -> Void) {
        forEach(asks, bid: false, depth: depth, body)
    }

    // MARK: - Grid

    /// Many levels off the grid: if most of the book needs more decimals, re-grid finer
    /// and rebuild both sides.
    private mutating func considerFinerGrid() {
        let offGrid = bids.offGrid + asks.offGrid
        let total = bidCount + askCount
        defer { regridFloor = max(32, 2 * (bids.offGrid + asks.offGrid)) }
        guard offGrid * 8 > total else { return }
        var histogram = ScaleHistogram()
        let tickKey = grid.tickKey
        bids.forEachLadderTick { histogram.add(key: Int128($0) * tickKey) }
        asks.forEachLadderTick { histogram.add(key: Int128($0) * tickKey) }
        for slot in bids.sparse { histogram.add(key: slot.key) }
        for slot in asks.sparse { histogram.add(key: -slot.key) }
        let scale = histogram.tickScale()
        guard scale != grid.scale, scale >= 0 else { return }
        // Collect with the old grid, place with the new one.
        var bidLevels: [Slot] = [], askLevels: [Slot] = []
        L2OrderBook.collect(bids, bid: true, grid: grid, into: &bidLevels)
        L2OrderBook.collect(asks, bid: false, grid: grid, into: &askLevels)
        grid = Grid(scale: scale)
        L2OrderBook.replace(&bids, bid: true, grid: grid, with: bidLevels)
        L2OrderBook.replace(&asks, bid: false, grid: grid, with: askLevels)
    }

    // MARK: - Updates

    enum ChangeResult { case done, absent, rejected }

    /// Applies one change to one side.
    @inline(__always)
    private static func set(_ change: L2Change, in side: inout LadderSide, bid: Bool, grid: Grid) -> ChangeResult {
        let price = change.price, quantity = change.quantity
        let priceScale = min(price.scale, L2OrderBook.keyScale)
        let tickKey = grid.tickKey
        if let ticks = grid.ticks(price) {
            let index = ticks &- side.lo
            if UInt64(bitPattern: index) < UInt64(bitPattern: side.width) {
                // On the ladder (or, for a huge quantity, sparse but counted in bigInWindow).
                let i = Int(index)
                var present = false
                if side.bigInWindow > 0 {
                    let key = Int128(ticks) * tickKey
                    if side.removeSparse(bid ? key : -key) { side.bigInWindow -= 1; present = true }
                }
                if quantity.isZero {
                    return side.remove(i, bid: bid) || present ? .done : .absent
                }
                if let q = Int64(exactly: quantity.mantissa) {
                    side.put(i, LadderSlot(quantity: q, quantityScale: quantity.scale, priceScale: priceScale), bid: bid)
                } else {
                    _ = side.remove(i, bid: bid)
                    let key = Int128(ticks) * tickKey
                    _ = L2OrderBook.setSparse(Slot(key: bid ? key : -key, quantity: quantity, priceScale: priceScale), in: &side.sparse)
                    side.bigInWindow += 1
                }
                return .done
            }
            // On the grid, beyond the window.
            let key = Int128(ticks) * tickKey
            let r = L2OrderBook.setSparse(Slot(key: bid ? key : -key, quantity: quantity, priceScale: priceScale), in: &side.sparse)
            if r == .inserted {
                let better = side.best < 0 || (bid ? ticks > side.lo &+ Int64(side.best) : ticks < side.lo &+ Int64(side.best))
                if better { side.wantsRebuild = true }
            }
            return r == .absent ? .absent : .done
        }
        guard let k = L2OrderBook.key(of: price) else { return .rejected }
        let r = L2OrderBook.setSparse(Slot(key: bid ? k : -k, quantity: quantity, priceScale: priceScale), in: &side.sparse)
        switch r {
        case .inserted: side.offGrid += 1
        case .removed: side.offGrid -= 1
        case .updated: break
        case .absent: return .absent
        }
        return .done
    }

    /// Gives the levels to this copy alone before they change.
    @inline(__always)
    private mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
    }

    /// The side's levels into `out`, ascending by stored key (best last).
    private static func collect(_ side: LadderSide, bid: Bool, grid: Grid, into out: inout [Slot]) {
        out.removeAll(keepingCapacity: true)
        out.reserveCapacity(side.ladderCount + side.sparse.count)
        var j = 0
        let sparse = side.sparse
        // Ladder levels in ascending stored key: bids by ascending tick, asks descending;
        // the sparse ones merged in.
        side.forEachLadderLevel(ascending: bid) { i, slot in
            let k = Int128(side.lo &+ Int64(i)) * grid.tickKey
            let key = bid ? k : -k
            while j < sparse.count, sparse[j].key < key { out.append(sparse[j]); j += 1 }
            out.append(Slot(key: key, quantity: ExactDecimal(mantissa: Int128(slot.quantity), scale: slot.quantityScale),
                            priceScale: slot.priceScale))
        }
        while j < sparse.count { out.append(sparse[j]); j += 1 }
    }

    /// Rebuilds a side around its best level on the grid, if its best left the window's
    /// comfortable part or a better level on the grid sits in the sparse array.
    private mutating func rebuildIfNeeded(bid: Bool) {
        let grid = self.grid
        let needed = bid ? bids.needsRebuild(bid: true, grid: grid) : asks.needsRebuild(bid: false, grid: grid)
        if bid { bids.wantsRebuild = false } else { asks.wantsRebuild = false }
        guard needed else { return }
        if bid {
            L2OrderBook.collect(bids, bid: true, grid: grid, into: &scratch)
            L2OrderBook.replace(&bids, bid: true, grid: grid, with: scratch)
        } else {
            L2OrderBook.collect(asks, bid: false, grid: grid, into: &scratch)
            L2OrderBook.replace(&asks, bid: false, grid: grid, with: scratch)
        }
    }

    /// Empties `side` and places `levels` (ascending by stored key) into it, the window
    /// around the best level on the grid.
    private static func replace(_ side: inout LadderSide, bid: Bool, grid: Grid, with levels: [Slot]) {
        side.clear()
        var k = levels.count - 1
        while k >= 0 {
            if let t = grid.ticks(ofKey: bid ? levels[k].key : -levels[k].key) {
                side.place(anchor: t, bid: bid)
                break
            }
            k -= 1
        }
        for slot in levels {
            guard let t = grid.ticks(ofKey: bid ? slot.key : -slot.key) else {
                side.sparse.append(slot)
                side.offGrid += 1
                continue
            }
            let index = t &- side.lo
            if UInt64(bitPattern: index) < UInt64(bitPattern: side.width) {
                if let q = Int64(exactly: slot.quantity.mantissa) {
                    side.putQuietly(Int(index), LadderSlot(quantity: q, quantityScale: slot.quantity.scale, priceScale: slot.priceScale))
                    continue
                }
                side.bigInWindow += 1
            }
            side.sparse.append(slot)
        }
        side.wantsRebuild = false
    }

    // MARK: - Reading

    /// The best key (`price × 10^20`, not negated) of a side.
    @inline(__always)
    private func bestKey(_ s: LadderSide, bid: Bool) -> Int128? {
        var key: Int128?
        if s.best >= 0 { key = Int128(s.lo &+ Int64(s.best)) * grid.tickKey }
        if let last = s.sparse.last {
            let k = bid ? last.key : -last.key
            if let l = key { return bid ? max(l, k) : min(l, k) }
            return k
        }
        return key
    }

    /// Up to `depth` levels of a side, best first: the ladder and the sparse array merged.
    @inline(__always)
    private func forEach(_ s: LadderSide, bid: Bool, depth: Int, _ body: (L2Level) -> Void) {
        var remaining = depth
        var i = s.best
        var j = s.sparse.count - 1
        guard remaining > 0, i >= 0 || j >= 0 else { return }
        let lo = s.lo, tickKey = grid.tickKey, scale = grid.scale
        let slots = s.slots
        s.sparse.withUnsafeBufferPointer { sparse in
            while remaining > 0 {
                let fromLadder: Bool
                if i >= 0 && j >= 0 {
                    let lk = Int128(lo &+ Int64(i)) &* tickKey
                    let sk = bid ? sparse[j].key : 0 &- sparse[j].key
                    fromLadder = bid ? lk > sk : lk < sk
                } else if i >= 0 {
                    fromLadder = true
                } else if j >= 0 {
                    fromLadder = false
                } else {
                    break
                }
                if fromLadder {
                    body(L2OrderBook.ladderLevel(slots.unsafelyUnwrapped[i], ticks: lo &+ Int64(i), scale: scale))
                    i = bid ? s.previous(before: i) : s.next(after: i)
                } else {
                    body(L2OrderBook.level(sparse[j], negated: !bid))
                    j -= 1
                }
                remaining -= 1
            }
        }
    }

    /// A ladder level as reported: the price as sent (`ticks` at the grid's `scale`,
    /// rewritten with the scale it was sent with), the quantity.
    @inline(__always)
    private static func ladderLevel(_ slot: LadderSlot, ticks: Int64, scale t: Int) -> L2Level {
        let ps = Int(slot.priceScale)
        let mantissa: Int128
        if ps == t {
            mantissa = Int128(ticks)
        } else if ps > t {
            mantissa = ps &- t <= 18 ? Int128(ticks) &* Int128(power64(ps &- t)) : Int128(ticks) &* powersOfTen[ps &- t]
        } else {
            mantissa = Int128(ticks / power64(t &- ps)) // exact: the price was sent with `ps` decimals
        }
        return L2Level(price: ExactDecimal(mantissa: mantissa, scale: slot.priceScale),
                       quantity: ExactDecimal(mantissa: Int128(slot.quantity), scale: slot.quantityScale))
    }
}
