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

    /// The largest balance (and deposit) the simulator holds: below 10^18 with at most 18
    /// decimal places, so every later sum of balances, holds and fills stays far inside
    /// `ExactDecimal` (a huge `/sim/deposit` used to trap the whole process).
    public static let balanceLimit = ExactDecimal(mantissa: 1_000_000_000_000_000_000, scale: 0)
    public static let balanceScaleLimit: UInt8 = 18

    /// Whether `amount` is a value a balance may hold or be credited with.
    static func isBoundedAmount(_ amount: ExactDecimal) -> Bool {
        amount.normalized.scale <= balanceScaleLimit && amount.mantissa != .min && amount.magnitude < balanceLimit
    }

    /// Credits (or, negative, debits) `amount` of `currency` with overflow-reporting
    /// arithmetic; nothing changes when it is refused.
    mutating func deposit(_ currency: String, amount: ExactDecimal) -> Result<Void, SimDepositError> {
        guard Self.isBoundedAmount(amount) else { return .failure(.outOfRange(amount)) }
        let balance = balances[currency] ?? SimBalance(currency: currency, total: .zero, held: .zero)
        guard let total = balance.total.addingReportingOverflow(amount),
              let available = total.addingReportingOverflow(-balance.held) else {
            return .failure(.outOfRange(amount))
        }
        guard available >= .zero else { return .failure(.wouldGoNegative) }
        guard Self.isBoundedAmount(total) else { return .failure(.balanceTooLarge) }
        balances[currency] = SimBalance(currency: currency, total: total, held: balance.held)
        return .success(())
    }

    mutating func adjust(_ currency: String, total: ExactDecimal = .zero, held: ExactDecimal = .zero) {
        var balance = balances[currency] ?? SimBalance(currency: currency, total: .zero, held: .zero)
        balance.total += total
        balance.held += held
        balances[currency] = balance
    }
}

/// Why `/sim/deposit` refused a deposit or withdrawal (answered as 400 with this message).
public enum SimDepositError: Error, Sendable, Hashable, CustomStringConvertible {
    case unknownAccount(String)
    case wouldGoNegative
    /// The amount itself is beyond the simulator's bounds.
    case outOfRange(ExactDecimal)
    /// The resulting balance would reach 10^18.
    case balanceTooLarge

    public var description: String {
        switch self {
        case .unknownAccount(let name): "unknown account \(name)"
        case .wouldGoNegative: "the available balance would go negative"
        case .outOfRange(let amount): "amount \(amount) is out of range: below 10^18 with at most 18 decimal places"
        case .balanceTooLarge: "the balance would reach 10^18, the simulator's limit"
        }
    }
}
