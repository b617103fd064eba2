/// Which side of the book an order or trade is on.
public enum Side: String, Sendable, Hashable, CaseIterable {
    case buy
    case sell

    /// The other side: a filled buy is unwound by a sell.
    public var opposite: Side { self == .buy ? .sell : .buy }
}
