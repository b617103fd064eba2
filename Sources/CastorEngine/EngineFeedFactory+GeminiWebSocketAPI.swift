import CastorConfig
import CastorCore
import CastorFeeds
import CastorTrading

extension EngineFeedFactory {
    /// The adapters `configuration` asks for: the new WebSocket API (`[venue] api =
    /// "websocket"`, the default) or the legacy feeds.
    public static func gemini(for configuration: CastorConfiguration) -> EngineFeedFactory {
        switch configuration.venueAPI.api {
        case .legacy: .gemini
        case .websocket: .geminiWebSocketAPI(configuration.venueAPI)
        }
    }

    /// Gemini's new WebSocket API (WS-API.md): market data on a public socket
    /// (`GeminiWSMarketDataAdapter`), the account's orders and balances on an
    /// authenticated one (`GeminiWSAccountAdapter`), and, with `order_entry =
    /// "websocket"`, orders and cancels on that socket (`GeminiWSExecution`, REST while it
    /// is down). Everything else stays on REST.
    public static func geminiWebSocketAPI(_ api: VenueAPIConfiguration) -> EngineFeedFactory {
        EngineFeedFactory(
            makeExecution: { context in
                let rest = try EngineFeedFactory.geminiExecution(context)
                guard api.orderEntry == .websocket, let rest = rest as? GeminiExecution else { return rest }
                return GeminiWSExecution(rest: rest)
            },
            makeMarketData: { context in
                guard let url = context.endpoints.webSocketAPIURL else {
                    throw EngineFeedUnavailable(#"the venue has no WebSocket API URL: set [venue] ws_api_url, or api = "legacy""#)
                }
                var connection = connectionConfiguration(context.feeds)
                connection.staleAfterMs = nil   // idle books send nothing: liveness comes from pings
                return GeminiWSMarketDataAdapter(books: context.books,
                                                 configuration: .init(url: url, connection: connection),
                                                 clock: context.clock)
            },
            makeOrderEvents: { context in
                guard let url = context.endpoints.webSocketAPIURL else {
                    throw EngineFeedUnavailable(#"the venue has no WebSocket API URL: set [venue] ws_api_url, or api = "legacy""#)
                }
                let webSocketExecution = context.execution as? GeminiWSExecution
                guard let sender = (context.execution as? GeminiExecution)?.sender ?? webSocketExecution?.rest.sender else {
                    throw EngineFeedUnavailable("the account stream needs API credentials; set CASTOR_API_KEY/CASTOR_API_SECRET or use the sim venue")
                }
                let adapter = GeminiWSAccountAdapter(
                    sender: sender, keySlot: context.keySlot, queue: context.queue,
                    configuration: .init(url: url, cancelOnDisconnect: api.cancelOnDisconnect,
                                         connection: connectionConfiguration(context.feeds)),
                    clock: context.clock)
                webSocketExecution?.account = adapter
                return adapter
            })
    }
}
