import Glibc
import CastorCore
import GeminiProtocol

/// One side of a book: its ladder window and its sparse levels.
struct LadderSide: @unchecked Sendable {
    /// Owns the ladder's memory (nil until the side is first placed); only one book's
    /// storage holds it (`BookStorage.copy` copies it).
    var memory: LadderMemory?
    var slots: UnsafeMutablePointer<LadderSlot>?
    var bits: UnsafeMutablePointer<UInt64>?
    var summary: UnsafeMutablePointer<UInt64>?
    /// The tick of slot 0.
    var lo: Int64 = 0
    /// Ticks the window covers: `LadderMemory.width` once placed, 0 before (so nothing is
    /// in it).
    var width: Int64 = 0
    /// Levels on the ladder.
    var ladderCount = 0
    /// Slot of the best ladder level (highest for bids, lowest for asks); -1 when none.
    var best = -1
    /// Levels off the ladder, ascending by stored key (best last).
    var sparse: [L2OrderBook.Slot] = []
    /// Sparse levels on the grid and in the window (their quantity needs over 64 bits).
    var bigInWindow = 0
    /// Sparse levels off the grid (or too large for it).
    var offGrid = 0
    /// The best has left the window's comfortable part: rebuild after this message.
    var wantsRebuild = false

    /// Forgets every level; keeps the memory.
    mutating func clear() {
        if ladderCount > 0, let bits, let summary {
            memset(bits, 0, LadderMemory.words * 8)
            memset(summary, 0, LadderMemory.summaryWords * 8)
        }
        ladderCount = 0
        best = -1
        width = 0
        sparse.removeAll(keepingCapacity: true)
        bigInWindow = 0
        offGrid = 0
        wantsRebuild = false
    }

    /// Puts the window around `anchor` (the best tick): bids keep three quarters of the
    /// window behind it, asks three quarters above. The side must be empty.
    mutating func place(anchor: Int64, bid: Bool) {
        if memory == nil {
            let m = LadderMemory()
            memory = m
            slots = m.slots
            bits = m.bits
            summary = m.summary
        }
        let w = Int64(LadderMemory.width)
        lo = anchor - (bid ? w * 3 / 4 : w / 4)
        width = w
    }

    /// Whether a rebuild would help: the ladder is empty while sparse levels on the grid
    /// exist, its best is outside the comfortable part of the window, or a sparse level on
    /// the grid beats it.
    func needsRebuild(bid: Bool, grid: Grid) -> Bool {
        if best < 0 { return sparse.count > offGrid }
        if bestUncomfortable(bid: bid) { return true }
        let bestKey = Int128(lo &+ Int64(best)) * grid.tickKey
        var j = sparse.count - 1
        while j >= 0 {
            let k = bid ? sparse[j].key : -sparse[j].key
            guard bid ? k > bestKey : k < bestKey else { return false }
            if grid.ticks(ofKey: k) != nil { return true }
            j -= 1
        }
        return false
    }

    /// A private copy of the memory (another book's storage still holds this one).
    mutating func copyMemory() {
        let m = LadderMemory()
        if let bits, let summary {
            memcpy(m.bits, bits, LadderMemory.words * 8)
            memcpy(m.summary, summary, LadderMemory.summaryWords * 8)
            forEachLadderLevel(ascending: true) { i, slot in m.slots[i] = slot }
        }
        memory = m
        slots = m.slots
        bits = m.bits
        summary = m.summary
    }

    /// The best slot is outside the part of the window where it should stay.
    @inline(__always)
    func bestUncomfortable(bid: Bool) -> Bool {
        let w = LadderMemory.width
        return bid ? (best < w / 4 || best >= w - w / 16) : (best < w / 16 || best >= w * 3 / 4)
    }

    @inline(__always)
    func has(_ i: Int) -> Bool { bits.unsafelyUnwrapped[i &>> 6] &>> UInt64(i & 63) & 1 != 0 }

    @inline(__always)
    func quantity(_ i: Int) -> ExactDecimal {
        let s = slots.unsafelyUnwrapped[i]
        return ExactDecimal(mantissa: Int128(s.quantity), scale: s.quantityScale)
    }

    /// Sets slot `i` (inserting the level if new).
    @inline(__always)
    mutating func put(_ i: Int, _ slot: LadderSlot, bid: Bool) {
        let bits = self.bits.unsafelyUnwrapped
        let w = i &>> 6
        let b = UInt64(1) &<< UInt64(i & 63)
        let word = bits[w]
        if word & b == 0 {
            if word == 0 { summary.unsafelyUnwrapped[w &>> 6] |= UInt64(1) &<< UInt64(w & 63) }
            bits[w] = word | b
            ladderCount &+= 1
            if bid ? i > best : (best < 0 || i < best) {
                best = i
                if bestUncomfortable(bid: bid) { wantsRebuild = true }
            }
        }
        slots.unsafelyUnwrapped[i] = slot
    }

