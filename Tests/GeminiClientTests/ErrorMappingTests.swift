import CastorHTTP
import Dispatch
import Foundation
import GeminiClient
import GeminiProtocol
import Testing

/// Each failure the stub can produce maps to the right `GeminiClientError`, classification
/// and `mayHaveExecuted`.
@Suite(.timeLimit(.minutes(2))) struct ErrorMappingTests {
    struct ExchangeCase: Sendable, CustomStringConvertible {
        let fault: String  // JSON, so the case is Sendable
        let status: Int
        let reason: GeminiReason
        let classification: GeminiErrorClassification
        let mayHaveExecuted: Bool
        var description: String { "\(status) \(reason)" }
    }

    static let exchangeCases: [ExchangeCase] = [
        ExchangeCase(
            fault: #"{"kind":"error","status":406,"reason":"InsufficientFunds","message":"Failed to place buy order on symbol 'BTCUSD' due to insufficient funds"}"#,
            status: 406, reason: .insufficientFunds, classification: .reject, mayHaveExecuted: false),
        ExchangeCase(
            fault: #"{"kind":"error","status":404,"reason":"OrderNotFound","message":"Order 1 not found"}"#,
            status: 404, reason: .orderNotFound, classification: .orderNotFound, mayHaveExecuted: false),
        ExchangeCase(
            fault: #"{"kind":"error","status":429,"reason":"RateLimit","message":"Requests were made too frequently"}"#,
            status: 429, reason: .rateLimit, classification: .backOff, mayHaveExecuted: false),
        ExchangeCase(
            fault: #"{"kind":"error","status":403,"reason":"MissingRole","message":"To access this endpoint, you need … [Trader]"}"#,
            status: 403, reason: .missingRole, classification: .fatalConfiguration, mayHaveExecuted: false),
        ExchangeCase(
            fault: #"{"kind":"text","status":503,"body":"<html><body>The Gemini Exchange is currently undergoing maintenance. Please check back later.</body></html>"}"#,
            status: 503, reason: .maintenance, classification: .halt, mayHaveExecuted: true),
        ExchangeCase(
            fault: #"{"kind":"error","status":500,"reason":"System","message":"We are investigating technical issues"}"#,
            status: 500, reason: .system, classification: .retryIdempotentOnly, mayHaveExecuted: true),
        ExchangeCase(
            fault: #"{"kind":"text","status":502,"body":"<html>Bad Gateway</html>"}"#,
            status: 502, reason: GeminiReason("HTTP502"), classification: .retryIdempotentOnly, mayHaveExecuted: true),
    ]

    @Test(arguments: exchangeCases)
    func exchangeErrorOnNewOrder(_ testCase: ExchangeCase) async throws {
        let stub = try await StubGemini()
        let client = try stub.client()
        let fault = try #require(try JSONSerialization.jsonObject(with: Data(testCase.fault.utf8)) as? [String: Any])
        try await stub.inject([fault])
        let order = NewOrderPayload(
            clientOrderID: "e-1", symbol: "btcusd", side: .buy, amount: dec("1"), price: dec("100.00"))
        let error = try failure(await call { client.newOrder(order, on: $0, completion: $1) })
        guard case .exchange(let status, let body) = error else {
            Issue.record("expected .exchange, got \(error)")
            return
        }
        #expect(status == testCase.status)
        #expect(body.reason == testCase.reason)
        #expect(error.classification == testCase.classification)
        #expect(error.mayHaveExecuted == testCase.mayHaveExecuted)
        // Only InvalidNonce is retried by the sender.
        #expect(try await stub.log().paths == ["/v1/order/new"])
    }

    @Test func serverTooSlowIsATimeoutThatMayHaveExecuted() async throws {
        let stub = try await StubGemini()
        let client = try stub.client(requestTimeout: .milliseconds(300))
        try await stub.inject([["kind": "delay", "seconds": 3.0]])
        let order = NewOrderPayload(
            clientOrderID: "slow-1", symbol: "btcusd", side: .sell, amount: dec("0.5"), price: dec("30000"))
        let error = try failure(await call { client.newOrder(order, on: $0, completion: $1) })
        guard case .transport(.timedOut(requestMayHaveBeenSent: true, _)) = error else {
            Issue.record("expected a sent timeout, got \(error)")
            return
        }
        #expect(error.mayHaveExecuted)
        #expect(error.classification == .retryIdempotentOnly)
        // The order did reach the exchange: exactly why the caller must reconcile.
        #expect(try await stub.log().paths == ["/v1/order/new"])
        // The reconciliation call goes through the same queue afterwards.
        let matches = try success(await call { client.orderStatus(clientOrderID: "slow-1", on: $0, completion: $1) })
        #expect(matches.map(\.clientOrderID) == ["slow-1"])
    }

    @Test func connectionClosedWithoutReplyMayHaveExecutedAndIsNotResent() async throws {
        let stub = try await StubGemini()
        let client = try stub.client()
        try await stub.inject([["kind": "close"]])
        let order = NewOrderPayload(
            clientOrderID: "lost-1", symbol: "btcusd", side: .buy, amount: dec("1"), price: dec("1.00"))
        let error = try failure(await call { client.newOrder(order, on: $0, completion: $1) })
        guard case .transport(let httpError) = error else {
            Issue.record("expected a transport error, got \(error)")
            return
        }
        #expect(httpError.requestMayHaveBeenSent)
        #expect(error.mayHaveExecuted)
        #expect(try await stub.log().paths == ["/v1/order/new"], "a non-idempotent request must not be resent")
    }

    @Test func nothingListeningIsATransportErrorThatDidNotExecute() async throws {
        // Port 1 on loopback: nothing listens there in the test environment, so connect is refused.
        let venue = try GeminiVenue.custom(baseURL: "http://127.0.0.1:1")
        let http = try HTTPClient(queue: StubGemini.keyQueue)
        let sender = PrivateRequestSender(
            http: http, venue: venue,
            signer: GeminiSigner(credentials: try APICredentials(key: StubGemini.apiKey, secret: StubGemini.secret)),
            nonces: try NonceSource())
        let client = GeminiRESTClient(venue: venue, http: http, sender: sender)
        let error = try failure(await call { client.heartbeat(on: $0, completion: $1) })
        guard case .transport(.connectFailed) = error else {
            Issue.record("expected connectFailed, got \(error)")
            return
        }
        #expect(!error.mayHaveExecuted)
    }

    @Test func undecodableSuccessBodyNamesTheEndpointAndMayHaveExecuted() async throws {
        let stub = try await StubGemini()
        let client = try stub.client()
        // 200 with an object where /v1/balances returns an array.
        try await stub.inject([["kind": "text", "status": 200, "body": #"{"balances":"soon"}"#]])
        let error = try failure(await call { client.balances(on: $0, completion: $1) })
        guard case .decoding(let endpoint, let decodingError) = error else {
            Issue.record("expected .decoding, got \(error)")
            return
        }
        #expect(endpoint == "/v1/balances")
        #expect(decodingError.messageType.contains("Balance"))
        #expect(error.mayHaveExecuted)
    }
}
