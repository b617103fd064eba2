import CastorCore
import CastorEngine
import CastorFeeds
import Dispatch
import GeminiProtocol
import MarketData

/// The recording as the engine's market data feed: `BacktestRun` hands it each frame
/// (`receive`), which is decoded (the same decoders as the live adapters: the new
/// WebSocket API's `WSAPIMarketDecoder` or v2's `MarketDataV2Decoder`, told apart at the
/// first frame that decodes and kept for the recording),
/// applied to the engine's `MarketBooks` in place, shown to the fill model (the venue
/// matches resting orders against the trades and the new book first, as the exchange
/// would), then reported to the engine: the changed book, then each trade.
///
/// Goes live when started (one timer turn later, not inside the engine's call) and never
/// drops; frames that arrive while it is not live (before the engine started it, after it
/// stopped) are counted and not applied. A crossed book is applied but not reported (the
/// live adapter would reconnect): counted as `crossedUpdates`.
///
/// Invariant behind `@unchecked Sendable`: confined to the engine queue.
public final class BacktestMarketData: MarketDataFeedAdapter, @unchecked Sendable {
    /// What became of one frame.
    public enum Outcome: Equatable {
        case applied
        /// A request the recorder sent (subscribe), not a received message.
        case notReceived
        /// The feed was not live.
        case notLive
        case malformed(String)
    }

    public weak var delegate: (any MarketDataFeedDelegate)?
    public private(set) var state: FeedConnectionState = .idle
    public let books: MarketBooks
    private let clock: EngineClock
    private let venue: BacktestVenue
    private var decoder: MarketDataV2Decoder
    private var webSocketDecoder: WSAPIMarketDecoder
    private var continuity: [DepthContinuity]
    /// Which API the recording speaks, once a frame told.
    public private(set) var format: Format?

    /// A recording's API.
    public enum Format: Equatable { case marketDataV2, webSocketAPI }
    private var tradeScratch: [MarketDataV2Trade] = []
    /// Frames applied whose book was crossed afterwards (not reported to the engine).
    public private(set) var crossedUpdates = 0
    /// Snapshots that replaced a book mid-recording (a recorder's resubscription).
    public private(set) var resyncs = 0

    public init(context: EngineFeedContext, venue: BacktestVenue) {
        books = context.books
        clock = context.clock
        self.venue = venue
        decoder = MarketDataV2Decoder(symbols: context.books.makeSymbolTable())
        webSocketDecoder = WSAPIMarketDecoder(symbols: context.books.symbolNames)
        continuity = Array(repeating: DepthContinuity(), count: context.books.symbols.count)
        tradeScratch.reserveCapacity(64)
        venue.attach(self)
    }

    public func start() {
        dispatchPrecondition(condition: .onQueue(books.queue))
        state = .connecting
        clock.schedule(on: books.queue, afterMs: 0) { [weak self] in
            guard let self, self.state == .connecting else { return }
            self.state = .live
            self.delegate?.marketDataFeed(self, didChangeState: .live)
        }
    }

    public func stop() {
        dispatchPrecondition(condition: .onQueue(books.queue))
        state = .idle
    }

    /// Decodes and applies one recorded frame (engine queue).
    public func receive(_ frame: UnsafeRawBufferPointer) -> Outcome {
        debugAssertOnQueue(books.queue)
        guard state == .live else { return .notLive }
        // The scratch array is moved into the handler and back: emptied while the handler
        // is its only owner, so its buffer is reused (emptying a shared one would allocate
        // a new buffer per frame).
        var handler = BacktestBookHandler(books: books, trades: tradeScratch)
        tradeScratch = []
        defer {
            handler.trades.removeAll(keepingCapacity: true)
            tradeScratch = handler.trades
        }
        switch format {
        case .webSocketAPI:
            return receiveWebSocketAPI(frame, handler: &handler)
        case .marketDataV2:
            break
        case nil:
            // A v2 frame always has `type`; the new API's never do (their replies have
            // `id`/`status`, their events `e` or single-letter keys).
            do throws(MarketDataV2DecodingError) {
                var probe = BacktestBookHandler(books: books, trades: [])
                probe.dryRun = true
                _ = try decoder.decode(frame, into: &probe)
                format = .marketDataV2
            } catch {
                if case .missingField(.type, _) = error {
                    format = .webSocketAPI
                    return receiveWebSocketAPI(frame, handler: &handler)
                }
                return .malformed(error.description)
            }
        }
        let kind: MarketDataV2MessageKind
        do throws(MarketDataV2DecodingError) {
            kind = try decoder.decode(frame, into: &handler)
        } catch {
            return .malformed(error.description)
        }
        if kind == .outgoingRequest { return .notReceived }
        return report(handler)
    }

