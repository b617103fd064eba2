/// Whether a fill added liquidity (`Maker`) or took it (`Taker`), as order `fill` events say.
public enum SimLiquidity: String, Sendable, Hashable {
    case maker = "Maker"
    case taker = "Taker"
}
