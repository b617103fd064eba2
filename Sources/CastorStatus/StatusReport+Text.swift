import Foundation

extension StatusReport {
    /// The readable form `castor status` prints: a few lines, then a table per section.
    public var text: String {
        var out: [String] = []
        out.append("phase      \(phase)\(risk.killSwitch ? "   KILL SWITCH ENGAGED (\(risk.killSwitchCause ?? "?"))" : "")")
        out.append("venue      \(venue) (api \(api), orders over \(orderEntry))")
        let params = strategy.parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        out.append("strategy   \(strategy.name ?? "none")\(params.isEmpty ? "" : "  \(params)")")
        out.append("requests   \(requests.queued) queued\(requests.privateInFlight ? ", one in flight" : "")")
        out.append("")
        out.append(Self.table(["feed", "state", "last message", "reconnects", "last cause"], feeds.map {
            [$0.name, $0.state, $0.lastMessageAgeMs.map(Self.age) ?? "-", "\(max(0, $0.timesLive - 1))", $0.lastDisconnectCause ?? "-"]
        }))
        out.append("")
        out.append(openOrders.isEmpty ? "open orders: none" : Self.table(
            ["client order id", "order id", "symbol", "side", "price", "amount", "executed", "age"], openOrders.map {
                [$0.clientOrderID, $0.orderID ?? "-", $0.symbol, $0.side, $0.price, $0.amount, $0.executed,
                 $0.ageMs.map(Self.age) ?? "-"]
            }))
        out.append("")
        out.append(pnl.isEmpty && positions.isEmpty ? "positions: none" : Self.table(
            ["symbol", "position", "mark", "session realized", "unrealized", "fees", "all-time"],
            Self.symbols(positions, pnl).map { symbol in
                let p = positions.first { $0.symbol == symbol }
                let l = pnl.first { $0.symbol == symbol }
                return [symbol, p?.base ?? "0", l?.mark ?? "-", l?.sessionRealized ?? "0", l?.sessionUnrealized ?? "-",
                        l?.sessionFees ?? "0", l?.allTimeTotal ?? "-"]
            }))
        if !balances.isEmpty {
            out.append("")
            out.append(Self.table(["currency", "available", "total"], balances.map { [$0.currency, $0.available, $0.total] }))
        }
        out.append("")
        out.append("risk       open orders \(risk.openOrders)/\(risk.maxOpenOrders.map(String.init) ?? "∞"), "
                   + "max position \(risk.maxPosition ?? "∞"), max notional \(risk.maxOrderNotional ?? "∞"), "
                   + "orders/min \(risk.maxOrdersPerMinute.map(String.init) ?? "∞")")
        return out.joined(separator: "\n") + "\n"
    }

    private static func symbols(_ positions: [Position], _ pnl: [SymbolPnL]) -> [String] {
        Array(Set(positions.map(\.symbol)).union(pnl.map(\.symbol))).sorted()
    }

    static func age(_ ms: Int64) -> String {
        if ms < 1_000 { return "\(ms) ms" }
        if ms < 120_000 { return "\(ms / 1_000) s" }
        if ms < 7_200_000 { return "\(ms / 60_000) min" }
        return "\(ms / 3_600_000) h"
    }

    /// Left-aligned columns, two spaces apart.
    static func table(_ header: [String], _ rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { i in all.map { $0.indices.contains(i) ? $0[i].count : 0 }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { i, cell in
                i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
