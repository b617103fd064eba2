import CastorCore
import Foundation
import Synchronization

/// The new WebSocket API's shared state: the venue's one global update-id counter, its
/// copy of every book, the open connections and their subscriptions, the rate-limit
/// windows, and the market-data and account-stream fan-out.
///
/// One engine listener (`SimulatorCore.startWSAPI`) feeds it: each engine change gives
/// every symbol it touched one new update id (shared by all symbols and the book
/// tickers), updates that book's copy, queues the changed levels on every depth
/// subscription of the symbol, and sends trades, book tickers, `orderUpdate`s and
/// `balanceUpdate`s at once, in exchange order. One ticker on the injected clock flushes
/// the depth subscriptions every 100 ms (`@depth@100ms`) and every second (`@depth`):
/// one diff per subscription with changes, `U` = that subscription's previous `u`,
/// nothing when nothing changed. The ticker runs only while some connection has a depth
/// subscription (it starts with the first, ends at the first tick after the last), so an
/// idle simulator keeps no timer on the clock.
///
/// Thread-safe: everything behind one `Mutex`. Engine events and fault changes arrive on
/// `SimulatorCore` in order; sessions call in from their actors. Frames are queued into
/// each connection's `FeedOutbox` under the lock, so they keep the order decided here.
public final class WSAPIHub: Sendable {
    /// Update ids start above 2^53, so a client that parses them as doubles loses them.
    public static let firstUpdateId: Int64 = 9_007_199_254_741_000
    /// Depth batching periods.
    static let fastPeriodMs: Int64 = 100
    static let slowPeriodMs: Int64 = 1_000

    struct State {
        var started = false
        var symbols: [String: SimSymbol] = [:]
        var updateId = WSAPIHub.firstUpdateId
        var books: [String: WSAPIBookMirror] = [:]
        var tickers: [String: WSAPIBookMirror.Top] = [:]
        var lastTrades: [String: (price: ExactDecimal, quantity: ExactDecimal)] = [:]
        var connections: [UInt64: WSAPIConnectionState] = [:]
        var nextConnection: UInt64 = 0
        var publishedBalances: [Int64: [String: SimBalance]] = [:]
        var attempts: [String: WSAPIRateWindow] = [:]
        var orders10s: [String: WSAPIRateWindow] = [:]
        var ordersDay: [String: WSAPIRateWindow] = [:]
        var faults = FaultConfig()
        var listener: UInt64?
        var ticker: Task<Void, Never>?
        var stopped = false
        var lastFlushMs: Int64 = 0
        var pingsSent = 0
        var pongsReceived = 0
    }

    let core: SimulatorCore
    let feeds: WebSocketFeeds
    let log: SimLogSink
    let config: SimulatorConfig
    private let state = Mutex(State())

    /// Prepares the API of `core`; nothing runs until `start()`. Connections register with
    /// `feeds` too, so its drop faults close them.
    public init(core: SimulatorCore, feeds: WebSocketFeeds, log: @escaping SimLogSink = { _ in }) {
        self.core = core
        self.feeds = feeds
        self.log = log
        config = core.config
    }

    // MARK: Lifecycle

    /// Copies the books, starts listening to the venue and its faults, starts the depth
    /// ticker. Idempotent.
    public func start() async {
        let first = state.withLock { s -> Bool in
            defer { s.started = true }
            return !s.started
        }
        guard first else { return }
        let token = await core.startWSAPI(start: { [weak self] symbols, books in
            self?.setUp(symbols: symbols, books: books)
        }, listener: { [weak self] events in
            self?.ingest(events)
        })
        await core.addFaultObserver { [weak self] faults in self?.apply(faults: faults) }
        let faults = await core.currentFaults
        state.withLock { $0.listener = token }
        apply(faults: faults)
    }

    /// Stops the ticker and the listener (connections are closed by `WebSocketFeeds.stop`).
    public func stop() async {
        let (ticker, listener) = state.withLock { s in
            defer { s.ticker = nil; s.listener = nil; s.stopped = true }
            return (s.ticker, s.listener)
        }
        ticker?.cancel()
        if let listener { await core.removeListener(listener) }
    }

