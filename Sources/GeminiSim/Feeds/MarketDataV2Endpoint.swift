import FlyingFox

/// `GET /v2/marketdata` (API.md §7.1): public, no authentication; every connection gets a
/// `MarketDataV2Session`. Maintenance answers 503 instead of the upgrade.
struct MarketDataV2Endpoint: HTTPHandler {
    let feeds: WebSocketFeeds

    func handleRequest(_ request: HTTPRequest) async throws -> HTTPResponse {
        if await feeds.core.inMaintenance { return HTTPReplies.error(.maintenance()) }
        let feeds = self.feeds
        let socket = FeedSocket(feeds: feeds) { outbox in MarketDataV2Session(feeds: feeds, outbox: outbox) }
        return try await WebSocketHTTPHandler(handler: socket).handleRequest(request)
    }
}
