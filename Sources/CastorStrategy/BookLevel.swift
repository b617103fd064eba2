import CastorCore

/// One price level of the order book: a price and the quantity resting there.
public struct BookLevel: Sendable, Hashable {
    public var price: ExactDecimal
    public var quantity: ExactDecimal

    public init(price: ExactDecimal, quantity: ExactDecimal) {
        self.price = price
        self.quantity = quantity
    }
}
