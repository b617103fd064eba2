import CastorTestSupport
import Testing
@testable import GeminiSim

@Suite(.timeLimit(.minutes(2))) struct HeartbeatTests {
    @Test func silentRequireHeartbeatSessionGetsItsOrdersCancelled() async throws {
        let sim = try await SimHarness()
        let key = SimHarness.heartbeatKey
        let hb = try #require(try await sim.placeOrder(key: key, side: "buy", amount: "0.1", price: "100.00").json?["order_id"]?.stringValue)
        let other = try #require(try await sim.placeOrder(side: "buy", amount: "0.1", price: "101.00").json?["order_id"]?.stringValue)
        // Keep-alive within 30 s resets the timer.
        sim.clock.advance(byMilliseconds: 20_000)
        #expect(try await sim.privatePost("/v1/heartbeat", key: key).status == 200)
        sim.clock.advance(byMilliseconds: 20_000)
        #expect(await sim.server.core.expireHeartbeats().isEmpty)
        // Then 30 s of silence: the background sweeper cancels that session's orders only.
        sim.clock.advance(byMilliseconds: 10_001)
        try await pollUntil("heartbeat session cancelled", seconds: 10, intervalMs: 1) {
            let reply = try await sim.privatePost("/v1/order/status", fields: [("order_id", .integer(Int64(hb)!))])
            return reply.json?["is_cancelled"] == .bool(true)
        }
        let untouched = try await sim.privatePost("/v1/order/status", fields: [("order_id", .integer(Int64(other)!))])
        #expect(untouched.json?["is_live"] == .bool(true))
        await sim.stop()
    }
}
