import CastorCore
import CastorTrading
import CastorWebSocket
import Dispatch
import GeminiClient
import GeminiProtocol

/// Gemini's authenticated `/v1/order/events` feed (API.md §6) behind `OrderEventsFeedAdapter`.
///
/// The upgrade is signed like a REST call and consumes the key's nonce sequence, so it is
/// made while holding the key's one request slot, borrowed from the key's ordered queue
/// (`KeySlotLender`, the engine's `RequestScheduler`), and signed by the key's
/// `PrivateRequestSender`: no REST request is signed until the upgrade is answered. On a
/// counter-nonce key a handshake overtaking (or overtaken by) a REST request would be
/// rejected.
///
/// Per connection it checks that `socket_sequence` starts at 0 after the ack and grows by
/// one per message (heartbeats included) and that heartbeat `sequence`s are contiguous; a
/// gap, a decode error or heartbeat silence drops the connection and reconnects with
/// backoff. An upgrade refused with 400/401/403 (other than `InvalidNonce`) is a
/// configuration problem: the feed fails with `FeedFatalError.authenticationRejected`
/// instead of hammering the exchange.
///
/// Invariant behind `@unchecked Sendable`: all state lives on `queue`, the engine queue.
public final class GeminiOrderEventsAdapter: OrderEventsFeedAdapter, @unchecked Sendable {
    /// Settings of the feed.
    public struct Configuration: Sendable {
        /// `GeminiVenue.orderEventsURL`, without query.
        public var url: String
        /// The signed `request` path (Gemini signs the path without the query).
        public var path: String
        public var subscription: OrderEventsSubscriptionOptions
        public var connection: FeedConnectionStateMachine.Configuration
        public var webSocket: WebSocketOptions
        /// How long a connect attempt may wait for the key's request slot.
        public var nonceSlotWaitMs: Int
        /// The `initial` snapshot ends at the first other message, or when nothing arrived
        /// this long after the ack or the last `initial` event (the first heartbeat can be
        /// seconds away, and with it the reconciliation and READY).
        public var snapshotQuietMs: Int64
        public var seed: UInt64?

        public init(url: String, path: String = "/v1/order/events",
                    subscription: OrderEventsSubscriptionOptions = .init(),
                    connection: FeedConnectionStateMachine.Configuration = .init(),
                    webSocket: WebSocketOptions = .init(), nonceSlotWaitMs: Int = 10_000, snapshotQuietMs: Int64 = 500,
                    seed: UInt64? = nil) {
            self.url = url
            self.path = path
            self.subscription = subscription
            self.connection = connection
            self.webSocket = webSocket
            self.nonceSlotWaitMs = nonceSlotWaitMs
            self.snapshotQuietMs = snapshotQuietMs
            self.seed = seed
        }
    }

    public weak var delegate: (any OrderEventsFeedDelegate)?
    /// Subscription acknowledgements received (one per connect), for status and tests.
    public private(set) var subscriptionAcknowledgements = 0
    /// Heartbeats received and accepted in sequence, for status and tests.
    public private(set) var heartbeatsReceived = 0
    public let queue: DispatchQueue
    public let configuration: Configuration
    private let sender: PrivateRequestSender
    private let keySlot: any KeySlotLender
    private let connection: FeedConnection
    private var tracker = OrderEventsSequenceTracker()
    private let snapshotQuiet: FeedTimer
    /// The last reconnect cause, for health reports.
    public private(set) var lastDisconnectCause: FeedDisconnectCause?

    /// - Parameters:
    ///   - sender: the key's sender, which signs the handshake; it must run on `queue`.
    ///   - keySlot: the key's ordered queue, which lends the slot for the handshake.
    ///   - queue: the engine queue; the socket runs and the delegate is called on it.
    ///   - clock: the engine's clock: heartbeat and subscription deadlines, the reconnect
    ///     backoff and the snapshot's quiet period are measured and armed on it (a
    ///     `ManualClock` in tests). The wait for the key's request slot is the lender's.
    public init(sender: PrivateRequestSender, keySlot: any KeySlotLender, queue: DispatchQueue,
                configuration: Configuration, clock: EngineClock) {
        self.sender = sender
        self.keySlot = keySlot
        self.queue = queue
        self.configuration = configuration
        snapshotQuiet = FeedTimer(queue: queue, clock: clock)
        connection = FeedConnection(queue: queue, configuration: configuration.connection, seed: configuration.seed,
                                    options: configuration.webSocket, clock: clock)
        connection.prepare = { [weak self] done in self?.prepareConnection(done) }
        connection.onSubscribe = { [weak self] in
            self?.tracker = OrderEventsSequenceTracker()
            self?.snapshotQuiet.cancel()
        }
        connection.onMessage = { [weak self] in self?.received($0) }
        connection.fatalError = Self.fatalError(for:)
        connection.onState = { [weak self] state in
            guard let self else { return }
            if case .reconnecting(let cause, _, _) = state { self.lastDisconnectCause = cause }
            self.delegate?.orderEventsFeed(self, didChangeState: state)
        }
    }

    public var state: FeedConnectionState {
        dispatchPrecondition(condition: .onQueue(queue))
        return connection.state
    }

