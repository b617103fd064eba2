import CastorCore
import CastorHTTP
import Dispatch
import Foundation
import GeminiClient
import GeminiProtocol
import Testing

/// The per-key sender: nonce order is the caller's order, one request at a time (a second
/// one is refused unsigned, never queued: queuing is the key's `RequestScheduler`'s job),
/// and the single InvalidNonce retry within the resend deadline.
@Suite(.timeLimit(.minutes(2))) struct OrderingTests {
    /// The engine's arrangement: libcurl, the sender and the caller share one serial queue,
    /// and each request is sent from the previous one's completion on that queue (as the
    /// scheduler releases the next private request only once the last one was answered).
    @Test func requestsSentOneAfterAnotherCarryIncreasingNonces() async throws {
        let stub = try await StubGemini()
        let client = try stub.client()
        let queue = StubGemini.keyQueue
        let outcomes = Box<[Bool]>([])
        let done = DispatchSemaphore(value: 0)
        @Sendable func next() {
            dispatchPrecondition(condition: .onQueue(queue))
            let count = outcomes.value.count
            guard count < 30 else { done.signal(); return }
            @Sendable func record(_ ok: Bool) {
                outcomes.withValue { $0.append(ok) }
                next()
            }
            // A mix of endpoints, so the order cannot come from the path.
            switch count % 3 {
            case 0: client.heartbeat(on: queue) { record((try? $0.get()) != nil) }
            case 1: client.balances(on: queue) { record((try? $0.get()) != nil) }
            default: client.roles(on: queue) { record((try? $0.get()) != nil) }
            }
        }
        queue.async { next() }
        #expect(await done.wait(seconds: 60), "only \(outcomes.value.count) of 30 completions")
        #expect(outcomes.value.count == 30 && outcomes.value.allSatisfy { $0 })
        let log = try await stub.log()
        #expect(log.violations.isEmpty, "stub saw: \(log.violations)")
        let nonces = log.privateRequests.map(\.nonce)
        #expect(nonces.count == 30, "no request was retried or lost")
        #expect(zip(nonces, nonces.dropFirst()).allSatisfy { $0 < $1 }, "nonces in sending order: \(nonces)")
        #expect(log.maxInFlight == 1, "requests overlapped on the server")
    }

    /// A caller that does not wait for the answer gets a refusal at once: the second
    /// request is neither signed (no nonce drawn) nor queued behind the first.
    @Test func aSecondRequestWhileOneIsInFlightIsRefusedUnsigned() async throws {
        let stub = try await StubGemini()
        let client = try stub.client()
        try await stub.inject([["path": "/v1/balances", "kind": "delay", "seconds": 0.3]])
        let events = Box<[String]>([])
        let all = DispatchGroup()
        let q = DispatchQueue(label: "test.completions")
        all.enter()
        all.enter()
        StubGemini.keyQueue.async {
            client.balances(on: q) { result in
                events.withValue { $0.append((try? result.get()) != nil ? "balances ok" : "balances \(result)") }
                all.leave()
            }
            client.roles(on: q) { result in
                let refused = result.failureValue == .unsent(endpoint: "/v1/roles", .busy)
                events.withValue { $0.append(refused ? "roles refused" : "roles \(result)") }
                all.leave()
            }
        }
        #expect(await all.wait(seconds: 30))
        #expect(events.value == ["roles refused", "balances ok"])
        #expect(!GeminiClientError.unsent(endpoint: "/v1/roles", .busy).mayHaveExecuted)
        // Once the first is answered the slot is free again.
        _ = try success(await call { client.roles(on: $0, completion: $1) })
        let log = try await stub.log()
        #expect(log.paths == ["/v1/balances", "/v1/roles"])
        #expect(log.violations.isEmpty)
    }

    @Test func invalidNonceIsRetriedOnceWithABiggerNonce() async throws {
        let stub = try await StubGemini()
        let client = try stub.client()
        try await stub.inject([[
            "path": "/v1/balances", "kind": "error", "status": 400, "reason": "InvalidNonce",
            "message": "Nonce '1712045678.123' has not increased since your last call to the Gemini API.",
        ]])
        let balances = try success(await call { client.balances(on: $0, completion: $1) })
        #expect(balances.count == 3)
        let log = try await stub.log()
        #expect(log.paths == ["/v1/balances", "/v1/balances"])
        #expect(log.privateRequests[0].fault == "error")
        #expect(log.privateRequests[1].fault == nil)
        #expect(log.privateRequests[1].nonce > log.privateRequests[0].nonce)
        #expect(log.violations.isEmpty)
    }

    @Test func secondInvalidNonceIsSurfacedNotRetriedAgain() async throws {
        let stub = try await StubGemini()
        let client = try stub.client()
        let invalidNonce: [String: Any] = [
            "kind": "error", "status": 400, "reason": "InvalidNonce", "message": "Nonce has not increased",
        ]
        try await stub.inject([invalidNonce, invalidNonce])
        let error = try failure(await call { client.heartbeat(on: $0, completion: $1) })
        guard case .exchange(400, let body) = error else {
            Issue.record("expected exchange(400, InvalidNonce), got \(error)")
            return
        }
        #expect(body.reason == .invalidNonce)
        #expect(error.classification == .retryWithNewNonce)
        #expect(!error.mayHaveExecuted)
        #expect(try await stub.log().paths == ["/v1/heartbeat", "/v1/heartbeat"])
        // The queue keeps working afterwards.
        _ = try success(await call { client.heartbeat(on: $0, completion: $1) })
    }

    /// No resend passes its deadline: an order whose deadline has passed when the
    /// InvalidNonce answer arrives gets the rejection, and only one request was made.
    @Test func invalidNonceIsNotResentPastTheOrdersDeadline() async throws {
        let stub = try await StubGemini()
        let client = try stub.client()
        try await stub.inject([[
            "path": "/v1/order/new", "kind": "error", "status": 400, "reason": "InvalidNonce", "message": "Nonce has not increased",
        ]])
        let order = NewOrderPayload(clientOrderID: "late-1", symbol: "btcusd", side: .buy, amount: dec("1"), price: dec("100.00"))
        let deadline = EngineClock.system.nowMs() - 1
        let error = try failure(await call { client.newOrder(order, resendDeadlineMs: deadline, on: $0, completion: $1) })
        #expect(error.classification == .retryWithNewNonce && !error.mayHaveExecuted)
        #expect(try await stub.log().paths == ["/v1/order/new"])
    }
}

extension Result {
    /// The failure, or nil on success.
    var failureValue: Failure? {
        if case .failure(let e) = self { return e }
        return nil
    }
}
