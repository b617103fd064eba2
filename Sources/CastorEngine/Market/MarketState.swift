import CastorCore
import CastorFeeds
import CastorStrategy
import MarketData

/// What the engine knows of the market and the account: the configured symbols' trading
/// rules, the balances, the order books the market-data adapter updates in place, and the
/// book views handed to the strategy.
///
/// Part of the engine's state, so confined to the engine queue.
struct MarketState {
    /// Book depth handed to strategies.
    static let bookDepth = 10

    /// Trading rules by symbol (`/v1/symbols/details`), for quantisation and risk.
    var symbolInfo: [Symbol: SymbolInfo] = [:]
    /// Balances by upper-case currency, as loaded at start-up.
    var balances: [String: CastorStrategy.Balance] = [:]
    /// The books of the subscribed symbols; replaced whole when the symbols change.
    var books: MarketBooks? {
        didSet { bookViews = Array(repeating: nil, count: books?.symbols.count ?? 0) }
    }
    /// The view last handed out per symbol (`BookIndex.index`), refilled in place on each
    /// update so that delivering a book allocates nothing once the strategy has let go of
    /// the previous one (see `bookView(_:timestampMs:)`).
    private var bookViews: [BookView?] = []

    /// The book view of `symbol` (upper case), if it has a snapshot.
    mutating func bookView(_ symbol: String, timestampMs: @autoclosure () -> Int64) -> BookView? {
        guard let index = books?.index(of: symbol) else { return nil }
        return bookView(index, timestampMs: timestampMs())
    }

    /// The top `bookDepth` levels of `index`'s book, refilled into the buffers of the view
    /// handed out last: a strategy that does not keep its `BookView` leaves them uniquely
    /// referenced again, so the refill (one per market-data update) allocates nothing; one
    /// that keeps it gets copy-on-write, as with any Swift array.
    mutating func bookView(_ index: BookIndex, timestampMs: @autoclosure () -> Int64) -> BookView? {
        guard let books, index.index < bookViews.count, let book = books.book(index), book.hasSnapshot else { return nil }
        // Taken out of the cache so that this copy is the buffers' only owner while refilled.
        var view = bookViews[index.index].take() ?? MarketState.emptyBookView(books.name(of: index))
        view.bids.removeAll(keepingCapacity: true)
        view.asks.removeAll(keepingCapacity: true)
        book.forEachTopBid(MarketState.bookDepth) { view.bids.append(BookLevel(price: $0.price, quantity: $0.quantity)) }
        book.forEachTopAsk(MarketState.bookDepth) { view.asks.append(BookLevel(price: $0.price, quantity: $0.quantity)) }
        view.timestampMs = timestampMs()
        bookViews[index.index] = view
        return view
    }

    private static func emptyBookView(_ symbol: String) -> BookView {
        var view = BookView(symbol: symbol, bids: [], asks: [], timestampMs: 0)
        view.bids.reserveCapacity(bookDepth)
        view.asks.reserveCapacity(bookDepth)
        return view
    }

    /// Mid of the best bid and ask, straight from the book (the risk check's price band).
    func mid(_ symbol: Symbol) -> ExactDecimal? {
        guard let books, let index = books.index(of: symbol), let book = books.book(index), book.hasSnapshot else {
            return nil
        }
        return BookTop(bestBid: book.bestBid.map { BookLevel(price: $0.price, quantity: $0.quantity) },
                       bestAsk: book.bestAsk.map { BookLevel(price: $0.price, quantity: $0.quantity) }).mid
    }
}
