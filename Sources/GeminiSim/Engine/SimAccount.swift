import CastorCore

/// A simulated exchange account: balances, fee schedule, API sessions and traded volume.
///
/// Read-only outside the engine; change it through `SimEngine`'s account methods so holds
/// and events stay consistent.
public struct SimAccount: Sendable, Hashable {
    /// Account id (small integers from 1, separate from order ids).
    public let id: Int64
    /// Display name (`account_name` on master-key streams).
    public let name: String
    /// Total and held per currency (upper-case code).
    public internal(set) var balances: [String: SimBalance]
    /// `api_maker_fee_bps`.
    public internal(set) var makerFeeBps: Int
    /// `api_taker_fee_bps`.
    public internal(set) var takerFeeBps: Int
    /// API keys (session names) that act for this account.
    public internal(set) var apiSessions: [String]
    /// Quote-currency notional traded, both sides counted for this account's own fills.
    public internal(set) var notionalVolume: ExactDecimal
    /// Time of the last fill, ms (0 before any).
    public internal(set) var lastTradeMs: Int64
    /// When false, closed orders and fills of this account are not kept (the synthetic
    /// market's participants trade forever; keeping their history would grow without bound).
    public let keepsHistory: Bool

    init(id: Int64, name: String, balances: [String: ExactDecimal], makerFeeBps: Int,
         takerFeeBps: Int, keepsHistory: Bool) {
        self.id = id
        self.name = name
        var b: [String: SimBalance] = [:]
        for (currency, amount) in balances {
            let c = currency.uppercased()
            b[c] = SimBalance(currency: c, total: amount, held: .zero)
        }
        self.balances = b
        self.makerFeeBps = makerFeeBps
        self.takerFeeBps = takerFeeBps
        self.apiSessions = []
        self.notionalVolume = .zero
        self.lastTradeMs = 0
        self.keepsHistory = keepsHistory
    }

    /// Available (total − held) in `currency`, zero when the account never held it.
    public func available(_ currency: String) -> ExactDecimal {
        balances[currency]?.available ?? .zero
    }

    /// The fee rate buy holds reserve: the larger of maker and taker, so a hold always
    /// covers whichever fee the fill ends up paying.
    var holdFeeBps: Int { max(makerFeeBps, takerFeeBps) }

    mutating func adjust(_ currency: String, total: ExactDecimal = .zero, held: ExactDecimal = .zero) {
        var balance = balances[currency] ?? SimBalance(currency: currency, total: .zero, held: .zero)
        balance.total += total
        balance.held += held
        balances[currency] = balance
    }
}
