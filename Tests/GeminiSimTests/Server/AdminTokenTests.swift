import Testing
@testable import GeminiSim

/// Issue 10 (risks): a browser page on the same machine must not drive `/sim/*`.
@Suite(.timeLimit(.minutes(2))) struct AdminTokenTests {
    @Test func withoutTokenIsForbidden() async throws {
        let sim = try await SimHarness()
        let reply = try await sim.send(.GET, "/sim/ledger", adminToken: false)
        #expect(reply.status == 403)
        #expect(reply.reason == "MissingAdminToken")
        #expect(reply.json?["result"]?.stringValue == "error")
        let post = try await sim.send(.POST, "/sim/faults", body: #"{"maintenance": true}"#, adminToken: false)
        #expect(post.status == 403)
        // The refused POST changed nothing.
        #expect(try await sim.get("/sim/faults").json?["maintenance"] == .bool(false))
        await sim.stop()
    }

    @Test func wrongTokenIsForbidden() async throws {
        let sim = try await SimHarness()
        let right = sim.server.adminToken.value
        let wrong = String(right.dropLast()) + (right.hasSuffix("0") ? "1" : "0")
        for token in [wrong, "", String(right.dropLast()), right + "0", "x"] {
            let reply = try await sim.send(.POST, "/sim/deposit", headers: [(SimAdminToken.headerName, token)],
                                           body: #"{"account":"primary","currency":"USD","amount":"1"}"#, adminToken: false)
            #expect(reply.status == 403, "token \(token.count) chars")
        }
        await sim.stop()
    }

    @Test func rightTokenWorksWhateverTheHeaderCase() async throws {
        let sim = try await SimHarness()
        #expect(try await sim.get("/sim/ledger").status == 200)
        let lower = try await sim.send(.GET, "/sim/faults", headers: [("x-sim-admin-token", sim.server.adminToken.value)],
                                       adminToken: false)
        #expect(lower.status == 200)
        await sim.stop()
    }

    @Test func originHeaderIsForbiddenEvenWithTheToken() async throws {
        let sim = try await SimHarness()
        for origin in ["http://evil.example", "null", "http://127.0.0.1:\(sim.port)"] {
            let reply = try await sim.send(.POST, "/sim/faults", headers: [("Origin", origin)], body: #"{"maintenance": true}"#)
            #expect(reply.status == 403)
            #expect(reply.reason == "OriginRefused")
        }
        #expect(try await sim.get("/sim/faults").json?["maintenance"] == .bool(false))
        await sim.stop()
    }

    @Test func venueEndpointsNeedNoToken() async throws {
        let sim = try await SimHarness()
        #expect(try await sim.get("/v1/symbols").status == 200)
        await sim.stop()
    }

    @Test func defaultTokenIsRandomAndAFixedOneIsUsed() throws {
        let a = try SimulatorServer(config: SimulatorConfig()), b = try SimulatorServer(config: SimulatorConfig())
        #expect(a.adminToken.value.count == 64)
        #expect(a.adminToken.value.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) })
        #expect(a.adminToken.value != b.adminToken.value)
        #expect(!"\(a.adminToken)".contains(a.adminToken.value))
        let fixed = try SimulatorServer(config: SimulatorConfig(adminToken: "fixed-admin-token-0001"))
        #expect(fixed.adminToken.value == "fixed-admin-token-0001")
        #expect(fixed.adminToken.matches("fixed-admin-token-0001"))
        #expect(!fixed.adminToken.matches("fixed-admin-token-0002"))
    }

    @Test func weakFixedTokensAreRefused() {
        for token in ["short", "has a space in it ok", "tab\tinside-the-token", String(repeating: "é", count: 16)] {
            #expect(throws: SimulatorConfigError.weakAdminToken) { try SimulatorConfig(adminToken: token).validate() }
        }
    }
}
