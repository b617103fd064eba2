import CastorConfig
import CastorFeeds
import CastorTrading

extension EngineFeedFactory {
    /// Gemini's `/v2/marketdata` and `/v1/order/events` WebSocket adapters from CastorFeeds,
    /// configured from `[feeds]`.
    ///
    /// `castor run` uses this one. It exists in the shell because `EngineFeedFactory.gemini`
    /// was still a placeholder when the process shell was written; once `.gemini` builds
    /// the real adapters the two are interchangeable.
    public static var geminiWebSockets: EngineFeedFactory {
        EngineFeedFactory(
            makeMarketData: { context in
                let configuration = GeminiMarketDataV2Adapter.Configuration(
                    url: context.endpoints.marketDataURL,
                    connection: connection(context.feeds, staleAfter: context.feeds.staleMarketAfter))
                return GeminiMarketDataV2Adapter(books: context.books, configuration: configuration)
            },
            makeOrderEvents: { context in
                guard let sender = context.sender else {
                    throw EngineFeedUnavailable("the order events feed needs API credentials (none configured)")
                }
                let configuration = GeminiOrderEventsAdapter.Configuration(
                    url: context.endpoints.orderEventsURL,
                    connection: connection(context.feeds, staleAfter: nil))
                return GeminiOrderEventsAdapter(sender: sender, queue: context.queue, configuration: configuration)
            })
    }

    private static func connection(_ feeds: FeedConfiguration, staleAfter: Duration?) -> FeedConnectionStateMachine.Configuration {
        FeedConnectionStateMachine.Configuration(
            backoff: Backoff(baseMs: milliseconds(feeds.reconnectBackoffBase), capMs: milliseconds(feeds.reconnectBackoffCap)),
            heartbeatTimeoutMs: milliseconds(feeds.heartbeatTimeout),
            staleAfterMs: staleAfter.map(milliseconds))
    }

    private static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return max(1, seconds * 1_000 + attoseconds / 1_000_000_000_000_000)
    }
}
