import GeminiClient

/// Where the engine talks to: the REST base and the two WebSocket feed URLs.
///
/// Built from a `GeminiVenue` (production, sandbox) or from the embedded simulator's
/// bound endpoint, so no host is ever hard-coded at a call site (API.md §8.4).
public struct EngineEndpoints: Sendable, Hashable, CustomStringConvertible {
    /// The REST deployment (its `restBaseURL` is what requests are signed against).
    public let venue: GeminiVenue
    /// `…/v1/order/events`.
    public let orderEventsURL: String
    /// `…/v2/marketdata`.
    public let marketDataURL: String
    /// The new WebSocket API's base (`wss://ws.gemini.com`, the simulator's
    /// `ws://127.0.0.1:PORT`); nil when the venue has none configured.
    public let webSocketAPIURL: String?

    /// The endpoints of a known venue.
    public init(venue: GeminiVenue) {
        self.venue = venue
        orderEventsURL = venue.orderEventsURL
        marketDataURL = venue.marketDataV2URL
        webSocketAPIURL = venue.webSocketAPIURL
    }

    /// Explicit endpoints, e.g. the simulator (`http://127.0.0.1:PORT`, `ws://127.0.0.1:PORT`)
    /// or a `[venue] custom` pair.
    /// - Throws: `GeminiVenueError` when the REST base is not a bare `scheme://host[:port]`.
    public init(restBaseURL: String, webSocketBaseURL: String, webSocketAPIURL: String? = nil) throws(GeminiVenueError) {
        self.webSocketAPIURL = webSocketAPIURL
        venue = try GeminiVenue.custom(baseURL: restBaseURL)
        var ws = webSocketBaseURL
        while ws.hasSuffix("/") { ws.removeLast() }
        orderEventsURL = ws + "/v1/order/events"
        marketDataURL = ws + "/v2/marketdata"
    }

    public var description: String {
        "REST \(venue.restBaseURL), order events \(orderEventsURL), market data \(marketDataURL)"
            + (webSocketAPIURL.map { ", WebSocket API \($0)" } ?? "")
    }
}
