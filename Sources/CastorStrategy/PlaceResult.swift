import CastorCore

/// What came of ``StrategyContext/place(symbol:side:price:amount:options:)``.
public enum PlaceResult: Sendable, Hashable {
    /// The order was queued for the exchange under `clientOrderID`, with the quantised
    /// `price` and `amount` actually sent. Acceptance by the exchange arrives later as an
    /// ``OrderUpdate``.
    case placed(clientOrderID: String, price: ExactDecimal, amount: ExactDecimal)
    /// The engine did not send the order.
    case refused(PlaceRefusal)

    /// The client order id when placed, else nil.
    public var clientOrderID: String? {
        if case .placed(let id, _, _) = self { return id }
        return nil
    }
}
