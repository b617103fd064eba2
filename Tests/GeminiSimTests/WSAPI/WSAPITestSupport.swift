import CastorCore
import CastorSSL
import CastorTestSupport
import Foundation
import Synchronization
import Testing
@testable import GeminiSim

/// Keys and helpers for the new WebSocket API's tests: a harness config with time-based
/// account keys, upgrade signing computed here from the spec (WS-API.md §1.4: payload =
/// base64 of the nonce text, signature = lower-case hex HMAC-SHA384 of the payload under
/// the secret), and a client that sends requests and finds their replies.
enum WSAPIKeys {
    /// Time-based Trader key of account `primary`.
    static let trader = "account-wsapitrader00000001"
    /// A second time-based Trader key of `primary` (another session of the same account).
    static let trader2 = "account-wsapitrader00000002"
    /// Time-based Auditor key of `primary`.
    static let auditor = "account-wsapiauditor0000001"
    /// Time-based Trader key of account `maker`.
    static let maker = "account-wsapimaker000000001"
    /// Time-based, but a master key: refused.
    static let master = "master-wsapigroup0000000001"
    /// The same secret `SimHarness.secret(for:)` gives these keys, so REST calls sign with it too.
    static let secret = SimHarness.sharedSecret

    /// `SimHarness.standardConfig` plus the keys above; `mutate` adjusts the rest.
    static func config(rateLimits: RateLimitConfig = RateLimitConfig(enabled: false), faults: FaultConfig = FaultConfig(),
                       _ mutate: (inout SimulatorConfig) -> Void = { _ in }) -> SimulatorConfig {
        var config = SimHarness.standardConfig(rateLimits: rateLimits, faults: faults)
        config.accounts[0].keys += [
            SimAPIKeyConfig(key: trader, secret: secret, nonceMode: .time),
            SimAPIKeyConfig(key: trader2, secret: secret, nonceMode: .time),
            SimAPIKeyConfig(key: auditor, secret: secret, roles: [.auditor], nonceMode: .time),
            SimAPIKeyConfig(key: master, secret: secret, nonceMode: .time),
        ]
        config.accounts[1].keys.append(SimAPIKeyConfig(key: maker, secret: secret, nonceMode: .time))
        mutate(&config)
        return config
    }

    /// The four upgrade headers for `nonce` (its decimal text), computed from the spec.
    static func headers(key: String, secret: String = WSAPIKeys.secret, nonce: String) -> [(name: String, value: String)] {
        let payload = Data(nonce.utf8).base64EncodedString()
        let signature = HMACSHA384.hexDigest(key: Array(secret.utf8), message: Array(payload.utf8))
        return [("X-GEMINI-APIKEY", key), ("X-GEMINI-NONCE", nonce), ("X-GEMINI-PAYLOAD", payload),
                ("X-GEMINI-SIGNATURE", signature)]
    }
}

/// Strictly increasing whole-second upgrade nonces per key, from the manual clock's time.
final class SecondsNonces: Sendable {
    private let last = Mutex<[String: Int64]>([:])
    func next(_ key: String, nowMilliseconds: Int64) -> Int64 {
        last.withLock { state in
            let value = max(nowMilliseconds / 1000, (state[key] ?? 0) + 1)
            state[key] = value
            return value
        }
    }
}

extension SimHarness {
    /// The next upgrade nonce of `key` (whole seconds, above the last one used here).
    func wsNonce(_ key: String) -> Int64 { secondsNonces.next(key, nowMilliseconds: clock.nowMilliseconds()) }

    /// Connects to the WebSocket API with `query` (without `?`); signed by `key` unless nil.
    func wsAPI(_ query: String = "", key: String? = nil, nonce: Int64? = nil,
               headers extra: [(name: String, value: String)] = []) throws -> WSAPIClient {
        var headers = extra
        if let key { headers += WSAPIKeys.headers(key: key, nonce: String(nonce ?? wsNonce(key))) }
        return try WSAPIClient(WSProbe("ws://127.0.0.1:\(wsAPIPort)/\(query.isEmpty ? "" : "?" + query)", headers: headers))
    }

    /// Connects and waits until the upgrade succeeded.
    func openWSAPI(_ query: String = "", key: String? = nil, nonce: Int64? = nil) async throws -> WSAPIClient {
        let client = try wsAPI(query, key: key, nonce: nonce)
        try await client.probe.waitOpen()
        return client
    }

    /// The HTTP status and JSON body of a refused upgrade.
    func refusedUpgrade(_ query: String = "", key: String? = nil, nonce: Int64? = nil,
                        headers: [(name: String, value: String)] = []) async throws -> (status: Int, body: GeminiJSON?) {
        let client = try wsAPI(query, key: key, nonce: nonce, headers: headers)
        let end = try await client.probe.waitEnd()
        guard case .failed(.handshakeRejected(let status, _, let body)) = end else {
            Issue.record("expected a refused upgrade, got \(end)")
            return (0, nil)
        }
        return (status, try? JSONParser.parse(body))
    }

    /// POST /sim/faults with `json`; expects 200.
    func setFaults(_ json: String) async throws {
        let reply = try await send(.POST, "/sim/faults", body: json)
        #expect(reply.status == 200, "\(reply.text)")
    }

