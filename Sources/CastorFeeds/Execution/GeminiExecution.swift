import CastorCore
import CastorHTTP
import CastorTrading
import Dispatch
import GeminiClient
import GeminiProtocol

/// Gemini's REST API as the engine's execution client: `/v1/order/new`, `/cancel`,
/// `/cancel/session`, `/status`, `/v1/orders`, `/v1/mytrades`, `/v1/balances`,
/// `/v1/heartbeat`, `/v1/roles` and the public symbol details, answered in domain types.
///
/// Private calls are signed through the key's only `PrivateRequestSender`; the order-events
/// feed signs its handshake through the same sender (`sender`), so nonces never go back.
/// The caller sends one call at a time, on the sender's queue: the engine's
/// `RequestScheduler` is the key's one ordered queue (the handshake borrows its slot).
public final class GeminiExecution: VenueExecution {
    public let client: GeminiRESTClient
    /// The key's sender: the order-events adapter's handshake goes through it.
    public let sender: PrivateRequestSender

    /// Private calls go through `sender` (which fixes the HTTP client and venue for them).
    /// - Parameter account: for master keys, the sub-account to act on.
    public init(venue: GeminiVenue, http: HTTPClient, sender: PrivateRequestSender, account: String?) {
        self.sender = sender
        client = GeminiRESTClient(venue: venue, http: http, sender: sender, account: account)
    }

    /// The whole REST stack of one key: an HTTP client driven on `queue`, the persisted
    /// nonce source in `nonceFile`, the signer and the sender (reading resend deadlines on
    /// `clock`).
    public static func make(venue: GeminiVenue, credentials: APICredentials, nonceFormat: NonceFormat, nonceFile: String,
                            account: String?, requestTimeout: Duration, queue: DispatchQueue,
                            clock: EngineClock) throws -> GeminiExecution {
        var options = HTTPClient.Options()
        options.requestTimeout = requestTimeout
        let http = try HTTPClient(options: options, queue: queue)
        let nonces = try NonceSource(format: nonceFormat, persistenceFile: nonceFile)
        let signer = GeminiSigner(credentials: credentials, nonceFormat: nonceFormat)
        let sender = PrivateRequestSender(http: http, venue: venue, signer: signer, nonces: nonces, clock: clock)
        return GeminiExecution(venue: venue, http: http, sender: sender, account: account)
    }

    public func permissions(on queue: DispatchQueue,
                            completion: @escaping @Sendable (Result<VenuePermissions, VenueFailure>) -> Void) {
        client.roles(on: queue) { result in
            completion(result.mapError(\.venueFailure).map { roles in
                VenuePermissions(canTrade: roles.isTrader, canWithdraw: roles.isFundManager,
                                 isReadOnly: roles.isAuditor && !roles.isTrader && !roles.isFundManager,
                                 detail: "trader \(roles.isTrader), auditor \(roles.isAuditor), fund manager \(roles.isFundManager)")
            })
        }
    }

    public func symbolRules(_ symbol: Symbol, on queue: DispatchQueue,
                            completion: @escaping @Sendable (Result<VenueSymbolRules, VenueFailure>) -> Void) {
        client.symbolDetails(symbol, on: queue) { result in
            completion(result.mapError(\.venueFailure).map { d in
                VenueSymbolRules(symbol: symbol, base: d.baseCurrency.uppercased(), quote: d.quoteCurrency.uppercased(),
                                 priceStep: d.quoteIncrement, quantityStep: d.tickSize, minOrderSize: d.minOrderSize,
                                 isOpen: d.isOpen, status: d.status)
            })
        }
    }

    public func balances(on queue: DispatchQueue, completion: @escaping @Sendable (Result<[VenueBalance], VenueFailure>) -> Void) {
        client.balances(on: queue) { result in
            completion(result.mapError(\.venueFailure).map { list in
                list.map { VenueBalance(currency: $0.currency.uppercased(), available: $0.available, total: $0.amount) }
            })
        }
    }

    public func place(_ order: NewOrderRequest, on queue: DispatchQueue,
                      completion: @escaping @Sendable (Result<OrderSnapshot, VenueFailure>) -> Void) {
        let wire = NewOrderPayload(clientOrderID: order.clientOrderID.rawValue, symbol: order.symbol, side: order.side,
                                   amount: order.amount, price: order.price, option: order.option)
        client.newOrder(wire, resendDeadlineMs: order.deadlineMs, on: queue) { completion(Self.mapped($0, "/v1/order/new", OrderSnapshot.init(gemini:))) }
    }

