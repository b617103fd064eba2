import CastorConfig
import CastorCore
import CastorFeeds
import CastorStrategy
import Dispatch
import GeminiProtocol
import Logging
import MarketData

extension Engine: MarketDataFeedDelegate, OrderEventsFeedDelegate {
    /// Book depth handed to strategies.
    static let bookDepth = 10

    func startFeeds() {
        let books = MarketBooks(symbols: configuration.engine.symbols, queue: queue)
        self.books = books
        let context = feedContext(books: books)
        do {
            let market = try feedFactory.makeMarketData(context)
            let orders = try feedFactory.makeOrderEvents(context)
            market.delegate = self
            orders.delegate = self
            marketFeed = market
            orderFeed = orders
            log("feeds").info("connecting feeds", metadata: ["event": "feeds.connecting", "reason": "\(endpoints)"])
            orders.start()
            market.start()
        } catch {
            failStart(.feeds("\(error)"))
        }
    }

    /// What the feed factory builds adapters from: `books` (their symbols), this engine's
    /// key, and `[feeds]` (`feeds`, or the running configuration's).
    func feedContext(books: MarketBooks, feeds: FeedConfiguration? = nil) -> EngineFeedContext {
        EngineFeedContext(queue: queue, books: books, endpoints: endpoints, symbols: books.symbolNames,
                          signer: signer, nonces: nonces, sender: rest?.privateSender, feeds: feeds ?? configuration.feeds,
                          logger: log("feeds"))
    }

    func stopFeeds() {
        marketFeed?.stop()
        orderFeed?.stop()
    }

    /// Start-up completes once both feeds are live; then the strategy starts.
    private func checkStartReady() {
        // Not before the catch-up after the order-events feed connected: fills made while we
        // were down are counted (and journaled) before the strategy starts and READY is sent.
        guard phase == .starting, feedStatus.bothLive, feedStatus.reconciledAfterConnect, startCompletion != nil else { return }
        phase = .running
        switch startStrategy(configuration.strategy.selection, parameters: configuration.strategy.parameters) {
        case .success:
            log("engine").notice("engine running", metadata: ["event": "engine.running", "strategy": "\(strategy?.name ?? "")"])
            let c = startCompletion
            startCompletion = nil
            c?(.success(()))
        case .failure(let e):
            failStart(e)
        }
    }

    // MARK: Market data

    public func marketDataFeed(_ feed: any MarketDataFeedAdapter, didUpdateBook symbol: SymbolID) {
        feedStatus.lastMarketDataMs = now
        guard let view = bookView(symbol) else { return }
        deliver(.book(view.symbol, view))
    }

    public func marketDataFeed(_ feed: any MarketDataFeedAdapter, didReceiveTrade trade: MarketDataV2Trade) {
        feedStatus.lastMarketDataMs = now
        guard !trade.fromSnapshot, let books else { return }
        // `symbolNames` are upper case already; the id as a plain number (no interpolation).
        deliver(.trade(MarketTrade(symbol: books.name(of: trade.symbol), tradeID: String(trade.tid ?? trade.eventID),
                                   price: trade.price, amount: trade.quantity, takerSide: trade.takerSide,
                                   timestampMs: trade.timestampMs)))
    }

    public func marketDataFeed(_ feed: any MarketDataFeedAdapter, didChangeState state: FeedConnectionState) {
        feedStatus.marketData = state
        logFeedState("market data", state)
        if case .live = state {
            feedStatus.marketDataLiveCount += 1
            feedStatus.lastMarketDataMs = now
            checkStartReady()
        } else if case .failed(let e) = state, phase == .starting {
            failStart(.feeds("market data: \(e)"))
        }
    }

    // MARK: Order events

