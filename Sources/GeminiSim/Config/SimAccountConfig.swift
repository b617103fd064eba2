import CastorCore

/// A simulated exchange account: its nickname, starting balances and API keys.
public struct SimAccountConfig: Sendable, Codable, Equatable {
    /// Account nickname as Gemini shows it (`primary`).
    public var name: String
    /// Starting balances by upper-case currency code; decimals are exact (JSON strings).
    public var balances: [String: ExactDecimal]
    /// The account's API keys; each key is one session for `cancel/session` and heartbeats.
    public var keys: [SimAPIKeyConfig]

    public init(name: String, balances: [String: ExactDecimal] = [:], keys: [SimAPIKeyConfig]) {
        self.name = name
        self.balances = balances
        self.keys = keys
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        balances = try c.decodeIfPresent([String: ExactDecimal].self, forKey: .balances) ?? [:]
        keys = try c.decodeIfPresent([SimAPIKeyConfig].self, forKey: .keys) ?? []
    }

    /// Balances a fresh sandbox-like account gets when the config names none.
    public static let defaultBalances: [String: ExactDecimal] = [
        "USD": ExactDecimal(1_000_000), "BTC": ExactDecimal(10), "ETH": ExactDecimal(100), "SOL": ExactDecimal(1_000),
    ]
}
