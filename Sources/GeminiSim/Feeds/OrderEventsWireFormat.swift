import CastorCore

/// Renders `/v1/order/events` messages in Gemini's shape (API.md §6.3): field names, order
/// and JSON types as in the documented examples — ids and decimals as strings, `symbol`
/// lower-case, `timestamp` a string of seconds, `timestampms` a number, `socket_sequence`
/// last.
enum OrderEventsWireFormat {
    /// `subscription_ack`, echoing the filters as understood.
    static func ack(accountId: Int64, subscriptionId: String, filter: OrderEventsFilter) -> GeminiJSON {
        .object([
            ("type", .string("subscription_ack")),
            ("accountId", .int(accountId)),
            ("subscriptionId", .string(subscriptionId)),
            ("symbolFilter", .array(filter.symbols.map { .string($0) })),
            ("apiSessionFilter", .array(filter.apiSessions.map { .string($0) })),
            ("eventTypeFilter", .array(filter.eventTypes.map { .string($0) })),
        ])
    }

    /// The order-events heartbeat.
    static func heartbeat(timestampms: Int64, sequence: Int64, traceId: String, socketSequence: Int64) -> GeminiJSON {
        .object([
            ("type", .string("heartbeat")),
            ("timestampms", .int(timestampms)),
            ("sequence", .int(sequence)),
            ("trace_id", .string(traceId)),
            ("socket_sequence", .int(socketSequence)),
        ])
    }

    /// An `initial` event (no `event_id`).
    static func initial(_ order: SimOrderSnapshot, socketSequence: Int64) -> GeminiJSON {
        event(type: "initial", eventId: nil, order: order, fill: nil, reason: nil, cancelCommandId: nil,
              socketSequence: socketSequence)
    }

    /// A live event.
    static func event(_ e: SimOrderEvent, socketSequence: Int64) -> GeminiJSON {
        event(type: e.type.rawValue, eventId: e.eventId, order: e.order, fill: e.fill, reason: e.reason,
              cancelCommandId: e.cancelCommandId, socketSequence: socketSequence)
    }

    private static func event(type: String, eventId: Int64?, order o: SimOrderSnapshot, fill: SimFillInfo?,
                              reason: String?, cancelCommandId: Int64?, socketSequence: Int64) -> GeminiJSON {
        func decimal(_ value: ExactDecimal) -> GeminiJSON { .string(value.description) }
        var m: [(String, GeminiJSON)] = [("type", .string(type)), ("order_id", .string(String(o.orderId)))]
        if let eventId { m.append(("event_id", .string(String(eventId)))) }
        if let cancelCommandId { m.append(("cancel_command_id", .string(String(cancelCommandId)))) }
        if let reason { m.append(("reason", .string(reason))) }
        m.append(("api_session", .string(o.apiSession)))
        if let cid = o.clientOrderId { m.append(("client_order_id", .string(cid))) }
        m += [
            ("symbol", .string(o.symbolLowercased)),
            ("side", .string(o.side.rawValue)),
            ("order_type", .string(o.orderType)),
        ]
        if let behavior = o.options.first { m.append(("behavior", .string(behavior))) }
        m += [
            ("timestamp", .string(String(o.timestamp))),
            ("timestampms", .int(o.timestampms)),
            ("is_live", .bool(o.isLive)),
            ("is_cancelled", .bool(o.isCancelled)),
            ("is_hidden", .bool(o.isHidden)),
            ("avg_execution_price", decimal(o.avgExecutionPrice)),
            ("executed_amount", decimal(o.executedAmount)),
            ("remaining_amount", decimal(o.remainingAmount)),
            ("original_amount", decimal(o.originalAmount)),
            ("price", decimal(o.price)),
        ]
        if let stop = o.stopPrice { m.append(("stop_price", decimal(stop))) }
        if let fill {
            m.append(("fill", .object([
                ("trade_id", .string(String(fill.tradeId))),
                ("liquidity", .string(fill.liquidity.rawValue)),
                ("price", decimal(fill.price)),
                ("amount", decimal(fill.amount)),
                ("fee", decimal(fill.fee)),
                ("fee_currency", .string(fill.feeCurrency)),
            ])))
        }
        m.append(("socket_sequence", .int(socketSequence)))
        return .object(m)
    }
}
