import CastorCore
import CastorTrading
import CastorWebSocket
import Dispatch
import GeminiClient
import GeminiProtocol

/// The authenticated connection to Gemini's new WebSocket API: the account's order events
/// (`orders@account`) and balances (`balances@account`) behind `OrderEventsFeedAdapter`,
/// and order entry on the same socket (`order.place`, `order.cancel`,
/// `order.cancel_session`) for `GeminiWSExecution`.
///
/// `orders@account` rather than `@session`: it carries every order of the account, REST
/// placements and other sessions included, so a fill is seen whichever path placed the
/// order (the REST fallback, a restart's leftovers, the operator's hand).
///
/// Authentication is in the upgrade only (WS-API.md §1.4): the headers are signed with a
/// whole-second nonce drawn from the key's one nonce sequence while this adapter holds the
/// key's request slot (`KeySlotLender`), so no REST request is signed in between.
///
/// The API sends no snapshot of open orders, so once the subscription is acknowledged the
/// adapter reports an empty initial snapshot: the engine reconciles over REST (open
/// orders, own trades) after every (re)connect, and READY follows that.
///
/// Order entry (§2.4.8, §3.12): a 200 reply is not proof of placement; the order event
/// carrying the client order id is. No settling event within the deadline, or the socket
/// dropping in between, is ambiguous: the caller looks the order up before anything is
/// resent; requests in flight when the socket drops are never replayed.
///
/// Invariant behind `@unchecked Sendable`: all state lives on `queue`, the engine queue.
public final class GeminiWSAccountAdapter: OrderEventsFeedAdapter, @unchecked Sendable {
    public struct Configuration: Sendable {
        /// The API's base URL (`wss://ws.gemini.com`, or the simulator's `ws://127.0.0.1:PORT`).
        public var url: String
        /// Ask the exchange to cancel the orders placed on this connection when it drops
        /// (`cancelOnDisconnect=true`): the dead man's switch of the socket.
        public var cancelOnDisconnect: Bool
        public var connection: FeedConnectionStateMachine.Configuration
        public var webSocket: WebSocketOptions
        /// How long a connect attempt may wait for the key's request slot.
        public var nonceSlotWaitMs: Int64
        /// How often the `ping` method is sent; nil: a third of the heartbeat timeout.
        public var pingIntervalMs: Int64?
        public var seed: UInt64?

        public init(url: String, cancelOnDisconnect: Bool = true, connection: FeedConnectionStateMachine.Configuration = .init(),
                    webSocket: WebSocketOptions = .init(), nonceSlotWaitMs: Int64 = 10_000, pingIntervalMs: Int64? = nil,
                    seed: UInt64? = nil) {
            self.url = url
            self.cancelOnDisconnect = cancelOnDisconnect
            self.connection = connection
            self.webSocket = webSocket
            self.nonceSlotWaitMs = nonceSlotWaitMs
            self.pingIntervalMs = pingIntervalMs
            self.seed = seed
        }
    }

    /// One order request waiting for its reply and settling event.
    private struct Pending {
        enum Kind {
            case place(WSAPIOrderParameters)
            case cancel(Int64)
        }
        let kind: Kind
        let completion: (WSAPIOrderEntryOutcome) -> Void
        let timer: FeedTimer
        var replied = false
        /// An event that arrived before the 200 reply: settles it once the reply comes.
        var early: WSAPIOrderUpdate?
    }

    public weak var delegate: (any OrderEventsFeedDelegate)?
    public let queue: DispatchQueue
    public let configuration: Configuration
    /// The latest balances the stream reported, by currency.
    public private(set) var balances: [String: WSAPIBalanceUpdate.Row] = [:]
    public private(set) var subscriptionAcknowledgements = 0
    /// The limits `conninfo` reported after the last connect (WS-API.md §4.1).
    public private(set) var rateLimits: [WSAPIRateLimit] = []
    public private(set) var lastDisconnectCause: FeedDisconnectCause?
    private let sender: PrivateRequestSender
    private let keySlot: any KeySlotLender
    private let clock: EngineClock
    private let connection: FeedConnection
    private let pingTimer: FeedTimer
    private var subscribeID: Int64 = 0
    private var conninfoID: Int64 = -1
    private var nextRequestID: Int64 = 1
    private var subscribed = false
    private var pending: [Int64: Pending] = [:]
    /// The request frame being written; kept so its capacity serves every order.
    private var frameScratch: [UInt8] = []
    private var attemptBudget = ConnectionAttemptBudget()

