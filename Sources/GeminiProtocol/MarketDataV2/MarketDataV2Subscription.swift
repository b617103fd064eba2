import CastorCore

/// Builds the subscribe / unsubscribe requests for `/v2/marketdata`.
///
/// `{"type":"subscribe","subscriptions":[{"name":"l2","symbols":["BTCUSD","ETHUSD"]}]}`.
/// Built once per (re)connect, so these return Strings.
public struct MarketDataV2Subscription: Sendable, Equatable {
    /// A subscription name.
    public enum Channel: Sendable, Equatable {
        /// Level 2 book, with trades.
        case l2
        /// Candles of the given width.
        case candles(CandleTimeframe)
        /// Perpetuals' mark price.
        case markPrice
        /// Perpetuals' funding amount (the name is `funding_amount`, not `funding`).
        case fundingAmount

        public var wireName: String {
            switch self {
            case .l2: "l2"
            case .candles(let tf): "candles_\(tf.wireName)"
            case .markPrice: "mark_price"
            case .fundingAmount: "funding_amount"
            }
        }
    }

    public var channel: Channel
    /// Upper-case symbols; perpetuals as `BTC-GUSD-PERP` (replies say `BTCGUSDPERP`).
    public var symbols: [String]

    public init(_ channel: Channel, symbols: [String]) {
        self.channel = channel
        self.symbols = symbols
    }

    /// The JSON text of a `subscribe` request for `subscriptions`.
    public static func subscribeMessage(_ subscriptions: [MarketDataV2Subscription]) -> String {
        message(type: "subscribe", subscriptions)
    }

    /// The JSON text of an `unsubscribe` request for `subscriptions`.
    public static func unsubscribeMessage(_ subscriptions: [MarketDataV2Subscription]) -> String {
        message(type: "unsubscribe", subscriptions)
    }

    private static func message(type: String, _ subscriptions: [MarketDataV2Subscription]) -> String {
        var out = "{\"type\":\"\(type)\",\"subscriptions\":["
        for (i, s) in subscriptions.enumerated() {
            if i > 0 { out += "," }
            out += "{\"name\":\"\(s.channel.wireName)\",\"symbols\":["
            out += s.symbols.map { JSONString.quoted($0) }.joined(separator: ",")
            out += "]}"
        }
        return out + "]}"
    }
}
