import CastorConfig
import CastorCore
import CastorStatus
import CastorTrading
import Dispatch

extension Engine {
    /// The engine's state for `castor status`, on the engine queue.
    public var statusReport: StatusReport {
        dispatchPrecondition(condition: .onQueue(queue))
        let t = now
        let s = connections.status
        let feeds = [
            StatusReport.Feed(name: "market_data", state: "\(s.marketData)", lastMessageAgeMs: s.lastMarketDataMs.map { t - $0 },
                              timesLive: s.marketDataLiveCount, lastDisconnectCause: s.lastMarketDataCause),
            StatusReport.Feed(name: "order_events", state: "\(s.orderEvents)", lastMessageAgeMs: s.lastOrderEventsMs.map { t - $0 },
                              timesLive: s.orderEventsLiveCount, lastDisconnectCause: s.lastOrderEventsCause),
        ]
        let open = router.manager.orders.values.filter { $0.lifecycle.phase.isOpen }
            .sorted { $0.lifecycle.clientOrderID < $1.lifecycle.clientOrderID }
            .map { o -> StatusReport.OpenOrder in
                let l = o.lifecycle
                return StatusReport.OpenOrder(
                    clientOrderID: l.clientOrderID.rawValue, orderID: l.orderID?.description, symbol: l.symbol.rawValue,
                    side: l.side.rawValue, price: "\(l.price)", amount: "\(l.originalAmount)", executed: "\(l.executed)",
                    phase: "\(l.phase)", ageMs: router.intents[l.clientOrderID].map { t - $0.createdMs })
            }
        let positions = router.manager.ledger.positions.sorted { $0.key < $1.key }.map { symbol, p in
            StatusReport.Position(symbol: symbol.rawValue, base: "\(p.base)", quoteCash: "\(p.quoteCash)", fills: p.fillCount)
        }
        let balances = market.balances.values.sorted { $0.currency < $1.currency }.map {
            StatusReport.Balance(currency: $0.currency, available: "\($0.available)", total: "\($0.total)")
        }
        let traded = Set(router.pnl.symbols.keys).union(router.manager.ledger.positions.keys).sorted()
        let pnl = traded.map { symbol -> StatusReport.SymbolPnL in
            let p = router.pnl.symbols[symbol] ?? SymbolPnL()
            let mark = mid(symbol)
            let position = router.manager.ledger.positions[symbol]
            let allTime = mark.flatMap { m in
                position.flatMap { p in p.base.multipliedReportingOverflow(by: m).flatMap(p.quoteCash.addingReportingOverflow) }
            }
            return StatusReport.SymbolPnL(
                symbol: symbol.rawValue, mark: mark?.description,
                sessionRealized: p.isOverflowed ? "overflowed" : "\(p.realized)",
                sessionUnrealized: mark.flatMap(p.unrealized(atMark:))?.description, sessionFees: "\(p.quoteFees)",
                allTimeTotal: allTime?.description)
        }
        let limits = router.risk.defaultLimits
        let risk = StatusReport.Risk(
            killSwitch: router.risk.killSwitchEngaged, killSwitchCause: router.killSwitchCause?.code,
            killSwitchDetail: router.risk.killSwitchReason, openOrders: open.count, maxOpenOrders: limits.maxOpenOrders,
            maxPosition: limits.maxPosition?.description, maxOrderNotional: limits.maxOrderNotional?.description,
            maxOrdersPerMinute: limits.maxOrdersPerMinute)
        let parameters = configuration.strategy.parameters.values.mapValues(Engine.parameterText)
        return StatusReport(
            phase: phase.rawValue, venue: configuration.venue.name, api: configuration.venueAPI.api.rawValue,
            orderEntry: configuration.venueAPI.orderEntry.rawValue,
            strategy: .init(name: runner.name, parameters: parameters), feeds: feeds, openOrders: open,
            positions: positions, balances: balances, pnl: pnl, risk: risk,
            requests: .init(queued: lane.scheduler.queue.count, privateInFlight: lane.scheduler.privateInFlight != nil))
    }

    /// A parameter as the file spelled it (strings bare, arrays and tables in TOML-ish form).
    static func parameterText(_ value: StrategyParameterValue) -> String {
        switch value {
        case .string(let s): s
        case .integer(let i): "\(i)"
        case .bool(let b): "\(b)"
        case .array(let a): "[" + a.map(parameterText).joined(separator: ", ") + "]"
        case .table(let t): "{" + t.sorted { $0.key < $1.key }.map { "\($0.key) = \(parameterText($0.value))" }.joined(separator: ", ") + "}"
        }
    }
}
