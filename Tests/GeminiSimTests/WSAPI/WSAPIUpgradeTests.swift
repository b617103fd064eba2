import CastorCore
import CastorSSL
import CastorTestSupport
import CastorWebSocket
import Foundation
import GeminiProtocol
import Testing
@testable import GeminiSim

/// The new WebSocket API's upgrade (WS-API.md §1): public or signed, every refusal an HTTP
/// status with a JSON body naming its reason, nonces shared with REST, connection attempts.
@Suite(.serialized, .timeLimit(.minutes(2))) struct WSAPIUpgradeTests {
    /// WS-API.md §1.4 / §8.5: secret `conformance-api-secret`, nonce 1700000000.
    @Test func specTestVectorVerifies() async throws {
        let payload = Data("1700000000".utf8).base64EncodedString()
        #expect(payload == "MTcwMDAwMDAwMA==")
        let signature = HMACSHA384.hexDigest(key: Array("conformance-api-secret".utf8), message: Array(payload.utf8))
        #expect(signature == "7f81f96295cafbec4e74bbc30cf54015d665b73a49bec7f7f310f52ed6271f92f86103c32ef8e72bb32da21a811446fe")
        // Castor's own signer agrees.
        let signer = GeminiSigner(credentials: try APICredentials(key: "account-x", secret: "conformance-api-secret"))
        #expect(signer.newWebSocketAPIHeaders(nonce: Nonce(milliseconds: 1_700_000_000_000)).header("X-GEMINI-SIGNATURE") == signature)

        // The simulator accepts exactly the fixture's headers, at the fixture's time, for an
        // account-scoped key with that secret; the fixture's own key name is not account-scoped.
        let config = WSAPIKeys.config { config in
            config.accounts[0].keys += [
                SimAPIKeyConfig(key: "account-conformance0000001", secret: "conformance-api-secret", nonceMode: .time),
                SimAPIKeyConfig(key: "conformance-api-key", secret: "conformance-api-secret", nonceMode: .time),
            ]
        }
        let sim = try await SimHarness(config: config)
        sim.clock.set(milliseconds: 1_700_000_000_000)
        let fixture: [(name: String, value: String)] = [
            ("X-GEMINI-NONCE", "1700000000"), ("X-GEMINI-PAYLOAD", "MTcwMDAwMDAwMA=="),
            ("X-GEMINI-SIGNATURE", "7f81f96295cafbec4e74bbc30cf54015d665b73a49bec7f7f310f52ed6271f92f86103c32ef8e72bb32da21a811446fe"),
        ]
        let refused = try await sim.refusedUpgrade(headers: [("X-GEMINI-APIKEY", "conformance-api-key")] + fixture)
        #expect(refused.status == 401 && refused.body?["reason"] == .string("InvalidKeyType"))
        let ws = try sim.wsAPI(headers: [("X-GEMINI-APIKEY", "account-conformance0000001")] + fixture)
        try await ws.probe.waitOpen()
        #expect(try await ws.call("1", "subscribe", #"["orders@account"]"#) == .object([("id", .int(1)), ("status", .int(200))]))
        ws.close()
        await sim.stop()
    }

    @Test func signedUpgradeIsAuthenticatedAndAPublicOneIsNot() async throws {
        let sim = try await SimHarness(config: WSAPIKeys.config())
        let signed = try await sim.openWSAPI(key: WSAPIKeys.trader)
        #expect(try await signed.call("1", "subscribe", #"["orders@account","balances@account","orders@session"]"#)["status"] == .int(200))
        let listed = try await signed.call("2", "list_subscriptions")
        #expect(listed["result"] == .array([.string("orders@account"), .string("balances@account"), .string("orders@session")]))

        let open = try await sim.openWSAPI()
        let denied = try await open.call("\"p\"", "subscribe", #"["btcusd@trade","orders@account"]"#)
        #expect(denied == .object([("id", .string("p")), ("status", .int(401)),
                                   ("error", .object([("code", .int(-1002)), ("msg", .string("Authentication required"))]))]))
        #expect(try await open.call("3", "list_subscriptions")["result"] == .array([]))
        #expect(sim.server.wsAPI.connectionCount == 2)
        signed.close()
        open.close()
        try await pollUntil("connections gone", seconds: 10, intervalMs: 2) { sim.server.wsAPI.connectionCount == 0 }
        await sim.stop()
    }

    @Test func everyAuthenticationFailureIs401NamingTheReason() async throws {
        let sim = try await SimHarness(config: WSAPIKeys.config())
        let now = sim.clock.nowMilliseconds() / 1000
        func reason(_ headers: [(name: String, value: String)]) async throws -> String? {
            let refused = try await sim.refusedUpgrade(headers: headers)
            #expect(refused.status == 401, "\(headers)")
            #expect(refused.body?["result"] == .string("error"))
            #expect(refused.body?["message"]?.stringValue?.isEmpty == false)
            return refused.body?["reason"]?.stringValue
        }
        // A bad signature, a wrong payload, a nonce of milliseconds, a nonce out of the window.
        var headers = WSAPIKeys.headers(key: WSAPIKeys.trader, nonce: String(now + 1))
        headers[3].value = String(headers[3].value.reversed())
        #expect(try await reason(headers) == "InvalidSignature")
        headers = WSAPIKeys.headers(key: WSAPIKeys.trader, nonce: String(now + 1))
        headers[2].value = Data(String(now + 2).utf8).base64EncodedString()
        #expect(try await reason(headers) == "InvalidPayload")
        #expect(try await reason(WSAPIKeys.headers(key: WSAPIKeys.trader, nonce: String(now * 1000))) == "InvalidNonce")
        #expect(try await reason(WSAPIKeys.headers(key: WSAPIKeys.trader, nonce: String(now + 31))) == "InvalidNonce")
        #expect(try await reason(WSAPIKeys.headers(key: WSAPIKeys.trader, secret: "wrong", nonce: String(now + 1))) == "InvalidSignature")
        // Upper-case hex is not the documented lower-case signature.
        headers = WSAPIKeys.headers(key: WSAPIKeys.trader, nonce: String(now + 1))
        headers[3].value = headers[3].value.uppercased()
        #expect(try await reason(headers) == "InvalidSignature")
        // Key kinds: unknown, master (not account-scoped), counter nonce.
        #expect(try await reason(WSAPIKeys.headers(key: "account-nosuchkey", nonce: String(now + 1))) == "InvalidApiKey")
        #expect(try await reason(WSAPIKeys.headers(key: WSAPIKeys.master, nonce: String(now + 1))) == "InvalidKeyType")
        #expect(try await reason(WSAPIKeys.headers(key: SimHarness.traderKey, secret: SimHarness.traderSecret,
                                                   nonce: String(now + 1))) == "TimeBasedNonceRequired")
        // Some of the headers but not all.
        #expect(try await reason(Array(WSAPIKeys.headers(key: WSAPIKeys.trader, nonce: String(now + 1)).prefix(3))) == "MissingHeader")
        // None of these consumed the nonce: now + 1 still opens.
        let ws = try sim.wsAPI(key: WSAPIKeys.trader, nonce: now + 1)
        try await ws.probe.waitOpen()
        // The same nonce again, and an older one, are refused: each must be above the last.
        #expect(try await reason(WSAPIKeys.headers(key: WSAPIKeys.trader, nonce: String(now + 1))) == "InvalidNonce")
        #expect(try await reason(WSAPIKeys.headers(key: WSAPIKeys.trader, nonce: String(now))) == "InvalidNonce")
        // The mark is per key.
        let other = try sim.wsAPI(key: WSAPIKeys.trader2, nonce: now)
        try await other.probe.waitOpen()
        ws.close()
        other.close()
        await sim.stop()
    }

    /// The key's nonce mark is shared with REST, compared in milliseconds.
    @Test func upgradeNoncesAndRESTNoncesShareTheKeysMark() async throws {
        let sim = try await SimHarness(config: WSAPIKeys.config())
        let nowMs = sim.clock.nowMilliseconds()
        func rest(_ offsetMs: Int64) async throws -> Reply {
            try await sim.privatePost("/v1/balances", key: WSAPIKeys.trader, nonce: Nonce(milliseconds: nowMs + offsetMs),
                                      format: .secondsWithMillis)
        }
        #expect(try await rest(10_500).status == 200)          // REST at now + 10.5 s
        let behind = try await sim.refusedUpgrade(key: WSAPIKeys.trader, nonce: nowMs / 1000 + 10)
        #expect(behind.status == 401 && behind.body?["reason"] == .string("InvalidNonce"))
        let ahead = try await sim.openWSAPI(key: WSAPIKeys.trader, nonce: nowMs / 1000 + 11)
        // REST nonces must now be above 11 s too (vice versa), and REST among themselves keep
        // the documented time-key rule (the window only).
        let stale = try await rest(10_900)
        #expect(stale.status == 400 && stale.reason == "InvalidNonce", "\(stale.text)")
        #expect(try await rest(11_000).status == 400)
        #expect(try await rest(11_001).status == 200)
        #expect(try await rest(11_500).status == 200)
        #expect(try await rest(11_200).status == 200)
        let again = try await sim.refusedUpgrade(key: WSAPIKeys.trader, nonce: nowMs / 1000 + 11)
        #expect(again.status == 401)
        ahead.close()
        await sim.stop()
    }

    @Test func maintenanceIs503AndOtherPathsAre404() async throws {
        let sim = try await SimHarness(config: WSAPIKeys.config())
        try await sim.setFaults(#"{"maintenance": true}"#)
        let refused = try await sim.refusedUpgrade(key: WSAPIKeys.trader)
        #expect(refused.status == 503 && refused.body?["reason"] == .string("Maintenance"))
        try await sim.setFaults("{}")
        let elsewhere = try WSProbe("ws://127.0.0.1:\(sim.wsAPIPort)/v1/marketdata")
        guard case .failed(.handshakeRejected(let status, _, _)) = try await elsewhere.waitEnd() else {
            Issue.record("expected 404"); return
        }
        #expect(status == 404)
        let badQuery = try await sim.refusedUpgrade("snapshot=all")
        #expect(badQuery.status == 400 && badQuery.body?["reason"] == .string("InvalidSnapshot"))
        let ws = try await sim.openWSAPI("snapshot=-1&cancelOnDisconnect=true&unknown=1", key: WSAPIKeys.trader)
        ws.close()
        await sim.stop()
    }

    /// CONNECTION_ATTEMPTS: per key for signed upgrades (failed ones count), per IP for
    /// public ones; the next 5-minute window starts over. `conninfo` shows the count.
    @Test func connectionAttemptsBeyondTheLimitAre429() async throws {
        let limits = RateLimitConfig(wsAPIConnectionAttemptsPer5Min: 3)
        let sim = try await SimHarness(config: WSAPIKeys.config(rateLimits: limits))
        sim.clock.set(milliseconds: 1_712_045_700_000)  // a window starts at 1712045700000 (a multiple of 5 min)
        var open: [WSAPIClient] = []
        for _ in 0..<3 { open.append(try await sim.openWSAPI()) }
        let info = try await open[2].call("1", "conninfo")
        let attempts = info["rateLimits"]?.arrayValue?.last
        #expect(attempts == .object([("rateLimitType", .string("CONNECTION_ATTEMPTS")), ("interval", .string("MINUTE")),
                                     ("intervalNum", .int(5)), ("limit", .int(3)), ("count", .int(3))]))
        let refused = try await sim.refusedUpgrade()
        #expect(refused.status == 429 && refused.body?["reason"] == .string("RateLimit"))
        // A signed upgrade counts against its key, not the IP; a failed one counts too.
        var headers = WSAPIKeys.headers(key: WSAPIKeys.trader, nonce: String(sim.wsNonce(WSAPIKeys.trader)))
        headers[3].value = "00"
        #expect(try await sim.refusedUpgrade(headers: headers).status == 401)
        open.append(try await sim.openWSAPI(key: WSAPIKeys.trader))
        open.append(try await sim.openWSAPI(key: WSAPIKeys.trader))
        #expect(try await sim.refusedUpgrade(key: WSAPIKeys.trader).status == 429)
        sim.clock.advance(byMilliseconds: 300_000)
        open.append(try await sim.openWSAPI())
        open.append(try await sim.openWSAPI(key: WSAPIKeys.trader))
        for client in open { client.close() }
        await sim.stop()
    }
}
