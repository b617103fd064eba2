import CastorCore
import CastorTrading
import Dispatch
import GeminiClient
import GeminiProtocol
import Testing
@testable import CastorFeeds

/// `GeminiOrderEventsAdapter` against the simulator's `/v1/order/events` over loopback,
/// sharing the trader key's `PrivateRequestSender` and ordered queue (`TestKeyLane`, the
/// real `RequestScheduler`) with REST (counter nonces).
@Suite(.serialized, .timeLimit(.minutes(2))) struct OrderEventsAdapterTests {
    static func makeAdapter(_ sim: FeedSimHarness, sender: PrivateRequestSender? = nil, lane: TestKeyLane? = nil,
                            heartbeatTimeoutMs: Int64 = 60_000,
                            snapshotQuietMs: Int64 = 60_000, backoff: Backoff = Backoff(baseMs: 10, capMs: 50),
                            clock: EngineClock = .system)
        -> (GeminiOrderEventsAdapter, DispatchQueue, FeedRecorder) {
        let queue = sim.queue
        let config = GeminiOrderEventsAdapter.Configuration(
            url: sim.venue.orderEventsURL,
            subscription: .init(eventTypeFilter: [.accepted, .booked, .fill, .cancelled, .closed, .rejected]),
            connection: .init(backoff: backoff, heartbeatTimeoutMs: heartbeatTimeoutMs,
            subscribeTimeoutMs: 5_000),
            webSocket: .init(connectTimeout: 5, handshakeTimeout: 10), snapshotQuietMs: snapshotQuietMs, seed: 5)
        let adapter = GeminiOrderEventsAdapter(sender: sender ?? sim.traderSender, keySlot: lane ?? sim.traderLane, queue: queue,
                                               configuration: config, clock: clock)
        let recorder = FeedRecorder()
        queue.sync {
            adapter.delegate = recorder
            adapter.start()
        }
        return (adapter, queue, recorder)
    }

    @Test func restOrderArrivesAsEventsAfterTheInitialSnapshot() async throws {
        let sim = try await FeedSimHarness()
        let resting = try await sim.place(sim.trader, .buy, "0.1", at: "50000")
        let (adapter, queue, recorder) = Self.makeAdapter(sim)
        try await waitUntil("live", on: queue) { recorder.states.last == .live }
        // The snapshot completes at the first non-initial message: the first heartbeat.
        sim.advanceHeartbeat()
        try await waitUntil("snapshot complete", on: queue) { recorder.snapshots.count == 1 }
        let snapshot = queue.sync { recorder.snapshots[0] }
        #expect(snapshot.map(\.orderID) == [VenueOrderID(resting.orderID)])
        #expect(snapshot.allSatisfy { $0.kind == .initial })

        // REST through the same sender as the handshake: nonces stay in order.
        let placed = try await sim.place(sim.trader, .sell, "0.2", at: "70000")
        try await waitUntil("accepted and booked", on: queue) {
            let types = recorder.events.filter { $0.orderID == VenueOrderID(placed.orderID) }.map(\.kind)
            return types.contains(.accepted) && types.contains(.booked)
        }
        #expect(queue.sync { adapter.subscriptionAcknowledgements } == 1)
        #expect(queue.sync { recorder.causes }.isEmpty)
        queue.sync { adapter.stop() }
        await sim.stop()
    }

    /// Gemini marks no end of the `initial` snapshot; the first heartbeat may be 5 s away.
    /// Here no heartbeat ever comes: the snapshot completes after the quiet period.
    @Test func theSnapshotEndsAfterAQuietPeriodWithoutWaitingForAHeartbeat() async throws {
        let sim = try await FeedSimHarness()
        let resting = try await sim.place(sim.trader, .buy, "0.1", at: "50000")
        // On a manual clock the quiet period passes only once the initial event is in, so
        // a slow loopback cannot end the snapshot early.
        let manual = ManualClock(startMs: 1_700_000_000_000)
        let (adapter, queue, recorder) = Self.makeAdapter(sim, snapshotQuietMs: 50, clock: manual.engineClock)
        try await waitUntil("the initial event", on: queue) {
            recorder.events.contains { $0.orderID == VenueOrderID(resting.orderID) && $0.kind == .initial }
        }
        manual.advance(byMs: 49)
        #expect(queue.sync { recorder.snapshots.count } == 0)
        manual.advance(byMs: 1)
        #expect(queue.sync { recorder.snapshots.count } == 1)
        #expect(queue.sync { recorder.snapshots[0] }.map(\.orderID) == [VenueOrderID(resting.orderID)])
        // A later heartbeat does not complete it a second time.
        sim.advanceHeartbeat()
        let placed = try await sim.place(sim.trader, .sell, "0.2", at: "70000")
        try await waitUntil("the new order's events", on: queue) {
            recorder.events.contains { $0.orderID == VenueOrderID(placed.orderID) && $0.kind == .accepted }
        }
        #expect(queue.sync { recorder.snapshots.count } == 1)
        queue.sync { adapter.stop() }
        await sim.stop()
    }

    @Test func skippedSocketSequenceReconnectsWithGapCause() async throws {
        let sim = try await FeedSimHarness()
        try await sim.place(sim.trader, .buy, "0.1", at: "50000")
        try await sim.setFaults(#"{"skipSocketSequenceEvery": 1}"#)
        let (adapter, queue, recorder) = Self.makeAdapter(sim)
        try await waitUntil("live", on: queue) { recorder.states.last == .live }
        sim.advanceHeartbeat()   // initial is 0, the heartbeat comes as 2
        try await waitUntil("a sequence-gap reconnect", on: queue) {
            recorder.causes.contains(.sequenceGap(expected: 1, received: 2))
        }
        // The gap message was not delivered.
        #expect(queue.sync { adapter.heartbeatsReceived } == 0)
        try await sim.setFaults("{}")
        try await waitUntil("live again", on: queue) { recorder.liveCount >= 2 }
        queue.sync { adapter.stop() }
        await sim.stop()
    }

    @Test func stoppedHeartbeatsReconnectWithSilenceCause() async throws {
        let sim = try await FeedSimHarness()
        let manual = ManualClock(startMs: 1_700_000_000_000)
        let (adapter, queue, recorder) = Self.makeAdapter(sim, heartbeatTimeoutMs: 1_500, clock: manual.engineClock)
        try await waitUntil("live", on: queue) { recorder.states.last == .live }
        manual.advance(byMs: 1_000)
        sim.advanceHeartbeat()
        try await waitUntil("a heartbeat", on: queue) { adapter.heartbeatsReceived == 1 }
        // The heartbeat, received at 1 000 ms, moved the deadline to 2 500 ms.
        manual.advance(byMs: 1_499)
        #expect(queue.sync { recorder.causes }.isEmpty)
        try await sim.setFaults(#"{"stopHeartbeats": true}"#)
        sim.advanceHeartbeat()
        manual.advance(byMs: 1)
        #expect(queue.sync { recorder.causes } == [.heartbeatSilence(milliseconds: 1_500)])
        #expect(queue.sync { adapter.heartbeatsReceived } == 1)
        queue.sync { adapter.stop() }
        await sim.stop()
    }

    @Test func droppedConnectionReconnectsAndDeliversAFreshSnapshot() async throws {
        let sim = try await FeedSimHarness()
        let (adapter, queue, recorder) = Self.makeAdapter(sim)
        try await waitUntil("live", on: queue) { recorder.liveCount == 1 }
        try await sim.setFaults(#"{"dropWebSocketsNow": true}"#)
        try await waitUntil("live again", on: queue, timeout: 15) { recorder.liveCount == 2 }
        let causes = queue.sync { recorder.causes }
        if case .closedByPeer(1011, _)? = causes.first {} else { Issue.record("expected a 1011 close, got \(causes)") }
        // An order placed after the reconnect is seen, on a connection numbered from 0 again.
        let placed = try await sim.place(sim.trader, .buy, "0.3", at: "40000")
        try await waitUntil("accepted", on: queue) { recorder.events.contains { $0.orderID == VenueOrderID(placed.orderID) } }
        sim.advanceHeartbeat()
        try await waitUntil("snapshot of the new connection", on: queue) { recorder.snapshots.count >= 1 }
        queue.sync { adapter.stop() }
        await sim.stop()
    }

    @Test func rejectedCredentialsAreFatalNotRetried() async throws {
        let sim = try await FeedSimHarness()
        let badSender = try FeedSimHarness.sender(http: sim.http, venue: sim.venue, key: FeedSimHarness.traderKey,
                                                  secret: "wrongSecret1234567890abcdefgh")
        let (adapter, queue, recorder) = Self.makeAdapter(sim, sender: badSender, lane: TestKeyLane(queue: sim.queue))
        try await waitUntil("failed", on: queue) {
            if case .failed(.authenticationRejected) = recorder.states.last { true } else { false }
        }
        let states = queue.sync { recorder.states }
        #expect(states.count == 2, "\(states)")   // connecting, failed: no reconnect loop
        if case .failed = queue.sync(execute: { adapter.phase }) {} else { Issue.record("adapter not failed") }
        await sim.stop()
    }
}
