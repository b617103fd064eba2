import CastorCore

/// The kinds of order event Gemini's order-events stream sends (API.md §6.3).
public enum SimOrderEventType: String, Sendable, Hashable {
    case accepted
    case rejected
    case booked
    case fill
    case cancelled
    case cancelRejected = "cancel_rejected"
    case closed
}

/// The nested `fill` object of a `fill` event.
public struct SimFillInfo: Sendable, Hashable {
    /// `trade_id` (the public trade's `tid`).
    public var tradeId: Int64
    /// `Maker` or `Taker`.
    public var liquidity: SimLiquidity
    public var price: ExactDecimal
    /// This fill's quantity.
    public var amount: ExactDecimal
    public var fee: ExactDecimal
    public var feeCurrency: String
}

/// One per-account order event, in exchange order. `order` is the order's snapshot right
/// after the event (cumulative amounts), so the server can render every common field.
public struct SimOrderEvent: Sendable, Hashable {
    /// `event_id`; strictly increasing across the engine (shares the id sequence with
    /// order ids and trade ids, as Gemini's ids do).
    public var eventId: Int64
    /// The account whose stream carries this event.
    public var accountId: Int64
    public var type: SimOrderEventType
    public var order: SimOrderSnapshot
    /// Present on `fill` events.
    public var fill: SimFillInfo?
    /// `reason` on `rejected`, `cancelled` and `cancel_rejected` events.
    public var reason: String?
    /// `cancel_command_id` on `cancelled`/`cancel_rejected` events caused by a cancel request.
    public var cancelCommandId: Int64?
    /// Event time in ms.
    public var timestampms: Int64
}
