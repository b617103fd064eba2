import Testing
@testable import GeminiSim

/// `SimulatorCore.trafficStats`: the limiter's own 429s and queueing are counted apart from
/// an injected storm's 429s, per key, so a client's rate discipline can be measured.
@Suite(.timeLimit(.minutes(2))) struct TrafficStatsTests {
    @Test func limiterRefusalsAreCountedApartFromStormRefusals() async throws {
        // 60/min with a burst of 2 and no queue: the third request in one instant is refused.
        let limits = RateLimitConfig(privatePerMinute: 60, queuedBeyondLimit: 0, burst: 2)
        let sim = try await SimHarness(config: SimHarness.standardConfig(rateLimits: limits))
        let bucket = "key:\(SimHarness.traderKey)"
        #expect(try await sim.privatePost("/v1/heartbeat").status == 200)
        #expect(try await sim.privatePost("/v1/heartbeat").status == 200)
        #expect(try await sim.privatePost("/v1/heartbeat").status == 429)
        var stats = await sim.server.core.trafficStats
        #expect(stats.arrivals[bucket] == 3)
        #expect(stats.limiterRejections[bucket] == 1)
        #expect(stats.stormRejections[bucket] == nil)
        #expect(stats.maxArrivalsPerSecond[bucket] == 3)
        #expect(stats.privatePaths[bucket]?["/v1/heartbeat"] == 2)

        // A storm's 429s never reach the limiter and are counted as the storm's.
        _ = try await sim.send(.POST, "/sim/faults", body: #"{"rateLimitStormMs": 1000}"#)
        #expect(try await sim.privatePost("/v1/heartbeat").status == 429)
        stats = await sim.server.core.trafficStats
        #expect(stats.stormRejections[bucket] == 1)
        #expect(stats.limiterRejections[bucket] == 1)
        #expect(stats.arrivals[bucket] == 3)
        await sim.stop()
    }

    @Test func injectedErrorsAndDroppedResponsesAreCounted() async throws {
        let sim = try await SimHarness(config: SimHarness.standardConfig(faults: FaultConfig(dropResponseNext: 1)))
        _ = try? await sim.placeOrder(side: "buy", amount: "0.1", price: "100.00", clientOrderId: "dropped")
        _ = try await sim.send(.POST, "/sim/faults", body: #"{"privateErrorPercent": 100}"#)
        #expect(try await sim.privatePost("/v1/heartbeat").status >= 500)
        let stats = await sim.server.core.trafficStats
        #expect(stats.droppedResponses == 1)
        #expect(stats.injectedErrors == 1)
        await sim.stop()
    }
}
