import Dispatch
import GeminiClient
import GeminiProtocol
import Testing

/// `PrivateRequestSender.retire`: the hand-over point between two engines using one API
/// key. After its completion the retired sender must never draw another nonce.
@Suite(.timeLimit(.minutes(2))) struct SenderRetirementTests {
    @Test func retirementWaitsForTheRequestInFlightAndRefusesEverythingAfterUnsigned() async throws {
        let stub = try await StubGemini()
        let (sender, client) = try HandshakeSigningTests.senderAndClient(stub)
        // The request in flight is slow, so retirement has to wait for it.
        try await stub.inject([["path": "/v1/balances", "kind": "delay", "seconds": 0.3]])
        let q = DispatchQueue(label: "test.retire")
        let events = Box<[String]>([])
        let all = DispatchGroup()
        all.enter()
        all.enter()
        StubGemini.keyQueue.async {
            client.balances(on: q) { result in
                events.withValue { $0.append((try? result.get()) != nil ? "balances ok" : "balances failed") }
                all.leave()
            }
            sender.retire(on: q) {
                events.withValue { $0.append("retired") }
                all.leave()
            }
        }
        #expect(await all.wait(seconds: 30))
        // Retirement completes only after the request in flight.
        #expect(events.value == ["balances ok", "retired"])

        // After retirement nothing is signed or sent.
        let late = try await call { client.roles(on: $0, completion: $1) }
        #expect(try failure(late) == .unsent(endpoint: "/v1/roles", .retired))
        let handshake = StubGemini.keyQueue.sync { sender.signWebSocketHandshake(path: "/v1/order/events") }
        #expect(handshake.failureValue == .unsent(endpoint: "/v1/order/events", .retired))
        #expect(try await stub.log().paths == ["/v1/balances"])
    }
}
