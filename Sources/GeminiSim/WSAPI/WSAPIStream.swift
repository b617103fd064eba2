/// A stream of the new WebSocket API the simulator serves (WS-API.md §3.1).
///
/// Market streams are `{symbol}@{kind}` with the symbol in lower case (upper case is
/// accepted in a subscribe and canonicalised); account streams have fixed names. Not
/// served (refused as `Invalid stream name`): partial depth (`@depth5`…), `@1s` balance
/// snapshots, positions, prediction-market and perpetual streams.
enum WSAPIStream: Hashable, Sendable {
    /// `{sym}@depth@100ms` (`fast`) or `{sym}@depth` (1 s): differential depth.
    case depth(symbol: String, fast: Bool)
    case trade(symbol: String)
    case bookTicker(symbol: String)
    case ordersAccount
    case ordersSession
    case balancesAccount

    /// The canonical name (`btcusd@depth@100ms`), as `list_subscriptions` lists it.
    var name: String {
        switch self {
        case .depth(let symbol, let fast): "\(symbol.lowercased())@depth\(fast ? "@100ms" : "")"
        case .trade(let symbol): "\(symbol.lowercased())@trade"
        case .bookTicker(let symbol): "\(symbol.lowercased())@bookTicker"
        case .ordersAccount: "orders@account"
        case .ordersSession: "orders@session"
        case .balancesAccount: "balances@account"
        }
    }

    /// Needs an authenticated connection.
    var isPrivate: Bool {
        switch self {
        case .ordersAccount, .ordersSession, .balancesAccount: true
        default: false
        }
    }

    /// The upper-case symbol of a market stream.
    var symbol: String? {
        switch self {
        case .depth(let symbol, _), .trade(let symbol), .bookTicker(let symbol): symbol
        default: nil
        }
    }

    /// Parses a stream name; `canonicalSymbol` maps a symbol in any case to the venue's
    /// upper-case name (nil for an unknown symbol). Nil for a name the simulator does not serve.
    static func parse(_ text: String, canonicalSymbol: (String) -> String?) -> WSAPIStream? {
        switch text {
        case "orders@account": return .ordersAccount
        case "orders@session": return .ordersSession
        case "balances@account": return .balancesAccount
        default: break
        }
        guard let at = text.firstIndex(of: "@") else { return nil }
        let rawSymbol = String(text[..<at])
        let kind = text[text.index(after: at)...]
        guard !rawSymbol.isEmpty, let symbol = canonicalSymbol(rawSymbol) else { return nil }
        switch kind {
        case "depth@100ms": return .depth(symbol: symbol, fast: true)
        case "depth": return .depth(symbol: symbol, fast: false)
        case "trade": return .trade(symbol: symbol)
        case "bookTicker": return .bookTicker(symbol: symbol)
        default: return nil
        }
    }
}
