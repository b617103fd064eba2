import Synchronization

/// One `/v2/marketdata` connection (API.md §7.1).
///
/// The client sends `{"type":"subscribe","subscriptions":[{"name":"l2","symbols":["BTCUSD"]}]}`
/// (and `unsubscribe` alike); several symbols per connection. Per newly subscribed symbol the
/// first message is an `l2_updates` snapshot (full book, the last 50 `trades`, empty
/// `auction_events`); after it, in exchange order, `l2_updates` with new level totals (one
/// message per symbol per engine change, `"0"` removes a level) and one `trade` message per
/// execution. Subscribing again to a subscribed symbol sends a fresh snapshot. Heartbeats
/// `{"type":"heartbeat","timestamp":…}` every 5 s of the injected clock from connect.
///
/// Only `l2` is served. A malformed message, an unknown `type`, an unknown subscription name
/// (candles, mark price, funding) or an unknown symbol is answered with
/// `{"result":"error","reason":…,"message":…}` — reasons `InvalidJson`, `InvalidRequest`,
/// `InvalidSubscription`, `InvalidSymbol` — and changes nothing (the whole message is
/// rejected); the connection stays open.
actor MarketDataV2Session: FeedSession {
    /// Symbols switched on for this connection, read by the engine listener on `SimulatorCore`.
    final class Subscriptions: Sendable {
        let symbols = Mutex<Set<String>>([])
    }

    static let snapshotTrades = 50

    let feeds: WebSocketFeeds
    let outbox: FeedOutbox
    let subscriptions = Subscriptions()
    private var listener: UInt64?
    private var heartbeats: Task<Void, Never>?
    private var ended = false

    init(feeds: WebSocketFeeds, outbox: FeedOutbox) {
        self.feeds = feeds
        self.outbox = outbox
    }

    func open() async {
        let outbox = outbox, subscriptions = subscriptions
        let token = await feeds.core.addListener { events in
            Self.publish(events.marketEvents, to: outbox, subscriptions: subscriptions)
        }
        if ended {
            await feeds.core.removeListener(token)
            return
        }
        listener = token
        startHeartbeats()
    }

    /// Renders `events` for the subscribed symbols: consecutive level changes of one symbol
    /// become one `l2_updates`, each trade a `trade`, keeping the engine's order.
    private static func publish(_ events: [SimMarketEvent], to outbox: FeedOutbox, subscriptions: Subscriptions) {
        let wanted = subscriptions.symbols.withLock { $0 }
        guard !wanted.isEmpty else { return }
        var pending: [SimLevelChange] = []
        func flush() {
            guard let symbol = pending.first?.symbol else { return }
            outbox.enqueueUnnumbered(MarketDataV2WireFormat.update(symbol: symbol, changes: pending).serialized)
            pending.removeAll()
        }
        for event in events where wanted.contains(event.symbol) {
            switch event {
            case .level(let change):
                if let symbol = pending.first?.symbol, symbol != change.symbol { flush() }
                pending.append(change)
            case .trade(let trade):
                flush()
                outbox.enqueueUnnumbered(MarketDataV2WireFormat.trade(trade).serialized)
            }
        }
        flush()
    }

    func received(text: String) async {
        let request: Request
        do {
            request = try await parse(text)
        } catch {
            outbox.enqueueUnnumbered(MarketDataV2WireFormat.error(reason: error.reason, message: error.message).serialized)
            return
        }
        let outbox = outbox, subscriptions = subscriptions
        if request.subscribe {
            await feeds.core.withMarketSnapshots(request.symbols, tradeLimit: Self.snapshotTrades) { snapshots in
                // On the core actor: no engine change can slip between snapshot and switch-on.
                for snapshot in snapshots {
                    outbox.enqueueUnnumbered(MarketDataV2WireFormat.snapshot(snapshot).serialized)
                    _ = subscriptions.symbols.withLock { $0.insert(snapshot.book.symbol) }
                }
            }
        } else {
            subscriptions.symbols.withLock { $0.subtract(request.symbols) }
        }
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

    private struct Request {
        var subscribe: Bool
        /// Canonical (upper-case) symbols, deduplicated, in request order.
        var symbols: [String]
    }

    /// Validates a whole subscribe/unsubscribe message.
    private func parse(_ text: String) async throws(GeminiErrorReply) -> Request {
        let json: GeminiJSON
        do { json = try JSONParser.parse(text) } catch {
            throw .badRequest("InvalidJson", "Malformed JSON: \(error.description)")
        }
        guard let type = json["type"]?.stringValue, type == "subscribe" || type == "unsubscribe" else {
            throw .badRequest("InvalidRequest", "Expected an object with type \"subscribe\" or \"unsubscribe\"")
        }
        guard let items = json["subscriptions"]?.arrayValue, !items.isEmpty else {
            throw .badRequest("InvalidRequest", "Missing or empty 'subscriptions'")
        }
        let known = await feeds.core.symbolNames()
        var symbols: [String] = []
        for item in items {
            guard let name = item["name"]?.stringValue else {
                throw .badRequest("InvalidSubscription", "Each subscription needs a 'name'")
            }
            guard name == "l2" else {
                throw .badRequest("InvalidSubscription", "Subscription '\(name)' is not supported by the simulator (only l2)")
            }
            guard let list = item["symbols"]?.arrayValue, !list.isEmpty else {
                throw .badRequest("InvalidSubscription", "Subscription '\(name)' needs a non-empty 'symbols' array")
            }
            for entry in list {
                guard let raw = entry.stringValue else {
                    throw .badRequest("InvalidSymbol", "Symbols must be strings, got \(entry.serialized)")
                }
                let symbol = raw.uppercased()
                guard known.contains(symbol) else { throw .invalidSymbol(raw) }
                if !symbols.contains(symbol) { symbols.append(symbol) }
            }
        }
        return Request(subscribe: type == "subscribe", symbols: symbols)
    }

    private func startHeartbeats() {
        let clock = feeds.core.clock, outbox = outbox, feeds = feeds
        let base = clock.nowMilliseconds()
        heartbeats = Task {
            var due = base + WebSocketFeeds.heartbeatIntervalMs
            while !Task.isCancelled, !outbox.isClosed {
                do { try await clock.sleep(untilMilliseconds: due) } catch { return }
                let at = due
                due += WebSocketFeeds.heartbeatIntervalMs
                if feeds.heartbeatsStopped { continue }
                outbox.enqueueUnnumbered(MarketDataV2WireFormat.heartbeat(timestampms: at).serialized)
            }
        }
    }
}
