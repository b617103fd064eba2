import CastorCore

/// One entry of an `l2_updates` `changes` array: `[side, price, quantity]`.
///
/// `quantity` is the new total resting at `price` on `side` (not a delta); zero removes the
/// level. The decoder guarantees `quantity >= 0`.
public struct L2Change: Sendable, Equatable {
    public var side: Side
    public var price: ExactDecimal
    public var quantity: ExactDecimal

    public init(side: Side, price: ExactDecimal, quantity: ExactDecimal) {
        self.side = side
        self.price = price
        self.quantity = quantity
    }
}
