import CastorConfig
import CastorCore
import CastorEngine
import CastorTestSupport
import Dispatch
import GeminiSim
import Synchronization
import Testing

/// The engine times everything on a clock that does not step with the wall clock
/// (issue 10: timers, deadlines and backoff on monotonic time).
@Suite(.serialized, .timeLimit(.minutes(3))) struct EngineClockStepTests {
    @Test func theSteadyClockIgnoresWallClockStepsAndReportsTheSkew() {
        let wall = Atomic<Int64>(1_700_000_000_000)
        let mono = Atomic<UInt64>(5_000_000_000)
        let clock = EngineClock.steady(wall: { wall.load(ordering: .relaxed) }, monotonicNs: { mono.load(ordering: .relaxed) })
        #expect(clock.nowMs() == 1_700_000_000_000)
        mono.store(5_250_000_000, ordering: .relaxed)      // 250 ms pass
        wall.store(1_700_000_000_250 - 3_600_000, ordering: .relaxed)  // and the wall clock steps back an hour
        #expect(clock.nowMs() == 1_700_000_000_250)
        #expect(clock.skewMs == 3_600_000)
        wall.store(1_700_000_000_250 + 3_600_000, ordering: .relaxed)
        #expect(clock.nowMs() == 1_700_000_000_250)
        #expect(clock.skewMs == -3_600_000)
    }

    /// The wall clock steps back an hour, then forward two, while the market maker trades
    /// behind a one-request burst: every requote still goes out at the rate limit. On a
    /// wall clock the token bucket would wait an hour for time to catch up after the first
    /// step.
    @Test func tradingGoesOnWhenTheWallClockStepsAnHourEitherWay() async throws {
        let h = try await SimHarness.start()
        defer { Task { await h.stop() } }
        let step = Atomic<Int64>(0)
        let clock = EngineClock.steady(wall: { EngineClock.systemWallMs() + step.load(ordering: .relaxed) },
                                       monotonicNs: { DispatchTime.now().uptimeNanoseconds })
        var configuration = h.configuration()
        configuration.rateLimits.privatePerSecond = 5
        configuration.rateLimits.privateBurst = 1
        let engine = try h.makeEngine(configuration, clock: clock)
        try await h.start(engine).get()
        try await pollUntil("the market maker quotes") { await h.simOpenOrders().count == 2 }
        for (i, offset) in [-3_600_000, 3_600_000].enumerated() {
            step.store(Int64(offset), ordering: .relaxed)
            #expect(try await h.hitOurBid())
            try await h.makeMarket(bid: 49_990, ask: 50_010)
            try await pollUntil("fill \(i + 1) counted and both sides quoted again after the step") {
                let venue = try await venueFills(h)
                let open = await h.simOpenOrders().count
                return venue.count >= i + 1 && engineFills(h, engine) == venue && open == 2
            }
        }
        try await h.shutdown(engine).get()
        #expect(await h.simOpenOrders().isEmpty)
    }
}
