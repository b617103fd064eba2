import CastorCore
import Foundation
import Testing
@testable import GeminiSim

@Suite(.timeLimit(.minutes(2))) struct ServerLifecycleTests {
    @Test func startsOnEphemeralLoopbackPortAndStops() async throws {
        let sim = try await SimHarness()
        #expect(sim.port != 0)
        let endpoint = try #require(await sim.server.listening)
        #expect(endpoint.restURL == "http://127.0.0.1:\(sim.port)")
        #expect(endpoint.webSocketURL == "ws://127.0.0.1:\(sim.port)")
        #expect(try await sim.get("/v1/symbols").status == 200)
        await sim.stop()
        #expect(await sim.server.listening == nil)
    }

    @Test func refusesNonLoopbackAddresses() async throws {
        for host in ["0.0.0.0", "192.168.1.10", "10.0.0.1", "example.com"] {
            let server = try SimulatorServer(config: SimulatorConfig(listen: "\(host):0"))
            await #expect(throws: SimulatorServerError.nonLoopbackAddress(host)) { try await server.start() }
        }
    }

    @Test func reportsPortInUse() async throws {
        let sim = try await SimHarness()
        defer { Task { await sim.stop() } }
        let second = try SimulatorServer(config: SimulatorConfig(listen: "127.0.0.1:\(sim.port)"))
        await #expect(throws: SimulatorServerError.self) { try await second.start() }
        await sim.stop()
    }

    @Test func configLoadsFromJSONWithDefaults() throws {
        let json = """
        {"listen": "127.0.0.1:8765", "seed": 42,
         "accounts": [{"name": "primary", "balances": {"USD": "100000.50"},
                       "keys": [{"key": "account-a", "secret": "s", "nonceMode": "time", "requireHeartbeat": true}]}],
         "rateLimits": {"privatePerMinute": 60}, "faults": {"responseDelayMs": 5, "dropResponseAs": "close"}}
        """
        let config = try SimulatorConfig.decode(json: Data(json.utf8))
        let address = try config.listenAddress()
        #expect(address.host == "127.0.0.1" && address.port == 8765)
        #expect(config.seed == 42)
        #expect(config.accounts[0].balances["USD"] == ExactDecimal("100000.50"))
        #expect(config.accounts[0].keys[0].roles == [.trader])
        #expect(config.accounts[0].keys[0].nonceMode == .time)
        #expect(config.rateLimits.privatePerMinute == 60 && config.rateLimits.publicPerMinute == 120)
        #expect(config.faults.dropResponseAs == .closeConnection)
        #expect(!config.accounts[0].keys[0].description.contains("\"s\""))
    }

    @Test func configRejectsDuplicateKeysAndBadFaults() {
        let key = SimAPIKeyConfig(key: "k", secret: "s")
        let dup = SimulatorConfig(accounts: [SimAccountConfig(name: "a", keys: [key]), SimAccountConfig(name: "b", keys: [key])])
        #expect(throws: SimulatorConfigError.duplicateKey("k")) { try dup.validate() }
        let bad = SimulatorConfig(faults: FaultConfig(privateErrorPercent: 150))
        #expect(throws: SimulatorConfigError.self) { try bad.validate() }
        #expect(throws: SimulatorConfigError.badListenAddress("nowhere")) { try SimulatorConfig(listen: "nowhere").validate() }
    }
}
