import CastorCore
import CastorWebSocket
import Dispatch
import GeminiProtocol
import MarketData

/// Market data from Gemini's `/v2/marketdata` (API.md §7.1) into the engine's books.
///
/// One WebSocket on the engine queue subscribes to `l2` for every symbol of `MarketBooks`
/// (trades come with it). Each message is decoded from the socket's borrowed buffer
/// straight into `MarketBooks.books` (no copy, no allocation, no queue hop: see
/// `MarketBooks`), then the delegate hears which book changed (`BookIndex`) and which
/// trades happened (`MarketTradeReport`, mapped from the wire's `MarketDataV2Trade` on the stack).
///
/// v2 has no sequence numbers, so the feed cannot detect a lost update; it relies on doubt
/// instead: every (re)connect resets all books (the first `l2_updates` per symbol is then
/// the snapshot), and it reconnects on heartbeat silence, staleness (no book or trade
/// message for `staleAfterMs`, if set), an undecodable message, an error reply, or a
/// crossed/locked book. A crossed book is not repaired by resubscribing on the same
/// connection: deltas already in flight could not be told from the new snapshot.
///
/// Invariant behind `@unchecked Sendable`: all state lives on the engine queue
/// (`books.queue`); every entry point checks it.
public final class GeminiMarketDataV2Adapter: MarketDataFeedAdapter, @unchecked Sendable {
    /// Settings of the feed.
    public struct Configuration: Sendable {
        /// `GeminiVenue.marketDataV2URL`, e.g. `wss://api.gemini.com/v2/marketdata`.
        public var url: String
        /// Reconnect policy, heartbeat timeout, staleness.
        public var connection: FeedConnectionStateMachine.Configuration
        /// WebSocket timeouts and limits.
        public var webSocket: WebSocketOptions
        /// Backoff jitter seed; nil = random.
        public var seed: UInt64?

        public init(url: String, connection: FeedConnectionStateMachine.Configuration = .init(),
                    webSocket: WebSocketOptions = .init(), seed: UInt64? = nil) {
            self.url = url
            self.connection = connection
            self.webSocket = webSocket
            self.seed = seed
        }
    }

    public weak var delegate: (any MarketDataFeedDelegate)?
    /// The books this feed writes.
    public let books: MarketBooks
    public let configuration: Configuration
    private let connection: FeedConnection
    private var decoder: MarketDataV2Decoder
    private var tradeScratch: [MarketDataV2Trade] = []
    /// Messages decoded since creation, for health logs.
    public private(set) var messageCount = 0

    /// - Parameters:
    ///   - books: the engine's books; their queue becomes this feed's queue.
    ///   - clock: the engine's clock: heartbeat, staleness and subscription deadlines and the
    ///     reconnect backoff are measured and armed on it (a `ManualClock` in tests).
    public init(books: MarketBooks, configuration: Configuration, clock: EngineClock) {
        self.books = books
        self.configuration = configuration
        decoder = MarketDataV2Decoder(symbols: books.makeSymbolTable())
        tradeScratch.reserveCapacity(64)
        connection = FeedConnection(queue: books.queue, configuration: configuration.connection,
                                    seed: configuration.seed, options: configuration.webSocket, clock: clock)
        connection.prepare = { [weak self] done in
            guard let self else { return }
            do throws(WebSocketError) {
                done(.success(FeedConnectRequest(url: try WebSocketURL(self.configuration.url))))
            } catch {
                done(.failure(.fatal(.invalidURL(error.description))))
            }
        }
        connection.onSubscribe = { [weak self] in self?.subscribe() }
        connection.onMessage = { [weak self] in self?.received($0) }
        connection.onState = { [weak self] state in
            guard let self else { return }
            self.delegate?.marketDataFeed(self, didChangeState: state)
        }
    }

    public var state: FeedConnectionState {
        dispatchPrecondition(condition: .onQueue(books.queue))
        return connection.state
    }

    /// The state machine's view (phase and failure count), for health checks.
    public var phase: FeedConnectionStateMachine.Phase { connection.machine.phase }

    public func start() {
        dispatchPrecondition(condition: .onQueue(books.queue))
        connection.start()
    }

    public func stop() {
        dispatchPrecondition(condition: .onQueue(books.queue))
        connection.stop()
    }

    private func subscribe() {
        // No sequence numbers: whatever the books held may have missed updates.
        books.books.reset()
        let request = Self.subscribeMessage(symbols: books.symbolNames)
        do throws(WebSocketError) {
            try connection.send(text: request)
        } catch {
            connection.fail(.connectionLost("subscribe not sent: \(error)"))
        }
    }

    /// The subscribe request this feed sends on every (re)connect: `l2` (trades come with
    /// it) for `symbols`. `castor record` sends the same one.
    public static func subscribeMessage(symbols: [String]) -> String {
        MarketDataV2Subscription.subscribeMessage([MarketDataV2Subscription(.l2, symbols: symbols)])
    }

    private func received(_ message: WebSocketMessage) {
        debugAssertOnQueue(books.queue)
        TickTrace.shared.mark(.message)
        messageCount += 1
        var handler = BookApplyingHandler(books: books, trades: tradeScratch)
        tradeScratch = []
        let kind: MarketDataV2MessageKind
        do throws(MarketDataV2DecodingError) {
            kind = try message.withUnsafeBytes { (bytes) throws(MarketDataV2DecodingError) in
                try decoder.decode(bytes, into: &handler)
            }
        } catch {
            // Emptied while the handler is its one owner, then moved back: emptying a
            // shared buffer would allocate a new one per message.
            handler.trades.removeAll(keepingCapacity: true)
            tradeScratch = handler.trades
            connection.fail(.decodeError(error.description))
            return
        }
        TickTrace.shared.mark(.applied)
        // Any message proves the connection and the subscription alive.
        connection.subscriptionConfirmed()
        connection.heartbeat()
        if kind == .l2Updates || kind == .trade { connection.data() }
        defer {
            // Emptied while the handler is its one owner, then moved back: emptying a
            // shared buffer would allocate a new one per message.
            handler.trades.removeAll(keepingCapacity: true)
            tradeScratch = handler.trades
        }
        if let error = handler.subscriptionError {
            connection.fail(.exchangeError("subscription refused: \(error.reason ?? "?") \(error.message ?? "")"))
            return
        }
        if let symbol = handler.updatedSymbol {
            if books.books.book(symbol)?.isCrossed == true {
                connection.fail(.crossedBook(symbol: books.name(of: symbol)))
                return
            }
            delegate?.marketDataFeed(self, didUpdateBook: BookIndex(gemini: symbol))
        }
        for trade in handler.trades {
            // The delegate may have stopped the feed; its books are then stale.
            guard connection.isConnected else { return }
            // The decoder knows only the books' symbols, so every id has a name.
            guard let symbol = books.symbol(at: BookIndex(gemini: trade.symbol)) else { continue }
            delegate?.marketDataFeed(self, didReceiveTrade: MarketTradeReport(gemini: trade, symbol: symbol))
        }
    }
}
