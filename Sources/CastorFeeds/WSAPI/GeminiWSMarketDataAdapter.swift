import CastorCore
import CastorWebSocket
import Dispatch
import GeminiProtocol
import MarketData

/// Market data from Gemini's new WebSocket API (`wss://ws.gemini.com?snapshot=-1`,
/// WS-API.md §3.5–3.6, §3.11) into the engine's books, behind `MarketDataFeedAdapter`.
///
/// One public connection subscribes `{symbol}@depth@100ms` and `{symbol}@trade` for every
/// symbol of `MarketBooks` in one frame. Each frame is decoded from the socket's borrowed
/// buffer straight into the books (no allocation after warm-up, as on the v2 path); per
/// symbol, `DepthContinuity` takes the first frame as the snapshot and checks that each
/// diff overlaps the last (`U == last u`). A gap, an undecodable depth frame or a crossed
/// book resyncs **that symbol** on the same connection (unsubscribe, then subscribe: the
/// next frame is a fresh snapshot) while the others keep flowing; its book is empty
/// meanwhile, so nothing quotes from it.
///
/// Idle books send nothing, so liveness is not silence: the adapter sends the `ping` method
/// every `pingIntervalMs` and counts its reply (and every other frame) as a heartbeat;
/// `connection.heartbeatTimeoutMs` without one reconnects. Every (re)connect resets all books.
///
/// Invariant behind `@unchecked Sendable`: all state lives on the engine queue
/// (`books.queue`); every entry point checks it.
public final class GeminiWSMarketDataAdapter: MarketDataFeedAdapter, @unchecked Sendable {
    /// Settings of the feed.
    public struct Configuration: Sendable {
        /// The API's base URL, e.g. `wss://ws.gemini.com` or the simulator's `ws://127.0.0.1:PORT`.
        public var url: String
        public var connection: FeedConnectionStateMachine.Configuration
        public var webSocket: WebSocketOptions
        /// How often the `ping` method is sent; nil: a third of the heartbeat timeout.
        public var pingIntervalMs: Int64?
        public var seed: UInt64?

        public init(url: String, connection: FeedConnectionStateMachine.Configuration = .init(),
                    webSocket: WebSocketOptions = .init(), pingIntervalMs: Int64? = nil, seed: UInt64? = nil) {
            self.url = url
            self.connection = connection
            self.webSocket = webSocket
            self.pingIntervalMs = pingIntervalMs
            self.seed = seed
        }

        var effectivePingIntervalMs: Int64 { max(100, pingIntervalMs ?? connection.heartbeatTimeoutMs / 3) }
    }

    /// What the feed counted, for status and tests.
    public struct Counters: Sendable, Equatable {
        public var frames = 0
        public var snapshots = 0
        public var diffs = 0
        public var staleFrames = 0
        public var gaps = 0
        public var resyncs = 0
        public var crossedBooks = 0
        public var trades = 0
        public var malformedTrades = 0
        public var decodeErrors = 0
        public var ignoredFrames = 0
    }

    public weak var delegate: (any MarketDataFeedDelegate)?
    public let books: MarketBooks
    public let configuration: Configuration
    public private(set) var counters = Counters()
    private let connection: FeedConnection
    private var decoder: WSAPIMarketDecoder
    private var continuity: [DepthContinuity]
    /// Per symbol: the id of the unsubscribe whose reply ends a resync.
    private var resyncUnsubscribeID: [Int64?]
    private var subscribeID: Int64 = 0
    private var nextRequestID: Int64 = 1
    private var tradeScratch: [MarketDataV2Trade] = []
    private let pingTimer: FeedTimer
    private let clock: EngineClock
    private var attemptBudget = ConnectionAttemptBudget()