    public init(sender: PrivateRequestSender, keySlot: any KeySlotLender, queue: DispatchQueue,
                configuration: Configuration, clock: EngineClock) {
        self.sender = sender
        self.keySlot = keySlot
        self.queue = queue
        self.configuration = configuration
        self.clock = clock
        pingTimer = FeedTimer(queue: queue, clock: clock)
        connection = FeedConnection(queue: queue, configuration: configuration.connection, seed: configuration.seed,
                                    options: configuration.webSocket, clock: clock)
        connection.prepare = { [weak self] done in self?.prepareConnection(done) }
        connection.onSubscribe = { [weak self] in self?.subscribe() }
        connection.onMessage = { [weak self] in self?.received($0) }
        connection.fatalError = Self.fatalError(for:)
        connection.onState = { [weak self] state in
            guard let self else { return }
            if !self.connection.isConnected { self.connectionGone() }
            if case .reconnecting(let cause, _, _) = state { self.lastDisconnectCause = cause }
            self.delegate?.orderEventsFeed(self, didChangeState: state)
        }
    }

    /// `base` with the connection's query.
    public static func connectURL(base: String, cancelOnDisconnect: Bool) -> String {
        var url = base
        while url.hasSuffix("/") { url.removeLast() }
        return url + (cancelOnDisconnect ? "/?cancelOnDisconnect=true" : "/")
    }

    public var state: FeedConnectionState {
        dispatchPrecondition(condition: .onQueue(queue))
        return connection.state
    }

    public var phase: FeedConnectionStateMachine.Phase { connection.machine.phase }

    /// Whether an order request can go out on the socket now (connected and subscribed, so
    /// its events will be seen).
    public var isReadyForOrders: Bool {
        dispatchPrecondition(condition: .onQueue(queue))
        return connection.isConnected && subscribed
    }

    public func start() {
        dispatchPrecondition(condition: .onQueue(queue))
        connection.start()
    }

    public func stop() {
        dispatchPrecondition(condition: .onQueue(queue))
        pingTimer.cancel()
        connection.stop()
        connectionGone()
    }

    // MARK: connecting

    private func prepareConnection(_ done: @escaping (Result<FeedConnectRequest, FeedConnectFailure>) -> Void) {
        dispatchPrecondition(condition: .onQueue(queue))
        if let waitMs = attemptBudget.take(nowMs: clock.nowMs()) {
            return done(.failure(.retry("connection attempts paced: the 5-minute budget is spent for \(waitMs) ms more")))
        }
        let url: WebSocketURL
        do throws(WebSocketError) {
            url = try WebSocketURL(Self.connectURL(base: configuration.url, cancelOnDisconnect: configuration.cancelOnDisconnect))
        } catch {
            done(.failure(.fatal(.invalidURL(error.description))))
            return
        }
        let holdMs = Int64((configuration.webSocket.connectTimeout + configuration.webSocket.handshakeTimeout + 1) * 1000)
        SignedHandshake.prepare(url: url, keySlot: keySlot, sender: sender, waitMs: configuration.nonceSlotWaitMs,
                                holdMs: holdMs, sign: { $0.signWebSocketAPIHandshake() },
                                isInvalidNonce: Self.isInvalidNonce, done)
    }

    /// An upgrade refused because of the nonce (the body names it): retried with a later one.
    private static func isInvalidNonce(_ outcome: FeedHandshakeOutcome) -> Bool {
        guard case .failed(.handshakeRejected(let status, _, let body)) = outcome, status == 400 || status == 401 else {
            return false
        }
        return body.lowercased().contains("nonce")
    }

    /// 400/401/403 mean a bad key, signature, key type (master, counter nonces) or role:
    /// fatal, with the body in the message. A nonce refusal is retried.
    private static func fatalError(for error: WebSocketError) -> FeedFatalError? {
        guard case .handshakeRejected(let status, _, let body) = error, [400, 401, 403].contains(status) else { return nil }
        if isInvalidNonce(.failed(error)) { return nil }
        return .authenticationRejected(status: status, body: body)
    }

