import CastorCore

/// Renders engine values as Gemini's REST bodies (API.md §3): field names, field order and
/// JSON types copied from Gemini's documented and recorded responses — decimals as strings,
/// ids as strings in order objects but numbers in `tid` and cancel details, `timestamp` a
/// string in order objects but a number in trades.
enum GeminiWireFormat {
    static func decimal(_ value: ExactDecimal) -> GeminiJSON { .string(value.description) }

    /// A decimal as a JSON *number* (`tick_size`, candles). Small powers of ten are written
    /// `1e-8` as Gemini does; everything else as plain digits, never through `Double`.
    static func decimalNumber(_ value: ExactDecimal) -> GeminiJSON {
        let n = value.normalized
        if n.mantissa == 1, n.scale >= 5 { return .number("1e-\(n.scale)") }
        return .number(n.description)
    }

    /// The order-status object (`/v1/order/new`, `/status`, `/cancel`, `/orders`).
    /// `includeVia` adds the simulator's own `via` (`rest` or `websocket`), for the ledger.
    static func order(_ o: SimOrderSnapshot, includeReason: Bool = false, includeVia: Bool = false) -> GeminiJSON {
        var m: [(String, GeminiJSON)] = [
            ("order_id", .string(String(o.orderId))),
            ("id", .string(String(o.orderId))),
            ("symbol", .string(o.symbolLowercased)),
            ("exchange", .string("gemini")),
            ("avg_execution_price", decimal(o.avgExecutionPrice)),
            ("side", .string(o.side.rawValue)),
            ("type", .string(o.orderType)),
            ("timestamp", .string(String(o.timestamp))),
            ("timestampms", .int(o.timestampms)),
            ("is_live", .bool(o.isLive)),
            ("is_cancelled", .bool(o.isCancelled)),
            ("is_hidden", .bool(o.isHidden)),
            ("was_forced", .bool(o.wasForced)),
            ("executed_amount", decimal(o.executedAmount)),
            ("remaining_amount", decimal(o.remainingAmount)),
        ]
        if let cid = o.clientOrderId { m.append(("client_order_id", .string(cid))) }
        if (includeReason || o.isCancelled), let reason = o.reason { m.append(("reason", .string(reason))) }
        m.append(("options", .array(o.options.map { .string($0) })))
        m.append(("price", decimal(o.price)))
        if let stop = o.stopPrice { m.append(("stop_price", decimal(stop))) }
        m.append(("original_amount", decimal(o.originalAmount)))
        if let trades = o.trades { m.append(("trades", .array(trades.map { myTrade($0) }))) }
        if includeVia { m.append(("via", .string(o.channel.rawValue))) }
        return .object(m)
    }

    /// A `/v1/mytrades` element.
    static func myTrade(_ t: SimTrade) -> GeminiJSON {
        var m: [(String, GeminiJSON)] = [
            ("price", decimal(t.price)),
            ("amount", decimal(t.amount)),
            ("timestamp", .int(t.timestamp)),
            ("timestampms", .int(t.timestampms)),
            ("type", .string(t.side.capitalized)),
            ("aggressor", .bool(t.aggressor)),
            ("fee_currency", .string(t.feeCurrency)),
            ("fee_amount", decimal(t.feeAmount)),
            ("tid", .int(t.tid)),
            ("order_id", .string(String(t.orderId))),
            ("exchange", .string("gemini")),
            ("is_auction_fill", .bool(false)),
            ("is_clearing_fill", .bool(false)),
            ("symbol", .string(t.symbol)),
        ]
        if let cid = t.clientOrderId { m.append(("client_order_id", .string(cid))) }
        return .object(m)
    }

    /// A `/v1/trades/{symbol}` element; `type` is the taker's side.
    static func publicTrade(_ t: SimPublicTrade) -> GeminiJSON {
        .object([
            ("timestamp", .int(t.timestampms / 1000)),
            ("timestampms", .int(t.timestampms)),
            ("tid", .int(t.tid)),
            ("price", decimal(t.price)),
            ("amount", decimal(t.quantity)),
            ("exchange", .string("gemini")),
            ("type", .string(t.takerSide.rawValue)),
            ("broken", .bool(false)),
        ])
    }

    /// A `/v1/balances` element.
    static func balance(_ b: SimBalance) -> GeminiJSON {
        .object([
            ("type", .string("exchange")),
            ("currency", .string(b.currency)),
            ("amount", decimal(b.total)),
            ("available", decimal(b.available)),
            ("availableForWithdrawal", decimal(b.available)),
        ])
    }

    /// `/v1/symbols/details/{symbol}`.
    static func symbolDetails(_ s: SimSymbol) -> GeminiJSON {
        .object([
            ("symbol", .string(s.symbol)),
            ("base_currency", .string(s.base)),
            ("quote_currency", .string(s.quote)),
            ("tick_size", decimalNumber(s.tickSize)),
            ("quote_increment", decimalNumber(s.quoteIncrement)),
            ("min_order_size", .string(s.minOrderSize.normalized.description)),
            ("status", .string(s.status.rawValue)),
            ("wrap_enabled", .bool(false)),
            ("product_type", .string(s.productType)),
            ("contract_type", .string("vanilla")),
            ("contract_price_currency", .string(s.quote)),
        ])
    }

    /// `/v1/book/{symbol}`; every level carries the snapshot time in seconds, as a string.
    static func book(_ b: SimBookSnapshot, nowMilliseconds: Int64) -> GeminiJSON {
        let ts = GeminiJSON.string(String(nowMilliseconds / 1000))
        func levels(_ list: [SimBookLevel]) -> GeminiJSON {
            .array(list.map { .object([("price", decimal($0.price)), ("amount", decimal($0.amount)), ("timestamp", ts)]) })
        }
        return .object([("bids", levels(b.bids)), ("asks", levels(b.asks))])
    }

    /// `cancel/session` and `cancel/all`: ids as JSON numbers, as Gemini sends them.
    static func cancelSummary(_ s: SimCancelSummary) -> GeminiJSON {
        .object([
            ("result", .string("ok")),
            ("details", .object([
                ("cancelRejects", .array(s.cancelRejects.map { .int($0) })),
                ("cancelledOrders", .array(s.cancelledOrders.map { .int($0) })),
            ])),
        ])
    }
}
