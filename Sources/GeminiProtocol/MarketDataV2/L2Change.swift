import CastorCore

/// Which side of the book, or which side a taker was on (`"buy"` / `"sell"` on the wire).
public enum MarketSide: UInt8, Sendable, Equatable {
    /// `"buy"`: a bid level, or a buying taker.
    case buy
    /// `"sell"`: an ask level, or a selling taker.
    case sell
}

/// One entry of an `l2_updates` `changes` array: `[side, price, quantity]`.
///
/// `quantity` is the new total resting at `price` on `side` (not a delta); zero removes the
/// level. The decoder guarantees `quantity >= 0`.
public struct L2Change: Sendable, Equatable {
    public var side: MarketSide
    public var price: ExactDecimal
    public var quantity: ExactDecimal

    public init(side: MarketSide, price: ExactDecimal, quantity: ExactDecimal) {
        self.side = side
        self.price = price
        self.quantity = quantity
    }
}
