import CastorCore
import CastorTrading
import Dispatch
import GeminiProtocol
import MarketData
import Testing
@testable import CastorFeeds

/// `GeminiMarketDataV2Adapter` against the simulator's `/v2/marketdata` over loopback.
@Suite(.serialized, .timeLimit(.minutes(2))) struct MarketDataV2AdapterTests {
    static func makeAdapter(_ sim: FeedSimHarness, heartbeatTimeoutMs: Int64 = 60_000, backoff: Backoff = Backoff(baseMs: 10, capMs: 50),
                            clock: EngineClock = .system)
        -> (GeminiMarketDataV2Adapter, MarketBooks, FeedRecorder) {
        let queue = DispatchQueue(label: "test.engine")
        let books = MarketBooks(symbols: ["BTCUSD", "ETHUSD"], queue: queue)
        let connection = FeedConnectionStateMachine.Configuration(
            backoff: backoff, heartbeatTimeoutMs: heartbeatTimeoutMs,
            subscribeTimeoutMs: 5_000)
        let adapter = GeminiMarketDataV2Adapter(
            books: books, configuration: .init(url: sim.venue.marketDataV2URL, connection: connection,
                                               webSocket: .init(connectTimeout: 5, handshakeTimeout: 10), seed: 3),
            clock: clock)
        let recorder = FeedRecorder()
        queue.sync {
            adapter.delegate = recorder
            adapter.start()
        }
        return (adapter, books, recorder)
    }

    /// Waits until the adapter's BTCUSD book equals the simulator's `/v1/book`.
    static func expectBookMatchesSimulator(_ sim: FeedSimHarness, _ books: MarketBooks) async throws {
        let expected = BookLevels(try await sim.book("BTCUSD"))
        let id = try #require(books.id(of: "BTCUSD"))
        try await waitUntil("BTCUSD book equals /v1/book \(expected)", on: books.queue) {
            BookLevels(books.books.book(id)) == expected
        }
    }

    @Test func snapshotAndDeltasMatchTheSimulatorsBook() async throws {
        let sim = try await FeedSimHarness()
        try await sim.place(sim.maker, .buy, "0.5", at: "60000")
        try await sim.place(sim.maker, .buy, "0.25", at: "59990")
        try await sim.place(sim.maker, .sell, "0.4", at: "60100")
        let (adapter, books, recorder) = Self.makeAdapter(sim)
        try await waitUntil("live", on: books.queue) { recorder.states.last == .live }
        try await Self.expectBookMatchesSimulator(sim, books)
        #expect(books.queue.sync { recorder.states } == [.connecting, .subscribing, .live])

        // A delta and a trade.
        try await sim.place(sim.maker, .sell, "0.1", at: "60050")
        try await sim.place(sim.trader, .buy, "0.2", at: "60050")
        try await waitUntil("a live trade", on: books.queue) { recorder.trades.contains { !$0.fromSnapshot } }
        try await Self.expectBookMatchesSimulator(sim, books)
        let btc = try #require(books.index(of: Symbol("BTCUSD")))
        #expect(books.queue.sync { recorder.updatedBooks.contains(btc) })
        // The trade in domain terms: the taker bought 0.1 at the resting ask.
        let trade = try #require(books.queue.sync { recorder.trades.first { !$0.fromSnapshot } })
        #expect(trade.symbol == "BTCUSD")
        #expect(trade.price == ExactDecimal("60050"))
        #expect(trade.amount == ExactDecimal("0.1"))
        #expect(trade.takerSide == .buy)
        #expect(trade.tradeID > 0)
        books.queue.sync { adapter.stop() }
        #expect(books.queue.sync { recorder.states.last } == .idle)
        await sim.stop()
    }

    @Test func droppedConnectionReconnectsAndRebuildsTheBooks() async throws {
        let sim = try await FeedSimHarness()
        try await sim.place(sim.maker, .buy, "1", at: "60000")
        let (adapter, books, recorder) = Self.makeAdapter(sim)
        try await waitUntil("live", on: books.queue) { recorder.liveCount == 1 }
        try await sim.setFaults(#"{"dropWebSocketsNow": true}"#)
        do {
            try await waitUntil("live again", on: books.queue) { recorder.liveCount == 2 }
        } catch {
            Issue.record("states: \(books.queue.sync { recorder.states })")
            throw error
        }
        let causes = books.queue.sync { recorder.causes }
        if case .closedByPeer(1011, _)? = causes.first {} else { Issue.record("expected a 1011 close, got \(causes)") }
        // Seen with the simulator: the first attempt right after a drop sometimes gets no
        // upgrade answer or no snapshot; the timeouts turn that into another retry.
        #expect(causes.dropFirst().allSatisfy {
            switch $0 {
            case .connectFailed, .subscriptionTimeout: true
            default: false
            }
        }, "\(causes)")
        // Changes made while reconnecting are in the fresh snapshot or the deltas after it.
        try await sim.place(sim.maker, .sell, "2", at: "60500")
        try await Self.expectBookMatchesSimulator(sim, books)
        books.queue.sync { adapter.stop() }
        await sim.stop()
    }

    @Test func silenceReconnectsWithHeartbeatCause() async throws {
        let sim = try await FeedSimHarness()
        // The simulator's clock stands still: no heartbeat arrives after the snapshot. The
        // feed's clock is manual: the timeout passes when the test says, not in real time.
        let manual = ManualClock(startMs: 1_700_000_000_000)
        let (adapter, books, recorder) = Self.makeAdapter(sim, heartbeatTimeoutMs: 300, clock: manual.engineClock)
        try await waitUntil("live", on: books.queue) { recorder.liveCount == 1 }
        manual.advance(byMs: 300)
        #expect(books.queue.sync { recorder.causes } == [.heartbeatSilence(milliseconds: 300)])
        manual.advance(byMs: 50)   // the backoff's cap
        try await waitUntil("live again", on: books.queue) { recorder.liveCount >= 2 }
        books.queue.sync { adapter.stop() }
        await sim.stop()
    }

    @Test func unreachableEndpointBacksOffAndKeepsTrying() async throws {
        let queue = DispatchQueue(label: "test.engine")
        let books = MarketBooks(symbols: ["BTCUSD"], queue: queue)
        // Port 1 on loopback refuses connections.
        let adapter = GeminiMarketDataV2Adapter(books: books, configuration: .init(
            url: "ws://127.0.0.1:1/v2/marketdata",
            connection: .init(backoff: Backoff(baseMs: 5, capMs: 20)), seed: 1), clock: .system)
        let recorder = FeedRecorder()
        queue.sync { adapter.delegate = recorder; adapter.start() }
        try await waitUntil("three failed attempts", on: queue) { recorder.causes.count >= 3 }
        let causes = queue.sync { recorder.causes }
        #expect(causes.allSatisfy { if case .connectFailed = $0 { true } else { false } })
        queue.sync { adapter.stop() }
        #expect(queue.sync { adapter.phase } == .idle)
    }

    @Test func invalidURLIsFatal() async throws {
        let queue = DispatchQueue(label: "test.engine")
        let adapter = GeminiMarketDataV2Adapter(books: MarketBooks(symbols: ["BTCUSD"], queue: queue),
                                                configuration: .init(url: "http://nope"), clock: .system)
        let recorder = FeedRecorder()
        queue.sync { adapter.delegate = recorder; adapter.start() }
        try await waitUntil("failed", on: queue) { if case .failed(.invalidURL) = recorder.states.last { true } else { false } }
    }
}
