import CastorCore

/// One symbol's limit order book with price-time priority.
///
/// Each side is an array of price levels sorted so the best level is LAST (bids ascending,
/// asks descending): taking the best level and removing an emptied one are O(1), and an
/// insert is a binary search plus a shift over at most a few hundred levels.
final class SimOrderBook {
    struct Level {
        let price: ExactDecimal
        /// FIFO queue; `head` skips consumed orders so popping the front is O(1).
        var orders: [SimOrderRecord]
        var head: Int
        var total: ExactDecimal

        var front: SimOrderRecord { orders[head] }
        var isEmpty: Bool { head == orders.count }
    }

    private(set) var bids: [Level] = []
    private(set) var asks: [Level] = []

    func levels(_ side: Side) -> [Level] { side == .buy ? bids : asks }

    /// Best resting level on `side`.
    func best(_ side: Side) -> Level? { side == .buy ? bids.last : asks.last }

    /// Total resting at `price` on `side` (zero when there is no level).
    func total(_ side: Side, at price: ExactDecimal) -> ExactDecimal {
        let (found, i) = search(side, price)
        guard found else { return .zero }
        return side == .buy ? bids[i].total : asks[i].total
    }

    /// Appends `order` (with its remaining quantity) at the back of its price level.
    func add(_ order: SimOrderRecord) {
        let (found, i) = search(order.side, order.price)
        mutate(order.side) { levels in
            if found {
                levels[i].orders.append(order)
                levels[i].total += order.remaining
            } else {
                levels.insert(Level(price: order.price, orders: [order], head: 0, total: order.remaining), at: i)
            }
        }
        order.onBook = true
    }

    /// Removes `order` wherever it sits in its level (a cancel).
    func remove(_ order: SimOrderRecord) {
        let (found, i) = search(order.side, order.price)
        guard found else { return }
        mutate(order.side) { levels in
            guard let j = levels[i].orders[levels[i].head...].firstIndex(where: { $0 === order }) else { return }
            levels[i].orders.remove(at: j)
            levels[i].total -= order.remaining
            if levels[i].isEmpty { levels.remove(at: i) }
        }
        order.onBook = false
    }

    /// Records that the best order on `side` just traded `quantity` (already applied to the
    /// order); pops it when it has nothing left and drops the level when it empties.
    func consumeBest(_ side: Side, quantity: ExactDecimal) {
        mutate(side) { levels in
            let i = levels.count - 1
            levels[i].total -= quantity
            if levels[i].front.remaining.isZero {
                levels[i].front.onBook = false
                levels[i].head += 1
                if levels[i].isEmpty {
                    levels.removeLast()
                } else if levels[i].head > 32, levels[i].head * 2 > levels[i].orders.count {
                    levels[i].orders.removeFirst(levels[i].head)
                    levels[i].head = 0
                }
            }
        }
    }

    /// Aggregated levels, best first, at most `depth` per side (nil = all).
    func snapshot(symbol: String, depth: Int?) -> SimBookSnapshot {
        func side(_ levels: [Level]) -> [SimBookLevel] {
            let n = min(depth ?? levels.count, levels.count)
            return levels.suffix(n).reversed().map { SimBookLevel(price: $0.price, amount: $0.total) }
        }
        return SimBookSnapshot(symbol: symbol, bids: side(bids), asks: side(asks))
    }

    /// Resting orders on `side`, in matching order (best price first, then time).
    func ordersInPriority(_ side: Side) -> [SimOrderRecord] {
        levels(side).reversed().flatMap { $0.orders[$0.head...] }
    }

    private func mutate(_ side: Side, _ body: (inout [Level]) -> Void) {
        if side == .buy { body(&bids) } else { body(&asks) }
    }

    /// Binary search in the side's sort order: (found, index of the level or insert point).
    private func search(_ side: Side, _ price: ExactDecimal) -> (Bool, Int) {
        let levels = side == .buy ? bids : asks
        var lo = 0, hi = levels.count
        while lo < hi {
            let mid = (lo + hi) / 2
            let p = levels[mid].price
            if p == price { return (true, mid) }
            let before = side == .buy ? p < price : p > price
            if before { lo = mid + 1 } else { hi = mid }
        }
        return (false, lo)
    }
}
