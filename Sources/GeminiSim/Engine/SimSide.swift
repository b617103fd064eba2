/// Order side, spelled as Gemini spells it in requests and order objects.
public enum SimSide: String, Sendable, Hashable, CaseIterable {
    case buy
    case sell

    /// The side this side trades against.
    public var opposite: SimSide { self == .buy ? .sell : .buy }

    /// `Buy` / `Sell`, the capitalised form `/v1/mytrades` uses for `type`.
    public var capitalized: String { self == .buy ? "Buy" : "Sell" }
}

/// Whether a fill added liquidity (`Maker`) or took it (`Taker`), as order `fill` events say.
public enum SimLiquidity: String, Sendable, Hashable {
    case maker = "Maker"
    case taker = "Taker"
}
