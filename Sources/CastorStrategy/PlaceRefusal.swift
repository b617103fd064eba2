import CastorCore

/// Why the engine would not place an order. Refusals are normal outcomes (a risk limit, a
/// size below the exchange minimum), not exceptional ones, so `place` returns them in a
/// ``PlaceResult`` instead of throwing.
public enum PlaceRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    /// The engine has no `SymbolInfo` for this symbol.
    case unknownSymbol(String)
    /// After rounding down to the quantity step the amount is below `min_order_size`.
    case belowMinimumSize(symbol: String, amount: ExactDecimal, minimum: ExactDecimal)
    /// The price is not positive (after rounding toward the passive side).
    case invalidPrice(symbol: String, price: ExactDecimal)
    /// A risk check refused the order; `rule` names the check.
    case risk(rule: String, message: String)
    /// The engine is not accepting orders (stopping, switching strategy, disconnected).
    case notAccepting(String)

    public var description: String {
        switch self {
        case .unknownSymbol(let s): "unknown symbol \(s)"
        case let .belowMinimumSize(s, a, m): "\(s): amount \(a) is below the minimum order size \(m) after rounding to the quantity step"
        case let .invalidPrice(s, p): "\(s): price \(p) is not a positive price on the price step"
        case let .risk(rule, message): "risk check \(rule): \(message)"
        case .notAccepting(let why): "not accepting orders: \(why)"
        }
    }
}
