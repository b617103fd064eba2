import CastorCore
import CastorWebSocket
import Dispatch

/// Gemini's `/v2/marketdata` as raw frames, for `castor record`: the same connection stack
/// as `GeminiMarketDataV2Adapter` (`FeedConnection` and its state machine: heartbeat
/// watchdog, subscription deadline, reconnect with backoff forever) and the same subscribe
/// request (`GeminiMarketDataV2Adapter.subscribeMessage`), but nothing is decoded: every
/// received message is handed to `onFrame` as the bytes that arrived.
///
/// Any message (heartbeats included) confirms the subscription and keeps the watchdog
/// quiet; silence for the heartbeat timeout drops the connection and reconnects.
///
/// Invariant behind `@unchecked Sendable`: everything, the callbacks included, runs on
/// `queue`; set the callbacks before `start()`.
public final class MarketDataV2Tap: @unchecked Sendable {
    public struct Configuration: Sendable {
        /// A ws(s) URL such as `GeminiVenue.marketDataV2URL`.
        public var url: String
        /// Symbols subscribed to (`l2`, trades come with it).
        public var symbols: [String]
        public var connection: FeedConnectionStateMachine.Configuration
        public var webSocket: WebSocketOptions
        /// Backoff jitter seed; nil = random.
        public var seed: UInt64?

        public init(url: String, symbols: [String], connection: FeedConnectionStateMachine.Configuration = .init(),
                    webSocket: WebSocketOptions = .init(), seed: UInt64? = nil) {
            self.url = url
            self.symbols = symbols
            self.connection = connection
            self.webSocket = webSocket
            self.seed = seed
        }
    }

    public let queue: DispatchQueue
    public let configuration: Configuration
    private let connection: FeedConnection

    /// A received message; the bytes are borrowed for the call only.
    public var onFrame: (UnsafeRawBufferPointer) -> Void = { _ in }
    /// Every connection state change.
    public var onState: (FeedConnectionState) -> Void = { _ in }

    public init(queue: DispatchQueue, configuration: Configuration, clock: EngineClock = .system) {
        self.queue = queue
        self.configuration = configuration
        connection = FeedConnection(queue: queue, configuration: configuration.connection, seed: configuration.seed,
                                    options: configuration.webSocket, clock: clock)
        connection.prepare = { [weak self] done in
            guard let self else { return }
            do throws(WebSocketError) {
                done(.success(FeedConnectRequest(url: try WebSocketURL(self.configuration.url))))
            } catch {
                done(.failure(.fatal(.invalidURL(error.description))))
            }
        }
        connection.onSubscribe = { [weak self] in
            guard let self else { return }
            do throws(WebSocketError) {
                try self.connection.send(text: GeminiMarketDataV2Adapter.subscribeMessage(symbols: self.configuration.symbols))
            } catch {
                self.connection.fail(.connectionLost("subscribe not sent: \(error)"))
            }
        }
        connection.onMessage = { [weak self] message in
            guard let self else { return }
            self.connection.subscriptionConfirmed()
            self.connection.heartbeat()
            self.connection.data()
            message.withUnsafeBytes { self.onFrame($0) }
        }
        connection.onState = { [weak self] in self?.onState($0) }
    }

    public var state: FeedConnectionState {
        dispatchPrecondition(condition: .onQueue(queue))
        return connection.state
    }

    public func start() {
        dispatchPrecondition(condition: .onQueue(queue))
        connection.start()
    }

    public func stop() {
        dispatchPrecondition(condition: .onQueue(queue))
        connection.stop()
    }
}
