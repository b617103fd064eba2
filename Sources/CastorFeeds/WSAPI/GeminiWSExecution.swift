import CastorCore
import CastorTrading
import Dispatch
import GeminiProtocol

/// Order entry over the new WebSocket API's account socket beside the REST queue
/// (`[venue] order_entry = "websocket"`), behind the same `VenueExecution`: the engine's
/// request lane (priorities, rate buckets, deadlines, one call in flight per key) decides
/// when a call leaves; this decides only the last hop.
///
/// `place` and `cancel` go over the socket while it is connected and subscribed, else over
/// REST with the same rules. A request the socket certainly did not take (not connected,
/// nothing written) goes over REST at once; every other failure is answered as the REST
/// path would be, so the order manager's exactly-once rules apply unchanged: a refusal
/// is `.exchange`, an ambiguous outcome (no settling event in time, the socket dropping
/// after the send) is `.timeout` / `.network`, which makes the engine look the order up by
/// client order id before anything is sent again. Rate-limit and server-error replies are
/// reported as `.exchange` too (looked up before a retry), although the API says they did
/// not execute: the cheaper lookup is the one that cannot double an order.
///
/// Everything else (permissions, rules, balances, lookups, open orders, trades, heartbeat)
/// is the REST client's. A session cancel goes both ways: `order.cancel_session` on the
/// socket and REST's `/v1/order/cancel/session`, whose report is the answer.
///
/// Threading: call on the engine queue (the socket's and REST's queue).
public final class GeminiWSExecution: VenueExecution, @unchecked Sendable {
    public let rest: GeminiExecution
    /// Set once the account adapter is built (the feed factory makes it after this).
    public var account: GeminiWSAccountAdapter?
    /// How long a request on the socket may wait for its settling reply and event.
    public let replyTimeoutMs: Int64
    /// Requests that went over the socket / fell back to REST, for status and tests.
    public private(set) var sentOverSocket = 0
    public private(set) var sentOverREST = 0

    public init(rest: GeminiExecution, replyTimeoutMs: Int64 = 5_000) {
        self.rest = rest
        self.replyTimeoutMs = replyTimeoutMs
    }

    private var socket: GeminiWSAccountAdapter? {
        guard let account, account.isReadyForOrders else { return nil }
        return account
    }

    public func place(_ order: NewOrderRequest, on queue: DispatchQueue,
                      completion: @escaping @Sendable (Result<OrderSnapshot, VenueFailure>) -> Void) {
        guard let socket, let parameters = Self.parameters(order) else {
            sentOverREST += 1
            return rest.place(order, on: queue, completion: completion)
        }
        sentOverSocket += 1
        socket.place(parameters, timeoutMs: replyTimeoutMs) { [weak self] outcome in
            switch outcome {
            case .notSent:
                self?.sentOverREST += 1
                self?.rest.place(order, on: queue, completion: completion) ?? completion(.failure(.notSent("stopped")))
            default:
                completion(Self.result(outcome, endpoint: "order.place"))
            }
        }
    }

    public func cancel(orderID: VenueOrderID, on queue: DispatchQueue,
                       completion: @escaping @Sendable (Result<OrderSnapshot, VenueFailure>) -> Void) {
        guard let socket else {
            sentOverREST += 1
            return rest.cancel(orderID: orderID, on: queue, completion: completion)
        }
        sentOverSocket += 1
        socket.cancel(orderID: orderID.rawValue, timeoutMs: replyTimeoutMs) { [weak self] outcome in
            switch outcome {
            case .notSent:
                self?.sentOverREST += 1
                self?.rest.cancel(orderID: orderID, on: queue, completion: completion) ?? completion(.failure(.notSent("stopped")))
            case .refused(let reply) where reply.isOrderNotFound:
                // "not found or already filled": REST's status says which.
                self?.rest.lookup(orderID: orderID, on: queue, completion: completion) ?? completion(.failure(.notSent("stopped")))
            default:
                completion(Self.result(outcome, endpoint: "order.cancel"))
            }
        }
    }

    public func cancelSession(on queue: DispatchQueue,
                              completion: @escaping @Sendable (Result<SessionCancelReport, VenueFailure>) -> Void) {
        account?.cancelSession()
        rest.cancelSession(on: queue, completion: completion)
    }

