import FlyingFox
import Foundation

/// Turns HTTP requests into venue calls, applying what Gemini applies before any endpoint
/// runs: maintenance, rate limits (with Gemini's queue of 5), 429 storms and 5xx faults.
///
/// Waiting (queued requests, response delays) happens here, outside `SimulatorCore`, on the
/// injected clock. The HTTP body is ignored for private calls: the signed header payload is
/// what counts, and ccxt sends the same JSON as body too.
struct SimulatorRouter: HTTPHandler {
    let core: SimulatorCore
    let log: SimLogSink
    let adminToken: SimAdminToken

    func handleRequest(_ request: HTTPRequest) async throws -> HTTPResponse {
        let path = request.path
        let response: HTTPResponse
        if path.hasPrefix("/sim/") || path == "/sim" {
            if let refusal = adminRefusal(request) {
                log(SimLogRecord(level: .warning, event: "sim.admin_refused", fields: [("path", path), ("reason", refusal.reason)]))
                response = HTTPReplies.error(refusal)
            } else {
                response = await SimulatorAdmin(core: core).handle(request)
            }
        } else {
            response = await handleVenue(request, path: path)
        }
        log(SimLogRecord(level: .debug, event: "http.request",
                         fields: [("method", request.method.rawValue), ("path", path), ("status", "\(response.statusCode.code)")]))
        return response
    }

    /// Why an admin request is refused (403), or nil to let it through.
    ///
    /// Any `Origin` header is refused first: browsers send it on cross-origin requests, and
    /// no legitimate caller of the admin endpoints (tests, scripts, curl) is a web page.
    /// Then the token must match (`SimAdminToken.matches`, constant time).
    private func adminRefusal(_ request: HTTPRequest) -> GeminiErrorReply? {
        // Header names are case-insensitive; look them up by lower-cased name, as for POSTs.
        var origin: String?, presented: String?
        for (name, value) in request.headers {
            switch name.rawValue.lowercased() {
            case "origin": origin = origin ?? value
            case SimAdminToken.headerName.lowercased(): presented = presented ?? value
            default: break
            }
        }
        if origin != nil {
            return .forbidden("OriginRefused", "the /sim/ admin endpoints refuse requests with an Origin header (browser pages may not drive the simulator)")
        }
        guard let presented else {
            return .forbidden("MissingAdminToken", "the /sim/ admin endpoints need header \(SimAdminToken.headerName): the token is in the simulator's start log line")
        }
        guard adminToken.matches(presented) else {
            return .forbidden("InvalidAdminToken", "\(SimAdminToken.headerName) does not match this simulator's admin token")
        }
        return nil
    }

    private func handleVenue(_ request: HTTPRequest, path: String) async -> HTTPResponse {
        if await core.inMaintenance { return await delayed(HTTPReplies.error(.maintenance())) }
        let client = request.remoteIPAddress ?? "unknown"
        switch request.method {
        case .GET, .HEAD:
            guard await admitted(isPrivate: false, bucket: "ip:\(client)") else { return HTTPReplies.error(.rateLimit()) }
            if path == "/" {
                return HTTPReplies.text(await core.websitePage(), status: 200)
            }
            var query: [String: String] = [:]
            for item in request.query where query[item.name] == nil { query[item.name] = item.value }
            let result = await core.handlePublic(path: path, query: query)
            switch result {
            case .success(let body): return await delayed(HTTPReplies.json(body))
            case .failure(let reply): return await delayed(HTTPReplies.error(reply))
            }
        case .POST:
            var headers: [String: String] = [:]
            for (name, value) in request.headers where headers[name.rawValue.lowercased()] == nil {
                headers[name.rawValue.lowercased()] = value
            }
            let bucket = headers["x-gemini-apikey"].map { "key:\($0)" } ?? "ip:\(client)"
            if await core.refusedByStorm(bucket: bucket) { return HTTPReplies.error(.rateLimit()) }
            guard await admitted(isPrivate: true, bucket: bucket) else { return HTTPReplies.error(.rateLimit()) }
            if let status = await core.drawPrivateError(path: path) { return await delayed(HTTPReplies.error(.system(status: status))) }
            let outcome = await core.handlePrivate(path: path, headers: headers)
            if let dropped = outcome.dropped {
                log(SimLogRecord(level: .warning, event: "fault.response_dropped", fields: [("path", path), ("as", dropped.rawValue)]))
                return await delayed(Self.droppedResponse(dropped))
            }
            return await delayed(HTTPReplies.json(outcome.body, status: outcome.status))
        default:
            return HTTPReplies.error(.endpointNotFound(path))
        }
    }

    /// Applies the rate limit, waiting on the injected clock when the request is queued.
    private func admitted(isPrivate: Bool, bucket: String) async -> Bool {
        switch await core.admit(isPrivate: isPrivate, bucket: bucket) {
        case .proceed: return true
        case .reject: return false
        case .delayUntil(let deadline):
            do { try await core.clock.sleep(untilMilliseconds: deadline) } catch { return false }
            return true
        }
    }

    /// Holds the response for the configured fault delay (the work is already done).
    private func delayed(_ response: HTTPResponse) async -> HTTPResponse {
        let delay = await core.responseDelayMs
        if delay > 0 {
            try? await core.clock.sleep(untilMilliseconds: core.clock.nowMilliseconds() + Int64(delay))
        }
        return response
    }

    static func droppedResponse(_ kind: FaultConfig.DroppedResponse) -> HTTPResponse {
        switch kind {
        case .badGateway: HTTPReplies.error(.system(status: 502))
        case .gatewayTimeout: HTTPReplies.text("<html><body><h1>504 Gateway Time-out</h1></body></html>", status: 504)
        case .closeConnection: HTTPReplies.abortedConnection()
        }
    }
}