    /// Starts the depth ticker unless it runs (called under the lock when a depth
    /// subscription is made). It wakes at each 100 ms multiple of the injected clock.
    private func startTicker(_ s: inout State) {
        guard s.ticker == nil, !s.stopped else { return }
        let clock = core.clock
        s.lastFlushMs = clock.nowMilliseconds()
        s.ticker = Task { [weak self] in
            while !Task.isCancelled {
                let now = clock.nowMilliseconds()
                let next = (now / Self.fastPeriodMs + 1) * Self.fastPeriodMs
                do { try await clock.sleep(untilMilliseconds: next) } catch { return }
                guard let self, self.flush(nowMilliseconds: clock.nowMilliseconds()) else { return }
            }
        }
    }

    private func setUp(symbols: [SimSymbol], books: [SimBookSnapshot]) {
        state.withLock { s in
            for symbol in symbols { s.symbols[symbol.symbol] = symbol }
            for book in books {
                s.books[book.symbol] = WSAPIBookMirror(book)
                s.tickers[book.symbol] = s.books[book.symbol]?.top
            }
        }
    }

    // MARK: Connections

    /// Registers an upgraded connection; returns its id (also the `connection` of the
    /// orders it places).
    func register(outbox: FeedOutbox, identity: WSAPIIdentity?, query: WSAPIConnectionQuery, attemptBucket: String) -> UInt64 {
        state.withLock { s in
            s.nextConnection += 1
            s.connections[s.nextConnection] = WSAPIConnectionState(outbox: outbox, identity: identity, query: query,
                                                                   attemptBucket: attemptBucket)
            return s.nextConnection
        }
    }

    func unregister(_ id: UInt64) {
        _ = state.withLock { $0.connections.removeValue(forKey: id) }
    }

    /// Open WebSocket API connections.
    public var connectionCount: Int { state.withLock { $0.connections.count } }

    /// Protocol pings sent and pongs received, over all connections (the pings' liveness).
    public var pingsSent: Int { state.withLock { $0.pingsSent } }
    public var pongsReceived: Int { state.withLock { $0.pongsReceived } }

    func notePing() { state.withLock { $0.pingsSent += 1 } }
    func notePong() { state.withLock { $0.pongsReceived += 1 } }

    /// The current global update id (the newest change of any book).
    public var currentUpdateId: Int64 { state.withLock { $0.updateId } }

    /// The WebSocket API faults in force.
    var faults: FaultConfig { state.withLock { $0.faults } }

    /// A venue symbol named in any case.
    func symbol(named name: String) -> SimSymbol? {
        state.withLock { $0.symbols[name.uppercased()] }
    }

    /// Parses stream names: the streams, or the first name that is not one (as sent).
    func streams(_ names: [String]) -> Result<[WSAPIStream], WSAPIError> {
        state.withLock { s in
            var out: [WSAPIStream] = []
            for name in names {
                guard let stream = WSAPIStream.parse(name, canonicalSymbol: { s.symbols[$0.uppercased()]?.symbol }) else {
                    return .failure(.invalidStream(name))
                }
                if !out.contains(stream) { out.append(stream) }
            }
            return .success(out)
        }
    }

    // MARK: Rate limits

    private var limitsEnforced: Bool { config.rateLimits.enabled }

    /// Counts one upgrade attempt in `bucket`; false (and not counted) beyond the limit.
    func admitConnectionAttempt(bucket: String) -> Bool {
        let now = core.clock.nowMilliseconds()
        let limit = config.rateLimits.wsAPIConnectionAttemptsPer5Min, enforce = limitsEnforced
        return state.withLock { s in
            if s.attempts.count > 10_000 { s.attempts = s.attempts.filter { !$0.value.isStale(at: now) } }
            return s.attempts[bucket, default: WSAPIRateWindow(lengthMs: 300_000)].take(1, limit: limit, at: now, enforce: enforce)
        }
    }

    /// Counts a request's REQUEST_WEIGHT on its connection; false (not counted) beyond the limit.
    func admitRequest(connection id: UInt64, weight: Int) -> Bool {
        let now = core.clock.nowMilliseconds()
        let limit = config.rateLimits.wsAPIRequestWeightPer10s, enforce = limitsEnforced
        return state.withLock { s in
            s.connections[id]?.weight.take(weight, limit: limit, at: now, enforce: enforce) ?? false
        }
    }

