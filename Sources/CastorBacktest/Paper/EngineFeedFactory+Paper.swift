import CastorConfig
import CastorCore
import CastorEngine
import CastorFeeds
import Dispatch

extension EngineFeedFactory {
    /// Paper trading (`[venue] name = "paper"`): live public market data from Gemini (the
    /// new WebSocket API unless `api = "legacy"`; `market_data_url` overrides the source),
    /// orders matched locally by the backtest's fill model (`BacktestVenue`: latency, queue
    /// position, taking at the book's levels, Gemini's fees), its events on
    /// `BacktestOrderEvents`. No keys, no money.
    ///
    /// - Parameter venue: the paper exchange, kept by the caller across engines (a reload
    ///   that replaces the engine keeps its orders, as the embedded simulator keeps its
    ///   ledger); on the engine queue and clock.
    public static func paper(_ configuration: CastorConfiguration, venue paperVenue: BacktestVenue) -> EngineFeedFactory {
        let api = configuration.venueAPI
        @Sendable func venue(_ queue: DispatchQueue, _ clock: EngineClock) -> BacktestVenue { paperVenue }
        return EngineFeedFactory(
            makeExecution: { context in venue(context.queue, context.clock) },
            makeMarketData: { context in
                var connection = connectionConfiguration(context.feeds)
                let inner: any MarketDataFeedAdapter
                switch api.api {
                case .websocket:
                    connection.staleAfterMs = nil
                    inner = GeminiWSMarketDataAdapter(
                        books: context.books, configuration: .init(url: api.marketDataURL ?? "wss://ws.gemini.com", connection: connection),
                        clock: context.clock)
                case .legacy:
                    connection.staleAfterMs = context.feeds.staleMarketAfter.milliseconds
                    inner = GeminiMarketDataV2Adapter(
                        books: context.books,
                        configuration: .init(url: api.marketDataURL ?? "wss://api.gemini.com/v2/marketdata", connection: connection),
                        clock: context.clock)
                }
                return PaperMarketData(inner: inner, books: context.books, venue: venue(context.queue, context.clock))
            },
            makeOrderEvents: { context in BacktestOrderEvents(context: context, venue: venue(context.queue, context.clock)) })
    }
}
