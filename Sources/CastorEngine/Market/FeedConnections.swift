import CastorFeeds

/// The engine's two feed adapters and what it knows of their liveness.
///
/// Part of the engine's state, so confined to the engine queue.
struct FeedConnections {
    /// How the adapters are made (Gemini's WebSockets, or a test's).
    let factory: EngineFeedFactory
    var marketData: (any MarketDataFeedAdapter)?
    var orderEvents: (any OrderEventsFeedAdapter)?
    var status = FeedStatus()

    /// Closes both feeds.
    func stop() {
        marketData?.stop()
        orderEvents?.stop()
    }
}

/// Feed liveness bookkeeping.
struct FeedStatus {
    var marketData: FeedConnectionState = .idle
    var orderEvents: FeedConnectionState = .idle
    var marketDataLiveCount = 0
    var orderEventsLiveCount = 0
    var lastMarketDataMs: Int64?
    var lastOrderEventsMs: Int64?
    /// Why each feed last dropped (`FeedDisconnectCause.code`), for `castor status`.
    var lastMarketDataCause: String?
    var lastOrderEventsCause: String?

    var isMarketDataLive: Bool {
        if case .live = marketData { return true }
        return false
    }
}
