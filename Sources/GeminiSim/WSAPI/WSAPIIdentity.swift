/// Who an authenticated WebSocket API connection acts for: the key its upgrade was signed
/// with and that key's account.
struct WSAPIIdentity: Sendable {
    let key: SimAPIKeyConfig
    let accountId: Int64
    let accountName: String

    /// `order.*` needs the Trader role.
    var canTrade: Bool { key.roles.contains(.trader) }
    /// Private streams need Trader or Auditor (the simulator's choice: WS-API.md §1.4 leaves
    /// the role of `orders@account` and `balances@account` open).
    var canReadAccount: Bool { key.roles.contains(.trader) || key.roles.contains(.auditor) }
}