    /// - Parameters:
    ///   - books: the engine's books; their queue becomes this feed's queue.
    ///   - clock: the engine's clock (deadlines, backoff, the ping timer).
    public init(books: MarketBooks, configuration: Configuration, clock: EngineClock) {
        self.books = books
        self.configuration = configuration
        decoder = WSAPIMarketDecoder(symbols: books.symbolNames)
        continuity = Array(repeating: DepthContinuity(), count: books.symbols.count)
        resyncUnsubscribeID = Array(repeating: nil, count: books.symbols.count)
        tradeScratch.reserveCapacity(64)
        pingTimer = FeedTimer(queue: books.queue, clock: clock)
        self.clock = clock
        connection = FeedConnection(queue: books.queue, configuration: configuration.connection,
                                    seed: configuration.seed, options: configuration.webSocket, clock: clock)
        connection.prepare = { [weak self] done in
            guard let self else { return }
            if let waitMs = self.attemptBudget.take(nowMs: self.clock.nowMs()) {
                return done(.failure(.retry("connection attempts paced: the 5-minute budget is spent for \(waitMs) ms more")))
            }
            do throws(WebSocketError) {
                done(.success(FeedConnectRequest(url: try WebSocketURL(Self.connectURL(base: self.configuration.url)))))
            } catch {
                done(.failure(.fatal(.invalidURL(error.description))))
            }
        }
        connection.onSubscribe = { [weak self] in self?.subscribe() }
        connection.onMessage = { [weak self] in self?.received($0) }
        connection.onState = { [weak self] state in
            guard let self else { return }
            if !self.connection.isConnected { self.pingTimer.cancel() }
            self.delegate?.marketDataFeed(self, didChangeState: state)
        }
    }

    /// `base` with `?snapshot=-1`: each depth subscription's first frame is the full book.
    public static func connectURL(base: String) -> String {
        var url = base
        while url.hasSuffix("/") { url.removeLast() }
        return url + "/?snapshot=-1"
    }

    /// The streams subscribed for `symbols` (depth and trades of each), in one frame.
    public static func streams(symbols: [String]) -> [String] {
        symbols.flatMap { [WSAPIRequest.depthStream($0), WSAPIRequest.tradeStream($0)] }
    }

    public var state: FeedConnectionState {
        dispatchPrecondition(condition: .onQueue(books.queue))
        return connection.state
    }

    public var phase: FeedConnectionStateMachine.Phase { connection.machine.phase }

    /// The continuity of the symbol at `index` (for status and tests).
    public func continuity(of index: BookIndex) -> DepthContinuity? {
        dispatchPrecondition(condition: .onQueue(books.queue))
        return index.index < continuity.count ? continuity[index.index] : nil
    }

    public func start() {
        dispatchPrecondition(condition: .onQueue(books.queue))
        connection.start()
    }

    public func stop() {
        dispatchPrecondition(condition: .onQueue(books.queue))
        pingTimer.cancel()
        connection.stop()
    }

    private func requestID() -> Int64 {
        defer { nextRequestID &+= 1 }
        return nextRequestID
    }

    private func send(_ text: String) -> Bool {
        do throws(WebSocketError) {
            try connection.send(text: text)
            return true
        } catch {
            connection.fail(.connectionLost("request not sent: \(error)"))
            return false
        }
    }

    private func subscribe() {
        books.books.reset()
        for i in continuity.indices {
            continuity[i].reset()
            resyncUnsubscribeID[i] = nil
        }
        subscribeID = requestID()
        guard send(WSAPIRequest.subscribe(id: subscribeID, streams: Self.streams(symbols: books.symbolNames))) else { return }
        armPing()
    }

    private func armPing() {
        pingTimer.arm(afterMs: configuration.effectivePingIntervalMs) { [weak self] in
            guard let self, self.connection.isConnected else { return }
            guard self.send(WSAPIRequest.call(id: self.requestID(), method: "ping")) else { return }
            self.armPing()
        }
    }

    // MARK: frames

    private func received(_ message: WebSocketMessage) {
        debugAssertOnQueue(books.queue)
        TickTrace.shared.mark(.message)
        counters.frames += 1
        var handler = WSAPIBookHandler(feed: self, trades: tradeScratch)
        tradeScratch = []
        defer {
            // Emptied while the handler is its one owner, then moved back: emptying a
            // shared buffer would allocate a new one per message.
            handler.trades.removeAll(keepingCapacity: true)
            tradeScratch = handler.trades
        }
        let kind: WSAPIMarketMessageKind
        do throws(WSAPIDecodingError) {
            kind = try message.withUnsafeBytes { (bytes) throws(WSAPIDecodingError) in
                try decoder.decode(bytes, into: &handler)
            }
        } catch {
            counters.decodeErrors += 1
            // The frame's symbol is unknown, so every book is suspect: start over.
            connection.fail(.decodeError(error.description))
            return
        }
        TickTrace.shared.mark(.applied)
        // Any frame proves the connection alive (idle books send nothing; pings cover them).
        connection.heartbeat()
        counters.trades += handler.trades.count
        switch kind {
        case .depthUpdate, .trade: connection.data()
        case .malformedTrade: counters.malformedTrades += 1
        case .ignored, .other, .unknownSymbol: counters.ignoredFrames += 1
        case .reply: break
        }
        if let reply = handler.reply {
            handle(reply)
            guard connection.isConnected else { return }
        }
        if let symbol = handler.resync {
            resync(symbol)
        } else if let symbol = handler.updatedSymbol {
            if books.books.book(symbol)?.isCrossed == true {
                counters.crossedBooks += 1
                resync(symbol)
            } else {
                delegate?.marketDataFeed(self, didUpdateBook: BookIndex(gemini: symbol))
            }
        }
        for trade in handler.trades {
            guard connection.isConnected else { return }
            guard let symbol = books.symbol(at: BookIndex(gemini: trade.symbol)) else { continue }
            delegate?.marketDataFeed(self, didReceiveTrade: MarketTradeReport(gemini: trade, symbol: symbol))
        }
    }

