import Glibc
import CastorCore
import GeminiProtocol

/// The tick a book's ladders count in: `10^-scale`.
struct Grid: Sendable {
    /// Decimals of the tick (`0...18`), or -1: no grid (every level is sparse).
    let scale: Int
    /// `10^(20 - scale)`: one tick as a key (`price × 10^20`).
    let tickKey: Int128

    static let none = Grid(scale: -1)

    init(scale: Int) {
        self.scale = scale
        tickKey = scale >= 0 ? L2OrderBook.powersOfTen[Int(L2OrderBook.keyScale) - scale] : 1
    }

    /// `price × 10^scale` when that is a whole number of at most `maxTicks` in magnitude
    /// (the price is on the grid and a ladder can hold it); nil otherwise, or without a
    /// grid. A function of the price's value only, not of how it is written.
    @inline(__always)
    func ticks(_ price: ExactDecimal) -> Int64? {
        // The common case inline: a 64-bit mantissa at the grid's scale.
        if Int(price.scale) == scale, let m = Int64(exactly: price.mantissa) {
            return m.magnitude <= L2OrderBook.maxTicks ? m : nil
        }
        return otherTicks(price)
    }

    @inline(never)
    private func otherTicks(_ price: ExactDecimal) -> Int64? {
        let t = scale
        guard t >= 0 else { return nil }
        let s = Int(price.scale)
        if let m = Int64(exactly: price.mantissa) {
            if s == t { return m.magnitude <= L2OrderBook.maxTicks ? m : nil }
            if s < t {
                let (r, o) = m.multipliedReportingOverflow(by: L2OrderBook.power64(t &- s))
                return !o && r.magnitude <= L2OrderBook.maxTicks ? r : nil
            }
            if s &- t <= 18 {
                let (q, r) = m.quotientAndRemainder(dividingBy: L2OrderBook.power64(s &- t))
                return r == 0 && q.magnitude <= L2OrderBook.maxTicks ? q : nil
            }
        }
        guard let k = L2OrderBook.key(of: price) else { return nil }
        return ticks(ofKey: k)
    }

    /// `ticks(_:)` of the price whose key (`price × 10^20`, not negated) is `key`.
    func ticks(ofKey key: Int128) -> Int64? {
        guard scale >= 0 else { return nil }
        let (q, r) = key.quotientAndRemainder(dividingBy: tickKey)
        return r == 0 && q.magnitude <= UInt128(L2OrderBook.maxTicks) ? Int64(q) : nil
    }
}
