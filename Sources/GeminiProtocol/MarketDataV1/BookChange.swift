import CastorCore

/// A `change` event: the new total at one price level.
public struct BookChange: Sendable, Hashable, Decodable {
    /// Why the level changed.
    public enum Reason: Sendable, Hashable {
        case place, trade, cancel, initial
        /// Another spelling; kept, since the level's `remaining` is still authoritative.
        case other(String)

        init(wireValue: String) {
            switch wireValue {
            case "place": self = .place
            case "trade": self = .trade
            case "cancel": self = .cancel
            case "initial": self = .initial
            default: self = .other(wireValue)
            }
        }
    }

    public let side: BookSide
    public let price: ExactDecimal
    /// The level's new total quantity: apply this, zero removes the level.
    public let remaining: ExactDecimal
    /// Signed change; equals `remaining` on `initial`.
    public let delta: ExactDecimal
    public let reason: Reason
    /// Present on `/v1/multimarketdata`.
    public let symbol: Symbol?

    private enum CodingKeys: String, CodingKey { case side, price, remaining, delta, reason, symbol }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        side = try c.decode(BookSide.self, forKey: .side)
        price = try c.decode(ExactDecimal.self, forKey: .price)
        remaining = try c.decode(ExactDecimal.self, forKey: .remaining)
        delta = try c.decode(ExactDecimal.self, forKey: .delta)
        reason = Reason(wireValue: try c.decode(String.self, forKey: .reason))
        symbol = try c.decodeIfPresent(Symbol.self, forKey: .symbol)
    }
}
