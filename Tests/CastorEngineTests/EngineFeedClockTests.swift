import CastorConfig
import CastorCore
import CastorTrading
import CastorFeeds
import CastorTestSupport
import Dispatch
import Logging
import Testing
@testable import CastorEngine

/// The engine's clock reaches its feed adapters (`EngineFeedContext.clock`), so their
/// heartbeat deadlines and reconnect backoff run on it: under a `ManualClock` only when the
/// test advances it.
@Suite(.serialized, .timeLimit(.minutes(2))) struct EngineFeedClockTests {
    static let startMs: Int64 = 1_700_000_000_000

    @Test func theEnginesFeedContextCarriesTheEnginesClock() async throws {
        let h = try await SimHarness.start()
        defer { Task { await h.stop() } }
        let manual = ManualClock(startMs: Self.startMs)
        let engine = try h.makeEngine(h.configuration(), clock: manual.engineClock)
        let context = h.on { engine.feedContext(books: MarketBooks(symbols: ["BTCUSD"], queue: h.queue)) }
        #expect(context.clock.nowMs() == Self.startMs)
        #expect(context.clock.timers is ManualClock)
        manual.advance(byMs: 1_234)
        #expect(context.clock.nowMs() == Self.startMs + 1_234)
    }

    /// `EngineFeedFactory.gemini`'s market-data adapter against the simulator, on a manual
    /// clock: live stays live however long real time passes, and dies of heartbeat silence
    /// once virtual time passes `[feeds] heartbeat_timeout` without a message stamped later;
    /// the reconnect then waits for the backoff delay on the same clock.
    @Test func theGeminiFactorysFeedsTimeOutOnTheEngineClock() async throws {
        let h = try await SimHarness.start()
        defer { Task { await h.stop() } }
        let manual = ManualClock(startMs: Self.startMs)
        let books = MarketBooks(symbols: ["BTCUSD"], queue: h.queue)
        var feeds = FeedConfiguration()
        feeds.heartbeatTimeout = .seconds(15)
        feeds.staleMarketAfter = .seconds(3_600)
        let context = EngineFeedContext(
            queue: h.queue, books: books,
            endpoints: try EngineEndpoints(restBaseURL: h.endpoint.restURL, webSocketBaseURL: h.endpoint.webSocketURL),
            symbols: books.symbolNames, execution: nil, keySlot: NoKeySlot(), feeds: feeds,
            logger: Logger(label: "castor.engine.test") { _ in SwiftLogNoOpLogHandler() }, clock: manual.engineClock)
        let feed = try EngineFeedFactory.gemini.makeMarketData(context)
        let recorder = MarketStateRecorder()
        h.on { feed.delegate = recorder; feed.start() }
        try await pollUntil("live") { h.on { recorder.states.last == .live } }
        #expect(h.on { recorder.books } > 0)

        // The simulator's real-time heartbeats are stamped with the manual time, so they
        // cannot keep the connection alive across a virtual minute passing in steps.
        var silence: (FeedDisconnectCause, Int64)?
        for _ in 0..<60 where silence == nil {
            manual.advance(byMs: 1_000)
            if case .reconnecting(let cause, 1, let delay)? = h.on({ recorder.states.last }) { silence = (cause, delay) }
        }
        let (cause, delay) = try #require(silence)
        if case .heartbeatSilence(let ms) = cause { #expect(ms >= 15_000) } else { Issue.record("expected heartbeat silence, got \(cause)") }
        #expect(manual.nextTimerMs == manual.nowMs + delay)
        manual.advance(byMs: delay)
        #expect(h.on { recorder.states.last } == .connecting)
        try await pollUntil("live again") { h.on { recorder.states.filter { $0 == .live }.count } == 2 }
        h.on { feed.stop() }
        #expect(manual.pendingTimerCount == 0)
    }
}

/// A key without a request queue: market data needs no slot.
final class NoKeySlot: KeySlotLender {
    func borrowSlot(waitMs: Int64, maximumHoldMs: Int64,
                    _ granted: @escaping @Sendable (Result<KeySlotLoan, KeySlotRefusal>) -> Void) {
        granted(.failure(.retired))
    }
}

/// Records a market-data adapter's reports, on the engine queue.
final class MarketStateRecorder: MarketDataFeedDelegate, @unchecked Sendable {
    // Touched only on the engine queue (delegate calls, `SimHarness.on`).
    var states: [FeedConnectionState] = []
    var books = 0
    var trades: [MarketTradeReport] = []

    func marketDataFeed(_ feed: any MarketDataFeedAdapter, didUpdateBook book: BookIndex) { books += 1 }
    func marketDataFeed(_ feed: any MarketDataFeedAdapter, didReceiveTrade trade: MarketTradeReport) { trades.append(trade) }
    func marketDataFeed(_ feed: any MarketDataFeedAdapter, didChangeState state: FeedConnectionState) { states.append(state) }
}
