/// A side of the order book: `bid` (buyers) or `ask` (sellers), as market data v1 and the
/// REST book name them.
public enum BookSide: String, Sendable, Hashable, CaseIterable, Codable {
    case bid
    case ask

    /// Case-insensitive `bid`/`ask`; also accepts `buy`/`sell` (market data v2 spells book
    /// sides that way in `l2_updates`).
    public init?(wireValue: String) {
        switch wireValue.lowercased() {
        case "bid", "buy": self = .bid
        case "ask", "sell", "offer": self = .ask
        default: return nil
        }
    }

    /// The side of the orders resting here.
    public var restingSide: Side { Side(restingOn: self) }

    /// The taker side of a trade whose maker rested on this book side: lifting an ask is a
    /// buy, hitting a bid is a sell.
    public var takerSide: Side { self == .bid ? .sell : .buy }

    public var opposite: BookSide { self == .bid ? .ask : .bid }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let side = BookSide(wireValue: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not a book side (bid/ask)")
        }
        self = side
    }
}
