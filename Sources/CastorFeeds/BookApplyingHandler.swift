import GeminiProtocol
import MarketData

/// Applies one decoded market-data message to the engine's books in place and notes what
/// changed, so the adapter can tell its delegate after the message is fully applied.
///
/// Created per message on the stack; `trades` is the adapter's scratch array moved in and
/// out, so steady-state decoding allocates nothing.
struct BookApplyingHandler: MarketDataV2Handler {
    /// Unowned: the adapter holds the books strongly while it decodes; no retain per message.
    unowned(unsafe) let books: MarketBooks
    var trades: [MarketDataV2Trade]
    var updatedSymbol: SymbolID?
    var sawHeartbeat = false
    var subscriptionError: SubscriptionReply?

    init(books: MarketBooks, trades: [MarketDataV2Trade]) {
        self.books = books
        self.trades = trades
    }

    mutating func l2Updates(symbol: SymbolID, changes: UnsafeBufferPointer<L2Change>, carriesSnapshotExtras: Bool) {
        books.books.l2Updates(symbol: symbol, changes: changes, carriesSnapshotExtras: carriesSnapshotExtras)
        updatedSymbol = symbol
    }

    mutating func trade(_ trade: MarketDataV2Trade) {
        books.books.trade(trade)
        trades.append(trade)
    }

    mutating func heartbeat(timestampMs: Int64?) {
        books.books.heartbeat(timestampMs: timestampMs)
        sawHeartbeat = true
    }

    mutating func subscriptionReply(_ reply: SubscriptionReply) {
        books.books.subscriptionReply(reply)
        if reply.isError { subscriptionError = reply }
    }

    mutating func unknownMessage(type: UnsafeRawBufferPointer) {
        books.books.unknownMessage(type: type)
    }

    mutating func auction(_ event: AuctionEvent) { books.books.auction(event) }
    mutating func candle(_ candle: CandleUpdate) { books.books.candle(candle) }
    mutating func markPrice(_ update: MarkPriceUpdate) { books.books.markPrice(update) }
    mutating func fundingAmount(_ update: FundingAmountUpdate) { books.books.fundingAmount(update) }
}
