import CastorCore

/// Renders Market Data v2 messages (API.md §7.1): upper-case symbols, decimals as strings,
/// `timestamp` in ms as a number, ids as numbers.
enum MarketDataV2WireFormat {
    /// A level total; an emptied level is `"0"`, as Gemini writes it.
    static func quantity(_ value: ExactDecimal) -> GeminiJSON {
        .string(value.isZero ? "0" : value.description)
    }

    static func change(side: Side, price: ExactDecimal, quantity q: ExactDecimal) -> GeminiJSON {
        .array([.string(side.rawValue), .string(price.description), quantity(q)])
    }

    /// The first `l2_updates` for a symbol: the whole book (bids best first, then asks best
    /// first), the newest trades (newest first) and no auction events.
    static func snapshot(_ s: MarketSnapshot) -> GeminiJSON {
        let changes = s.book.bids.map { change(side: .buy, price: $0.price, quantity: $0.amount) }
            + s.book.asks.map { change(side: .sell, price: $0.price, quantity: $0.amount) }
        return .object([
            ("type", .string("l2_updates")),
            ("symbol", .string(s.book.symbol)),
            ("changes", .array(changes)),
            ("trades", .array(s.trades.map(trade))),
            ("auction_events", .array([])),
        ])
    }

    /// A later `l2_updates`: new level totals.
    static func update(symbol: String, changes: [SimLevelChange]) -> GeminiJSON {
        .object([
            ("type", .string("l2_updates")),
            ("symbol", .string(symbol)),
            ("changes", .array(changes.map { change(side: $0.side, price: $0.price, quantity: $0.quantity) })),
        ])
    }

    /// A `trade` message (also the elements of a snapshot's `trades`); `side` is the taker's.
    static func trade(_ t: SimPublicTrade) -> GeminiJSON {
        .object([
            ("type", .string("trade")),
            ("symbol", .string(t.symbol)),
            ("event_id", .int(t.tid)),
            ("timestamp", .int(t.timestampms)),
            ("price", .string(t.price.description)),
            ("quantity", .string(t.quantity.description)),
            ("side", .string(t.takerSide.rawValue)),
            ("tid", .int(t.tid)),
        ])
    }

    static func heartbeat(timestampms: Int64) -> GeminiJSON {
        .object([("type", .string("heartbeat")), ("timestamp", .int(timestampms))])
    }

    /// An error reply to a subscribe/unsubscribe message.
    static func error(reason: String, message: String) -> GeminiJSON {
        .object([("result", .string("error")), ("reason", .string(reason)), ("message", .string(message))])
    }
}