    /// The state machine's view (phase and failure count), for health checks.
    public var phase: FeedConnectionStateMachine.Phase { connection.machine.phase }

    public func start() {
        dispatchPrecondition(condition: .onQueue(queue))
        connection.start()
    }

    public func stop() {
        dispatchPrecondition(condition: .onQueue(queue))
        snapshotQuiet.cancel()
        connection.stop()
    }

    // MARK: connecting

    private func prepareConnection(_ done: @escaping (Result<FeedConnectRequest, FeedConnectFailure>) -> Void) {
        dispatchPrecondition(condition: .onQueue(queue))
        let url: WebSocketURL
        do throws(WebSocketError) {
            url = try WebSocketURL(configuration.subscription.url(base: configuration.url))
        } catch {
            done(.failure(.fatal(.invalidURL(error.description))))
            return
        }
        let path = configuration.path
        // The slot is held until the upgrade is answered; allow for connect + TLS + upgrade.
        let holdMs = Int64((configuration.webSocket.connectTimeout + configuration.webSocket.handshakeTimeout + 1) * 1000)
        SignedHandshake.prepare(url: url, keySlot: keySlot, sender: sender, waitMs: Int64(configuration.nonceSlotWaitMs),
                                holdMs: holdMs, sign: { $0.signWebSocketHandshake(path: path) },
                                isInvalidNonce: Self.isInvalidNonce, done)
    }

    private static func isUnknown(_ type: OrderEventType) -> Bool {
        if case .unknown = type { return true }
        return false
    }

    private static func isInvalidNonce(_ outcome: FeedHandshakeOutcome) -> Bool {
        guard case .failed(.handshakeRejected(400, _, let body)) = outcome else { return false }
        return GeminiErrorBody.classify(body: Array(body.utf8))?.classification(httpStatus: 400) == .retryWithNewNonce
    }

    /// 400/401/403 mean a bad key, signature or role: fatal. `InvalidNonce` is retried.
    private static func fatalError(for error: WebSocketError) -> FeedFatalError? {
        guard case .handshakeRejected(let status, _, let body) = error, [400, 401, 403].contains(status) else { return nil }
        if isInvalidNonce(.failed(error)) { return nil }
        return .authenticationRejected(status: status, body: body)
    }

    // MARK: messages

    private func quietPeriodElapsed() {
        dispatchPrecondition(condition: .onQueue(queue))
        guard connection.isConnected, let orders = tracker.quietPeriodElapsed() else { return }
        delegate?.orderEventsFeed(self, didCompleteInitialSnapshot: orders.compactMap(OrderReport.init(gemini:)))
    }

    private func received(_ frame: WebSocketMessage) {
        dispatchPrecondition(condition: .onQueue(queue))
        let message: OrderEventsMessage
        do throws(GeminiDecodingError) {
            message = try OrderEventsDecoder.decode(frame.bytes)
        } catch {
            connection.fail(.decodeError(error.description))
            return
        }
        // An event of a known kind must name its order: one that does not is malformed, and
        // dropping it could lose a fill, so the connection is dropped and the reconnect's
        // reconciliation reads the truth. (Events of kinds this build does not know are
        // passed over, with or without an id.)
        if case .events(let events) = message,
           let bad = events.first(where: { !Self.isUnknown($0.type) && VenueOrderID($0.orderID) == nil }) {
            connection.fail(.decodeError("\(bad.type) event without a decimal order_id (\"\(bad.orderID.prefix(40))\")"))
            return
        }
        connection.heartbeat()
        switch tracker.accept(message) {
        case .reconnect(let cause):
            connection.fail(cause)
            return
        case .deliver(let snapshot):
            if case .subscriptionAck = message { connection.subscriptionConfirmed() }
            if case .events = message { connection.data() }
            if let snapshot {
                snapshotQuiet.cancel()
                delegate?.orderEventsFeed(self, didCompleteInitialSnapshot: snapshot.compactMap(OrderReport.init(gemini:)))
                guard connection.isConnected else { return }
            } else if tracker.ackReceived, !tracker.snapshotComplete {
                // The ack or an `initial` event: the snapshot ends after a quiet period.
                snapshotQuiet.arm(afterMs: configuration.snapshotQuietMs) { [weak self] in self?.quietPeriodElapsed() }
            }
            switch message {
            case .events(let events):
                delegate?.orderEventsFeed(self, didReceive: events.compactMap(OrderReport.init(gemini:)))
            case .error(let body):
                delegate?.orderEventsFeed(self, didReportError: "\(body)")
                guard connection.isConnected else { return }
                if body.classification() == .fatalConfiguration {
                    connection.fatal(.authenticationRejected(status: 0, body: "\(body)"))
                } else {
                    connection.fail(.exchangeError("\(body)"))
                }
            case .subscriptionAck:
                subscriptionAcknowledgements += 1
            case .heartbeat:
                heartbeatsReceived += 1
            case .unknown:
                break
            }
        }
    }
}

/// Carries a non-Sendable value through a `@Sendable` callback that runs on the queue the
/// value belongs to (the sender calls back on the engine queue).
final class UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
