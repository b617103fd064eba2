import CastorCore
import CastorHTTP
import Dispatch
import GeminiProtocol

/// Private endpoints (API.md §3.1–3.10): signed, one at a time per key.
///
/// Call them on the sender's queue, one at a time: the caller's queue (the engine's
/// `RequestScheduler`) decides the order, priorities and deadlines; a call made while
/// another is in flight fails with `.unsent(_, .busy)`. On any error from `newOrder` whose
/// `mayHaveExecuted` is true, look the order up with `orderStatus(clientOrderID:)` before
/// placing it again (API.md §8.2).
extension GeminiRESTClient {
    /// `POST /v1/order/new`. Validated first: an invalid request fails with
    /// `.invalidRequest` without consuming a nonce.
    /// - Parameter resendDeadlineMs: the order's deadline on the sender's clock: an
    ///   InvalidNonce resend after it is not made (the rejection is returned).
    public func newOrder(
        _ order: NewOrderPayload, resendDeadlineMs: Int64? = nil,
        on queue: DispatchQueue, completion: @escaping @Sendable (Result<OrderStatus, GeminiClientError>) -> Void
    ) {
        let fields: [(String, PayloadValue)]
        do { fields = try order.payloadFields() } catch {
            queue.async { completion(.failure(error)) }
            return
        }
        signed("/v1/order/new", fields, resendDeadlineMs: resendDeadlineMs, on: queue, completion: completion)
    }

    /// `POST /v1/order/cancel` by exchange order id (there is no cancel by client id).
    /// Cancelling a cancelled order succeeds; check `isCancelled` in the answer, since a
    /// filled order comes back as its (uncancelled) status.
    public func cancelOrder(
        orderID: Int64,
        on queue: DispatchQueue, completion: @escaping @Sendable (Result<OrderStatus, GeminiClientError>) -> Void
    ) {
        signed("/v1/order/cancel", [("order_id", .integer(orderID))], on: queue, completion: completion)
    }

    /// `POST /v1/order/cancel/session`: cancels every order this API key opened.
    public func cancelSession(
        on queue: DispatchQueue, completion: @escaping @Sendable (Result<CancelAllResponse, GeminiClientError>) -> Void
    ) {
        signed("/v1/order/cancel/session", [], on: queue, completion: completion)
    }

    /// `POST /v1/order/cancel/all`: cancels every order of the account, including other
    /// sessions' and the website's. Prefer `cancelSession`.
    public func cancelAll(
        on queue: DispatchQueue, completion: @escaping @Sendable (Result<CancelAllResponse, GeminiClientError>) -> Void
    ) {
        signed("/v1/order/cancel/all", [], on: queue, completion: completion)
    }

    /// `POST /v1/order/status` by exchange order id.
    public func orderStatus(
        orderID: Int64, includeTrades: Bool = false,
        on queue: DispatchQueue, completion: @escaping @Sendable (Result<OrderStatus, GeminiClientError>) -> Void
    ) {
        signed("/v1/order/status", [("order_id", .integer(orderID)), ("include_trades", .bool(includeTrades))],
               on: queue, completion: completion)
    }

    /// `POST /v1/order/status` by client order id: the reconciliation call after an order
    /// placement whose outcome is unknown. Gemini answers with every order of the account
    /// that carries the id (an array; one object is accepted too, as a one-element list):
    /// match the intent's immutable fields before adopting one. 404 `OrderNotFound` (or an
    /// empty list) means it was never placed.
    public func orderStatus(
        clientOrderID: String, includeTrades: Bool = false,
        on queue: DispatchQueue, completion: @escaping @Sendable (Result<[OrderStatus], GeminiClientError>) -> Void
    ) {
        if let problem = NewOrderPayload.clientOrderIDProblem(clientOrderID) {
            queue.async { completion(.failure(.invalidRequest(problem))) }
            return
        }
        signed("/v1/order/status",
               [("client_order_id", .string(clientOrderID)), ("include_trades", .bool(includeTrades))],
               on: queue) { (result: Result<OrderStatusMatches, GeminiClientError>) in
            completion(result.map(\.orders))
        }
    }

    /// `POST /v1/orders`: the key's account's live orders (`null` decodes as none).
    public func activeOrders(
        on queue: DispatchQueue, completion: @escaping @Sendable (Result<[OrderStatus], GeminiClientError>) -> Void
    ) {
        signed("/v1/orders", [], on: queue) { (result: Result<OrderList, GeminiClientError>) in
            completion(result.map(\.orders))
        }
    }

    /// `POST /v1/mytrades`: own fills for `symbol`, newest first. Paginate by re-asking
    /// with the newest `timestampMilliseconds` + 1.
    /// - Parameters:
    ///   - timestampMilliseconds: only trades at or after this time.
    ///   - limit: `limit_trades` (Gemini: default 50, at most 500).
    public func myTrades(
        symbol: Symbol, since timestampMilliseconds: Int64? = nil, limit: Int? = nil,
        on queue: DispatchQueue, completion: @escaping @Sendable (Result<[MyTrade], GeminiClientError>) -> Void
    ) {
        let symbolText: String
        do { symbolText = try Self.pathSymbol(symbol) } catch {
            queue.async { completion(.failure(error)) }
            return
        }
        var fields: [(String, PayloadValue)] = [("symbol", .string(symbolText))]
        if let limit { fields.append(("limit_trades", .integer(Int64(limit)))) }
        if let timestampMilliseconds { fields.append(("timestamp", .integer(timestampMilliseconds))) }
        signed("/v1/mytrades", fields, on: queue, completion: completion)
    }

    /// `POST /v1/balances`.
    public func balances(
        on queue: DispatchQueue, completion: @escaping @Sendable (Result<[Balance], GeminiClientError>) -> Void
    ) {
        signed("/v1/balances", [], on: queue, completion: completion)
    }

    /// `POST /v1/heartbeat`: keeps a "Require Heartbeat" session's orders alive; send at
    /// least every 15 s when otherwise idle.
    public func heartbeat(
        on queue: DispatchQueue, completion: @escaping @Sendable (Result<ResultOK, GeminiClientError>) -> Void
    ) {
        signed("/v1/heartbeat", [], on: queue, completion: completion)
    }

    /// `POST /v1/roles`: a startup self-check that the key has exactly the intended roles.
    public func roles(
        on queue: DispatchQueue, completion: @escaping @Sendable (Result<Roles, GeminiClientError>) -> Void
    ) {
        signed("/v1/roles", [], on: queue, completion: completion)
    }

    /// `POST /v1/notionalvolume`: fee tier (bps) and 30-day volume.
    public func notionalVolume(
        on queue: DispatchQueue, completion: @escaping @Sendable (Result<NotionalVolume, GeminiClientError>) -> Void
    ) {
        signed("/v1/notionalvolume", [], on: queue, completion: completion)
    }

    private func signed<T: Decodable & Sendable>(
        _ path: String, _ fields: [(String, PayloadValue)], resendDeadlineMs: Int64? = nil,
        on queue: DispatchQueue, completion: @escaping @Sendable (Result<T, GeminiClientError>) -> Void
    ) {
        guard let sender = privateSender else {
            queue.async { completion(.failure(.invalidRequest("\(path) needs an API key; this client is public-only"))) }
            return
        }
        var fields = fields
        if let account { fields.append(("account", .string(account))) }
        sender.send(path: path, fields: fields, resendDeadlineMs: resendDeadlineMs, on: queue) { result in
            completion(Self.decode(T.self, endpoint: path, from: result))
        }
    }
}
