import FlyingFox

/// `GET /v1/marketdata/:symbol` (API.md §7.2): one symbol per connection, public.
///
/// Query flags `bids`, `offers`, `trades` (default true; a kind is left out only when its
/// flag is explicitly `false`) and `heartbeat` (default false). `top_of_book=true` is not
/// simulated and is refused with 400 `InvalidTopOfBook`, as is an unknown symbol (400
/// `InvalidSymbol`), so a client never silently gets a different feed than it asked for.
struct MarketDataV1Feed: HTTPHandler {
    /// What one connection asked for.
    struct Options: Sendable {
        var symbol: String
        var bids = true
        var offers = true
        var trades = true
        var heartbeat = false
    }

    let feeds: WebSocketFeeds

    func handleRequest(_ request: HTTPRequest) async throws -> HTTPResponse {
        let core = feeds.core
        if await core.inMaintenance { return HTTPReplies.error(.maintenance()) }
        let raw = request.path.split(separator: "/").last.map(String.init) ?? ""
        guard let symbol = await core.canonicalSymbol(raw) else { return HTTPReplies.error(.invalidSymbol(raw)) }
        var options = Options(symbol: symbol)
        do throws(GeminiErrorReply) {
            func flag(_ name: String, _ value: inout Bool) throws(GeminiErrorReply) {
                guard let text = request.query.last(where: { $0.name == name })?.value else { return }
                switch text.lowercased() {
                case "true": value = true
                case "false": value = false
                default: throw .badRequest("InvalidParameter", "\(name) must be true or false, got '\(text)'")
                }
            }
            try flag("bids", &options.bids)
            try flag("offers", &options.offers)
            try flag("trades", &options.trades)
            try flag("heartbeat", &options.heartbeat)
            var top = false
            try flag("top_of_book", &top)
            if top { throw GeminiErrorReply.badRequest("InvalidTopOfBook", "top_of_book=true is not supported by the simulator") }
        } catch {
            return HTTPReplies.error(error)
        }
        let feeds = self.feeds, chosen = options
        let socket = FeedSocket(feeds: feeds) { outbox in MarketDataV1Session(feeds: feeds, outbox: outbox, options: chosen) }
        return try await WebSocketHTTPHandler(handler: socket).handleRequest(request)
    }
}
