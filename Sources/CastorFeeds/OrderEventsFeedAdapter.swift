import CastorTrading
import Dispatch

/// The private order-events feed behind an adapter, so that the archived
/// `/v1/order/events` can later be replaced by the new WebSocket API (API.md §7.4) without
/// touching the engine.
///
/// After every (re)connect the feed delivers the `initial` snapshot of active orders, then
/// `didCompleteInitialSnapshot`: that is when the engine reconciles (events may have been
/// lost while disconnected; API.md §6.4). The delegate sees domain reports only: the
/// adapter keeps acknowledgements, heartbeats and sequence numbers to itself.
///
/// Threading: call every member on the engine queue; the delegate is called on it.
public protocol OrderEventsFeedAdapter: AnyObject, Sendable {
    /// Receives messages; held weakly.
    var delegate: (any OrderEventsFeedDelegate)? { get set }
    /// The current connection state.
    var state: FeedConnectionState { get }
    /// Connects; reconnects on its own until `stop()` or a fatal error.
    func start()
    /// Closes the connection and cancels timers.
    func stop()
}

/// What an order-events adapter reports, always on the engine queue.
public protocol OrderEventsFeedDelegate: AnyObject {
    /// Order events in wire order (`initial` ones included), one message's worth at a time.
    /// Sequence numbers are already checked: a message that breaks the sequence is not
    /// delivered (the feed reconnects instead).
    func orderEventsFeed(_ feed: any OrderEventsFeedAdapter, didReceive reports: [OrderReport])
    /// The venue reported an error on the feed; the adapter reconnects, or stops when the
    /// error is about the key.
    func orderEventsFeed(_ feed: any OrderEventsFeedAdapter, didReportError detail: String)
    /// The `initial` snapshot of this connection is complete: `activeOrders` are the
    /// `initial` events received (empty if none or if filtered out). Signalled at the
    /// first message after the ack that is not an `initial` event (an order event or a
    /// heartbeat, which comes within 5 s), or once nothing arrived for a quiet period
    /// after the ack or the last `initial` event (Gemini sends no end marker). An
    /// `initial` event after that is delivered as an ordinary event. Reconcile now.
    func orderEventsFeed(_ feed: any OrderEventsFeedAdapter, didCompleteInitialSnapshot activeOrders: [OrderReport])
    /// The connection state changed.
    func orderEventsFeed(_ feed: any OrderEventsFeedAdapter, didChangeState state: FeedConnectionState)
    /// The venue pushed the balances of the currencies that changed (the new API's account
    /// socket; the legacy order events carry none). Absolute amounts, in wire order.
    func orderEventsFeed(_ feed: any OrderEventsFeedAdapter, didReceiveBalances changes: [VenueBalanceChange])
}

extension OrderEventsFeedDelegate {
    /// Balances pushed by the venue are optional to act on.
    public func orderEventsFeed(_ feed: any OrderEventsFeedAdapter, didReceiveBalances changes: [VenueBalanceChange]) {}
}
