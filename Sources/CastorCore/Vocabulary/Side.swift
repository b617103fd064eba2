/// The side of an order or trade from the trader's point of view: the one `Side` of the
/// whole daemon (wire decoding, trading, the journal and the strategy API).
///
/// Gemini spells it `buy`/`sell` in orders, `Buy`/`Sell` in `/v1/mytrades`, and the books
/// use `bid`/`ask`; decoding accepts any case of `buy`/`sell`, and the book-side mapping is
/// explicit so the two vocabularies never get mixed silently. The raw value (`buy`/`sell`,
/// lower-case) is what requests send, the journal stores and logs show.
public enum Side: String, Sendable, Hashable, CaseIterable, Codable {
    case buy
    case sell

    /// Case-insensitive `buy`/`sell`; nil for anything else.
    public init?(wireValue: String) {
        switch wireValue.lowercased() {
        case "buy": self = .buy
        case "sell": self = .sell
        default: return nil
        }
    }

    /// The side whose resting orders sit on `bookSide`: bids are buy orders, asks sell orders.
    public init(restingOn bookSide: BookSide) {
        self = bookSide == .bid ? .buy : .sell
    }

    /// The book side this side's resting orders join (buy → bid, sell → ask).
    public var bookSide: BookSide { self == .buy ? .bid : .ask }

    /// The other side: a filled buy is unwound by a sell.
    public var opposite: Side { self == .buy ? .sell : .buy }

    /// Decodes any case of `buy`/`sell`.
    /// - Throws: `DecodingError.dataCorrupted` for anything else.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let side = Side(wireValue: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not a side (buy/sell)")
        }
        self = side
    }
}
