import CastorCore

/// One entry of `candles_{tf}_updates` `changes`: `[time_ms, open, high, low, close, volume]`,
/// sent as JSON numbers and parsed from their text (never through `Double`).
public struct CandleUpdate: Sendable, Equatable {
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
