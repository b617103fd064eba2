// libFuzzer harness: REST response decoders (GeminiRESTDecoder and the error-body
// classifier) -> reconciliation -> fill ledger.
//
// Input: byte 0 picks the response type (see `kinds`), byte 1 the HTTP status (see
// `statuses`), the rest is the body.
//
// Oracles: no trap in decoding, `Reconciler.plan`, `LedgerFill(trade:)` or `FillLedger.record`
// (price x amount, fees, positions: all network-derived); a decoded error body always has
// a reason.

import Foundation

let kinds = ["orderStatus", "orderStatusMatches", "orderList", "myTrades", "balances", "symbolDetails",
             "cancelAll", "notionalVolume", "pubTicker", "tickerV2", "candles", "publicTrades",
             "orderBook", "roles", "resultOK", "errorBody"]
let statuses = [200, 400, 403, 404, 406, 429, 500, 502, 503, 201]

func fail(_ message: String, _ body: Data) -> Never {
    fputs("FUZZ ORACLE FAILED: \(message)\n  body: \(String(decoding: body, as: UTF8.self).debugDescription)\n", stderr)
    abort()
}

func decode<T: Decodable>(_ type: T.Type, _ body: Data, _ status: Int) -> T? {
    switch try? GeminiRESTDecoder.decode(type, from: body, httpStatus: status) {
    case .success(let value)?: return value
    case .failure(let error)?:
        _ = error.reason
        _ = error.description
        return nil
    case nil: return nil
    }
}

let ourID = ClientOrderID("cx-fz01-000000000001")!
let otherID = ClientOrderID("cx-fz01-000000000002")!

/// Reconciles what the exchange reported against two local orders, then records the
/// planned fills in a ledger, as the engine does at reconnect.
func reconcile(open wireOpen: [OrderStatus], trades wireTrades: [MyTrade], statuses wireStatuses: [OrderStatus], body: Data) {
    // The venue layer refuses a whole answer with an unreadable order id; the rest goes on.
    let open = wireOpen.compactMap(OrderSnapshot.init(gemini:))
    let trades = wireTrades.compactMap(TradeReport.init(gemini:))
    let statuses = wireStatuses.compactMap(OrderSnapshot.init(gemini:))
    let local = [
        LocalOrderView(clientOrderID: ourID, orderID: open.first?.orderID, symbol: Symbol("BTCUSD"), phase: .booked),
        LocalOrderView(clientOrderID: otherID, orderID: nil, symbol: Symbol("BTCUSD"), phase: .uncertain),
    ]
    var bySymbol: [Symbol: [TradeReport]] = [:]
    for t in trades { bySymbol[t.symbol ?? Symbol("BTCUSD"), default: []].append(t) }
    var statusByOrderID: [VenueOrderID: OrderSnapshot] = [:]
    for s in statuses { statusByOrderID[s.orderID] = s }
    let input = ReconciliationInput(local: local, exchangeOpen: open.map { .status($0) }, myTrades: bySymbol,
                                    statusByOrderID: statusByOrderID, ourPrefix: "cx",
                                    racingSnapshot: [])
    var ledger = FillLedger()
    let plan = Reconciler.plan(input, ledger: ledger)
    for fill in plan.fills { _ = ledger.record(fill) }
    for t in trades {
        if let fill = LedgerFill(trade: t, knownSymbol: Symbol("BTCUSD")) { _ = ledger.record(fill) }
    }
    _ = ledger.position(Symbol("BTCUSD"))
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 2 else { return 0 }
    let kind = kinds[Int(data[0]) % kinds.count]
    let status = statuses[Int(data[1]) % statuses.count]
    let body = Data(bytes: data + 2, count: size - 2)
    switch kind {
    case "orderStatus":
        if let s = decode(OrderStatus.self, body, status) {
            _ = s.state
            reconcile(open: s.isLive ? [s] : [], trades: s.trades ?? [], statuses: [s], body: body)
        }
    case "orderStatusMatches":
        if let m = decode(OrderStatusMatches.self, body, status) {
            reconcile(open: m.orders.filter(\.isLive), trades: m.orders.flatMap { $0.trades ?? [] }, statuses: m.orders, body: body)
        }
    case "orderList":
        if let l = decode(OrderList.self, body, status) { reconcile(open: l.orders, trades: [], statuses: [], body: body) }
    case "myTrades":
        if let t = decode([MyTrade].self, body, status) { reconcile(open: [], trades: t, statuses: [], body: body) }
    case "balances": _ = decode([Balance].self, body, status)
    case "symbolDetails": _ = decode(SymbolDetails.self, body, status)
    case "cancelAll": _ = decode(CancelAllResponse.self, body, status)
    case "notionalVolume": _ = decode(NotionalVolume.self, body, status)
    case "pubTicker": _ = decode(PubTicker.self, body, status)
    case "tickerV2": _ = decode(TickerV2.self, body, status)
    case "candles": _ = decode([Candle].self, body, status)
    case "publicTrades": _ = decode([PublicTrade].self, body, status)
    case "orderBook": _ = decode(OrderBookSnapshot.self, body, status)
    case "roles": _ = decode(Roles.self, body, status)
    case "resultOK": _ = decode(ResultOK.self, body, status)
    default:
        if let e = GeminiErrorBody.classify(body: body) {
            _ = e.description
            _ = GeminiErrorClassification.self
        }
    }
    return 0
}
