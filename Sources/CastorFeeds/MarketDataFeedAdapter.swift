import Dispatch

/// A market-data feed behind which the venue's wire API can change (the archived
/// `/v2/marketdata` today, `wss://ws.gemini.com` later, API.md §7.4) without touching the
/// engine.
///
/// An adapter is created with the engine queue and the engine's `MarketBooks`; it decodes
/// and applies every message on that queue, straight into the books (see `MarketBooks` for
/// why), then tells its delegate what changed. It reconnects on its own; on every
/// (re)connect all books are reset and rebuilt from fresh snapshots.
///
/// Threading: call every member on the engine queue.
public protocol MarketDataFeedAdapter: AnyObject, Sendable {
    /// Receives updates; held weakly.
    var delegate: (any MarketDataFeedDelegate)? { get set }
    /// The current connection state (also reported to the delegate on each change).
    var state: FeedConnectionState { get }
    /// Connects and subscribes; reconnects on its own until `stop()` or a fatal error.
    func start()
    /// Closes the connection and cancels timers; no delegate calls follow (but `.idle`).
    func stop()
}

/// What a market-data adapter reports, always on the engine queue, in domain terms only
/// (`BookIndex`, `MarketTradeReport`): the venue's wire types stay inside the adapter.
public protocol MarketDataFeedDelegate: AnyObject {
    /// The book at `book` in the adapter's `MarketBooks` (`MarketBooks.book(_:)`) changed
    /// (snapshot or delta) and is not crossed. Read it right here for the lowest latency.
    func marketDataFeed(_ feed: any MarketDataFeedAdapter, didUpdateBook book: BookIndex)
    /// A trade. `trade.fromSnapshot` marks history replayed with a snapshot (not live).
    func marketDataFeed(_ feed: any MarketDataFeedAdapter, didReceiveTrade trade: MarketTradeReport)
    /// The connection state changed. On `.reconnecting` every book is empty (reset) until
    /// its next snapshot: do not quote from it.
    func marketDataFeed(_ feed: any MarketDataFeedAdapter, didChangeState state: FeedConnectionState)
}
