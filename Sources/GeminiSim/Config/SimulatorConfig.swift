import CastorCore
import Foundation

/// Everything a simulator run needs: where to listen, the seed, which markets, which
/// accounts and keys, the rate limits and the faults to inject.
///
/// Loadable from JSON (`castor sim --config FILE`); every field is optional in the file:
/// ```json
/// {"listen": "127.0.0.1:8765", "seed": 42, "symbols": ["BTCUSD", "ETHUSD"],
///  "accounts": [{"name": "primary", "balances": {"USD": "100000", "BTC": "2"},
///                "keys": [{"key": "account-sim1", "secret": "s3cr3t", "roles": ["Trader"],
///                          "nonceMode": "counter", "requireHeartbeat": false}]}],
///  "rateLimits": {"publicPerMinute": 120, "privatePerMinute": 600},
///  "faults": {"responseDelayMs": 0}, "syntheticMarket": true, "marketStepMs": 250,
///  "adminToken": "at-least-16-chars", "ws_api_listen": "127.0.0.1:8766",
///  "ws_api_ping_interval_ms": 20000, "ws_api_rejected_events": false, "ws_api_balance_times_ns": false}
/// ```
public struct SimulatorConfig: Sendable, Codable, Equatable {
    /// `host:port` to bind; the host must be a loopback address, port 0 picks a free one.
    public var listen: String
    /// `host:port` of the new WebSocket API (Gemini's `wss://ws.gemini.com`, served as plain
    /// `ws://` at the root path by a second server); loopback only, port 0 picks a free one.
    /// JSON key `ws_api_listen`.
    public var wsAPIListen: String
    /// Period of the WebSocket API's protocol pings on the injected clock (Gemini: ~20 s).
    /// JSON key `ws_api_ping_interval_ms`; 0 sends none.
    public var wsAPIPingIntervalMs: Int64
    /// Also send an `orderUpdate` `REJECTED` event when `order.place` is refused (the reply
    /// is 400/-2010 either way). Off by default: WS-API.md §7.3 leaves it unconfirmed.
    /// JSON key `ws_api_rejected_events`.
    public var wsAPIRejectedEvents: Bool
    /// Write `balanceUpdate` times (`E`, `u`) in nanoseconds, as Gemini's spec says, instead of
    /// the milliseconds observed on the wire (the default). JSON key `ws_api_balance_times_ns`.
    public var wsAPIBalanceTimesInNanoseconds: Bool
    /// Seed for the synthetic market and for random fault choices.
    public var seed: UInt64
    /// Upper-case symbols to list; nil lists the engine's defaults.
    public var symbols: [String]?
    public var accounts: [SimAccountConfig]
    public var rateLimits: RateLimitConfig
    public var faults: FaultConfig
    /// Silence after which a require-heartbeat session's orders are cancelled (30 s on Gemini).
    public var heartbeatTimeoutMs: Int64
    /// Allowed distance between a time-based nonce and server time (30 s on Gemini).
    public var nonceWindowSeconds: Int64
    /// Maker/taker fees in basis points, as `/v1/notionalvolume` reports them.
    public var makerFeeBps: Int
    public var takerFeeBps: Int
    /// Run the synthetic market (a seeded maker quoting every symbol and an occasional taker).
    public var syntheticMarket: Bool
    /// Simulated time between two synthetic-market steps.
    public var marketStepMs: Int64
    /// A fixed token for the `/sim/*` admin endpoints (header `X-Sim-Admin-Token`), for
    /// tests and scripts that need to know it in advance. Nil (the default) makes the server
    /// draw a random one at start (`SimulatorServer.adminToken`), so a web page in a local
    /// browser cannot guess it. At least 16 printable ASCII characters, no spaces.
    public var adminToken: String?

