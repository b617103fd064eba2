import CastorCore
import CastorFeeds
import CastorStrategy
import CastorTrading
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
    /// Balances by upper-case currency: loaded at start-up, then refreshed (`BalanceRefresh`).
    var balances: [String: CastorStrategy.Balance] = [:]
    /// When the balances are read again.
    var balanceRefresh = BalanceRefresh()
    /// Balances the venue pushed while a REST read was out, by currency: the read's answer
    /// may be older than they are, so they are laid over it. Nil while no read is out.
    private var pushedDuringRead: [String: CastorStrategy.Balance]?
    /// The books of the subscribed symbols; replaced whole when the symbols change.
    var books: MarketBooks? {
        didSet { bookViews = Array(repeating: CachedView(), count: books?.symbols.count ?? 0) }
    }
    /// The view last handed out per symbol (`BookIndex.index`), refilled in place on each
    /// update so that delivering a book allocates nothing once the strategy has let go of
    /// the previous one (see `bookView(_:timestampMs:)`).
    private var bookViews: [CachedView] = []

    /// A symbol's last view and the book's side generations it was filled at.
    private struct CachedView {
        var view: BookView?
        var bidGeneration: UInt64 = 0
        var askGeneration: UInt64 = 0
    }

    /// A REST read of the balances is about to be sent.
    mutating func balancesReadSent() { pushedDuringRead = [:] }

    /// The read's answer: it replaces the balances (`replacing`) or adds to them, and what
    /// the venue pushed since the read went out is laid over it.
    mutating func balancesRead(_ list: [VenueBalance], replacing: Bool) {
        if replacing { balances = [:] }
        for b in list { balances[b.currency] = CastorStrategy.Balance(currency: b.currency, available: b.available, total: b.total) }
        for (currency, pushed) in pushedDuringRead ?? [:] { balances[currency] = pushed }
        pushedDuringRead = nil
    }

    /// The read failed: nothing is laid over a later one.
    mutating func balancesReadFailed() { pushedDuringRead = nil }

    /// A balance the venue pushed (the account socket's `balanceUpdate`); one without a
    /// total keeps the last known total, never below what is available.
    mutating func balancePushed(_ change: VenueBalanceChange) {
        let previous = balances[change.currency]?.total
        let total = change.total ?? max(previous ?? change.available, change.available)
        let balance = CastorStrategy.Balance(currency: change.currency, available: change.available, total: total)
        balances[change.currency] = balance
        if pushedDuringRead != nil { pushedDuringRead?[change.currency] = balance }
    }

    /// The book view of `symbol` (upper case), if it has a snapshot.
    mutating func bookView(_ symbol: String, timestampMs: @autoclosure () -> Int64) -> BookView? {
        guard let index = books?.index(of: symbol) else { return nil }
        return bookView(index, timestampMs: timestampMs())
    }

    /// The top `bookDepth` levels of `index`'s book, refilled into the buffers of the view
    /// handed out last: a strategy that does not keep its `BookView` leaves them uniquely
    /// referenced again, so the refill (one per market-data update) allocates nothing; one
    /// that keeps it gets copy-on-write, as with any Swift array. A side whose generation
    /// has not moved since the last fill (the update changed only the other side) is not
    /// refilled: about a third of the walks on a typical stream.
    mutating func bookView(_ index: BookIndex, timestampMs: @autoclosure () -> Int64) -> BookView? {
        guard let books, index.index < bookViews.count, let book = books.book(index), book.hasSnapshot else { return nil }
        // Taken out of the cache so that this copy is the buffers' only owner while refilled.
        let cached = bookViews[index.index].view.take()
        let fresh = cached == nil
        var view = cached ?? MarketState.emptyBookView(books.name(of: index))
        let refillBids = fresh || bookViews[index.index].bidGeneration != book.bidGeneration
        let refillAsks = fresh || bookViews[index.index].askGeneration != book.askGeneration
        if refillBids || refillAsks {
            withUnsafeTemporaryAllocation(of: L2Level.self, capacity: MarketState.bookDepth) { levels in
                if refillBids {
                    let n = book.topBids(into: levels)
                    MarketState.refill(&view.bids, from: UnsafeBufferPointer(rebasing: levels[..<n]))
                }
                if refillAsks {
                    let n = book.topAsks(into: levels)
                    MarketState.refill(&view.asks, from: UnsafeBufferPointer(rebasing: levels[..<n]))
                }
            }
            bookViews[index.index].bidGeneration = book.bidGeneration
            bookViews[index.index].askGeneration = book.askGeneration
        }
        view.timestampMs = timestampMs()
        bookViews[index.index].view = view
        return view
    }

    private static func refill(_ side: inout [BookLevel], from levels: UnsafeBufferPointer<L2Level>) {
        side.removeAll(keepingCapacity: true)
        for level in levels { side.append(BookLevel(price: level.price, quantity: level.quantity)) }
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
