import CastorCore

/// `/v2/ticker/{symbol}`. Beware: `close` can be hours stale (ccxt/ccxt#28077); use the
/// v1 ticker's `last` or the trade stream for the last price.
public struct TickerV2: Sendable, Hashable, Decodable {
    public let symbol: Symbol
    public let open: ExactDecimal?
    public let high: ExactDecimal?
    public let low: ExactDecimal?
    public let close: ExactDecimal?
    /// 24 hourly prices, newest first.
    public let changes: [ExactDecimal]
    public let bid: ExactDecimal?
    public let ask: ExactDecimal?

    /// The most `changes` entries accepted (a week of hours).
    public static let maxChanges = 168

    private enum CodingKeys: String, CodingKey { case symbol, open, high, low, close, changes, bid, ask }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        symbol = try c.decode(Symbol.self, forKey: .symbol)
        open = try c.decodeIfPresent(ExactDecimal.self, forKey: .open)
        high = try c.decodeIfPresent(ExactDecimal.self, forKey: .high)
        low = try c.decodeIfPresent(ExactDecimal.self, forKey: .low)
        close = try c.decodeIfPresent(ExactDecimal.self, forKey: .close)
        changes = try c.decodeIfPresent([ExactDecimal].self, forKey: .changes) ?? []
        // Gemini sends 24; a peer sending millions must not be kept.
        guard changes.count <= Self.maxChanges else {
            throw DecodingError.dataCorruptedError(forKey: .changes, in: c,
                                                   debugDescription: "\(changes.count) hourly changes; at most \(Self.maxChanges) accepted")
        }
        bid = try c.decodeIfPresent(ExactDecimal.self, forKey: .bid)
        ask = try c.decodeIfPresent(ExactDecimal.self, forKey: .ask)
    }
}
