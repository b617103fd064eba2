import FlyingFox
import Foundation

/// `GET /v1/order/events` (API.md §6): authenticates the upgrade request, then hands the
/// connection to an `OrderEventsSession`.
///
/// Authentication happens before the 101, exactly as for private REST calls (same
/// authenticator, so the handshake consumes the key's nonce); any failure — missing header,
/// unknown key, bad signature, stale nonce, wrong `request`, missing Trader/Auditor role,
/// bad filter — is answered with Gemini's JSON error body and its status (400/403) instead
/// of `101 Switching Protocols`. Maintenance answers 503.
struct OrderEventsFeed: HTTPHandler {
    let feeds: WebSocketFeeds

    func handleRequest(_ request: HTTPRequest) async throws -> HTTPResponse {
        var headers: [String: String] = [:]
        for (name, value) in request.headers where headers[name.rawValue.lowercased()] == nil {
            headers[name.rawValue.lowercased()] = value
        }
        let core = feeds.core
        let identity: OrderEventsIdentity
        switch await core.authenticateOrderEvents(headers: headers) {
        case .failure(let reply): return HTTPReplies.error(reply)
        case .success(let who): identity = who
        }
        let symbols = await core.symbolNames()
        let filter: OrderEventsFilter
        do {
            filter = try OrderEventsFilter(query: request.query) { symbols.contains($0.uppercased()) }
        } catch {
            return HTTPReplies.error(error)
        }
        let feeds = self.feeds
        let socket = FeedSocket(feeds: feeds) { outbox in
            OrderEventsSession(feeds: feeds, outbox: outbox, identity: identity, filter: filter)
        }
        return try await WebSocketHTTPHandler(handler: socket).handleRequest(request)
    }
}
