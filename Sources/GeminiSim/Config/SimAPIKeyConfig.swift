/// One API key (a Gemini "session") of a simulated account.
///
/// The secret is kept as text because the simulator must recompute HMACs with it and the
/// config file holds it in clear anyway; `description` still redacts it so logs never do.
public struct SimAPIKeyConfig: Sendable, Codable, Equatable, CustomStringConvertible {
    /// How the exchange checks this key's nonces (API.md §2.3).
    public enum NonceMode: String, Sendable, Codable, Equatable {
        /// Each nonce must be strictly greater than the key's previous one.
        case counter
        /// The nonce is Unix seconds and must be within ±30 s of server time.
        case time
    }

    /// Roles a key can carry (API.md §2.4). Auditor is read-only and cannot be combined.
    public enum Role: String, Sendable, Codable, Equatable, CaseIterable {
        case trader = "Trader"
        case fundManager = "FundManager"
        case auditor = "Auditor"
    }

    /// The key name sent in `X-GEMINI-APIKEY`, e.g. `account-simdefault0000001`.
    public var key: String
    /// The HMAC secret (its UTF-8 bytes are the key, as on Gemini).
    public var secret: String
    public var roles: [Role]
    public var nonceMode: NonceMode
    /// Cancel this session's orders when no private call arrives for the heartbeat timeout.
    public var requireHeartbeat: Bool

    public init(key: String, secret: String, roles: [Role] = [.trader], nonceMode: NonceMode = .counter,
                requireHeartbeat: Bool = false) {
        self.key = key
        self.secret = secret
        self.roles = roles
        self.nonceMode = nonceMode
        self.requireHeartbeat = requireHeartbeat
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        key = try c.decode(String.self, forKey: .key)
        secret = try c.decode(String.self, forKey: .secret)
        roles = try c.decodeIfPresent([Role].self, forKey: .roles) ?? [.trader]
        nonceMode = try c.decodeIfPresent(NonceMode.self, forKey: .nonceMode) ?? .counter
        requireHeartbeat = try c.decodeIfPresent(Bool.self, forKey: .requireHeartbeat) ?? false
    }

    public var description: String {
        "SimAPIKeyConfig(key: \(key), secret: <redacted>, roles: \(roles.map(\.rawValue)), nonceMode: \(nonceMode.rawValue), requireHeartbeat: \(requireHeartbeat))"
    }
}
