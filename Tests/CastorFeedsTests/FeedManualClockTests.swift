import CastorCore
import Dispatch
import Synchronization
import Testing
@testable import CastorFeeds

/// The feeds' timers (heartbeat watchdog, reconnect backoff, the order-events snapshot's
/// quiet period) run on the engine's clock: on a `ManualClock` they fire only when the test
/// advances it, at exactly the virtual time their deadline says, and a wall-clock step
/// (`stepWall`) moves none of them.
///
/// Only the socket I/O is real (loopback to the simulator, waited for with deadlines);
/// every timeout is virtual, so no test waits for one in real time.
@Suite(.serialized, .timeLimit(.minutes(2))) struct FeedManualClockTests {
    static let startMs: Int64 = 1_700_000_000_000
    static let heartbeatTimeoutMs: Int64 = 15_000

    // MARK: FeedTimer alone

    @Test func aFeedTimerFiresWhenTheManualClockReachesItsDeadline() {
        let manual = ManualClock(startMs: Self.startMs)
        let queue = DispatchQueue(label: "test.engine")
        let timer = FeedTimer(queue: queue, clock: manual.engineClock)
        let fired = Tally()
        queue.sync { timer.arm(afterMs: 100) { fired.add(1) } }
        #expect(manual.nextTimerMs == Self.startMs + 100)
        manual.advance(byMs: 99)
        #expect(fired.value == 0)
        manual.advance(byMs: 1)
        #expect(fired.value == 1)
        #expect(queue.sync { timer.isArmed } == false)

        // Re-arming replaces the armed timer: only the second deadline fires.
        queue.sync { timer.arm(afterMs: 50) { fired.add(10) } }
        queue.sync { timer.arm(afterMs: 80) { fired.add(100) } }
        manual.advance(byMs: 50)
        #expect(fired.value == 1)
        manual.advance(byMs: 30)
        #expect(fired.value == 101)

        // A cancelled timer never fires.
        queue.sync { timer.arm(afterMs: 10) { fired.add(1_000) } }
        queue.sync { timer.cancel() }
        manual.advance(byMs: 1_000)
        #expect(fired.value == 101)
        #expect(manual.pendingTimerCount == 0)
    }

    @Test func aWallClockStepMovesNoFeedTimer() {
        let manual = ManualClock(startMs: Self.startMs)
        let queue = DispatchQueue(label: "test.engine")
        let timer = FeedTimer(queue: queue, clock: manual.engineClock)
        let fired = Tally()
        queue.sync { timer.arm(afterMs: 5_000) { fired.add(1) } }
        manual.stepWall(byMs: 3_600_000)
        manual.stepWall(byMs: -7_200_000)
        #expect(manual.engineClock.skewMs == 3_600_000)
        #expect(manual.nextTimerMs == Self.startMs + 5_000)
        manual.advance(byMs: 4_999)
        #expect(fired.value == 0)
        manual.advance(byMs: 1)
        #expect(fired.value == 1)
    }

    // MARK: market data

    /// The simulator's clock stands still, so after the snapshot the connection is silent:
    /// it is declared dead at exactly the heartbeat timeout of virtual time, and the next
    /// attempt starts at exactly the backoff delay it announced.
    @Test func aSilentMarketDataConnectionDiesAtTheHeartbeatTimeoutAndReconnectsAfterTheBackoff() async throws {
        let sim = try await FeedSimHarness()
        try await sim.place(sim.maker, .buy, "0.5", at: "60000")
        let manual = ManualClock(startMs: Self.startMs)
        let (adapter, books, recorder) = MarketDataV2AdapterTests.makeAdapter(
            sim, heartbeatTimeoutMs: Self.heartbeatTimeoutMs, backoff: Backoff(baseMs: 4_000, capMs: 4_000),
            clock: manual.engineClock)
        try await waitUntil("live", on: books.queue) { recorder.states.last == .live }
        let queue = books.queue

        manual.advance(byMs: Self.heartbeatTimeoutMs - 1)
        #expect(queue.sync { recorder.states.last } == .live)
        manual.advance(byMs: 1)
        let delay = try #require(queue.sync { Self.reconnect(recorder.states.last) })
        #expect(delay.cause == .heartbeatSilence(milliseconds: Self.heartbeatTimeoutMs))
        #expect(delay.attempt == 1)
        #expect((0...4_000).contains(delay.delayMs))
        // The reconnect is a timer on the manual clock, due at exactly the announced delay.
        #expect(manual.nextTimerMs == manual.nowMs + delay.delayMs)

        if delay.delayMs > 0 {
            manual.advance(byMs: delay.delayMs - 1)
            #expect(Self.reconnect(queue.sync { recorder.states.last }) != nil)
        }
        manual.advance(byMs: delay.delayMs == 0 ? 0 : 1)
        #expect(queue.sync { recorder.states.last } == .connecting)
        try await waitUntil("live again", on: queue) { recorder.liveCount == 2 }
        // The fresh connection's book was rebuilt from its snapshot.
        let btc = try #require(books.id(of: "BTCUSD"))
        #expect(queue.sync { books.books.book(btc)?.bestBid?.price } == ExactDecimal("60000"))
        queue.sync { adapter.stop() }
        #expect(manual.pendingTimerCount == 0)
        await sim.stop()
    }

    /// A refused connect is retried only after the backoff delay of virtual time; the
    /// delays grow with the attempts.
    @Test func anUnreachableEndpointIsRetriedOnlyAfterTheBackoffDelay() async throws {
        let manual = ManualClock(startMs: Self.startMs)
        let queue = DispatchQueue(label: "test.engine")
        let books = MarketBooks(symbols: ["BTCUSD"], queue: queue)
        // Port 1 on loopback refuses connections.
        let adapter = GeminiMarketDataV2Adapter(
            books: books, configuration: .init(url: "ws://127.0.0.1:1/v2/marketdata",
                                               connection: .init(backoff: Backoff(baseMs: 1_000, capMs: 60_000)), seed: 7),
            clock: manual.engineClock)
        let recorder = FeedRecorder()
        queue.sync { adapter.delegate = recorder; adapter.start() }
        for attempt in 1...3 {
            try await waitUntil("failed attempt \(attempt)", on: queue) { recorder.causes.count == attempt }
            let delay = try #require(queue.sync { Self.reconnect(recorder.states.last) })
            #expect(delay.attempt == attempt)
            if case .connectFailed = delay.cause {} else { Issue.record("expected connectFailed, got \(delay.cause)") }
            // full jitter: attempt n waits in 0...base·2^(n-1)
            #expect((0...(1_000 << (attempt - 1))).contains(delay.delayMs))
            #expect(manual.nextTimerMs == manual.nowMs + delay.delayMs)
            if delay.delayMs > 0 {
                manual.advance(byMs: delay.delayMs - 1)
                #expect(queue.sync { recorder.states.filter { $0 == .connecting }.count } == attempt)
                manual.advance(byMs: 1)
            } else {
                manual.runDue()
            }
            #expect(queue.sync { recorder.states.filter { $0 == .connecting }.count } == attempt + 1)
        }
        queue.sync { adapter.stop() }
        #expect(queue.sync { adapter.phase } == .idle)
        #expect(manual.pendingTimerCount == 0)
    }

    // MARK: order events

    /// Wall-clock steps of an hour either way while the order-events feed is live move no
    /// deadline: the snapshot's quiet period and the heartbeat timeout still end at exactly
    /// their virtual time.
    @Test func wallClockStepsMoveNoOrderEventsDeadline() async throws {
        let sim = try await FeedSimHarness()
        let manual = ManualClock(startMs: Self.startMs)
        let (adapter, queue, recorder) = OrderEventsAdapterTests.makeAdapter(
            sim, heartbeatTimeoutMs: Self.heartbeatTimeoutMs, snapshotQuietMs: 500, clock: manual.engineClock)
        // No resting orders: the ack is the whole snapshot, armed at the ack.
        try await waitUntil("live", on: queue) { recorder.states.last == .live }
        let deadlines = manual.nextTimerMs
        #expect(deadlines == Self.startMs + 500)

        manual.stepWall(byMs: -3_600_000)
        #expect(manual.nextTimerMs == deadlines)
        manual.advance(byMs: 499)
        #expect(queue.sync { recorder.snapshots.count } == 0)
        manual.advance(byMs: 1)
        #expect(queue.sync { recorder.snapshots.count } == 1)

        manual.stepWall(byMs: 7_200_000)
        #expect(manual.engineClock.skewMs == -3_600_000)
        manual.advance(toMs: Self.startMs + Self.heartbeatTimeoutMs - 1)
        #expect(queue.sync { recorder.states.last } == .live)
        manual.advance(byMs: 1)
        let delay = try #require(queue.sync { Self.reconnect(recorder.states.last) })
        #expect(delay.cause == .heartbeatSilence(milliseconds: Self.heartbeatTimeoutMs))
        #expect(queue.sync { adapter.lastDisconnectCause } == delay.cause)
        queue.sync { adapter.stop() }
        #expect(manual.pendingTimerCount == 0)
        await sim.stop()
    }

    // MARK: helpers

    /// What the timers ran, read from the test's thread.
    final class Tally: Sendable {
        private let total = Mutex(0)
        func add(_ n: Int) { total.withLock { $0 += n } }
        var value: Int { total.withLock { $0 } }
    }

    struct Reconnect {
        let cause: FeedDisconnectCause
        let attempt: Int
        let delayMs: Int64
    }

    static func reconnect(_ state: FeedConnectionState?) -> Reconnect? {
        guard case .reconnecting(let cause, let attempt, let delayMs)? = state else { return nil }
        return Reconnect(cause: cause, attempt: attempt, delayMs: delayMs)
    }
}
