import CastorCore
import CastorFeeds
import GeminiProtocol
import MarketData

/// Applies one decoded market data v2 frame to the engine's books in place and notes what
/// changed, for `BacktestMarketData` to report once the frame is fully applied.
///
/// Only the engine's symbols are applied (a recording may hold more). An `l2_updates` that
/// carries a snapshot's extras (`trades`, `auction_events`: only snapshots have them)
/// replaces the book: a recorder that reconnected after a gap resubscribed, and its next
/// snapshot resyncs the book. Made per frame on the stack; `trades` is the adapter's
/// scratch array moved in and out, so steady-state decoding allocates nothing.
struct BacktestBookHandler: MarketDataV2Handler {
    /// Unowned: the adapter holds the books strongly while it decodes.
    unowned(unsafe) let books: MarketBooks
    let symbolCount: Int
    var trades: [MarketDataV2Trade]
    var updatedSymbol: SymbolID?
    var resynced = false
    /// Decode only, apply nothing (the format probe).
    var dryRun = false

    init(books: MarketBooks, trades: [MarketDataV2Trade]) {
        self.books = books
        symbolCount = books.symbols.count
        self.trades = trades
    }

    mutating func l2Updates(symbol: SymbolID, changes: UnsafeBufferPointer<L2Change>, carriesSnapshotExtras: Bool) {
        guard symbol.index < symbolCount, !dryRun else { return }
        if carriesSnapshotExtras, books.books.book(symbol)?.hasSnapshot == true {
            books.books.reset(symbol)
            resynced = true
        }
        books.books.l2Updates(symbol: symbol, changes: changes, carriesSnapshotExtras: carriesSnapshotExtras)
        updatedSymbol = symbol
    }

    mutating func trade(_ trade: MarketDataV2Trade) {
        guard trade.symbol.index < symbolCount, !dryRun else { return }
        books.books.trade(trade)
        trades.append(trade)
    }

    mutating func heartbeat(timestampMs: Int64?) { if !dryRun { books.books.heartbeat(timestampMs: timestampMs) } }
    mutating func subscriptionReply(_ reply: SubscriptionReply) { if !dryRun { books.books.subscriptionReply(reply) } }
    mutating func unknownMessage(type: UnsafeRawBufferPointer) { if !dryRun { books.books.unknownMessage(type: type) } }
}
