import CastorCore
import CastorTestSupport
import Foundation
import Testing
@testable import GeminiSim

/// The WebSocket API's own server: `ws_api_listen`, loopback only, its endpoint, started and
/// stopped with the REST server.
@Suite(.serialized, .timeLimit(.minutes(2))) struct WSAPIServerLifecycleTests {
    @Test func secondServerOnItsOwnPortStartsAndStopsWithTheFirst() async throws {
        let sim = try await SimHarness(config: WSAPIKeys.config())
        let endpoint = try #require(await sim.server.listening)
        #expect(endpoint.wsAPIPort != 0 && endpoint.wsAPIPort != endpoint.port && endpoint.wsAPIPort == sim.wsAPIPort)
        #expect(endpoint.wsAPIURL == "ws://127.0.0.1:\(sim.wsAPIPort)")
        let ws = try await sim.openWSAPI()
        #expect(try await ws.call("1", "ping")["status"] == .int(200))
        await sim.stop()
        _ = try await ws.probe.waitEnd()
        // Nothing listens on either port any more.
        let late = try WSProbe("ws://127.0.0.1:\(endpoint.wsAPIPort)/")
        guard case .failed(let error) = try await late.waitEnd() else { Issue.record("connected after stop"); return }
        #expect("\(error)".contains("connect"), "\(error)")
    }

    @Test func configKeyAndLoopbackRule() async throws {
        let config = try SimulatorConfig.decode(json: Data(#"{"ws_api_listen": "127.0.0.1:8766", "ws_api_ping_interval_ms": 5000, "ws_api_rejected_events": true, "rateLimits": {"wsAPIOrdersPer10s": 7}, "faults": {"wsAPICrossBook": ["BTCUSD"], "wsAPISilence": true}}"#.utf8))
        let address = try config.wsAPIListenAddress()
        #expect(address.host == "127.0.0.1" && address.port == 8766)
        #expect(config.wsAPIListen == "127.0.0.1:8766" && config.wsAPIPingIntervalMs == 5_000 && config.wsAPIRejectedEvents)
        #expect(config.rateLimits.wsAPIOrdersPer10s == 7 && config.rateLimits.wsAPIRequestWeightPer10s == 7_000)
        #expect(config.faults.wsAPICrossBook == ["BTCUSD"] && config.faults.wsAPISilence)
        #expect(SimulatorConfig().wsAPIListen == "127.0.0.1:0")
        #expect(throws: SimulatorConfigError.badListenAddress("nowhere")) { try SimulatorConfig(wsAPIListen: "nowhere").validate() }
        #expect(throws: SimulatorConfigError.self) { try SimulatorConfig(faults: FaultConfig(wsAPIReplyDelayMs: -1)).validate() }
        let open = try SimulatorServer(config: SimulatorConfig(wsAPIListen: "0.0.0.0:0"))
        await #expect(throws: SimulatorServerError.nonLoopbackAddress("0.0.0.0")) { try await open.start() }
        // A WebSocket API port in use: neither server runs.
        let sim = try await SimHarness()
        let clash = try SimulatorServer(config: SimulatorConfig(wsAPIListen: "127.0.0.1:\(sim.wsAPIPort)"))
        await #expect(throws: SimulatorServerError.self) { try await clash.start() }
        #expect(await clash.listening == nil)
        await sim.stop()
    }
}