    public init(listen: String = "127.0.0.1:0", seed: UInt64 = 1, symbols: [String]? = nil,
                accounts: [SimAccountConfig] = [], rateLimits: RateLimitConfig = RateLimitConfig(),
                faults: FaultConfig = FaultConfig(), heartbeatTimeoutMs: Int64 = 30_000,
                nonceWindowSeconds: Int64 = 30, makerFeeBps: Int = 10, takerFeeBps: Int = 35,
                syntheticMarket: Bool = true, marketStepMs: Int64 = 250, adminToken: String? = nil,
                wsAPIListen: String = "127.0.0.1:0", wsAPIPingIntervalMs: Int64 = 20_000,
                wsAPIRejectedEvents: Bool = false, wsAPIBalanceTimesInNanoseconds: Bool = false) {
        self.listen = listen
        self.wsAPIListen = wsAPIListen
        self.wsAPIPingIntervalMs = wsAPIPingIntervalMs
        self.wsAPIRejectedEvents = wsAPIRejectedEvents
        self.wsAPIBalanceTimesInNanoseconds = wsAPIBalanceTimesInNanoseconds
        self.seed = seed
        self.symbols = symbols
        self.accounts = accounts
        self.rateLimits = rateLimits
        self.faults = faults
        self.heartbeatTimeoutMs = heartbeatTimeoutMs
        self.nonceWindowSeconds = nonceWindowSeconds
        self.makerFeeBps = makerFeeBps
        self.takerFeeBps = takerFeeBps
        self.syntheticMarket = syntheticMarket
        self.marketStepMs = marketStepMs
        self.adminToken = adminToken
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = SimulatorConfig()
        listen = try c.decodeIfPresent(String.self, forKey: .listen) ?? d.listen
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? d.seed
        symbols = try c.decodeIfPresent([String].self, forKey: .symbols)
        accounts = try c.decodeIfPresent([SimAccountConfig].self, forKey: .accounts) ?? []
        rateLimits = try c.decodeIfPresent(RateLimitConfig.self, forKey: .rateLimits) ?? d.rateLimits
        faults = try c.decodeIfPresent(FaultConfig.self, forKey: .faults) ?? d.faults
        heartbeatTimeoutMs = try c.decodeIfPresent(Int64.self, forKey: .heartbeatTimeoutMs) ?? d.heartbeatTimeoutMs
        nonceWindowSeconds = try c.decodeIfPresent(Int64.self, forKey: .nonceWindowSeconds) ?? d.nonceWindowSeconds
        makerFeeBps = try c.decodeIfPresent(Int.self, forKey: .makerFeeBps) ?? d.makerFeeBps
        takerFeeBps = try c.decodeIfPresent(Int.self, forKey: .takerFeeBps) ?? d.takerFeeBps
        syntheticMarket = try c.decodeIfPresent(Bool.self, forKey: .syntheticMarket) ?? d.syntheticMarket
        marketStepMs = try c.decodeIfPresent(Int64.self, forKey: .marketStepMs) ?? d.marketStepMs
        adminToken = try c.decodeIfPresent(String.self, forKey: .adminToken)
        wsAPIListen = try c.decodeIfPresent(String.self, forKey: .wsAPIListen) ?? d.wsAPIListen
        wsAPIPingIntervalMs = try c.decodeIfPresent(Int64.self, forKey: .wsAPIPingIntervalMs) ?? d.wsAPIPingIntervalMs
        wsAPIRejectedEvents = try c.decodeIfPresent(Bool.self, forKey: .wsAPIRejectedEvents) ?? d.wsAPIRejectedEvents
        wsAPIBalanceTimesInNanoseconds = try c.decodeIfPresent(Bool.self, forKey: .wsAPIBalanceTimesInNanoseconds)
            ?? d.wsAPIBalanceTimesInNanoseconds
    }

    enum CodingKeys: String, CodingKey {
        case listen, seed, symbols, accounts, rateLimits, faults, heartbeatTimeoutMs, nonceWindowSeconds
        case makerFeeBps, takerFeeBps, syntheticMarket, marketStepMs, adminToken
        case wsAPIListen = "ws_api_listen"
        case wsAPIPingIntervalMs = "ws_api_ping_interval_ms"
        case wsAPIRejectedEvents = "ws_api_rejected_events"
        case wsAPIBalanceTimesInNanoseconds = "ws_api_balance_times_ns"
    }

    /// Reads a JSON config file.
    public static func load(path: String) throws(SimulatorConfigError) -> SimulatorConfig {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw .unreadable(path: path, reason: "\(error.localizedDescription)")
        }
        return try decode(json: data, source: path)
    }

    /// Parses config JSON; `source` names it in errors.
    public static func decode(json: Data, source: String = "config") throws(SimulatorConfigError) -> SimulatorConfig {
        let config: SimulatorConfig
        do { config = try JSONDecoder().decode(SimulatorConfig.self, from: json) } catch {
            throw .invalid(source: source, reason: "\(error)")
        }
        try config.validate()
        return config
    }

    /// The listen address split into host and port.
    public func listenAddress() throws(SimulatorConfigError) -> (host: String, port: UInt16) {
        try Self.split(listen)
    }

    /// `wsAPIListen` split into host and port.
    public func wsAPIListenAddress() throws(SimulatorConfigError) -> (host: String, port: UInt16) {
        try Self.split(wsAPIListen)
    }

    private static func split(_ address: String) throws(SimulatorConfigError) -> (host: String, port: UInt16) {
        guard let colon = address.lastIndex(of: ":"),
              let port = UInt16(address[address.index(after: colon)...]) else {
            throw .badListenAddress(address)
        }
        var host = String(address[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw .badListenAddress(address) }
        return (host, port)
    }

    /// Checks cross-field rules: unique key names, a valid listen address, sane limits.
    public func validate() throws(SimulatorConfigError) {
        _ = try listenAddress()
        _ = try wsAPIListenAddress()
        guard wsAPIPingIntervalMs >= 0 else {
            throw .invalid(source: "ws_api_ping_interval_ms", reason: "must be >= 0 (0 sends no pings)")
        }
        var seen = Set<String>()
        for account in accounts {
            for key in account.keys {
                guard seen.insert(key.key).inserted else { throw .duplicateKey(key.key) }
                guard !key.secret.isEmpty else { throw .emptySecret(key: key.key) }
                if key.roles.contains(.auditor), key.roles.count > 1 { throw .auditorCombined(key: key.key) }
            }
        }
        let faultProblems = faults.problems
        guard faultProblems.isEmpty else { throw .invalidFaults(faultProblems) }
        if let adminToken, !SimAdminToken.isAcceptable(adminToken) { throw .weakAdminToken }
        guard rateLimits.publicPerMinute > 0, rateLimits.privatePerMinute > 0, rateLimits.queuedBeyondLimit >= 0 else {
            throw .invalid(source: "rateLimits", reason: "per-minute limits must be > 0 and queuedBeyondLimit >= 0")
        }
        guard rateLimits.wsAPIRequestWeightPer10s > 0, rateLimits.wsAPIOrdersPer10s > 0, rateLimits.wsAPIOrdersPerDay > 0,
              rateLimits.wsAPIConnectionAttemptsPer5Min > 0 else {
            throw .invalid(source: "rateLimits", reason: "the WebSocket API limits (wsAPI…) must be > 0")
        }
    }
}