    /// `put` during a rebuild: levels arrive worst first, so the last is the best.
    @inline(__always)
    mutating func putQuietly(_ i: Int, _ slot: LadderSlot) {
        let bits = self.bits.unsafelyUnwrapped
        let w = i &>> 6
        let word = bits[w]
        if word == 0 { summary.unsafelyUnwrapped[w &>> 6] |= UInt64(1) &<< UInt64(w & 63) }
        bits[w] = word | (UInt64(1) &<< UInt64(i & 63))
        ladderCount &+= 1
        best = i
        slots.unsafelyUnwrapped[i] = slot
    }

    /// Removes slot `i`'s level; false when there was none.
    @inline(__always)
    mutating func remove(_ i: Int, bid: Bool) -> Bool {
        let bits = self.bits.unsafelyUnwrapped
        let w = i &>> 6
        let b = UInt64(1) &<< UInt64(i & 63)
        let word = bits[w]
        guard word & b != 0 else { return false }
        let now = word & ~b
        bits[w] = now
        if now == 0 { summary.unsafelyUnwrapped[w &>> 6] &= ~(UInt64(1) &<< UInt64(w & 63)) }
        ladderCount &-= 1
        if i == best {
            best = bid ? previous(before: i) : next(after: i)
            if best < 0 ? sparse.count > offGrid : bestUncomfortable(bid: bid) { wantsRebuild = true }
        }
        return true
    }

    /// Removes the sparse level with stored key `key`; false when there was none.
    @inline(__always)
    mutating func removeSparse(_ key: Int128) -> Bool {
        let i = sparse.withUnsafeBufferPointer { L2OrderBook.lowerBound(of: key, in: $0) }
        guard i < sparse.count, sparse[i].key == key else { return false }
        L2OrderBook.removeSparse(at: i, in: &sparse)
        return true
    }

    /// The highest occupied slot below `i`, or -1.
    @inline(__always)
    func previous(before i: Int) -> Int {
        guard let bits, let summary else { return -1 }
        var w = i &>> 6
        let below = bits[w] & ((UInt64(1) &<< UInt64(i & 63)) &- 1)
        if below != 0 { return w &<< 6 | (63 &- below.leadingZeroBitCount) }
        guard w > 0 else { return -1 }
        var s = w &>> 6
        var word = summary[s] & ((UInt64(1) &<< UInt64(w & 63)) &- 1)
        while word == 0 {
            guard s > 0 else { return -1 }
            s &-= 1
            word = summary[s]
        }
        w = s &<< 6 | (63 &- word.leadingZeroBitCount)
        return w &<< 6 | (63 &- bits[w].leadingZeroBitCount)
    }

    /// The lowest occupied slot above `i`, or -1.
    @inline(__always)
    func next(after i: Int) -> Int {
        guard let bits, let summary else { return -1 }
        var w = i &>> 6
        let above = bits[w] & ~((UInt64(2) &<< UInt64(i & 63)) &- 1)
        if above != 0 { return w &<< 6 | above.trailingZeroBitCount }
        var s = w &>> 6
        var word = summary[s] & ~((UInt64(2) &<< UInt64(w & 63)) &- 1)
        while word == 0 {
            s &+= 1
            guard s < LadderMemory.summaryWords else { return -1 }
            word = summary[s]
        }
        w = s &<< 6 | word.trailingZeroBitCount
        return w &<< 6 | bits[w].trailingZeroBitCount
    }

    /// Calls `body` with every ladder level's slot index and slot, by ascending or
    /// descending index.
    func forEachLadderLevel(ascending: Bool, _ body: (Int, LadderSlot) -> Void) {
        guard ladderCount > 0, let slots else { return }
        if ascending {
            var i = has(0) ? 0 : next(after: 0)
            while i >= 0 { body(i, slots[i]); i = next(after: i) }
        } else {
            let top = LadderMemory.width - 1
            var i = has(top) ? top : previous(before: top)
            while i >= 0 { body(i, slots[i]); i = previous(before: i) }
        }
    }

    /// Calls `body` with the tick of every ladder level.
    func forEachLadderTick(_ body: (Int64) -> Void) {
        forEachLadderLevel(ascending: true) { i, _ in body(lo &+ Int64(i)) }
    }
}
