import Synchronization
import CastorCore
import CastorHTTP
import FlyingFox
import FlyingSocks
import Foundation
import GeminiProtocol
@testable import GeminiSim

/// One HTTP reply as a test sees it.
struct Reply: Sendable {
    let status: Int
    let text: String
    var json: GeminiJSON? { try? JSONParser.parse(text) }
    var reason: String? { json?["reason"]?.stringValue }
}

/// A running simulator on an ephemeral loopback port, with a manual clock and signing helpers.
///
/// Requests go over real loopback HTTP (FlyingFox's client, one connection per request).
final class SimHarness: Sendable {
    static let traderKey = "account-trader000000000001"
    static let traderSecret = "traderSecret1234567890abcdef"
    static let makerKey = "account-maker0000000000001"
    static let makerSecret = "makerSecret1234567890abcdef"
    static let auditorKey = "account-auditor00000000001"
    static let timeKey = "account-timebased000000001"
    static let heartbeatKey = "account-heartbeat000000001"
    static let secondTraderKey = "account-trader000000000002"
    static let sharedSecret = "sharedSecret1234567890abcdef"

    let server: SimulatorServer
    let clock: ManualSimClock
    let port: UInt16
    /// The new WebSocket API's port (the second server).
    let wsAPIPort: UInt16
    /// Per-key counter nonce, in milliseconds of the manual clock's epoch plus a step.
    private let nonces = NonceCounter()
    /// Whole-second nonces of the new WebSocket API's upgrades, per key.
    let secondsNonces = SecondsNonces()

    static func standardConfig(rateLimits: RateLimitConfig = RateLimitConfig(enabled: false),
                               faults: FaultConfig = FaultConfig()) -> SimulatorConfig {
        let funds: [String: ExactDecimal] = ["USD": ExactDecimal(1_000_000), "BTC": ExactDecimal(10), "ETH": ExactDecimal(100)]
        return SimulatorConfig(
            listen: "127.0.0.1:0", seed: 7, symbols: ["BTCUSD", "ETHUSD"],
            accounts: [
                SimAccountConfig(name: "primary", balances: funds, keys: [
                    SimAPIKeyConfig(key: traderKey, secret: traderSecret),
                    SimAPIKeyConfig(key: secondTraderKey, secret: sharedSecret),
                    SimAPIKeyConfig(key: auditorKey, secret: sharedSecret, roles: [.auditor]),
                    SimAPIKeyConfig(key: timeKey, secret: sharedSecret, nonceMode: .time),
                    SimAPIKeyConfig(key: heartbeatKey, secret: sharedSecret, requireHeartbeat: true),
                ]),
                SimAccountConfig(name: "maker", balances: funds, keys: [SimAPIKeyConfig(key: makerKey, secret: makerSecret)]),
            ],
            rateLimits: rateLimits, faults: faults, syntheticMarket: false)
    }

    init(config: SimulatorConfig = SimHarness.standardConfig()) async throws {
        clock = ManualSimClock()
        server = try SimulatorServer(config: config, clock: clock)
        let endpoint = try await server.start()
        port = endpoint.port
        wsAPIPort = endpoint.wsAPIPort
    }

    func stop() async { await server.stop() }

    static func secret(for key: String) -> String {
        switch key {
        case traderKey: traderSecret
        case makerKey: makerSecret
        default: sharedSecret
        }
    }

    // MARK: Raw HTTP

    /// Sends one request over loopback; throws `HarnessError.timedOut` after `seconds`.
    /// `/sim/*` requests carry the server's admin token unless `adminToken` is false.
    func send(_ method: HTTPMethod, _ target: String, headers: [(String, String)] = [], body: String = "",
              seconds: Double = 10, adminToken: Bool = true) async throws -> Reply {
        var headers = headers
        if adminToken, target.hasPrefix("/sim") {
            headers.append((SimAdminToken.headerName, server.adminToken.value))
        }
        return try await Self.withDeadline("\(method.rawValue) \(target)", seconds: seconds) { [headers] in
            try await self.sendUnbounded(method, target, headers: headers, body: body)
        }
    }

