import CastorConfig
import CastorCore
import CastorFeeds
import CastorStrategy
import CastorTrading
import Dispatch
import Logging

extension Engine: MarketDataFeedDelegate, OrderEventsFeedDelegate {
    /// Builds both feed adapters and connects them (the start-up's `connectFeeds` step).
    func startFeeds() -> Result<Void, EngineError> {
        let books = MarketBooks(symbols: configuration.engine.symbols, queue: queue)
        market.books = books
        let context = feedContext(books: books)
        do {
            let market = try connections.factory.makeMarketData(context)
            let orders = try connections.factory.makeOrderEvents(context)
            market.delegate = self
            orders.delegate = self
            connections.marketData = market
            connections.orderEvents = orders
            log("feeds").info("connecting feeds", metadata: ["event": "feeds.connecting", "endpoints": "\(identity.endpoints)"])
            orders.start()
            market.start()
            return .success(())
        } catch {
            return .failure(.feeds("\(error)"))
        }
    }

    /// What the feed factory builds adapters from: `books` (their symbols), this engine's
    /// key, and `[feeds]` (`feeds`, or the running configuration's).
    func feedContext(books: MarketBooks, feeds: FeedConfiguration? = nil) -> EngineFeedContext {
        EngineFeedContext(queue: queue, books: books, endpoints: identity.endpoints, symbols: books.symbolNames,
                          execution: lane.venue, keySlot: EngineKeySlot(engine: self), feeds: feeds ?? configuration.feeds,
                          logger: log("feeds"), clock: clock)
    }

    func stopFeeds() {
        connections.stop()
    }

    // MARK: Market data

    public func marketDataFeed(_ feed: any MarketDataFeedAdapter, didUpdateBook book: BookIndex) {
        identity.metrics.tickStartNs = DispatchTime.now().uptimeNanoseconds
        defer { identity.metrics.tickStartNs = 0 }
        connections.status.lastMarketDataMs = now
        guard let view = bookView(book) else { return }
        deliver(.book(view.symbol, view))
    }

    public func marketDataFeed(_ feed: any MarketDataFeedAdapter, didReceiveTrade trade: MarketTradeReport) {
        identity.metrics.tickStartNs = DispatchTime.now().uptimeNanoseconds
        defer { identity.metrics.tickStartNs = 0 }
        connections.status.lastMarketDataMs = now
        guard !trade.fromSnapshot else { return }
        // The symbol is canonical (upper case) already; the id as a plain number (no interpolation).
        deliver(.trade(MarketTrade(symbol: trade.symbol.rawValue, tradeID: String(trade.tradeID),
                                   price: trade.price, amount: trade.amount, takerSide: trade.takerSide,
                                   timestampMs: trade.timestampMs)))
    }

    public func marketDataFeed(_ feed: any MarketDataFeedAdapter, didChangeState state: FeedConnectionState) {
        connections.status.marketData = state
        if case .reconnecting(let cause, _, _) = state { connections.status.lastMarketDataCause = cause.code }
        identity.metrics.feedState("market_data", state)
        logFeedState("market data", state)
        switch state {
        case .live:
            connections.status.marketDataLiveCount += 1
            connections.status.lastMarketDataMs = now
            run(lifecycle.feedLive(.marketData))
        case .failed(let e):
            run(lifecycle.feedFailed(.marketData, "\(e)"))
        default:
            lifecycle.feedLost(.marketData)
        }
    }

    // MARK: Order events

    public func orderEventsFeed(_ feed: any OrderEventsFeedAdapter, didReceive reports: [OrderReport]) {
        connections.status.lastOrderEventsMs = now
        for r in reports where r.kind != .initial {
            perform(router.manager.handle(event: r, now: now))
        }
    }

    /// The account socket's `balanceUpdate`: the pushed amounts replace those currencies'
    /// balances at once, and the REST read a fill would have asked for a few seconds later
    /// is not needed (the periodic one still runs: a push lost while subscribing heals there).
    public func orderEventsFeed(_ feed: any OrderEventsFeedAdapter, didReceiveBalances changes: [VenueBalanceChange]) {
        connections.status.lastOrderEventsMs = now
        for change in changes { market.balancePushed(change) }
        market.balanceRefresh.pushed()
    }

    public func orderEventsFeed(_ feed: any OrderEventsFeedAdapter, didReportError detail: String) {
        connections.status.lastOrderEventsMs = now
        log("feeds").error("order events feed reported an error", metadata: ["event": "feeds.order_events_error",
                                                                                              "reason": "feed_error", "detail": "\(detail)"])
    }

    public func orderEventsFeed(_ feed: any OrderEventsFeedAdapter, didCompleteInitialSnapshot activeOrders: [OrderReport]) {
        connections.status.lastOrderEventsMs = now
        // The start waits for the first of these: fills made while we were down are counted
        // (and journaled) before the strategy starts and READY is sent.
        reconcile(.reconnect, snapshot: activeOrders) {
            [weak self] in
            guard let self else { return }
            self.run(self.lifecycle.reconciledAfterConnect())
        }
    }

    public func orderEventsFeed(_ feed: any OrderEventsFeedAdapter, didChangeState state: FeedConnectionState) {
        connections.status.orderEvents = state
        if case .reconnecting(let cause, _, _) = state { connections.status.lastOrderEventsCause = cause.code }
        identity.metrics.feedState("order_events", state)
        logFeedState("order events", state)
        switch state {
        case .live:
            connections.status.orderEventsLiveCount += 1
            connections.status.lastOrderEventsMs = now
            run(lifecycle.feedLive(.orderEvents))
        case .failed(let e):
            // Running, without order events fills could go unseen: the lifecycle engages
            // the kill switch.
            run(lifecycle.feedFailed(.orderEvents, "\(e)"))
        default:
            lifecycle.feedLost(.orderEvents)
        }
    }

    private func logFeedState(_ feed: String, _ state: FeedConnectionState) {
        let l = log("feeds")
        switch state {
        case .reconnecting(let cause, let attempt, let delay):
            l.warning("feed reconnecting", metadata: ["event": "feeds.reconnecting", "feed": "\(feed)", "reason": "\(cause.code)",
                                                      "detail": "\(cause)", "attempt": "\(attempt)", "delay_ms": "\(delay)"])
        case .failed(let e):
            l.error("feed failed", metadata: ["event": "feeds.failed", "feed": "\(feed)", "reason": "\(e.logCode)", "detail": "\(e)"])
        default:
            l.info("feed \(state)", metadata: ["event": "feeds.state", "feed": "\(feed)"])
        }
    }

    // MARK: Books

    func bookView(_ symbol: String) -> BookView? {
        market.bookView(symbol, timestampMs: connections.status.lastMarketDataMs ?? now)
    }

    func bookView(_ book: BookIndex) -> BookView? {
        market.bookView(book, timestampMs: connections.status.lastMarketDataMs ?? now)
    }

    /// Mid of the best bid and ask while market data is live (the risk check's price band).
    func mid(_ symbol: Symbol) -> ExactDecimal? {
        connections.status.isMarketDataLive ? market.mid(symbol) : nil
    }
}

extension FeedFatalError {
    /// A stable short code for the `reason` of `feeds.failed`.
    var logCode: String {
        switch self {
        case .authenticationRejected: "authentication_rejected"
        case .invalidURL: "invalid_url"
        case .nonceUnavailable: "nonce_unavailable"
        }
    }
}
