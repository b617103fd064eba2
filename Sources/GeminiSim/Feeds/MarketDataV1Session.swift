import CastorCore
import Synchronization

/// One `/v1/marketdata/{symbol}` connection (API.md §7.2).
///
/// First an `update` with `reason: "initial"` change events for the whole book (no
/// timestamps), then one `update` per engine change touching the symbol: `trade` events
/// (`makerSide` = the side that rested) and `change` events carrying the new level total
/// (`remaining`), the signed `delta` and a `reason` (`trade` if the level traded in that
/// change, else `place` when it grew, `cancel` when it shrank). Every message, heartbeats
/// (`heartbeat=true`, every 5 s of the injected clock) included, has `socket_sequence`
/// from 0, +1 per message; the `skipSocketSequenceEvery` fault applies. `eventId` grows
/// but is not contiguous, as on Gemini.
actor MarketDataV1Session: FeedSession {
    /// Level totals as last told to the client (for `delta`), touched by the listener.
    final class Book: Sendable {
        struct State {
            var active = false
            var levels: [Side: [ExactDecimal: ExactDecimal]] = [:]
            var eventId: Int64 = 0
        }
        let state = Mutex(State())
    }

    let feeds: WebSocketFeeds
    let outbox: FeedOutbox
    let options: MarketDataV1Feed.Options
    let book = Book()
    private var listener: UInt64?
    private var heartbeats: Task<Void, Never>?
    private var ended = false

    init(feeds: WebSocketFeeds, outbox: FeedOutbox, options: MarketDataV1Feed.Options) {
        self.feeds = feeds
        self.outbox = outbox
        self.options = options
    }

    func open() async {
        let core = feeds.core
        let outbox = outbox, book = book, options = options, feeds = feeds
        let token = await core.addListener { events in
            Self.publish(events.marketEvents, options: options, book: book, outbox: outbox, feeds: feeds,
                         now: core.clock.nowMilliseconds())
        }
        // Same actor turn as the snapshot: the listener starts exactly after it.
        await core.withMarketSnapshots([options.symbol], tradeLimit: 0) { snapshots in
            guard let snapshot = snapshots.first else { return }
            var events: [GeminiJSON] = []
            book.state.withLock { s in
                s.active = true
                s.eventId = core.clock.nowMilliseconds()
                for (side, levels, wanted) in [(Side.buy, snapshot.book.bids, options.bids), (.sell, snapshot.book.asks, options.offers)] where wanted {
                    for level in levels {
                        s.levels[side, default: [:]][level.price] = level.amount
                        events.append(.object([
                            ("type", .string("change")), ("reason", .string("initial")),
                            ("price", .string(level.price.description)), ("delta", .string(level.amount.description)),
                            ("remaining", .string(level.amount.description)), ("side", .string(side == .buy ? "bid" : "ask")),
                        ]))
                    }
                }
            }
            let eventId = book.state.withLock { $0.eventId }
            outbox.enqueue(skipEvery: feeds.skipSequenceEvery) { sequence in
                GeminiJSON.object([("type", .string("update")), ("eventId", .int(eventId)),
                                   ("socket_sequence", .int(sequence)), ("events", .array(events))]).serialized
            }
        }
        if ended {
            await core.removeListener(token)
            return
        }
        listener = token
        if options.heartbeat { startHeartbeats() }
    }

    private static func publish(_ events: [SimMarketEvent], options: MarketDataV1Feed.Options, book: Book,
                                outbox: FeedOutbox, feeds: WebSocketFeeds, now: Int64) {
        let mine = events.filter { $0.symbol == options.symbol }
        guard !mine.isEmpty else { return }
        let traded = Set(mine.compactMap { event -> String? in
            if case .trade(let t) = event { return "\(t.takerSide.opposite.rawValue) \(t.price)" }
            return nil
        })
        var rendered: [GeminiJSON] = []
        let eventId: Int64? = book.state.withLock { s in
            guard s.active else { return nil }
            for event in mine {
                switch event {
                case .trade(let t) where options.trades:
                    rendered.append(.object([
                        ("type", .string("trade")), ("tid", .int(t.tid)), ("price", .string(t.price.description)),
                        ("amount", .string(t.quantity.description)),
                        ("makerSide", .string(t.takerSide == .buy ? "ask" : "bid")),
                    ]))
                case .trade:
                    continue
                case .level(let c):
                    let old = s.levels[c.side]?[c.price] ?? .zero
                    s.levels[c.side, default: [:]][c.price] = c.quantity.isZero ? nil : c.quantity
                    guard c.side == .buy ? options.bids : options.offers else { continue }
                    let reason = traded.contains("\(c.side.rawValue) \(c.price)") ? "trade" : (c.quantity > old ? "place" : "cancel")
                    rendered.append(.object([
                        ("type", .string("change")), ("side", .string(c.side == .buy ? "bid" : "ask")),
                        ("price", .string(c.price.description)),
                        ("remaining", MarketDataV2WireFormat.quantity(c.quantity)),
                        ("delta", .string((c.quantity - old).description)), ("reason", .string(reason)),
                    ]))
                }
            }
            s.eventId += 1
            return s.eventId
        }
        guard let eventId, !rendered.isEmpty else { return }
        outbox.enqueue(skipEvery: feeds.skipSequenceEvery) { sequence in
            GeminiJSON.object([
                ("type", .string("update")), ("eventId", .int(eventId)),
                ("timestamp", .int(now / 1000)), ("timestampms", .int(now)),
                ("socket_sequence", .int(sequence)), ("events", .array(rendered)),
            ]).serialized
        }
    }

    func received(text: String) async {
        // v1 market data takes no client messages.
    }

    func closed() async {
        ended = true
        heartbeats?.cancel()
        heartbeats = nil
        if let listener {
            self.listener = nil
            await feeds.core.removeListener(listener)
        }
    }

    private func startHeartbeats() {
        let clock = feeds.core.clock, outbox = outbox, feeds = feeds
        let base = clock.nowMilliseconds()
        heartbeats = Task {
            var due = base + WebSocketFeeds.heartbeatIntervalMs
            while !Task.isCancelled, !outbox.isClosed {
                do { try await clock.sleep(untilMilliseconds: due) } catch { return }
                due += WebSocketFeeds.heartbeatIntervalMs
                if feeds.heartbeatsStopped { continue }
                outbox.enqueue(skipEvery: feeds.skipSequenceEvery) { sequence in
                    GeminiJSON.object([("type", .string("heartbeat")), ("socket_sequence", .int(sequence))]).serialized
                }
            }
        }
    }
}
