import CastorCore

/// One `/v2/candles/{symbol}/{time_frame}` row: `[time_ms, open, high, low, close, volume]`,
/// all JSON numbers. Prices are read from the numbers' digits (never via `Double`).
public struct Candle: Sendable, Hashable, Decodable {
    /// Start of the interval, milliseconds.
    public let timeMilliseconds: Int64
    public let open: ExactDecimal
    public let high: ExactDecimal
    public let low: ExactDecimal
    public let close: ExactDecimal
    public let volume: ExactDecimal

    public init(from decoder: any Decoder) throws {
        var row = try decoder.unkeyedContainer()
        timeMilliseconds = try row.decode(FlexibleInt64.self).value
        open = try row.decode(ExactDecimal.self)
        high = try row.decode(ExactDecimal.self)
        low = try row.decode(ExactDecimal.self)
        close = try row.decode(ExactDecimal.self)
        volume = try row.decode(ExactDecimal.self)
    }
}
