import CastorTestSupport
import Testing
@testable import GeminiSim

@Suite(.timeLimit(.minutes(2))) struct FaultTests {
    @Test func faultsAreReadableAndSwitchableAtRunTime() async throws {
        let sim = try await SimHarness()
        #expect(try await sim.get("/sim/faults").json?["maintenance"] == .bool(false))
        let set = try await sim.send(.POST, "/sim/faults", body: #"{"maintenance": true, "stopHeartbeats": true}"#)
        #expect(set.status == 200)
        #expect(set.json?["maintenance"] == .bool(true))
        #expect(try await sim.get("/sim/faults").json?["stopHeartbeats"] == .bool(true))
        #expect(try await sim.send(.POST, "/sim/faults", body: #"{"privateErrorPercent": 101}"#).status == 400)
        await sim.stop()
    }

    @Test func maintenanceAnswers503Everywhere() async throws {
        let sim = try await SimHarness(config: SimHarness.standardConfig(faults: FaultConfig(maintenance: true)))
        let pub = try await sim.get("/v1/symbols")
        #expect(pub.status == 503 && pub.reason == "Maintenance")
        let priv = try await sim.privatePost("/v1/balances")
        #expect(priv.status == 503 && priv.reason == "Maintenance")
        await sim.stop()
    }

    @Test func privateErrorsAreSeededAndDoNotExecute() async throws {
        let sim = try await SimHarness(config: SimHarness.standardConfig(faults: FaultConfig(privateErrorPercent: 100, errorStatuses: [502])))
        let reply = try await sim.placeOrder(side: "buy", amount: "0.1", price: "100.00", clientOrderId: "never")
        #expect(reply.status == 502 && reply.reason == "System")
        _ = try await sim.send(.POST, "/sim/faults", body: "{}")
        let status = try await sim.privatePost("/v1/order/status", fields: [("client_order_id", "never")])
        #expect(status.status == 404)
        // 50 %: a mix of failures and successes, reproducible for the seed.
        _ = try await sim.send(.POST, "/sim/faults", body: #"{"privateErrorPercent": 50}"#)
        var statuses: [Int] = []
        for _ in 0..<20 { statuses.append(try await sim.privatePost("/v1/heartbeat").status) }
        #expect(statuses.contains(200))
        #expect(statuses.contains { [500, 502, 503].contains($0) })
        await sim.stop()
    }

    /// The ambiguous case: the order is placed but the client gets a 502, a 504 or a dead
    /// connection; the order is in the ledger and visible by client_order_id.
    @Test(arguments: [FaultConfig.DroppedResponse.badGateway, .gatewayTimeout, .closeConnection])
    func droppedResponseAfterExecute(kind: FaultConfig.DroppedResponse) async throws {
        let sim = try await SimHarness(config: SimHarness.standardConfig(faults: FaultConfig(dropResponseNext: 1, dropResponseAs: kind)))
        let cid = "ambiguous-\(kind.rawValue)"
        do {
            let reply = try await sim.placeOrder(side: "buy", amount: "0.1", price: "100.00", clientOrderId: cid)
            switch kind {
            case .badGateway: #expect(reply.status == 502 && reply.reason == "System")
            case .gatewayTimeout: #expect(reply.status == 504 && reply.json == nil)
            case .closeConnection: Issue.record("expected the connection to drop, got \(reply.status) \(reply.text)")
            }
        } catch {
            #expect(kind == .closeConnection, "unexpected transport error \(error)")
        }
        let status = try await sim.privatePost("/v1/order/status", fields: [("client_order_id", .string(cid))])
        #expect(status.status == 200)
        #expect(status.json?.arrayValue?.first?["is_live"] == .bool(true))
        let ledger = try await sim.get("/sim/ledger")
        let orders = ledger.json?["accounts"]?.arrayValue?.first?["orders"]?.arrayValue ?? []
        #expect(orders.contains { $0["client_order_id"] == .string(cid) })
        // Only the next one was dropped.
        #expect(try await sim.placeOrder(side: "buy", amount: "0.1", price: "100.00").status == 200)
        await sim.stop()
    }

    @Test func rateLimitStormAnswers429ForItsDuration() async throws {
        let sim = try await SimHarness()
        _ = try await sim.send(.POST, "/sim/faults", body: #"{"rateLimitStormMs": 5000}"#)
        #expect(try await sim.privatePost("/v1/heartbeat").reason == "RateLimit")
        #expect(try await sim.get("/sim/faults").json?["rateLimitStormRemainingMs"] == .number("5000"))
        #expect(try await sim.get("/v1/symbols").status == 200)
        sim.clock.advance(byMilliseconds: 5_000)
        #expect(try await sim.privatePost("/v1/heartbeat").status == 200)
        await sim.stop()
    }

    @Test func responseDelayWaitsOnTheClock() async throws {
        let sim = try await SimHarness(config: SimHarness.standardConfig(faults: FaultConfig(responseDelayMs: 2_000)))
        let pending = Task { try await sim.get("/v1/symbols") }
        let due = sim.clock.nowMilliseconds() + 2_000
        try await pollUntil("response held on the clock", seconds: 10, intervalMs: 1) { sim.clock.pendingDeadlines.contains(due) }
        sim.clock.advance(byMilliseconds: 1_999)
        #expect(sim.clock.pendingDeadlines.contains(due))
        sim.clock.advance(byMilliseconds: 1)
        #expect(try await pending.value.status == 200)
        await sim.stop()
    }
}
