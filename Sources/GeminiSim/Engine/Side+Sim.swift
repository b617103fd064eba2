import CastorCore

extension Side {
    /// `Buy` / `Sell`, the capitalised form `/v1/mytrades` uses for `type`.
    var capitalized: String { self == .buy ? "Buy" : "Sell" }
}
