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