    public func orderEventsFeed(_ feed: any OrderEventsFeedAdapter, didReceive message: OrderEventsMessage) {
        feedStatus.lastOrderEventsMs = now
        switch message {
        case .events(let events):
            for e in events where e.type != .initial {
                perform(manager.handle(event: e, now: now))
            }
        case .error(let body):
            log("feeds").error("order events feed reported an error", metadata: ["event": "feeds.order_events_error", "reason": "\(body)"])
        case .subscriptionAck, .heartbeat, .unknown:
            break
        }
    }

    public func orderEventsFeed(_ feed: any OrderEventsFeedAdapter, didCompleteInitialSnapshot activeOrders: [OrderEvent]) {
        feedStatus.lastOrderEventsMs = now
        reconcile(reason: "order events connected (\(activeOrders.count) active in snapshot)", snapshot: activeOrders) {
            [weak self] in
            guard let self, !self.feedStatus.reconciledAfterConnect else { return }
            self.feedStatus.reconciledAfterConnect = true
            self.checkStartReady()
        }
    }

    public func orderEventsFeed(_ feed: any OrderEventsFeedAdapter, didChangeState state: FeedConnectionState) {
        feedStatus.orderEvents = state
        logFeedState("order events", state)
        if case .live = state {
            feedStatus.orderEventsLiveCount += 1
            feedStatus.lastOrderEventsMs = now
            checkStartReady()
        } else if case .failed(let e) = state {
            if phase == .starting {
                failStart(.feeds("order events: \(e)"))
            } else if phase == .running {
                // Without order events fills could go unseen: stop placing orders.
                engageKillSwitch(true, reason: "order events feed failed: \(e)")
            }
        }
    }

    private func logFeedState(_ feed: String, _ state: FeedConnectionState) {
        let l = log("feeds")
        switch state {
        case .reconnecting(let cause, let attempt, let delay):
            l.warning("feed reconnecting", metadata: ["event": "feeds.reconnecting", "feed": "\(feed)", "reason": "\(cause.code)",
                                                      "detail": "\(cause)", "attempt": "\(attempt)", "delay_ms": "\(delay)"])
        case .failed(let e):
            l.error("feed failed", metadata: ["event": "feeds.failed", "feed": "\(feed)", "reason": "\(e)"])
        default:
            l.info("feed \(state)", metadata: ["event": "feeds.state", "feed": "\(feed)"])
        }
    }

    // MARK: Books

    func bookView(_ symbol: String) -> BookView? {
        guard let id = books?.id(of: symbol) else { return nil }
        return bookView(id)
    }

    /// The top `bookDepth` levels of `id`'s book, refilled into the buffers of the view
    /// handed out last: a strategy that does not keep its `BookView` leaves them uniquely
    /// referenced again, so the refill (one per market-data update) allocates nothing; one
    /// that keeps it gets copy-on-write, as with any Swift array.
    func bookView(_ id: SymbolID) -> BookView? {
        guard let books, id.index < bookViews.count, let book = books.books.book(id), book.hasSnapshot else { return nil }
        // Taken out of the cache so that this copy is the buffers' only owner while refilled.
        var view = bookViews[id.index].take() ?? Engine.emptyBookView(books.name(of: id))
        view.bids.removeAll(keepingCapacity: true)
        view.asks.removeAll(keepingCapacity: true)
        book.forEachTopBid(Engine.bookDepth) { view.bids.append(BookLevel(price: $0.price, quantity: $0.quantity)) }
        book.forEachTopAsk(Engine.bookDepth) { view.asks.append(BookLevel(price: $0.price, quantity: $0.quantity)) }
        view.timestampMs = feedStatus.lastMarketDataMs ?? now
        bookViews[id.index] = view
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
        guard case .live = feedStatus.marketData, let books, let id = books.id(of: symbol.rawValue),
              let book = books.books.book(id), book.hasSnapshot else { return nil }
        return BookTop(bestBid: book.bestBid.map { BookLevel(price: $0.price, quantity: $0.quantity) },
                       bestAsk: book.bestAsk.map { BookLevel(price: $0.price, quantity: $0.quantity) }).mid
    }
}