    /// A frame of the new API: depth frames checked for continuity per symbol, as the live
    /// adapter does. A recording cannot resubscribe, so after a gap the symbol's book is
    /// emptied (not reported) until its next snapshot (`U == u`: the recorder reconnected).
    private func receiveWebSocketAPI(_ frame: UnsafeRawBufferPointer, handler: inout BacktestBookHandler) -> Outcome {
        var ws = BacktestWSAPIHandler(feed: self, inner: handler)
        handler.trades = [] // the scratch's one owner while decoding is `ws`
        let kind: WSAPIMarketMessageKind
        do throws(WSAPIDecodingError) {
            kind = try webSocketDecoder.decode(frame, into: &ws)
        } catch {
            handler = ws.inner
            return .malformed(error.description)
        }
        handler = ws.inner
        if kind == .reply { return .notReceived }
        return report(handler)
    }

    fileprivate func applyDepth(_ update: WSAPIDepthUpdate, levels: UnsafeBufferPointer<L2Change>,
                                handler: inout BacktestBookHandler) {
        let i = update.symbol.index
        guard i < continuity.count else { return }
        let verdict = continuity[i].acceptRecorded(first: update.firstUpdateID, last: update.lastUpdateID)
        switch verdict {
        case .applySnapshot, .applySnapshotWithRange:
            if books.books.book(update.symbol)?.hasSnapshot == true { handler.resynced = true }
            books.books.reset(update.symbol)
            handler.l2Updates(symbol: update.symbol, changes: levels, carriesSnapshotExtras: false)
        case .applyDiff:
            handler.l2Updates(symbol: update.symbol, changes: levels, carriesSnapshotExtras: false)
        case .gap:
            books.books.reset(update.symbol)
            gaps += 1
        case .dropStale, .dropResyncing:
            break
        }
    }

    /// Depth frames of the new API that broke continuity (the book waited for a snapshot).
    public private(set) var gaps = 0

    private func report(_ handler: BacktestBookHandler) -> Outcome {
        if handler.resynced { resyncs += 1 }
        var changed: BookIndex?
        if let symbol = handler.updatedSymbol {
            let crossed = books.books.crossedSymbols
            if !crossed.isEmpty, crossed.contains(symbol) { crossedUpdates += 1 } else { changed = BookIndex(gemini: symbol) }
        }
        if changed != nil || !handler.trades.isEmpty {
            venue.marketMoved(book: changed, trades: handler.trades)
        }
        if let changed { delegate?.marketDataFeed(self, didUpdateBook: changed) }
        for trade in handler.trades {
            guard state == .live else { break }
            guard let symbol = books.symbol(at: BookIndex(gemini: trade.symbol)) else { continue }
            delegate?.marketDataFeed(self, didReceiveTrade: MarketTradeReport(gemini: trade, symbol: symbol))
        }
        return .applied
    }
}

/// Routes the new API's decoded frames into the v2 handler that applies them.
struct BacktestWSAPIHandler: WSAPIMarketHandler {
    unowned(unsafe) let feed: BacktestMarketData
    var inner: BacktestBookHandler

    mutating func depthUpdate(_ update: WSAPIDepthUpdate, levels: UnsafeBufferPointer<L2Change>) {
        feed.applyDepth(update, levels: levels, handler: &inner)
    }

    mutating func trade(_ trade: MarketDataV2Trade) { inner.trade(trade) }
    mutating func reply(_ reply: WSAPIReply) {}
}
