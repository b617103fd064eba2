import CastorCore
import CastorFeeds
import Dispatch
import GeminiProtocol
import MarketData

/// Paper trading's market data: a live adapter (the new WebSocket API's or v2's) whose every
/// book change and trade is shown to the local fill model (`BacktestVenue.marketMoved`)
/// before the engine hears of it, as the backtest's recording is. The adapter keeps the
/// engine's books; this only sits between it and the engine.
///
/// Invariant behind `@unchecked Sendable`: confined to the engine queue.
public final class PaperMarketData: MarketDataFeedAdapter, MarketDataFeedDelegate, @unchecked Sendable {
    public weak var delegate: (any MarketDataFeedDelegate)?
    public let inner: any MarketDataFeedAdapter
    private let venue: BacktestVenue
    private let books: MarketBooks

    public init(inner: any MarketDataFeedAdapter, books: MarketBooks, venue: BacktestVenue) {
        self.inner = inner
        self.venue = venue
        self.books = books
        venue.attach(books: books)
        inner.delegate = self
    }

    public var state: FeedConnectionState { inner.state }
    public func start() { inner.start() }
    public func stop() { inner.stop() }

    public func marketDataFeed(_ feed: any MarketDataFeedAdapter, didUpdateBook book: BookIndex) {
        venue.marketMoved(book: book, trades: [])
        delegate?.marketDataFeed(self, didUpdateBook: book)
    }

    public func marketDataFeed(_ feed: any MarketDataFeedAdapter, didReceiveTrade trade: MarketTradeReport) {
        if !trade.fromSnapshot, let id = books.id(of: trade.symbol.rawValue) {
            venue.marketMoved(book: nil, trades: [MarketDataV2Trade(
                symbol: id, eventID: UInt64(clamping: trade.tradeID), timestampMs: trade.timestampMs, price: trade.price,
                quantity: trade.amount, takerSide: trade.takerSide)])
        }
        delegate?.marketDataFeed(self, didReceiveTrade: trade)
    }

    public func marketDataFeed(_ feed: any MarketDataFeedAdapter, didChangeState state: FeedConnectionState) {
        delegate?.marketDataFeed(self, didChangeState: state)
    }
}
