import CastorCore
import CastorWebSocket
import Dispatch
import GeminiProtocol

/// Gemini's public market data as raw frames, for `castor record`: the new WebSocket API
/// (`?snapshot=-1`, the streams `GeminiWSMarketDataAdapter` subscribes) or `/v2/marketdata`
/// (`GeminiMarketDataV2Adapter.subscribeMessage`), over the same connection stack as the
/// adapters (`FeedConnection` and its state machine: heartbeat watchdog, subscription
/// deadline, reconnect with backoff forever), but nothing is decoded: every received
/// message is handed to `onFrame` as the bytes that arrived.
///
/// Any message (heartbeats included) confirms the subscription and keeps the watchdog
/// quiet; silence for the heartbeat timeout drops the connection and reconnects. The new
/// API's idle books send nothing, so on it the `ping` method is sent every third of the
/// heartbeat timeout (its replies are recorded too; readers skip them).
///
/// Invariant behind `@unchecked Sendable`: everything, the callbacks included, runs on
/// `queue`; set the callbacks before `start()`.
public final class MarketDataTap: @unchecked Sendable {
    /// Which API the URL speaks.
    public enum API: String, Sendable, CaseIterable {
        /// The new WebSocket API; `url` is its base (`wss://ws.gemini.com`).
        case websocket
        /// `/v2/marketdata`; `url` is the full feed URL.
        case legacy
    }

    public struct Configuration: Sendable {
        /// A ws(s) URL such as `GeminiVenue.marketDataV2URL`, or the new API's base.
        public var url: String
        public var api: API
        /// Symbols subscribed to (`l2`, trades come with it).
        public var symbols: [String]
        public var connection: FeedConnectionStateMachine.Configuration
        public var webSocket: WebSocketOptions
        /// Backoff jitter seed; nil = random.
        public var seed: UInt64?

        public init(url: String, api: API = .legacy, symbols: [String], connection: FeedConnectionStateMachine.Configuration = .init(),
                    webSocket: WebSocketOptions = .init(), seed: UInt64? = nil) {
            self.url = url
            self.api = api
            self.symbols = symbols
            self.connection = connection
            self.webSocket = webSocket
            self.seed = seed
        }
    }

    public let queue: DispatchQueue
    public let configuration: Configuration
    private let connection: FeedConnection
    private let pingTimer: FeedTimer
    private var nextPingID: Int64 = 1_000

    /// A received message; the bytes are borrowed for the call only.
    public var onFrame: (UnsafeRawBufferPointer) -> Void = { _ in }
    /// Every connection state change.
    public var onState: (FeedConnectionState) -> Void = { _ in }

    public init(queue: DispatchQueue, configuration: Configuration, clock: EngineClock = .system) {
        self.queue = queue
        self.configuration = configuration
        connection = FeedConnection(queue: queue, configuration: configuration.connection, seed: configuration.seed,
                                    options: configuration.webSocket, clock: clock)
        pingTimer = FeedTimer(queue: queue, clock: clock)
        connection.prepare = { [weak self] done in
            guard let self else { return }
            let url = self.configuration.api == .websocket
                ? GeminiWSMarketDataAdapter.connectURL(base: self.configuration.url) : self.configuration.url
            do throws(WebSocketError) {
                done(.success(FeedConnectRequest(url: try WebSocketURL(url))))
            } catch {
                done(.failure(.fatal(.invalidURL(error.description))))
            }
        }
        connection.onSubscribe = { [weak self] in
            guard let self else { return }
            let symbols = self.configuration.symbols
            let request = switch self.configuration.api {
            case .legacy: GeminiMarketDataV2Adapter.subscribeMessage(symbols: symbols)
            case .websocket: WSAPIRequest.subscribe(id: 1, streams: GeminiWSMarketDataAdapter.streams(symbols: symbols))
            }
            do throws(WebSocketError) {
                try self.connection.send(text: request)
            } catch {
                self.connection.fail(.connectionLost("subscribe not sent: \(error)"))
                return
            }
            if self.configuration.api == .websocket { self.armPing() }
        }
        connection.onMessage = { [weak self] message in
            guard let self else { return }
            self.connection.subscriptionConfirmed()
            self.connection.heartbeat()
            self.connection.data()
            message.withUnsafeBytes { self.onFrame($0) }
        }
        connection.onState = { [weak self] state in
            guard let self else { return }
            if !self.connection.isConnected { self.pingTimer.cancel() }
            self.onState(state)
        }
    }

    private func armPing() {
        pingTimer.arm(afterMs: max(100, configuration.connection.heartbeatTimeoutMs / 3)) { [weak self] in
            guard let self, self.connection.isConnected else { return }
            self.nextPingID += 1
            do throws(WebSocketError) {
                try self.connection.send(text: WSAPIRequest.call(id: self.nextPingID, method: "ping"))
            } catch {
                self.connection.fail(.connectionLost("ping not sent: \(error)"))
                return
            }
            self.armPing()
        }
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
        pingTimer.cancel()
        connection.stop()
    }
}