    public func cancel(orderID: VenueOrderID, on queue: DispatchQueue,
                       completion: @escaping @Sendable (Result<OrderSnapshot, VenueFailure>) -> Void) {
        client.cancelOrder(orderID: orderID.rawValue, on: queue) {
            completion(Self.mapped($0, "/v1/order/cancel", OrderSnapshot.init(gemini:)))
        }
    }

    public func cancelSession(on queue: DispatchQueue,
                              completion: @escaping @Sendable (Result<SessionCancelReport, VenueFailure>) -> Void) {
        client.cancelSession(on: queue) { result in
            completion(result.mapError(\.venueFailure).map { r in
                SessionCancelReport(cancelled: r.cancelledOrders.compactMap(VenueOrderID.init),
                                    rejected: r.cancelRejects.compactMap(VenueOrderID.init))
            })
        }
    }

    public func lookup(clientOrderID: ClientOrderID, on queue: DispatchQueue,
                       completion: @escaping @Sendable (Result<[OrderSnapshot], VenueFailure>) -> Void) {
        client.orderStatus(clientOrderID: clientOrderID.rawValue, includeTrades: true, on: queue) {
            completion(Self.mappedAll($0, "/v1/order/status", OrderSnapshot.init(gemini:)))
        }
    }

    public func lookup(orderID: VenueOrderID, on queue: DispatchQueue,
                       completion: @escaping @Sendable (Result<OrderSnapshot, VenueFailure>) -> Void) {
        client.orderStatus(orderID: orderID.rawValue, includeTrades: true, on: queue) {
            completion(Self.mapped($0, "/v1/order/status", OrderSnapshot.init(gemini:)))
        }
    }

    public func openOrders(on queue: DispatchQueue, completion: @escaping @Sendable (Result<[OrderSnapshot], VenueFailure>) -> Void) {
        client.activeOrders(on: queue) { completion(Self.mappedAll($0, "/v1/orders", OrderSnapshot.init(gemini:))) }
    }

    public func trades(_ symbol: Symbol, sinceMs: Int64, limit: Int, on queue: DispatchQueue,
                       completion: @escaping @Sendable (Result<[TradeReport], VenueFailure>) -> Void) {
        client.myTrades(symbol: symbol, since: sinceMs, limit: limit, on: queue) {
            completion(Self.mappedAll($0, "/v1/mytrades", TradeReport.init(gemini:)))
        }
    }

    public func heartbeat(on queue: DispatchQueue, completion: @escaping @Sendable (Result<Void, VenueFailure>) -> Void) {
        client.heartbeat(on: queue) { completion($0.map { _ in () }.mapError(\.venueFailure)) }
    }

    public func retire(on queue: DispatchQueue, completion: @escaping @Sendable () -> Void) {
        sender.retire(on: queue, completion: completion)
    }

    /// An answer in domain types. One whose order id is not a decimal 64-bit integer was
    /// answered but cannot be read: like any undecodable answer it may have executed.
    static func mapped<T, U>(_ result: Result<T, GeminiClientError>, _ endpoint: String,
                                     _ map: (T) -> U?) -> Result<U, VenueFailure> {
        switch result {
        case .failure(let e): return .failure(e.venueFailure)
        case .success(let value):
            guard let mapped = map(value) else { return .failure(unreadableOrderID(endpoint)) }
            return .success(mapped)
        }
    }

    /// `mapped` for a list: one unreadable element makes the whole answer unreadable
    /// (dropping it could hide an order or a fill).
    static func mappedAll<T, U>(_ result: Result<[T], GeminiClientError>, _ endpoint: String,
                                        _ map: (T) -> U?) -> Result<[U], VenueFailure> {
        mapped(result, endpoint) { list in
            var out: [U] = []
            out.reserveCapacity(list.count)
            for element in list {
                guard let m = map(element) else { return nil }
                out.append(m)
            }
            return out
        }
    }

    private static func unreadableOrderID(_ endpoint: String) -> VenueFailure {
        .network("undecodable answer from \(endpoint): an order_id is not a decimal 64-bit integer")
    }
}
