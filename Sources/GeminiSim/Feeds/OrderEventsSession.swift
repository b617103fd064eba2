import Foundation

/// One `/v1/order/events` connection (API.md §6.2–6.4).
///
/// Messages, in order: the `subscription_ack` object (no `socket_sequence`); one `initial`
/// event per active order of the account (each its own one-element array, oldest order
/// first) unless the filters exclude it; then, for every engine change that produced events
/// for the account, one JSON array holding those events in exchange order; heartbeat
/// objects every 5 s of the injected clock when `heartbeat=true`.
///
/// `socket_sequence` starts at 0 on the first message after the ack and grows by exactly 1
/// per message, heartbeats included; every event of an array carries its message's number.
/// The `skipSocketSequenceEvery` fault leaves one number out after every N messages.
///
/// Confinement: the actor holds only the listener token and the heartbeat task; the engine
/// listener itself runs on `SimulatorCore` and writes straight into the connection's
/// `FeedOutbox`, which keeps exchange order.
actor OrderEventsSession: FeedSession {
    let feeds: WebSocketFeeds
    let outbox: FeedOutbox
    let identity: OrderEventsIdentity
    let filter: OrderEventsFilter
    let traceId: String
    private var listener: UInt64?
    private var heartbeats: Task<Void, Never>?
    private var ended = false

    init(feeds: WebSocketFeeds, outbox: FeedOutbox, identity: OrderEventsIdentity, filter: OrderEventsFilter) {
        self.feeds = feeds
        self.outbox = outbox
        self.identity = identity
        self.filter = filter
        traceId = feeds.nextTraceId()
    }

    var subscriptionId: String { "ws-order-events-\(identity.accountId)-\(traceId)" }

    func open() async {
        let core = feeds.core
        let outbox = outbox, filter = filter, feeds = feeds, account = identity.accountId
        let ack = OrderEventsWireFormat.ack(accountId: account, subscriptionId: subscriptionId, filter: filter).serialized
        let token = await core.subscribeOrderEvents(account: account, start: { active in
            // The ack has no socket_sequence: it is queued as a raw frame, outside the count.
            outbox.enqueueUnnumbered(ack)
            for order in active where filter.admits(type: "initial", order: order) {
                outbox.enqueue(skipEvery: feeds.skipSequenceEvery) { sequence in
                    GeminiJSON.array([OrderEventsWireFormat.initial(order, socketSequence: sequence)]).serialized
                }
            }
        }, listener: { events in
            let mine = events.orderEvents.filter { $0.accountId == account && filter.admits(type: $0.type.rawValue, order: $0.order) }
            guard !mine.isEmpty else { return }
            outbox.enqueue(skipEvery: feeds.skipSequenceEvery) { sequence in
                GeminiJSON.array(mine.map { OrderEventsWireFormat.event($0, socketSequence: sequence) }).serialized
            }
        })
        if ended {
            await core.removeListener(token)
            return
        }
        listener = token
        if filter.heartbeat { startHeartbeats() }
    }

    func received(text: String) async {
        // The order-events feed takes no client messages; Gemini ignores them too.
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

    /// Heartbeats fall due at fixed instants (open + 5 s, + 10 s, …) of the injected clock,
    /// so a test that advances the clock gets exactly one per period however late this task
    /// runs. A heartbeat suppressed by `stopHeartbeats` is not sent and not counted.
    private func startHeartbeats() {
        let clock = feeds.core.clock, outbox = outbox, feeds = feeds, traceId = traceId
        let base = clock.nowMilliseconds()
        heartbeats = Task {
            var due = base + WebSocketFeeds.heartbeatIntervalMs
            var counter: Int64 = 0
            while !Task.isCancelled, !outbox.isClosed {
                do { try await clock.sleep(untilMilliseconds: due) } catch { return }
                let at = due
                due += WebSocketFeeds.heartbeatIntervalMs
                if feeds.heartbeatsStopped { continue }
                let sequence = counter
                counter += 1
                outbox.enqueue(skipEvery: feeds.skipSequenceEvery) { socketSequence in
                    OrderEventsWireFormat.heartbeat(timestampms: at, sequence: sequence, traceId: traceId,
                                                    socketSequence: socketSequence).serialized
                }
            }
        }
    }
}
