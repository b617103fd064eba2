import CastorTestSupport
import Testing
@testable import GeminiSim

@Suite(.timeLimit(.minutes(2))) struct RateLimitTests {
    /// Gemini's worked example (API.md §5): 20 requests at once at 600/min → 10 run, 5 are
    /// queued 100–500 ms, 5 are refused.
    @Test func geminisWorkedExample() {
        var limiter = RateLimiter(perMinute: 600)
        let decisions = (0..<20).map { _ in limiter.admit(bucket: "k", nowMilliseconds: 1_000) }
        #expect(decisions.prefix(10).allSatisfy { $0 == .proceed })
        #expect(Array(decisions[10..<15]) == [100, 200, 300, 400, 500].map { .delayUntil(milliseconds: 1_000 + $0) })
        #expect(decisions.suffix(5).allSatisfy { $0 == .reject })
        // Buckets are independent, and the rate recovers with time.
        #expect(limiter.admit(bucket: "other", nowMilliseconds: 1_000) == .proceed)
        #expect(limiter.admit(bucket: "k", nowMilliseconds: 3_000) == .proceed)
    }

    @Test func publicLimitIs120PerMinuteByDefault() {
        var limiter = RateLimiter(perMinute: 120)
        #expect(limiter.admit(bucket: "ip", nowMilliseconds: 0) == .proceed)
        #expect(limiter.admit(bucket: "ip", nowMilliseconds: 0) == .proceed)
        #expect(limiter.admit(bucket: "ip", nowMilliseconds: 0) == .delayUntil(milliseconds: 500))
    }

    /// Over HTTP with a manual clock: the burst passes, 5 requests wait on the clock, the next
    /// is 429 `RateLimit` at once, and the queued ones complete when time moves on.
    @Test func burstThenFiveQueuedThen429() async throws {
        let config = SimHarness.standardConfig(rateLimits: RateLimitConfig(privatePerMinute: 600))
        let sim = try await SimHarness(config: config)
        // A time-based key: the queued requests race each other on the wire, and a counter
        // key would (rightly) reject whichever nonce arrives after a larger one.
        let key = SimHarness.timeKey
        func call() async throws -> Reply { try await sim.privatePost("/v1/heartbeat", key: key, format: .secondsWithMillis) }
        for _ in 0..<10 { #expect(try await call().status == 200) }
        let queued = (0..<5).map { _ in Task { try await call() } }
        let now = sim.clock.nowMilliseconds()
        try await pollUntil("5 requests queued on the clock", seconds: 10, intervalMs: 1) {
            sim.clock.pendingDeadlines.filter { $0 > now && $0 <= now + 500 }.count == 5
        }
        let refused = try await call()
        #expect(refused.status == 429)
        #expect(refused.json == .object([("result", .string("error")), ("reason", .string("RateLimit")),
                                         ("message", .string("Requests were made too frequently. Slow down."))]))
        sim.clock.advance(byMilliseconds: 500)
        for task in queued {
            let reply = try await task.value
            #expect(reply.status == 200, "\(reply.text)")
        }
        await sim.stop()
    }
}
