import CastorCore
import CastorEngine
import CastorFeeds
import Dispatch
import GeminiProtocol
import MarketData

/// The recording as the engine's market data feed: `BacktestRun` hands it each frame
/// (`receive`), which is decoded (the same `MarketDataV2Decoder` as the live adapter),
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
        dispatchPrecondition(condition: .onQueue(books.queue))
        guard state == .live else { return .notLive }
        var handler = BacktestBookHandler(books: books, trades: tradeScratch)
        tradeScratch = []
        defer {
            tradeScratch = handler.trades
            tradeScratch.removeAll(keepingCapacity: true)
        }
        let kind: MarketDataV2MessageKind
        do throws(MarketDataV2DecodingError) {
            kind = try decoder.decode(frame, into: &handler)
        } catch {
            return .malformed(error.description)
        }
        if kind == .outgoingRequest { return .notReceived }
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
