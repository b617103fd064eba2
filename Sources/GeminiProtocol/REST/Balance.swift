import CastorCore

/// One currency's balance from `/v1/balances` (§3.7).
public struct Balance: Sendable, Hashable, Decodable {
    /// Account type, `exchange`.
    public let type: String
    public let currency: String
    public let amount: ExactDecimal
    public let available: ExactDecimal
    public let availableForWithdrawal: ExactDecimal?
    /// Only with `showPendingBalances`.
    public let pendingWithdrawal: ExactDecimal?
    public let pendingDeposit: ExactDecimal?

    private enum CodingKeys: String, CodingKey {
        case type, currency, amount, available, availableForWithdrawal, pendingWithdrawal, pendingDeposit
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        type = try c.decodeIfPresent(String.self, forKey: .type) ?? "exchange"
        currency = try c.decode(String.self, forKey: .currency)
        amount = try c.decode(ExactDecimal.self, forKey: .amount)
        available = try c.decode(ExactDecimal.self, forKey: .available)
        availableForWithdrawal = try c.decodeIfPresent(ExactDecimal.self, forKey: .availableForWithdrawal)
        pendingWithdrawal = try c.decodeIfPresent(ExactDecimal.self, forKey: .pendingWithdrawal)
        pendingDeposit = try c.decodeIfPresent(ExactDecimal.self, forKey: .pendingDeposit)
    }
}
