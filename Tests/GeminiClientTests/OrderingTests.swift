import CastorCore
import CastorHTTP
import Dispatch
import Foundation
import GeminiClient
import GeminiProtocol
import Testing

/// The per-key sender: nonce order is arrival order, one request at a time, the single
/// InvalidNonce retry, and deadline expiry without sending.
@Suite(.timeLimit(.minutes(2))) struct OrderingTests {
    @Test func hundredConcurrentRequestsArriveOneAtATimeWithIncreasingNonces() async throws {
        let stub = try await StubGemini()
        // All 100 wait in one per-key queue and go out one at a time, so the last waits for
        // the 99 before it: the queue deadline is generous (the other suites run beside this
        // one and share the 2 cores), this test is about order, not speed.
        let client = try stub.client(requestTimeout: .seconds(60))
        let results = Box<[Result<String, GeminiClientError>]>([])
        let group = DispatchGroup()
        let completionQueue = DispatchQueue(label: "test.completions", attributes: .concurrent)
        // Several threads submit at once; a mix of endpoints so order cannot come from the path.
        DispatchQueue.concurrentPerform(iterations: 100) { index in
            group.enter()
            let record: @Sendable (Result<String, GeminiClientError>) -> Void = { result in
                results.withValue { $0.append(result) }
                group.leave()
            }
            switch index % 3 {
            case 0: client.heartbeat(on: completionQueue) { record($0.map(\.result)) }
            case 1: client.balances(on: completionQueue) { record($0.map { _ in "balances" }) }
            default: client.roles(on: completionQueue) { record($0.map { _ in "roles" }) }
            }
        }
        guard await group.wait(seconds: 90) else {
            Issue.record("only \(results.value.count) of 100 completions within 90 s")
            return
        }
        let failures = results.value.compactMap { result -> GeminiClientError? in
            if case .failure(let error) = result { return error }
            return nil
        }
        #expect(failures.isEmpty, "failures: \(failures)")
        #expect(results.value.count == 100)

        let log = try await stub.log()
        #expect(log.violations.isEmpty, "stub saw: \(log.violations)")
        #expect(log.privateRequests.count == 100, "no request was retried or lost")
        #expect(log.privateRequests.allSatisfy { $0.accepted })
        let nonces = log.privateRequests.map(\.nonce)
        #expect(zip(nonces, nonces.dropFirst()).allSatisfy { $0 < $1 }, "nonces in arrival order: \(nonces)")
        #expect(log.maxInFlight == 1, "requests overlapped on the server")
    }

    /// The engine's arrangement: libcurl, the sender and the caller share one serial queue,
    /// so `send` from that queue signs and writes in place. Order and one-at-a-time must
    /// hold exactly as with the client's own queue, including requests queued behind one
    /// in flight and completions that send the next request from inside the callback.
    @Test func senderOnTheCallersOwnQueueKeepsNonceOrderAndOneInFlight() async throws {
        let stub = try await StubGemini()
        let queue = DispatchQueue(label: "test.engine")
        let http = try HTTPClient(queue: queue)
        let sender = PrivateRequestSender(
            http: http, venue: stub.venue,
            signer: GeminiSigner(credentials: try APICredentials(key: StubGemini.apiKey, secret: StubGemini.secret)),
            nonces: try NonceSource())
        let client = GeminiRESTClient(venue: stub.venue, http: http, sender: sender, account: nil)
        let outcomes = Box<[Bool]>([])
        let done = DispatchSemaphore(value: 0)
        @Sendable func record(_ ok: Bool) {
            dispatchPrecondition(condition: .onQueue(queue))
            outcomes.withValue { $0.append(ok) }
            let count = outcomes.value.count
            if count == 30 { done.signal() }
            // Chained sends from inside a completion, on the shared queue.
            if count % 10 == 0 && count < 30 { client.heartbeat(on: queue) { record((try? $0.get()) != nil) } }
        }
        queue.async {
            for i in 0..<28 {
                if i % 2 == 0 { client.heartbeat(on: queue) { record((try? $0.get()) != nil) } }
                else { client.roles(on: queue) { record((try? $0.get()) != nil) } }
            }
        }
        #expect(await done.wait(seconds: 60), "only \(outcomes.value.count) of 30 completions")
        #expect(outcomes.value.allSatisfy { $0 })
        let log = try await stub.log()
        #expect(log.violations.isEmpty, "stub saw: \(log.violations)")
        let nonces = log.privateRequests.map(\.nonce)
        #expect(nonces.count == 30)
        #expect(zip(nonces, nonces.dropFirst()).allSatisfy { $0 < $1 }, "nonces in arrival order: \(nonces)")
        #expect(log.maxInFlight == 1, "requests overlapped on the server")
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

    @Test func requestQueuedPastItsDeadlineIsDroppedUnsent() async throws {
        let stub = try await StubGemini()
        let client = try stub.client()
        // The head of the queue is held up on the server, so the next request waits.
        try await stub.inject([["path": "/v1/balances", "kind": "delay", "seconds": 1.5]])
        let head = Box<Result<[Balance], GeminiClientError>?>(nil)
        let headDone = DispatchSemaphore(value: 0)
        client.balances(on: DispatchQueue(label: "test.head")) { result in
            head.value = result
            headDone.signal()
        }
        let expired = try await call { client.heartbeat(deadline: .now() + .milliseconds(200), on: $0, completion: $1) }
        let error = try failure(expired)
        #expect(error == .expired(endpoint: "/v1/heartbeat"))
        #expect(!error.mayHaveExecuted)
        // It failed at its deadline, while the head was still in flight.
        #expect(head.value == nil)

        guard await headDone.wait(seconds: 20) else {
            Issue.record("the delayed head request never completed")
            return
        }
        _ = try success(try #require(head.value))
        _ = try success(await call { client.roles(on: $0, completion: $1) })
        let log = try await stub.log()
        #expect(log.paths == ["/v1/balances", "/v1/roles"], "the expired heartbeat must never reach the server")
        #expect(log.violations.isEmpty)
    }

    @Test func requestWhoseDeadlineHasPassedIsNeverSent() async throws {
        let stub = try await StubGemini()
        let client = try stub.client()
        let error = try failure(await call { client.roles(deadline: .now() - .milliseconds(1), on: $0, completion: $1) })
        #expect(error == .expired(endpoint: "/v1/roles"))
        #expect(try await stub.log().privateRequests.isEmpty)
    }
}