    /// Counts one order of `key` in both ORDERS windows; false (neither counted) beyond either.
    func admitOrder(key: String) -> Bool {
        let now = core.clock.nowMilliseconds()
        let limits = config.rateLimits, enforce = limitsEnforced
        return state.withLock { s in
            var short = s.orders10s[key] ?? WSAPIRateWindow(lengthMs: 10_000)
            var day = s.ordersDay[key] ?? WSAPIRateWindow(lengthMs: 86_400_000)
            guard short.take(1, limit: limits.wsAPIOrdersPer10s, at: now, enforce: enforce) else { return false }
            guard day.take(1, limit: limits.wsAPIOrdersPerDay, at: now, enforce: enforce) else { return false }
            s.orders10s[key] = short
            s.ordersDay[key] = day
            return true
        }
    }

    /// `conninfo`'s rows for connection `id`, in the probed order.
    func rateLimitRows(connection id: UInt64) -> [WSAPIWireFormat.RateLimitRow] {
        let now = core.clock.nowMilliseconds()
        let limits = config.rateLimits
        return state.withLock { s in
            let connection = s.connections[id]
            let key = connection?.identity?.key.key
            let bucket = connection?.attemptBucket ?? ""
            return [
                .init(type: "REQUEST_WEIGHT", interval: "SECOND", intervalNum: 10, limit: limits.wsAPIRequestWeightPer10s,
                      count: connection?.weight.count(at: now) ?? 0),
                .init(type: "ORDERS", interval: "SECOND", intervalNum: 10, limit: limits.wsAPIOrdersPer10s,
                      count: key.flatMap { s.orders10s[$0]?.count(at: now) } ?? 0),
                .init(type: "ORDERS", interval: "DAY", intervalNum: 1, limit: limits.wsAPIOrdersPerDay,
                      count: key.flatMap { s.ordersDay[$0]?.count(at: now) } ?? 0),
                .init(type: "CONNECTION_ATTEMPTS", interval: "MINUTE", intervalNum: 5, limit: limits.wsAPIConnectionAttemptsPer5Min,
                      count: s.attempts[bucket]?.count(at: now) ?? 0),
            ]
        }
    }

    // MARK: Subscriptions

    /// Subscribes connection `id` to `streams` (already parsed and allowed). Every new
    /// differential-depth stream starts at the current update id; on a `snapshot`
    /// connection it first gets a snapshot (`U == u ==` that id, the best levels first),
    /// queued before `ack` for a stream new to the connection and after `ack` for a
    /// resubscribe. A stream already subscribed is left as it is. `ack` nil: the caller
    /// sends it (the reply-delay fault).
    func subscribe(connection id: UInt64, streams: [WSAPIStream], ack: String?) {
        let eventNs = WSAPIWireFormat.nanoseconds(core.clock.nowMilliseconds())
        state.withLock { s in
            guard var connection = s.connections[id] else { return }
            var before: [String] = [], after: [String] = []
            for stream in streams where !connection.subscribes(stream) {
                connection.streams.append(stream)
                guard case .depth(let name, _) = stream, let symbol = s.symbols[name] else { continue }
                let again = connection.everDepth.contains(stream)
                connection.everDepth.insert(stream)
                connection.depth[stream] = WSAPIDepthChannel(symbol: symbol, lastU: s.updateId)
                startTicker(&s)
                let depth: Int?
                switch connection.query.snapshot {
                case .none: continue
                case .full: depth = nil
                case .top(let n): depth = n
                }
                let book = (s.books[name] ?? WSAPIBookMirror(SimBookSnapshot(symbol: name, bids: [], asks: []))).sorted(depth: depth)
                let frame = WSAPIWireFormat.depthUpdate(symbol, eventNs: eventNs, first: s.updateId, last: s.updateId,
                                                        bids: book.bids, asks: book.asks)
                if again { after.append(frame) } else { before.append(frame) }
            }
            s.connections[id] = connection
            for frame in before { connection.outbox.enqueueUnnumbered(frame) }
            if let ack { connection.outbox.enqueueUnnumbered(ack) }
            for frame in after { connection.outbox.enqueueUnnumbered(frame) }
        }
    }

