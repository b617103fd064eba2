import CastorCore

/// The WebSocket API's copy of one symbol's aggregated book, kept from the engine's level
/// changes (absolute totals), from which snapshots, the `depth` method and book tickers
/// are drawn under the hub's lock: they always agree with the update ids of the diffs.
///
/// A `phantom` bid (the crossed-book fault) is shown on top of the real levels.
struct WSAPIBookMirror: Sendable {
    typealias Level = (price: ExactDecimal, quantity: ExactDecimal)

    /// Best bid and best ask.
    struct Top: Sendable, Equatable {
        var bid: Level?
        var ask: Level?

        static func == (a: Top, b: Top) -> Bool {
            a.bid?.price == b.bid?.price && a.bid?.quantity == b.bid?.quantity
                && a.ask?.price == b.ask?.price && a.ask?.quantity == b.ask?.quantity
        }
    }

    private(set) var bids: [ExactDecimal: ExactDecimal] = [:]
    private(set) var asks: [ExactDecimal: ExactDecimal] = [:]
    /// The crossed-book fault's extra bid, if on.
    var phantom: Level?

    init(_ snapshot: SimBookSnapshot) {
        for level in snapshot.bids { bids[level.price] = level.amount }
        for level in snapshot.asks { asks[level.price] = level.amount }
    }

    /// Applies an engine level change; returns the level as the API shows it (with the
    /// phantom added where it sits).
    mutating func apply(_ change: SimLevelChange) -> (side: Side, level: Level) {
        if change.side == .buy {
            bids[change.price] = change.quantity.isZero ? nil : change.quantity
        } else {
            asks[change.price] = change.quantity.isZero ? nil : change.quantity
        }
        return (change.side, (change.price, shown(change.side, at: change.price)))
    }

    /// The quantity the API shows at `price` on `side` (real plus phantom), zero when none.
    func shown(_ side: Side, at price: ExactDecimal) -> ExactDecimal {
        let real = (side == .buy ? bids[price] : asks[price]) ?? .zero
        if side == .buy, let phantom, phantom.price == price { return real + phantom.quantity }
        return real
    }

    /// Bids best first and asks best first, at most `depth` each (nil: all), as shown.
    func sorted(depth: Int?) -> (bids: [Level], asks: [Level]) {
        var shownBids = bids
        if let phantom { shownBids[phantom.price] = shown(.buy, at: phantom.price) }
        let b = shownBids.sorted { $0.key > $1.key }.prefix(depth ?? Int.max).map { ($0.key, $0.value) }
        let a = asks.sorted { $0.key < $1.key }.prefix(depth ?? Int.max).map { ($0.key, $0.value) }
        return (b, a)
    }

    /// Best bid and ask as shown.
    var top: Top {
        var bid = bids.max { $0.key < $1.key }.map { Level($0.key, $0.value) }
        if let phantom, bid == nil || phantom.price >= bid!.price {
            bid = (phantom.price, shown(.buy, at: phantom.price))
        }
        return Top(bid: bid, ask: asks.min { $0.key < $1.key }.map { Level($0.key, $0.value) })
    }

    /// Where the crossed-book fault puts its phantom bid: one percent above the best ask (or
    /// the best bid, or 100 price steps), on the price grid, sized 10× the minimum order.
    func phantomLevel(_ symbol: SimSymbol) -> Level {
        let step = symbol.quoteIncrement
        let reference = asks.keys.min() ?? bids.keys.max() ?? step * ExactDecimal(100)
        let raised = (reference * ExactDecimal(mantissa: 101, scale: 2)).quantized(toStep: step, rule: .up) ?? reference
        return (raised + step, symbol.minOrderSize * ExactDecimal(10))
    }
}
