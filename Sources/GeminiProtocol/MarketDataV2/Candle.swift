import CastorCore

/// Candle widths of the v2 `candles_{tf}` subscriptions.
public enum CandleTimeframe: UInt8, Sendable, CaseIterable {
    case oneMinute, fiveMinutes, fifteenMinutes, thirtyMinutes, oneHour, sixHours, oneDay

    /// The wire spelling inside `candles_{tf}` / `candles_{tf}_updates`.
    public var wireName: String {
        switch self {
        case .oneMinute: "1m"
        case .fiveMinutes: "5m"
        case .fifteenMinutes: "15m"
        case .thirtyMinutes: "30m"
        case .oneHour: "1h"
        case .sixHours: "6h"
        case .oneDay: "1d"
        }
    }
}

/// One entry of `candles_{tf}_updates` `changes`: `[time_ms, open, high, low, close, volume]`,
/// sent as JSON numbers and parsed from their text (never through `Double`).
public struct Candle: Sendable, Equatable {
    public var symbol: SymbolID
    public var timeframe: CandleTimeframe
    public var timeMs: Int64
    public var open: ExactDecimal
    public var high: ExactDecimal
    public var low: ExactDecimal
    public var close: ExactDecimal
    public var volume: ExactDecimal

    public init(symbol: SymbolID, timeframe: CandleTimeframe, timeMs: Int64, open: ExactDecimal,
                high: ExactDecimal, low: ExactDecimal, close: ExactDecimal, volume: ExactDecimal) {
        self.symbol = symbol
        self.timeframe = timeframe
        self.timeMs = timeMs
        self.open = open
        self.high = high
        self.low = low
        self.close = close
        self.volume = volume
    }
}