    private func requestID() -> Int64 {
        defer { nextRequestID &+= 1 }
        return nextRequestID
    }

    private func subscribe() {
        subscribed = false
        subscribeID = requestID()
        let frame = WSAPIRequest.subscribe(id: subscribeID, streams: [WSAPIRequest.ordersStream, WSAPIRequest.balancesStream])
        do throws(WebSocketError) {
            try connection.send(text: frame)
        } catch {
            connection.fail(.connectionLost("subscribe not sent: \(error)"))
            return
        }
        armPing()
    }

    private func armPing() {
        let interval = max(100, configuration.pingIntervalMs ?? configuration.connection.heartbeatTimeoutMs / 3)
        pingTimer.arm(afterMs: interval) { [weak self] in
            guard let self, self.connection.isConnected else { return }
            do throws(WebSocketError) {
                try self.connection.send(text: WSAPIRequest.call(id: self.requestID(), method: "ping"))
            } catch {
                self.connection.fail(.connectionLost("ping not sent: \(error)"))
                return
            }
            self.armPing()
        }
    }

    /// The socket is gone: every request in flight is ambiguous (never replayed).
    private func connectionGone() {
        subscribed = false
        pingTimer.cancel()
        let open = pending
        pending.removeAll()
        for (_, p) in open.sorted(by: { $0.key < $1.key }) {
            p.timer.cancel()
            p.completion(.ambiguous(.socketClosed))
        }
    }

    // MARK: frames

    private func received(_ frame: WebSocketMessage) {
        dispatchPrecondition(condition: .onQueue(queue))
        let message: WSAPIAccountMessage
        do throws(WSAPIDecodingError) {
            message = try WSAPIAccountDecoder.decode(frame.bytes)
        } catch {
            // An order event that cannot be read may be a fill: reconnect, and the
            // reconnect's reconciliation reads the truth.
            connection.fail(.decodeError(error.description))
            return
        }
        connection.heartbeat()
        switch message {
        case .reply(let reply):
            handle(reply)
        case .orderUpdate(let update):
            connection.data()
            settle(with: update)
            guard connection.isConnected else { return }
            delegate?.orderEventsFeed(self, didReceive: OrderReport.reports(wsapi: update))
        case .balanceUpdate(let update):
            connection.data()
            for row in update.rows { balances[row.currency] = row }
            guard connection.isConnected, !update.rows.isEmpty else { return }
            delegate?.orderEventsFeed(self, didReceiveBalances: update.rows.map {
                VenueBalanceChange(currency: $0.currency, available: $0.available, total: $0.total)
            })
        case .other:
            break
        }
    }

    private func handle(_ reply: WSAPIReply) {
        guard case .number(let id)? = reply.id else { return }
        if id == subscribeID {
            guard reply.isSuccess else {
                delegate?.orderEventsFeed(self, didReportError: "subscribe refused: \(reply)")
                guard connection.isConnected else { return }
                if reply.outcome == .unauthenticated {
                    connection.fatal(.authenticationRejected(status: reply.status, body: reply.description))
                } else {
                    connection.fail(.exchangeError("subscribe refused: \(reply)"))
                }
                return
            }
            subscribed = true
            subscriptionAcknowledgements += 1
            connection.subscriptionConfirmed()
            // The venue's limits for this connection, read once per connect.
            conninfoID = requestID()
            try? connection.send(text: WSAPIRequest.call(id: conninfoID, method: "conninfo"))
            // No snapshot of open orders on this API: the engine reconciles over REST now.
            delegate?.orderEventsFeed(self, didCompleteInitialSnapshot: [])
            return
        }
        if id == conninfoID {
            if let limits = reply.rateLimits { rateLimits = limits }
            return
        }
        guard var p = pending[id] else { return }
        guard reply.isSuccess else {
            finish(id, .refused(reply))
            return
        }
        p.replied = true
        if let early = p.early, Self.settles(p.kind, early) {
            pending[id] = p
            finish(id, .done(OrderSnapshot(wsapi: early, placed: Self.placed(p.kind))))
            return
        }
        pending[id] = p
    }