    /// Unsubscribes; waiting depth changes are dropped, nothing more of those streams is
    /// sent once this returns. Streams not subscribed are ignored. `ack` as for `subscribe`.
    func unsubscribe(connection id: UInt64, streams: [WSAPIStream], ack: String?) {
        state.withLock { s in
            guard var connection = s.connections[id] else { return }
            connection.streams.removeAll { streams.contains($0) }
            for stream in streams { connection.depth[stream] = nil }
            s.connections[id] = connection
            if let ack { connection.outbox.enqueueUnnumbered(ack) }
        }
    }

    /// The canonical names of the connection's streams, in subscription order.
    func subscriptionNames(connection id: UInt64) -> [String] {
        state.withLock { $0.connections[id]?.streams.map(\.name) ?? [] }
    }

    /// The `depth` method's result: the best `limit` levels each side and the current id.
    func depthResult(symbol: SimSymbol, limit: Int) -> GeminiJSON {
        state.withLock { s in
            let book = (s.books[symbol.symbol] ?? WSAPIBookMirror(SimBookSnapshot(symbol: symbol.symbol, bids: [], asks: [])))
                .sorted(depth: limit)
            return WSAPIWireFormat.depthResult(symbol, lastUpdateId: s.updateId, bids: book.bids, asks: book.asks)
        }
    }

    // MARK: Fan-out (on SimulatorCore)

    /// One engine change: market events, order events and balances, in exchange order.
    private func ingest(_ events: SimulatorEvents) {
        state.withLock { s in
            let eventNs = WSAPIWireFormat.nanoseconds(events.timestampms)
            let silent = s.faults.wsAPISilence
            var groups: [(symbol: String, changes: [SimLevelChange])] = []
            for event in events.marketEvents {
                switch event {
                case .level(let change):
                    if let i = groups.firstIndex(where: { $0.symbol == change.symbol }) {
                        groups[i].changes.append(change)
                    } else {
                        groups.append((change.symbol, [change]))
                    }
                case .trade(let trade):
                    s.lastTrades[trade.symbol] = (trade.price, trade.quantity)
                    guard !silent, let symbol = s.symbols[trade.symbol] else { continue }
                    let stream = WSAPIStream.trade(symbol: trade.symbol)
                    let subscribers = s.connections.values.filter { $0.subscribes(stream) }
                    guard !subscribers.isEmpty else { continue }
                    let frame = WSAPIWireFormat.trade(trade, symbol)
                    for connection in subscribers { connection.outbox.enqueueUnnumbered(frame) }
                }
            }
            for group in groups {
                guard var book = s.books[group.symbol] else { continue }
                let shown = group.changes.map { book.apply($0) }
                s.books[group.symbol] = book
                Self.publishLevels(&s, symbol: group.symbol, levels: shown, eventNs: eventNs, silent: silent)
            }
            deliverOrders(&s, events)
            deliverBalances(&s, events)
        }
    }

    /// Gives the changed `levels` of `symbol` one new update id: queues them on its depth
    /// subscriptions and sends a book ticker if the top changed.
    private static func publishLevels(_ s: inout State, symbol name: String, levels: [(side: Side, level: WSAPIBookMirror.Level)],
                                      eventNs: Int64, silent: Bool) {
        guard let symbol = s.symbols[name], let book = s.books[name] else { return }
        s.updateId += 1
        let id = s.updateId
        let streams = [WSAPIStream.depth(symbol: name, fast: true), .depth(symbol: name, fast: false)]
        for (key, var connection) in s.connections where streams.contains(where: { connection.depth[$0] != nil }) {
            for stream in streams {
                guard var channel = connection.depth[stream] else { continue }
                for (side, level) in levels {
                    channel.note(side: side, price: level.price, quantity: level.quantity, id: id)
                }
                connection.depth[stream] = channel
            }
            s.connections[key] = connection
        }
        let top = book.top
        guard top != s.tickers[name] else { return }
        s.tickers[name] = top
        guard !silent else { return }
        let stream = WSAPIStream.bookTicker(symbol: name)
        let subscribers = s.connections.values.filter { $0.subscribes(stream) }
        guard !subscribers.isEmpty else { return }
        let frame = WSAPIWireFormat.bookTicker(symbol, updateId: id, eventNs: eventNs, top: top, lastTrade: s.lastTrades[name])
        for connection in subscribers { connection.outbox.enqueueUnnumbered(frame) }
    }

