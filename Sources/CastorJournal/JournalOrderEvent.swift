import CastorCore

/// One observed change of an order's state, appended to the journal and never updated.
public struct JournalOrderEvent: Sendable, Hashable {
    /// Where the observation came from; reconciliation reads the same order from several
    /// sources and the audit trail should say which one spoke.
    public enum Source: String, Sendable, Hashable, CaseIterable {
        /// A REST response (`/v1/order/new`, `/v1/order/cancel`, `/v1/order/status`).
        case rest
        /// The order-events WebSocket.
        case ws
        /// Castor's start-up or reconnect reconciliation.
        case reconcile
    }

    public var clientOrderID: String
    /// Gemini's order id; nil until the exchange has assigned one.
    public var orderID: String?
    public var state: JournalOrderState
    /// Cumulative executed amount, when the event reports it.
    public var executed: ExactDecimal?
    /// Remaining amount, when the event reports it (absent for market buys).
    public var remaining: ExactDecimal?
    /// Gemini's reason code for rejections and cancels.
    public var reason: String?
    /// Exchange time of the event when known, otherwise the time Castor observed it; Unix ms.
    public var timestampMs: Int64
    public var source: Source

    public init(
        clientOrderID: String, orderID: String?, state: JournalOrderState, executed: ExactDecimal? = nil,
        remaining: ExactDecimal? = nil, reason: String? = nil, timestampMs: Int64, source: Source
    ) {
        self.clientOrderID = clientOrderID
        self.orderID = orderID
        self.state = state
        self.executed = executed
        self.remaining = remaining
        self.reason = reason
        self.timestampMs = timestampMs
        self.source = source
    }
}