    /// Settles the request this event answers: a placement by client order id, a cancel by
    /// order id once the order is no longer live.
    private func settle(with update: WSAPIOrderUpdate) {
        for (id, p) in pending.sorted(by: { $0.key < $1.key }) where Self.settles(p.kind, update) {
            if update.status == .rejected, case .place = p.kind {
                finish(id, .refused(WSAPIReply(id: .number(id), status: 400, errorCode: -2010, errorMessage: update.reason)))
            } else if p.replied {
                finish(id, .done(OrderSnapshot(wsapi: update, placed: Self.placed(p.kind))))
            } else {
                pending[id]?.early = update
            }
            return
        }
    }

    private static func settles(_ kind: Pending.Kind, _ update: WSAPIOrderUpdate) -> Bool {
        switch kind {
        case .place(let order): update.clientOrderID == order.clientOrderID
        case .cancel(let orderID):
            update.orderID == orderID && (update.status == .canceled || update.status == .filled || update.status == .rejected)
        }
    }

    private static func placed(_ kind: Pending.Kind) -> WSAPIOrderParameters? {
        if case .place(let order) = kind { return order }
        return nil
    }

    private func finish(_ id: Int64, _ outcome: WSAPIOrderEntryOutcome) {
        guard let p = pending.removeValue(forKey: id) else { return }
        p.timer.cancel()
        p.completion(outcome)
    }

    // MARK: order entry

    /// Sends `order.place`; `completion` runs once on the queue.
    /// - Parameter timeoutMs: how long the reply and the settling event may take before
    ///   the outcome is called ambiguous.
    public func place(_ order: WSAPIOrderParameters, timeoutMs: Int64,
                      completion: @escaping (WSAPIOrderEntryOutcome) -> Void) {
        send(.place(order), frame: { WSAPIRequest.place(id: $0, order, into: &$1) }, timeoutMs: timeoutMs, completion: completion)
    }

    /// Sends `order.cancel` for the exchange's order id.
    public func cancel(orderID: Int64, timeoutMs: Int64, completion: @escaping (WSAPIOrderEntryOutcome) -> Void) {
        send(.cancel(orderID), frame: { $1.append(contentsOf: WSAPIRequest.cancel(id: $0, orderID: orderID).utf8) }, timeoutMs: timeoutMs,
             completion: completion)
    }

    /// Sends `order.cancel_session` without waiting (the caller also cancels over REST:
    /// which orders a "session" covers on this API is not documented, §2.4.11).
    /// - Returns: whether it was written.
    @discardableResult
    public func cancelSession() -> Bool {
        dispatchPrecondition(condition: .onQueue(queue))
        guard connection.isConnected else { return false }
        do throws(WebSocketError) {
            try connection.send(text: WSAPIRequest.call(id: requestID(), method: "order.cancel_session"))
            return true
        } catch {
            return false
        }
    }

    private func send(_ kind: Pending.Kind, frame: (Int64, inout [UInt8]) -> Void, timeoutMs: Int64,
                      completion: @escaping (WSAPIOrderEntryOutcome) -> Void) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard isReadyForOrders else {
            completion(.notSent("the account socket is not connected"))
            return
        }
        let id = requestID()
        frameScratch.removeAll(keepingCapacity: true)
        frame(id, &frameScratch)
        TickTrace.shared.mark(.encoded)
        do throws(WebSocketError) {
            try connection.send(textUTF8: frameScratch)
            TickTrace.shared.mark(.written)
            TickTrace.shared.commit()
        } catch {
            // The client refuses before writing when it is not open; any other failure
            // may have written part of the frame, and is ambiguous.
            if case .invalidState = error {
                completion(.notSent("\(error)"))
            } else {
                completion(.ambiguous(.writeFailed("\(error)")))
            }
            return
        }
        let timer = FeedTimer(queue: queue, clock: clock)
        pending[id] = Pending(kind: kind, completion: completion, timer: timer)
        timer.arm(afterMs: timeoutMs) { [weak self] in
            self?.finish(id, .ambiguous(.noAnswer(milliseconds: timeoutMs)))
        }
    }
}