    private func deliverOrders(_ s: inout State, _ events: SimulatorEvents) {
        for event in events.orderEvents {
            let recipients = s.connections.filter { id, c in
                c.wantsOrder(account: event.accountId, placedOn: event.order.connection, myId: id)
            }
            guard !recipients.isEmpty,
                  let frame = WSAPIWireFormat.orderUpdate(event, s.symbols[event.order.symbol],
                                                          rejectedEvents: config.wsAPIRejectedEvents) else { continue }
            for connection in recipients.values { connection.outbox.enqueueUnnumbered(frame) }
        }
    }

    /// One `balanceUpdate` per account whose balances changed, with the changed assets only.
    private func deliverBalances(_ s: inout State, _ events: SimulatorEvents) {
        for (account, balances) in events.balances.sorted(by: { $0.key < $1.key }) {
            var published = s.publishedBalances[account] ?? [:]
            let changed = balances.filter { published[$0.currency] != $0 }
            guard !changed.isEmpty else { continue }
            for balance in changed { published[balance.currency] = balance }
            s.publishedBalances[account] = published
            let recipients = s.connections.values.filter {
                $0.identity?.accountId == account && $0.subscribes(.balancesAccount)
            }
            guard !recipients.isEmpty else { continue }
            let frame = WSAPIWireFormat.balanceUpdate(changed, atMilliseconds: events.timestampms,
                                                      nanoseconds: config.wsAPIBalanceTimesInNanoseconds)
            for connection in recipients { connection.outbox.enqueueUnnumbered(frame) }
        }
    }

    // MARK: Depth batches (the ticker)

    /// Flushes the fast depth subscriptions, and the slow ones when a second boundary has
    /// passed since the last flush. Silence (the fault) keeps their changes waiting.
    /// Returns whether the ticker goes on: false (and it is forgotten) once no connection
    /// has a depth subscription, or the hub stopped.
    private func flush(nowMilliseconds now: Int64) -> Bool {
        let eventNs = WSAPIWireFormat.nanoseconds(now)
        return state.withLock { s in
            guard !s.stopped, s.connections.values.contains(where: { !$0.depth.isEmpty }) else {
                s.ticker = nil
                return false
            }
            let slowDue = now / Self.slowPeriodMs != s.lastFlushMs / Self.slowPeriodMs
            s.lastFlushMs = now
            guard !s.faults.wsAPISilence else { return true }
            let dropEvery = s.faults.wsAPIDropDiffEvery, repeatEvery = s.faults.wsAPIRepeatDiffEvery
            for (key, var connection) in s.connections where !connection.depth.isEmpty {
                var changed = false
                for (stream, var channel) in connection.depth where channel.hasPending {
                    guard case .depth(_, let fast) = stream, fast || slowDue else { continue }
                    for frame in channel.flush(eventNs: eventNs, dropEvery: dropEvery, repeatEvery: repeatEvery) {
                        connection.outbox.enqueueUnnumbered(frame)
                    }
                    connection.depth[stream] = channel
                    changed = true
                }
                if changed { s.connections[key] = connection }
            }
            return true
        }
    }

    // MARK: Faults (on SimulatorCore)

    /// Takes the new faults; a change of `wsAPICrossBook` adds or removes phantom bids as
    /// book changes of their own (a new update id each).
    private func apply(faults: FaultConfig) {
        let nowMs = core.clock.nowMilliseconds()
        state.withLock { s in
            s.faults = faults
            let wanted = Set(faults.wsAPICrossBook.map { $0.uppercased() })
            for (name, symbol) in s.symbols.sorted(by: { $0.key < $1.key }) {
                guard var book = s.books[name] else { continue }
                let old = book.phantom
                if wanted.contains(name), old == nil {
                    book.phantom = book.phantomLevel(symbol)
                } else if !wanted.contains(name), old != nil {
                    book.phantom = nil
                } else {
                    continue
                }
                s.books[name] = book
                let price = (book.phantom ?? old)!.price
                let level: WSAPIBookMirror.Level = (price, book.shown(.buy, at: price))
                Self.publishLevels(&s, symbol: name, levels: [(.buy, level)], eventNs: WSAPIWireFormat.nanoseconds(nowMs),
                                   silent: faults.wsAPISilence)
                log(SimLogRecord(level: .warning, event: "fault.ws_api_cross_book",
                                 fields: [("symbol", name), ("phantom_bid", book.phantom.map { "\($0.price)" } ?? "removed")]))
            }
        }
    }
}
