import CastorCore

/// Renders the new WebSocket API's frames (WS-API.md §2–3, §8): replies, depth, trades,
/// book tickers, order and balance updates. Field names, order and JSON types follow the
/// documented and captured frames: ids and times are JSON integers (update ids and order
/// ids beyond 2^53, times in nanoseconds except `balanceUpdate`'s milliseconds), prices and
/// quantities strings zero-padded to the instrument's scale (`"45000.50"`, `"1.25000000"`),
/// market-data symbols lower case and order-event symbols upper case.
enum WSAPIWireFormat {
    /// Milliseconds of the injected clock as the API's nanosecond timestamps.
    static func nanoseconds(_ milliseconds: Int64) -> Int64 {
        let (ns, overflow) = milliseconds.multipliedReportingOverflow(by: 1_000_000)
        return overflow ? (milliseconds < 0 ? .min : .max) : ns
    }

    /// `value` with at least `scale` decimal places (never fewer digits than it has).
    static func padded(_ value: ExactDecimal, scale: UInt8) -> GeminiJSON {
        let shown = value.scale < scale ? (value.rescaled(to: scale) ?? value) : value
        return .string(shown.description)
    }

    static func price(_ value: ExactDecimal, _ symbol: SimSymbol) -> GeminiJSON { padded(value, scale: symbol.quoteIncrement.scale) }
    static func quantity(_ value: ExactDecimal, _ symbol: SimSymbol) -> GeminiJSON { padded(value, scale: symbol.tickSize.scale) }

    // MARK: Replies

    /// `{"id":…,"status":200}`: the ack of subscribe, unsubscribe, ping and the order methods.
    static func ok(id: GeminiJSON) -> String {
        GeminiJSON.object([("id", id), ("status", .int(200))]).serialized
    }

    /// `{"id":…,"status":200,"result":…}`.
    static func result(id: GeminiJSON, _ result: GeminiJSON) -> String {
        GeminiJSON.object([("id", id), ("status", .int(200)), ("result", result)]).serialized
    }

    static func error(id: GeminiJSON, _ error: WSAPIError) -> String {
        GeminiJSON.object([
            ("id", id), ("status", .int(error.status)),
            ("error", .object([("code", .int(error.code)), ("msg", .string(error.msg))])),
        ]).serialized
    }

    /// One `rateLimits` row of `conninfo`.
    struct RateLimitRow: Sendable {
        let type: String
        let interval: String
        let intervalNum: Int
        let limit: Int
        let count: Int
    }

    /// `conninfo`: `rateLimits` at the top level, not under `result` (PROBED, WS-API.md §2.4.1).
    static func conninfo(id: GeminiJSON, rows: [RateLimitRow]) -> String {
        GeminiJSON.object([
            ("id", id), ("status", .int(200)),
            ("rateLimits", .array(rows.map { row in
                .object([("rateLimitType", .string(row.type)), ("interval", .string(row.interval)),
                         ("intervalNum", .int(row.intervalNum)), ("limit", .int(row.limit)), ("count", .int(row.count))])
            })),
        ]).serialized
    }

    // MARK: Market data

    /// `[[price, qty], …]`.
    static func levels(_ levels: [(price: ExactDecimal, quantity: ExactDecimal)], _ symbol: SimSymbol) -> GeminiJSON {
        .array(levels.map { .array([price($0.price, symbol), quantity($0.quantity, symbol)]) })
    }

    /// A `depthUpdate`: a diff (`U` < `u`, changed levels, `"0…"` removes one) or, with
    /// `U == u`, the snapshot that starts a subscription.
    static func depthUpdate(_ symbol: SimSymbol, eventNs: Int64, first: Int64, last: Int64,
                            bids: [(price: ExactDecimal, quantity: ExactDecimal)],
                            asks: [(price: ExactDecimal, quantity: ExactDecimal)]) -> String {
        GeminiJSON.object([
            ("e", .string("depthUpdate")), ("E", .int(eventNs)), ("s", .string(symbol.lowercased)),
            ("U", .int(first)), ("u", .int(last)), ("b", levels(bids, symbol)), ("a", levels(asks, symbol)),
        ]).serialized
    }

    /// The `depth` method's result: `{"lastUpdateId","bids","asks"}`.
    static func depthResult(_ symbol: SimSymbol, lastUpdateId: Int64,
                            bids: [(price: ExactDecimal, quantity: ExactDecimal)],
                            asks: [(price: ExactDecimal, quantity: ExactDecimal)]) -> GeminiJSON {
        .object([("lastUpdateId", .int(lastUpdateId)), ("bids", levels(bids, symbol)), ("asks", levels(asks, symbol))])
    }

    /// A `{sym}@trade` frame, without `e` as in the documented and captured trades; `m` is
    /// "the buyer is the maker", i.e. the taker sold.
    static func trade(_ t: SimPublicTrade, _ symbol: SimSymbol) -> String {
        GeminiJSON.object([
            ("E", .int(nanoseconds(t.timestampms))), ("s", .string(symbol.lowercased)), ("t", .int(t.tid)),
            ("p", price(t.price, symbol)), ("q", quantity(t.quantity, symbol)), ("m", .bool(t.takerSide == .sell)),
        ]).serialized
    }

