import CastorConfig
import CastorFeeds
import CastorTrading

extension EngineFeedFactory {
    /// Gemini's `/v2/marketdata` and `/v1/order/events` adapters (also what the simulator
    /// speaks), configured from `[feeds]`.
    ///
    /// Order events are not filtered by symbol or session: an order placed elsewhere on the
    /// account still shows up, so reconciliation sees every fill that moves the balances.
    public static var gemini: EngineFeedFactory {
        EngineFeedFactory(
            makeMarketData: { context in
                var connection = connectionConfiguration(context.feeds)
                connection.staleAfterMs = milliseconds(context.feeds.staleMarketAfter)
                return GeminiMarketDataV2Adapter(
                    books: context.books,
                    configuration: .init(url: context.endpoints.marketDataURL, connection: connection))
            },
            makeOrderEvents: { context in
                guard let sender = context.sender else {
                    throw EngineFeedUnavailable("the order-events feed needs API credentials; set CASTOR_API_KEY/CASTOR_API_SECRET or use the sim venue")
                }
                return GeminiOrderEventsAdapter(
                    sender: sender, queue: context.queue,
                    configuration: .init(url: context.endpoints.orderEventsURL,
                                         connection: connectionConfiguration(context.feeds)))
            })
    }

    private static func connectionConfiguration(_ feeds: FeedConfiguration) -> FeedConnectionStateMachine.Configuration {
        FeedConnectionStateMachine.Configuration(
            backoff: Backoff(baseMs: milliseconds(feeds.reconnectBackoffBase), capMs: milliseconds(feeds.reconnectBackoffCap)),
            heartbeatTimeoutMs: milliseconds(feeds.heartbeatTimeout), stableAfterMs: milliseconds(feeds.stableAfter))
    }

    private static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