    /// Called by the handler inside `decode`, with the frame fully validated.
    fileprivate func applyDepth(_ update: WSAPIDepthUpdate, levels: UnsafeBufferPointer<L2Change>,
                                handler: inout WSAPIBookHandler) {
        let i = update.symbol.index
        guard i < continuity.count else { return }
        switch continuity[i].accept(first: update.firstUpdateID, last: update.lastUpdateID) {
        case .applySnapshot, .applySnapshotWithRange:
            counters.snapshots += 1
            books.books.reset(update.symbol)
            books.books.l2Updates(symbol: update.symbol, changes: levels, carriesSnapshotExtras: false)
            handler.updatedSymbol = update.symbol
        case .applyDiff:
            counters.diffs += 1
            books.books.l2Updates(symbol: update.symbol, changes: levels, carriesSnapshotExtras: false)
            handler.updatedSymbol = update.symbol
        case .dropStale:
            counters.staleFrames += 1
        case .dropResyncing:
            break
        case .gap:
            counters.gaps += 1
            handler.resync = update.symbol
        }
    }

    /// Empties the symbol's book and asks for a fresh snapshot on this connection.
    private func resync(_ symbol: SymbolID) {
        let i = symbol.index
        guard i < continuity.count else { return }
        counters.resyncs += 1
        continuity[i].beginResync()
        books.books.reset(symbol)
        let stream = WSAPIRequest.depthStream(books.name(of: symbol))
        let unsubscribe = requestID()
        resyncUnsubscribeID[i] = unsubscribe
        guard send(WSAPIRequest.unsubscribe(id: unsubscribe, streams: [stream])) else { return }
        _ = send(WSAPIRequest.subscribe(id: requestID(), streams: [stream]))
    }

    private func handle(_ reply: WSAPIReply) {
        guard case .number(let id)? = reply.id else { return }
        if id == subscribeID {
            guard reply.isSuccess else {
                connection.fail(.exchangeError("subscribe refused: \(reply)"))
                return
            }
            connection.subscriptionConfirmed()
            return
        }
        if let i = resyncUnsubscribeID.firstIndex(of: id) {
            resyncUnsubscribeID[i] = nil
            continuity[i].resubscribed()
            return
        }
        if !reply.isSuccess {
            // A refused resubscribe (or ping) leaves a symbol without a book: start over.
            connection.fail(.exchangeError("request refused: \(reply)"))
        }
    }
}

/// Applies one decoded frame to the books through its adapter and notes what the adapter
/// must do after the frame (tell the delegate, resync a symbol, handle a reply).
struct WSAPIBookHandler: WSAPIMarketHandler {
    /// Unowned: the adapter holds itself alive while it decodes; no retain per frame.
    unowned(unsafe) let feed: GeminiWSMarketDataAdapter
    var trades: [MarketDataV2Trade]
    var updatedSymbol: SymbolID?
    var resync: SymbolID?
    var reply: WSAPIReply?

    init(feed: GeminiWSMarketDataAdapter, trades: [MarketDataV2Trade]) {
        self.feed = feed
        self.trades = trades
    }

    mutating func depthUpdate(_ update: WSAPIDepthUpdate, levels: UnsafeBufferPointer<L2Change>) {
        feed.applyDepth(update, levels: levels, handler: &self)
    }

    mutating func trade(_ trade: MarketDataV2Trade) {
        feed.books.books.trade(trade)
        trades.append(trade)
    }

    mutating func reply(_ reply: WSAPIReply) { self.reply = reply }
}
