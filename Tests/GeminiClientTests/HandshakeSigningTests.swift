import CastorCore
import Dispatch
import Foundation
import GeminiClient
import GeminiProtocol
import Testing

/// `PrivateRequestSender.signWebSocketHandshake`: the order-events upgrade draws its nonce
/// from the key's one sequence, between the requests sent before and after it, and is
/// refused (drawing nothing) while a request is in flight. Holding the key's slot for the
/// whole upgrade is the scheduler's lease (`SchedulerTests`).
@Suite(.timeLimit(.minutes(2))) struct HandshakeSigningTests {
    static func senderAndClient(_ stub: StubGemini) throws -> (PrivateRequestSender, GeminiRESTClient) {
        let credentials = try APICredentials(key: StubGemini.apiKey, secret: StubGemini.secret)
        let sender = PrivateRequestSender(
            http: stub.http, venue: stub.venue, signer: GeminiSigner(credentials: credentials),
            nonces: try NonceSource(), requestTimeout: .seconds(10))
        return (sender, GeminiRESTClient(venue: stub.venue, http: stub.http, sender: sender))
    }

    /// The nonce inside a signed payload (`X-GEMINI-PAYLOAD` is base64 JSON), in ms.
    static func nonceMs(_ signed: SignedRequest) throws -> Int64 {
        let object = try JSONSerialization.jsonObject(with: Data(signed.payloadJSON)) as? [String: Any]
        let text = try #require(object?["nonce"].map { "\($0)" })
        return Int64(truncating: NSDecimalNumber(string: text).multiplying(byPowerOf10: 3))
    }

    static func ms(_ nonce: ExactDecimal) -> Int64 {
        Int64(truncating: NSDecimalNumber(string: "\(nonce)").multiplying(byPowerOf10: 3))
    }

    @Test func theHandshakeNonceSitsBetweenTheRequestsAroundIt() async throws {
        let stub = try await StubGemini()
        let (sender, client) = try Self.senderAndClient(stub)
        _ = try success(await call { client.balances(on: $0, completion: $1) })
        let signed = try StubGemini.keyQueue.sync { try sender.signWebSocketHandshake(path: "/v1/order/events").get() }
        #expect(signed.header("X-GEMINI-SIGNATURE") != nil)
        #expect(signed.header("X-GEMINI-APIKEY") == StubGemini.apiKey)
        _ = try success(await call { client.roles(on: $0, completion: $1) })
        let log = try await stub.log()
        #expect(log.paths == ["/v1/balances", "/v1/roles"])
        let handshake = try Self.nonceMs(signed)
        let sent = log.privateRequests.map { Self.ms($0.nonce) }
        #expect(sent[0] < handshake && handshake < sent[1], "nonces \(sent[0]) < \(handshake) < \(sent[1])")
        #expect(log.violations.isEmpty)
    }

    @Test func aHandshakeWhileARequestIsInFlightIsRefusedAndDrawsNoNonce() async throws {
        let stub = try await StubGemini()
        let (sender, client) = try Self.senderAndClient(stub)
        try await stub.inject([["path": "/v1/balances", "kind": "delay", "seconds": 0.3]])
        let answered = DispatchSemaphore(value: 0)
        let refusal = try StubGemini.keyQueue.sync { () -> GeminiClientError? in
            client.balances(on: DispatchQueue(label: "test.completion")) { _ in answered.signal() }
            #expect(sender.isBusy)
            guard case .failure(let e) = sender.signWebSocketHandshake(path: "/v1/order/events") else { return nil }
            return e
        }
        #expect(refusal == .unsent(endpoint: "/v1/order/events", .busy))
        #expect(await answered.wait(seconds: 20))
        #expect(StubGemini.keyQueue.sync { !sender.isBusy })
    }
}
