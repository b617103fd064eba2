import CastorCore

/// The book's price keys (`price × 10^20`) and the sorted sparse array that holds the
/// levels the ladder cannot (off the grid or out of its window).
extension L2OrderBook {
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

    static func level(_ s: Slot, negated: Bool) -> L2Level {
        let key = negated ? -s.key : s.key
        let scale = min(s.priceScale, keyScale)
        let mantissa = key / powersOfTen[Int(keyScale - scale)]
        return L2Level(price: ExactDecimal(mantissa: mantissa, scale: scale), quantity: s.quantity)
    }

    enum SparseResult { case inserted, updated, removed, absent }

    /// Sets, inserts or removes `slot` in an ascending array. Levels move by hand (they are
    /// plain data and changes land near the end), not through `Array.insert`/`remove`.
    @inline(__always)
    static func setSparse(_ slot: Slot, in levels: inout [Slot]) -> SparseResult {
        let i = levels.withUnsafeBufferPointer { lowerBound(of: slot.key, in: $0) }
        let count = levels.count
        let present = i < count && levels[i].key == slot.key
        if slot.quantity.isZero {
            guard present else { return .absent }
            removeSparse(at: i, in: &levels)
            return .removed
        }
        if present {
            levels[i] = slot
            return .updated
        }
        levels.append(slot)
        if i < count {
            levels.withUnsafeMutableBufferPointer { b in
                var j = count
                while j > i { b[j] = b[j - 1]; j -= 1 }
                b[i] = slot
            }
        }
        return .inserted
    }

    static func removeSparse(at i: Int, in levels: inout [Slot]) {
        let count = levels.count
        levels.withUnsafeMutableBufferPointer { b in
            var j = i
            while j + 1 < count { b[j] = b[j + 1]; j += 1 }
        }
        levels.removeLast()
    }

    /// The first index whose key is ≥ `key`; probes the best end first.
    @inline(__always)
    static func lowerBound(of key: Int128, in a: UnsafeBufferPointer<Slot>) -> Int {
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
