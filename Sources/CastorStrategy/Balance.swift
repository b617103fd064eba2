import CastorCore

/// One currency's balance: `available` excludes what open orders hold.
public struct Balance: Sendable, Hashable {
    public var currency: String
    public var available: ExactDecimal
    public var total: ExactDecimal

    public init(currency: String, available: ExactDecimal, total: ExactDecimal) {
        self.currency = currency
        self.available = available
        self.total = total
    }
}