    /// The socket's parameters for `order`; nil for what only REST expresses.
    static func parameters(_ order: NewOrderRequest) -> WSAPIOrderParameters? {
        let tif: WSAPIOrderParameters.TimeInForce = switch order.option {
        case nil: .goodTillCancel
        case .makerOrCancel: .makerOrCancel
        case .immediateOrCancel: .immediateOrCancel
        case .fillOrKill: .fillOrKill
        }
        return WSAPIOrderParameters(symbol: order.symbol.rawValue, side: order.side, price: order.price,
                                    quantity: order.amount, timeInForce: tif, clientOrderID: order.clientOrderID.rawValue)
    }

    static func result(_ outcome: WSAPIOrderEntryOutcome, endpoint: String) -> Result<OrderSnapshot, VenueFailure> {
        switch outcome {
        case .done(let snapshot): return .success(snapshot)
        case .notSent(let why): return .failure(.notSent(why))
        case .ambiguous(.noAnswer): return .failure(.timeout)
        case .ambiguous(let why): return .failure(.network(why.description))
        case .refused(let reply):
            let classification: FailureClass = switch reply.outcome {
            case .success, .rejected: reply.isOrderNotFound ? .orderNotFound : .reject
            case .unauthenticated: .fatalConfiguration
            case .rateLimited: .backOff
            case .serverError: .retryIdempotentOnly
            }
            let reason = VenueReason(reply.errorMessage.flatMap(Self.reasonCode) ?? "ws_\(reply.errorCode.map(String.init) ?? "\(reply.status)")")
            return .failure(.exchange(VenueRefusal(reason: reason, classification: classification,
                                                   message: "\(endpoint): \(reply)"), httpStatus: reply.status))
        }
    }

    /// A reason code from a message like `"InsufficientFunds"` or `"Order rejected - insufficient funds"`:
    /// the message itself when it is one word.
    static func reasonCode(_ message: String) -> String? {
        message.allSatisfy({ $0.isLetter || $0.isNumber }) && !message.isEmpty ? message : nil
    }

    // MARK: REST

    public func permissions(on queue: DispatchQueue, completion: @escaping @Sendable (Result<VenuePermissions, VenueFailure>) -> Void) {
        rest.permissions(on: queue, completion: completion)
    }

    public func symbolRules(_ symbol: Symbol, on queue: DispatchQueue,
                            completion: @escaping @Sendable (Result<VenueSymbolRules, VenueFailure>) -> Void) {
        rest.symbolRules(symbol, on: queue, completion: completion)
    }

    public func balances(on queue: DispatchQueue, completion: @escaping @Sendable (Result<[VenueBalance], VenueFailure>) -> Void) {
        rest.balances(on: queue, completion: completion)
    }

    public func lookup(clientOrderID: ClientOrderID, on queue: DispatchQueue,
                       completion: @escaping @Sendable (Result<[OrderSnapshot], VenueFailure>) -> Void) {
        rest.lookup(clientOrderID: clientOrderID, on: queue, completion: completion)
    }

    public func lookup(orderID: VenueOrderID, on queue: DispatchQueue,
                       completion: @escaping @Sendable (Result<OrderSnapshot, VenueFailure>) -> Void) {
        rest.lookup(orderID: orderID, on: queue, completion: completion)
    }

    public func openOrders(on queue: DispatchQueue, completion: @escaping @Sendable (Result<[OrderSnapshot], VenueFailure>) -> Void) {
        rest.openOrders(on: queue, completion: completion)
    }

    public func trades(_ symbol: Symbol, sinceMs: Int64, limit: Int, on queue: DispatchQueue,
                       completion: @escaping @Sendable (Result<[TradeReport], VenueFailure>) -> Void) {
        rest.trades(symbol, sinceMs: sinceMs, limit: limit, on: queue, completion: completion)
    }

    public func heartbeat(on queue: DispatchQueue, completion: @escaping @Sendable (Result<Void, VenueFailure>) -> Void) {
        rest.heartbeat(on: queue, completion: completion)
    }

    public func retire(on queue: DispatchQueue, completion: @escaping @Sendable () -> Void) {
        rest.retire(on: queue, completion: completion)
    }
}