    /// Runs `operation`, cancelling it and throwing `HarnessError.timedOut` after `seconds`.
    static func withDeadline<T: Sendable>(_ what: String, seconds: Double,
                                          _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T.self) { group in
            group.addTask { try await operation() }
            group.addTask {
                try await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
                throw HarnessError.timedOut(what)
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }

    /// One libcurl client (the project's own `CastorHTTP`) for every harness: FlyingFox's
    /// client shares one edge-triggered socket pool across the whole test process, where a
    /// closed socket's stale registration can swallow the wake-up of a new one under load.
    private static let http: CastorHTTP.HTTPClient = {
        do { return try CastorHTTP.HTTPClient() } catch { fatalError("cannot create the test HTTP client: \(error)") }
    }()

    private func sendUnbounded(_ method: HTTPMethod, _ target: String, headers: [(String, String)], body: String) async throws -> Reply {
        let verb: CastorHTTP.HTTPRequest.Method = method == .GET ? .get : (method == .DELETE ? .delete : .post)
        let request = CastorHTTP.HTTPRequest(method: verb, url: "http://127.0.0.1:\(port)\(target)",
                                             headers: headers.map { (name: $0.0, value: $0.1) },
                                             body: verb == .get ? [] : Array(body.utf8), timeout: .seconds(30))
        let response: CastorHTTP.HTTPResponse = try await withCheckedThrowingContinuation { continuation in
            Self.http.execute(request, on: .global()) { continuation.resume(with: $0.mapError { $0 as any Error }) }
        }
        return Reply(status: response.status, text: String(decoding: response.body, as: UTF8.self))
    }

    func get(_ target: String) async throws -> Reply { try await send(.GET, target) }

    // MARK: Signed requests

    func nextNonce(_ key: String) -> Nonce { Nonce(milliseconds: nonces.next(key: key, base: clock.nowMilliseconds())) }

    /// POSTs `path` signed by `key` with `fields` after `request` and `nonce`.
    func privatePost(_ path: String, key: String = SimHarness.traderKey, fields: [(String, PayloadValue)] = [],
                     nonce: Nonce? = nil, format: NonceFormat = .milliseconds) async throws -> Reply {
        let signer = GeminiSigner(credentials: try APICredentials(key: key, secret: Self.secret(for: key)), nonceFormat: format)
        let signed = signer.signedHeaders(path: path, fields: fields, nonce: nonce ?? nextNonce(key))
        return try await send(.POST, path, headers: signed.headers.map { ($0.name, $0.value) })
    }

    /// POSTs `path` with exactly `json` as the signed payload (for malformed payloads).
    func privatePostRaw(_ path: String, key: String = SimHarness.traderKey, json: String,
                        secret: String? = nil, body: String = "") async throws -> Reply {
        let signer = GeminiSigner(credentials: try APICredentials(key: key, secret: secret ?? Self.secret(for: key)))
        let signed = signer.sign(payloadJSON: Array(json.utf8))
        return try await send(.POST, path, headers: signed.headers.map { ($0.name, $0.value) }, body: body)
    }

    /// Places an `exchange limit` order and returns the reply.
    func placeOrder(key: String = SimHarness.traderKey, symbol: String = "btcusd", side: String, amount: String, price: String,
                    clientOrderId: String? = nil, options: [String] = []) async throws -> Reply {
        var fields: [(String, PayloadValue)] = []
        if let clientOrderId { fields.append(("client_order_id", .string(clientOrderId))) }
        fields += [("symbol", .string(symbol)), ("amount", .string(amount)), ("price", .string(price)),
                   ("side", .string(side)), ("type", "exchange limit")]
        if !options.isEmpty { fields.append(("options", .stringArray(options))) }
        return try await privatePost("/v1/order/new", key: key, fields: fields)
    }

    enum HarnessError: Error { case timedOut(String) }
}

/// Strictly increasing counter nonces per key.
final class NonceCounter: Sendable {
    private let last = Mutex<[String: Int64]>([:])
    func next(key: String, base: Int64) -> Int64 {
        last.withLock { state in
            let value = max(base, (state[key] ?? 0) + 1)
            state[key] = value
            return value
        }
    }
}
