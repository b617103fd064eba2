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
///  "adminToken": "at-least-16-chars"}
/// ```
public struct SimulatorConfig: Sendable, Codable, Equatable {
    /// `host:port` to bind; the host must be a loopback address, port 0 picks a free one.
    public var listen: String
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
                syntheticMarket: Bool = true, marketStepMs: Int64 = 250, adminToken: String? = nil) {
        self.listen = listen
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
        guard let colon = listen.lastIndex(of: ":"),
              let port = UInt16(listen[listen.index(after: colon)...]) else {
            throw .badListenAddress(listen)
        }
        var host = String(listen[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw .badListenAddress(listen) }
        return (host, port)
    }

    /// Checks cross-field rules: unique key names, a valid listen address, sane limits.
    public func validate() throws(SimulatorConfigError) {
        _ = try listenAddress()
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
    }
}