    /// A `{sym}@bookTicker` frame; an empty side leaves its two fields out, `c`/`C` (last
    /// trade price and size) appear once the book has traded.
    static func bookTicker(_ symbol: SimSymbol, updateId: Int64, eventNs: Int64, top: WSAPIBookMirror.Top,
                           lastTrade: (price: ExactDecimal, quantity: ExactDecimal)?) -> String {
        var m: [(String, GeminiJSON)] = [("u", .int(updateId)), ("E", .int(eventNs)), ("s", .string(symbol.lowercased))]
        if let bid = top.bid { m += [("b", price(bid.price, symbol)), ("B", quantity(bid.quantity, symbol))] }
        if let ask = top.ask { m += [("a", price(ask.price, symbol)), ("A", quantity(ask.quantity, symbol))] }
        if let lastTrade { m += [("c", price(lastTrade.price, symbol)), ("C", quantity(lastTrade.quantity, symbol))] }
        return GeminiJSON.object(m).serialized
    }

    // MARK: Account streams

    /// The `orderUpdate` for an engine event, or nil for events the API does not send
    /// (`booked`, `closed`, `cancel_rejected`; `rejected` unless `rejectedEvents`).
    ///
    /// `NEW` on acceptance; `PARTIALLY_FILLED`/`FILLED` per fill with `Z` this fill's
    /// quantity, `L` its price, `t` the trade id, `n` the fee, `m` maker; `CANCELED` with
    /// `Z` the cumulative filled quantity and, for a cancel the venue decided, `r` its
    /// reason; zero and empty fields (and side, type, prices on a cancel, as in Gemini's
    /// example) are left out.
    /// `symbol` is nil only for a refusal naming an unknown instrument (its `REJECTED` needs
    /// no scale); every other event needs it.
    static func orderUpdate(_ e: SimOrderEvent, _ symbol: SimSymbol?, rejectedEvents: Bool) -> String? {
        let o = e.order
        if e.type == .rejected {
            guard rejectedEvents else { return nil }
            var m: [(String, GeminiJSON)] = [("e", .string("orderUpdate")), ("E", .int(nanoseconds(e.timestampms))),
                                             ("s", .string(o.symbol)), ("i", .int(o.orderId))]
            if let cid = o.clientOrderId, !cid.isEmpty { m.append(("c", .string(cid))) }
            m.append(("X", .string("REJECTED")))
            if let reason = e.reason { m.append(("r", .string(WSAPIOrderParams.rejectReason(engineReason: reason)))) }
            m.append(("T", .int(nanoseconds(e.timestampms))))
            return GeminiJSON.object(m).serialized
        }
        guard let symbol else { return nil }
        let ns = GeminiJSON.int(nanoseconds(e.timestampms))
        var m: [(String, GeminiJSON)] = [("e", .string("orderUpdate")), ("E", ns), ("s", .string(o.symbol)),
                                         ("i", .int(o.orderId))]
        if let cid = o.clientOrderId, !cid.isEmpty { m.append(("c", .string(cid))) }
        let orderType = o.orderType == "exchange stop limit" ? "STOP_LIMIT" : "LIMIT"
        func described(_ status: String) {
            m += [("S", .string(o.side == .buy ? "BUY" : "SELL")), ("o", .string(orderType)), ("X", .string(status)),
                  ("p", price(o.price, symbol))]
            if let stop = o.stopPrice { m.append(("P", price(stop, symbol))) }
            m += [("q", quantity(o.originalAmount, symbol)), ("z", quantity(o.remainingAmount, symbol))]
        }
        switch e.type {
        case .accepted:
            described("NEW")
        case .fill:
            guard let fill = e.fill else { return nil }
            described(o.remainingAmount.isZero ? "FILLED" : "PARTIALLY_FILLED")
            m += [("Z", quantity(fill.amount, symbol)), ("L", price(fill.price, symbol)), ("t", .int(fill.tradeId)),
                  ("n", padded(fill.fee.normalized, scale: symbol.quoteIncrement.scale)),
                  ("m", .bool(fill.liquidity == .maker))]
        case .cancelled:
            m.append(("X", .string("CANCELED")))
            if o.executedAmount.isPositive { m.append(("Z", quantity(o.executedAmount, symbol))) }
            if let reason = e.reason, reason != "Requested" { m.append(("r", .string(reason))) }
        case .rejected, .booked, .closed, .cancelRejected:
            return nil
        }
        m.append(("T", ns))
        return GeminiJSON.object(m).serialized
    }

    /// `{"e":"balanceUpdate","E":…,"u":…,"B":[{"a","f","c"}]}`: `f` available, `c` the total
    /// (including what open orders hold); times in ms unless `nanoseconds` is set.
    static func balanceUpdate(_ balances: [SimBalance], atMilliseconds ms: Int64, nanoseconds inNs: Bool) -> String {
        let time = GeminiJSON.int(inNs ? nanoseconds(ms) : ms)
        return GeminiJSON.object([
            ("e", .string("balanceUpdate")), ("E", time), ("u", time),
            ("B", .array(balances.map { b in
                .object([("a", .string(b.currency)), ("f", .string(b.available.normalized.description)),
                         ("c", .string(b.total.normalized.description))])
            })),
        ]).serialized
    }
}
