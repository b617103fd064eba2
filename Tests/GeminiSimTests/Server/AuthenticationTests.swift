import GeminiProtocol
import Testing
@testable import GeminiSim

/// Each authentication and request-validation failure Gemini documents, with its reason.
@Suite(.timeLimit(.minutes(2))) struct AuthenticationTests {
    @Test func missingHeadersEachHaveTheirReason() async throws {
        let sim = try await SimHarness()
        let signer = GeminiSigner(credentials: try APICredentials(key: SimHarness.traderKey, secret: SimHarness.traderSecret))
        let signed = signer.signedHeaders(path: "/v1/balances", nonce: sim.nextNonce(SimHarness.traderKey))
        let all = signed.headers.map { ($0.name, $0.value) }
        for (dropped, reason) in [("X-GEMINI-APIKEY", "MissingApikeyHeader"), ("X-GEMINI-PAYLOAD", "MissingPayloadHeader"),
                                  ("X-GEMINI-SIGNATURE", "MissingSignatureHeader")] {
            let reply = try await sim.send(.POST, "/v1/balances", headers: all.filter { $0.0 != dropped })
            #expect(reply.status == 400)
            #expect(reply.reason == reason)
            #expect(reply.json?["result"] == .string("error"))
        }
        await sim.stop()
    }

    @Test func wrongSecretOrUnknownKeyIsInvalidSignature() async throws {
        let sim = try await SimHarness()
        let bad = try await sim.privatePostRaw("/v1/balances", json: #"{"request":"/v1/balances","nonce":1}"#, secret: "not-the-secret")
        #expect(bad.status == 400 && bad.reason == "InvalidSignature")
        let unknown = try await sim.privatePostRaw("/v1/balances", key: "account-nobody", json: #"{"request":"/v1/balances","nonce":1}"#)
        #expect(unknown.reason == "InvalidSignature")
        await sim.stop()
    }

    @Test func payloadRequestMustMatchPath() async throws {
        let sim = try await SimHarness()
        let reply = try await sim.privatePostRaw("/v1/balances", json: #"{"request":"/v1/orders","nonce":5}"#)
        #expect(reply.status == 400 && reply.reason == "EndpointMismatch")
        await sim.stop()
    }

    @Test func badJSONInPayloadIsInvalidJson() async throws {
        let sim = try await SimHarness()
        let reply = try await sim.privatePostRaw("/v1/balances", json: #"{"request":"/v1/balances","nonce":5"#)
        #expect(reply.status == 400 && reply.reason == "InvalidJson")
        await sim.stop()
    }

    @Test func counterNonceMustIncrease() async throws {
        let sim = try await SimHarness()
        let first = try await sim.privatePost("/v1/balances", nonce: Nonce(milliseconds: 2_000_000_000_000))
        #expect(first.status == 200)
        let replay = try await sim.privatePost("/v1/balances", nonce: Nonce(milliseconds: 2_000_000_000_000))
        #expect(replay.status == 400 && replay.reason == "InvalidNonce")
        #expect(replay.json?["message"] == .string("Nonce '2000000000000' has not increased since your last call to the Gemini API."))
        // A string nonce is compared numerically too.
        let asString = try await sim.privatePostRaw("/v1/balances", json: #"{"request":"/v1/balances","nonce":"2000000000001"}"#)
        #expect(asString.status == 200, "\(asString.text)")
        await sim.stop()
    }

    @Test func timeBasedNonceMustBeWithin30SecondsOfServerTime() async throws {
        let sim = try await SimHarness()
        let nowMs = sim.clock.nowMilliseconds()
        let ok = try await sim.privatePost("/v1/balances", key: SimHarness.timeKey, nonce: Nonce(milliseconds: nowMs + 29_000),
                                           format: .secondsWithMillis)
        #expect(ok.status == 200, "\(ok.text)")
        // Milliseconds on a time-based key: the classic mistake (API.md §8.1).
        let ms = try await sim.privatePost("/v1/balances", key: SimHarness.timeKey, nonce: Nonce(milliseconds: nowMs), format: .milliseconds)
        #expect(ms.status == 400 && ms.reason == "InvalidNonce")
        #expect(ms.json?["message"] == .string("Nonce '\(nowMs)' is not within 30 seconds of server time '\(nowMs / 1000)''"))
        sim.clock.advance(byMilliseconds: 31_000)
        let stale = try await sim.privatePost("/v1/balances", key: SimHarness.timeKey, nonce: Nonce(milliseconds: nowMs), format: .seconds)
        #expect(stale.reason == "InvalidNonce")
        await sim.stop()
    }

    @Test func auditorCannotTradeAndGetsMissingRole() async throws {
        let sim = try await SimHarness()
        let reply = try await sim.placeOrder(key: SimHarness.auditorKey, side: "buy", amount: "0.1", price: "100.00")
        #expect(reply.status == 403 && reply.reason == "MissingRole")
        #expect(reply.json?["message"]?.stringValue?.contains("[Trader]") == true)
        #expect(try await sim.privatePost("/v1/orders", key: SimHarness.auditorKey).status == 200)
        await sim.stop()
    }

    @Test func orderFieldTypesAreChecked() async throws {
        let sim = try await SimHarness()
        var n = sim.nextNonce(SimHarness.traderKey).milliseconds
        func payload(_ extra: String) -> String {
            n += 1
            return #"{"request":"/v1/order/new","nonce":\#(n),"symbol":"btcusd","amount":"0.1","price":"100.00","side":"buy","type":"exchange limit",\#(extra)}"#
        }
        let numericId = try await sim.privatePostRaw("/v1/order/new", json: payload(#""client_order_id":988764"#))
        #expect(numericId.status == 400 && numericId.reason == "ClientOrderIdMustBeString")
        let options = try await sim.privatePostRaw("/v1/order/new", json: payload(#""options":"maker-or-cancel""#))
        #expect(options.status == 400 && options.reason == "OptionsMustBeArray")
        let symbol = try await sim.privatePostRaw("/v1/order/new", json: payload(#""client_order_id":"x"}"#).replacingOccurrences(of: "btcusd", with: "nopeusd").replacingOccurrences(of: "}}", with: "}"))
        #expect(symbol.reason == "InvalidSymbol")
        let missingId = try await sim.privatePost("/v1/order/cancel", nonce: Nonce(milliseconds: n + 1))
        #expect(missingId.reason == "MissingOrderField")
        let notFound = try await sim.privatePost("/v1/order/status", fields: [("order_id", 12345)], nonce: Nonce(milliseconds: n + 2))
        #expect(notFound.status == 404 && notFound.reason == "OrderNotFound")
        await sim.stop()
    }

    @Test func unknownPrivateEndpointIs404() async throws {
        let sim = try await SimHarness()
        let reply = try await sim.privatePost("/v1/nothing")
        #expect(reply.status == 404 && reply.reason == "EndpointNotFound")
        await sim.stop()
    }
}
