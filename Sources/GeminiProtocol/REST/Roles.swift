/// `/v1/roles`: the roles of the calling API key, checked at startup so a key with too
/// many (or too few) powers is caught before trading.
public struct Roles: Sendable, Hashable, Decodable {
    public let isAuditor: Bool
    public let isFundManager: Bool
    public let isTrader: Bool
    /// Master keys only (field name unconfirmed).
    public let isAccountAdmin: Bool?

    private enum CodingKeys: String, CodingKey { case isAuditor, isFundManager, isTrader, isAccountAdmin }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        // Absent flags mean the role is not granted.
        isAuditor = try c.decodeIfPresent(Bool.self, forKey: .isAuditor) ?? false
        isFundManager = try c.decodeIfPresent(Bool.self, forKey: .isFundManager) ?? false
        isTrader = try c.decodeIfPresent(Bool.self, forKey: .isTrader) ?? false
        isAccountAdmin = try c.decodeIfPresent(Bool.self, forKey: .isAccountAdmin)
    }
}
