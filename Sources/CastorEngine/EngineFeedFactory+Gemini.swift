import CastorConfig
import CastorCore
import CastorFeeds
import CastorTrading
import GeminiProtocol

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
                connection.staleAfterMs = context.feeds.staleMarketAfter.milliseconds
                return GeminiMarketDataV2Adapter(
                    books: context.books,
                    configuration: .init(url: context.endpoints.marketDataURL, connection: connection),
                    clock: context.clock)
            },
            makeOrderEvents: { context in
                guard let sender = (context.execution as? GeminiExecution)?.sender else {
                    throw EngineFeedUnavailable("the order-events feed needs API credentials; set CASTOR_API_KEY/CASTOR_API_SECRET or use the sim venue")
                }
                return GeminiOrderEventsAdapter(
                    sender: sender, keySlot: context.keySlot, queue: context.queue,
                    configuration: .init(url: context.endpoints.orderEventsURL,
                                         connection: connectionConfiguration(context.feeds)),
                    clock: context.clock)
            })
    }

    /// Gemini's REST API for one key (`GeminiExecution`), with a 10 s HTTP deadline.
    public static let geminiExecution: @Sendable (EngineExecutionContext) throws -> any VenueExecution = { context in
        // libcurl runs on the engine queue: a strategy's order is signed and written to
        // the socket inside the market-data work item that triggered it (no hand-off).
        try GeminiExecution.make(venue: context.endpoints.venue, credentials: context.credentials,
                                 nonceFormat: context.nonceFormat, nonceFile: context.nonceFile,
                                 account: context.account, requestTimeout: .seconds(10), queue: context.queue,
                                 clock: context.clock)
    }

    public static func connectionConfiguration(_ feeds: FeedConfiguration) -> FeedConnectionStateMachine.Configuration {
        FeedConnectionStateMachine.Configuration(
            backoff: Backoff(baseMs: feeds.reconnectBackoffBase.milliseconds, capMs: feeds.reconnectBackoffCap.milliseconds),
            heartbeatTimeoutMs: feeds.heartbeatTimeout.milliseconds, stableAfterMs: feeds.stableAfter.milliseconds)
    }
}
