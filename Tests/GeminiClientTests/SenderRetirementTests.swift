import Dispatch
import GeminiClient
import GeminiProtocol
import Testing

/// `PrivateRequestSender.retire`: the hand-over point between two engines using one API
/// key. After its completion the retired sender must never draw another nonce.
@Suite(.timeLimit(.minutes(2))) struct SenderRetirementTests {
    @Test func retirementWaitsForTheRequestInFlightAndFailsEverythingElseUnsigned() async throws {
        let stub = try await StubGemini()
        let (sender, client) = try ExclusiveNonceTests.senderAndClient(stub)
        // The first request is slow, so the second is still queued when the sender retires.
        try await stub.inject([["path": "/v1/balances", "kind": "delay", "seconds": 0.3]])
        let q = DispatchQueue(label: "test.retire")
        let events = Box<[String]>([])
        let all = DispatchGroup()
        all.enter()
        client.balances(on: q) { result in
            events.withValue { $0.append(result.isSuccess ? "balances ok" : "balances failed") }
            all.leave()
        }
        all.enter()
        client.roles(on: q) { result in
            events.withValue { $0.append(result.failureValue == .expired(endpoint: "/v1/roles") ? "roles expired" : "roles \(result)") }
            all.leave()
        }
        all.enter()
        sender.retire(on: q) {
            events.withValue { $0.append("retired") }
            all.leave()
        }
        #expect(await all.wait(seconds: 30))
        // The queued request fails at once; retirement completes only after the one in flight.
        #expect(events.value == ["roles expired", "balances ok", "retired"])

        // After retirement nothing is signed or sent.
        let late = try await call { client.roles(on: $0, completion: $1) }
        #expect(try failure(late) == .expired(endpoint: "/v1/roles"))
        #expect(try await stub.log().paths == ["/v1/balances"])
    }
}

private extension Result {
    var isSuccess: Bool {
        if case .success = self { return true }
        return false
    }

    var failureValue: Failure? {
        if case .failure(let e) = self { return e }
        return nil
    }
}
