import CastorCore
import Dispatch
import Foundation
import GeminiClient
import GeminiProtocol
import Testing

/// `PrivateRequestSender.withNonce`: an exclusive operation (the order-events WebSocket
/// upgrade) takes its place in the key's nonce sequence and blocks REST until released.
@Suite(.timeLimit(.minutes(2))) struct ExclusiveNonceTests {
    static func senderAndClient(_ stub: StubGemini, leasePreemptAfter: DispatchTimeInterval = .seconds(1)) throws
        -> (PrivateRequestSender, GeminiRESTClient) {
        let credentials = try APICredentials(key: StubGemini.apiKey, secret: StubGemini.secret)
        let sender = PrivateRequestSender(
            http: stub.http, venue: stub.venue, signer: GeminiSigner(credentials: credentials),
            nonces: try NonceSource(), requestTimeout: .seconds(10), leasePreemptAfter: leasePreemptAfter)
        return (sender, GeminiRESTClient(venue: stub.venue, http: stub.http, sender: sender))
    }

    @Test func leaseNonceSitsBetweenTheRequestsAroundItAndHoldsTheSlot() async throws {
        let stub = try await StubGemini()
        // Read-only use from the lease callback while the test thread waits.
        nonisolated(unsafe) let peer = stub
        let (sender, client) = try Self.senderAndClient(stub)
        // Slow first request: the lease must wait for it.
        try await stub.inject([["path": "/v1/balances", "kind": "delay", "seconds": 0.3]])
        let order = Box<[String]>([])
        let leaseNonce = Box<Nonce?>(nil)
        let seenWhileHeld = Box<[String]?>(nil)
        let all = DispatchGroup()
        let q = DispatchQueue(label: "test.exclusive")
        all.enter()
        client.balances(on: q) { _ in order.withValue { $0.append("balances") }; all.leave() }
        all.enter()
        sender.withNonce(on: q) { result in
            guard case .success(let lease) = result else {
                Issue.record("no lease: \(result)")
                all.leave()
                return
            }
            order.withValue { $0.append("lease") }
            leaseNonce.value = lease.nonce
            let headers = lease.webSocketHandshakeHeaders(path: "/v1/order/events").headers
            #expect(headers.contains { $0.name == "X-GEMINI-SIGNATURE" })
            // While the lease is held the queued roles request must not reach the server.
            seenWhileHeld.value = (try? peer.log())?.paths
            order.withValue { $0.append("release") }
            lease.release()
            all.leave()
        }
        all.enter()
        client.roles(on: q) { _ in order.withValue { $0.append("roles") }; all.leave() }
        #expect(await all.wait(seconds: 30))
        #expect(order.value == ["balances", "lease", "release", "roles"])
        #expect(seenWhileHeld.value == ["/v1/balances"])
        let log = try await stub.log()
        #expect(log.paths == ["/v1/balances", "/v1/roles"])
        let lease = try #require(leaseNonce.value).milliseconds
        let sent = log.privateRequests.map { Int64(truncating: NSDecimalNumber(string: "\($0.nonce)").multiplying(byPowerOf10: 3)) }
        #expect(sent[0] < lease && lease < sent[1], "nonces \(sent[0]) < \(lease) < \(sent[1])")
        #expect(log.violations.isEmpty)
    }

    @Test func unreleasedLeaseIsReleasedAfterItsMaximumHold() async throws {
        let stub = try await StubGemini()
        let (sender, client) = try Self.senderAndClient(stub)
        let granted = DispatchSemaphore(value: 0)
        sender.withNonce(maximumHold: .milliseconds(200), on: DispatchQueue(label: "test.lease")) { result in
            if case .success = result { granted.signal() }  // never released by the caller
        }
        #expect(await granted.wait(seconds: 10))
        _ = try success(await call { client.roles(on: $0, completion: $1) })
    }

    /// A cancel waits at most `leasePreemptAfter` behind a lease (the order-events
    /// handshake may hold the slot for a whole connect + TLS + upgrade): then the lease
    /// loses the slot, and the cancel goes out long before the lease's own hold ends or the
    /// cancel's queue deadline passes.
    @Test func aCancelTakesTheSlotFromALeaseHeldTooLong() async throws {
        let stub = try await StubGemini()
        let (sender, client) = try Self.senderAndClient(stub, leasePreemptAfter: .milliseconds(200))
        let granted = DispatchSemaphore(value: 0)
        sender.withNonce(maximumHold: .seconds(60), on: DispatchQueue(label: "test.lease")) { result in
            if case .success = result { granted.signal() }  // held: never released by the caller
        }
        #expect(await granted.wait(seconds: 10))
        let started = ContinuousClock.now
        let result = try await call { (q, done: @escaping @Sendable (Result<CancelAllResponse, GeminiClientError>) -> Void) in
            client.cancelSession(deadline: .now() + .seconds(20), on: q, completion: done)
        }
        if case .failure(let e) = result { #expect(e != .expired(endpoint: "/v1/order/cancel/session")) }
        #expect(ContinuousClock.now - started < .seconds(15), "the cancel waited for the lease's whole hold")
        #expect(try await stub.log().paths == ["/v1/order/cancel/session"])
    }

    @Test func aQueryDoesNotTakeTheSlotFromALease() async throws {
        let stub = try await StubGemini()
        let (sender, client) = try Self.senderAndClient(stub, leasePreemptAfter: .milliseconds(50))
        let granted = DispatchSemaphore(value: 0)
        sender.withNonce(maximumHold: .seconds(60), on: DispatchQueue(label: "test.lease")) { result in
            if case .success = result { granted.signal() }
        }
        #expect(await granted.wait(seconds: 10))
        let result = try await call { (q, done: @escaping @Sendable (Result<Roles, GeminiClientError>) -> Void) in
            client.roles(deadline: .now() + .milliseconds(500), on: q, completion: done)
        }
        #expect(try failure(result) == .expired(endpoint: "/v1/roles"))
        #expect(try await stub.log().paths.isEmpty)
    }

    @Test func exclusiveOperationPastItsDeadlineGetsNoNonce() async throws {
        let stub = try await StubGemini()
        let (sender, _) = try Self.senderAndClient(stub)
        let result = try await call { (q, done: @escaping @Sendable (Result<Nonce, GeminiClientError>) -> Void) in
            sender.withNonce(deadline: .now() - .milliseconds(1), on: q) { done($0.map(\.nonce)) }
        }
        #expect(try failure(result) == .expired(endpoint: "exclusive"))
    }
}