    /// A REST order of account `maker` (counter key) that rests or trades.
    @discardableResult
    func makerOrder(_ side: String, _ amount: String, _ price: String, symbol: String = "btcusd",
                    options: [String] = []) async throws -> String {
        let reply = try await placeOrder(key: SimHarness.makerKey, symbol: symbol, side: side, amount: amount, price: price, options: options)
        #expect(reply.status == 200, "\(reply.text)")
        return reply.json?["order_id"]?.stringValue ?? ""
    }

    /// `GET /sim/ledger`'s orders of account `name`.
    func ledgerOrders(_ name: String = "primary") async throws -> [GeminiJSON] {
        let ledger = try #require(try await get("/sim/ledger").json)
        let account = ledger["accounts"]?.arrayValue?.first { $0["name"]?.stringValue == name }
        return account?["orders"]?.arrayValue ?? []
    }

    /// Moves the manual clock `ms` forward once the depth ticker sleeps, and waits until it
    /// has flushed and sleeps again (the frames of that batch are then queued).
    func nextBatch(_ ms: Int64 = 100) async throws {
        let now = clock.nowMilliseconds()
        try await pollUntil("depth ticker armed", seconds: 10, intervalMs: 1) {
            clock.pendingDeadlines.contains { $0 > now && $0 <= now + 100 }
        }
        clock.advance(byMilliseconds: ms)
        let after = clock.nowMilliseconds()
        try await pollUntil("depth ticker flushed", seconds: 10, intervalMs: 1) {
            clock.pendingDeadlines.contains { $0 > after && $0 <= after + 100 }
        }
    }
}

/// A WebSocket API connection (the project's own `CastorWebSocket` client under `WSProbe`)
/// with request and frame helpers.
struct WSAPIClient: Sendable {
    let probe: WSProbe

    init(_ probe: WSProbe) { self.probe = probe }

    /// Every text frame received so far, parsed (unparsable frames are a test failure).
    var frames: [GeminiJSON] {
        probe.messages.map { text in
            guard let json = try? JSONParser.parse(text) else {
                Issue.record("frame is not JSON: \(text)")
                return .null
            }
            return json
        }
    }

    func send(_ text: String) { probe.send(text) }

    /// Sends `{"id":id,"method":method[,"params":params]}` (params as raw JSON text).
    func request(_ id: String, _ method: String, _ params: String? = nil) {
        probe.send(#"{"id":\#(id),"method":"\#(method)"\#(params.map { #","params":\#($0)"# } ?? "")}"#)
    }

    /// Sends a request and waits for the frame answering it (same `id` with a `status`).
    @discardableResult
    func call(_ id: String, _ method: String, _ params: String? = nil, seconds: Double = 10) async throws -> GeminiJSON {
        let before = probe.messages.count
        request(id, method, params)
        return try await reply(id, after: before, seconds: seconds)
    }

    /// The first frame after the first `after` with `"id": <id JSON>` and a `status`.
    func reply(_ id: String, after: Int = 0, seconds: Double = 10) async throws -> GeminiJSON {
        let wanted = try JSONParser.parse(id)
        return try await frame(after: after, seconds: seconds, "reply to id \(id)") { $0["id"] == wanted && $0["status"] != nil }
    }

    /// The first frame after the first `after` that satisfies `match`.
    func frame(after: Int = 0, seconds: Double = 10, _ what: String, _ match: @escaping @Sendable (GeminiJSON) -> Bool) async throws -> GeminiJSON {
        let text = try await probe.waitFor(after: after, seconds: seconds, what) { text in
            (try? JSONParser.parse(text)).map(match) ?? false
        }
        return try JSONParser.parse(text)
    }

    /// The index of the first frame after `after` that satisfies `match`, waiting for it.
    func index(after: Int = 0, seconds: Double = 10, _ what: String, _ match: @escaping @Sendable (GeminiJSON) -> Bool) async throws -> Int {
        _ = try await frame(after: after, seconds: seconds, what, match)
        return frames.indices.first { $0 >= after && match(frames[$0]) }!
    }

    /// All frames so far that satisfy `match`.
    func all(_ match: (GeminiJSON) -> Bool) -> [GeminiJSON] { frames.filter(match) }

    /// Depth frames of `symbol` (lower case) so far.
    func depth(_ symbol: String = "btcusd") -> [GeminiJSON] {
        all { $0["e"]?.stringValue == "depthUpdate" && $0["s"]?.stringValue == symbol }
    }

    /// Order updates so far.
    var orderUpdates: [GeminiJSON] { all { $0["e"]?.stringValue == "orderUpdate" } }

    func close() { probe.close() }
}

extension GeminiJSON {
    /// The integer value of a JSON number (exactly, as Int64).
    var int64: Int64? {
        if case .number(let text) = self { return Int64(text) }
        return nil
    }

    /// The members' names of an object, in order.
    var keys: [String] {
        if case .object(let members) = self { return members.map(\.0) }
        return []
    }

    /// `[[price, qty], …]` as text pairs.
    var levels: [[String]] {
        (arrayValue ?? []).map { ($0.arrayValue ?? []).map { $0.stringValue ?? "?" } }
    }
}

/// A ping/reply round trip: once the reply to `id` is in, every frame the server queued
/// before it has arrived too (one ordered socket).
func roundTrip(_ client: WSAPIClient, id: String) async throws -> Int {
    _ = try await client.call(id, "ping")
    return client.probe.messages.count
}
