import FlyingFox
import Foundation

/// The new WebSocket API's HTTP side, the only route of its own server: `GET /` with the
/// optional query `snapshot` and `cancelOnDisconnect`, upgraded to a `WSAPISession`
/// (WS-API.md §1). Every other path is 404.
///
/// Before the 101, in this order: maintenance → 503; the CONNECTION_ATTEMPTS limit (per
/// API key when `X-GEMINI-APIKEY` is sent, whatever the attempt's outcome; per client IP
/// otherwise) → 429; a malformed query → 400; the upgrade headers' authentication → 401
/// (none of them: a public connection). Each refusal carries a small JSON body naming its
/// reason: `{"result":"error","reason":"InvalidNonce","message":"…"}`.
struct WSAPIEndpoint: HTTPHandler {
    let hub: WSAPIHub

    func handleRequest(_ request: HTTPRequest) async throws -> HTTPResponse {
        guard request.path == "/" || request.path.isEmpty else {
            return HTTPReplies.json(GeminiErrorReply.endpointNotFound(request.path).body, status: 404)
        }
        let core = hub.core
        if await core.inMaintenance { return Self.refuse(.maintenance) }
        var headers: [String: String] = [:]
        for (name, value) in request.headers where headers[name.rawValue.lowercased()] == nil {
            headers[name.rawValue.lowercased()] = value
        }
        let bucket = headers["x-gemini-apikey"].map { "key:\($0)" } ?? "ip:\(request.remoteIPAddress ?? "unknown")"
        guard hub.admitConnectionAttempt(bucket: bucket) else {
            hub.log(SimLogRecord(level: .warning, event: "ws_api.connection_attempts_exceeded", fields: [("bucket", bucket)]))
            return Self.refuse(.tooManyAttempts)
        }
        let query: WSAPIConnectionQuery
        do { query = try WSAPIConnectionQuery(request.query) } catch { return Self.refuse(error) }
        let identity: WSAPIIdentity?
        switch await core.authenticateWSAPI(headers: headers) {
        case .failure(let refusal): return Self.refuse(refusal)
        case .success(let who): identity = who
        }
        let hub = self.hub
        let socket = FeedSocket(feeds: hub.feeds) { outbox in
            WSAPISession(hub: hub, outbox: outbox, identity: identity, query: query, attemptBucket: bucket)
        }
        return try await WebSocketHTTPHandler(handler: socket).handleRequest(request)
    }

    static func refuse(_ refusal: WSAPIUpgradeRefusal) -> HTTPResponse {
        HTTPReplies.json(refusal.body, status: refusal.status)
    }
}
