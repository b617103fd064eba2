import CastorCore
import CastorFeeds
import Foundation
import GeminiProtocol
@testable import CastorTrading

func d(_ s: String) -> ExactDecimal { ExactDecimal(s)! }

private func decode<T: Decodable>(_ type: T.Type, _ object: Any) -> T {
    let data = try! JSONSerialization.data(withJSONObject: object)
    return try! JSONDecoder().decode(T.self, from: data)
}

/// A REST order-status object.
func status(_ orderID: VenueOrderID, cid: String?, symbol: String = "btcusd", side: String = "buy",
            price: String = "100.00", original: String = "1", executed: String = "0",
            live: Bool = true, cancelled: Bool = false, reason: String? = nil,
            trades: [[String: Any]]? = nil) -> OrderSnapshot {
    var o: [String: Any] = [
        "order_id": orderID.description, "id": orderID.description, "symbol": symbol, "exchange": "gemini", "side": side,
        "type": "exchange limit", "options": [], "price": price, "avg_execution_price": "0.00",
        "executed_amount": executed,
        "remaining_amount": (d(original) - d(executed)).description, "original_amount": original,
        "timestamp": "1547220404", "timestampms": 1547220404836, "is_live": live, "is_cancelled": cancelled,
        "is_hidden": false, "was_forced": false,
    ]
    if let cid { o["client_order_id"] = cid }
    if let reason { o["reason"] = reason }
    if let trades { o["trades"] = trades }
    return OrderSnapshot(gemini: decode(OrderStatus.self, o))!
}

/// A `/v1/mytrades` row (JSON object; decode with `trade(...)`).
func tradeJSON(tid: Int64, orderID: VenueOrderID, cid: String? = nil, symbol: String? = "BTCUSD", side: String = "Buy",
               price: String = "100.00", amount: String, fee: String = "0.10", feeCurrency: String = "USD",
               ms: Int64 = 1_700_000_000_000, breakKind: String? = nil) -> [String: Any] {
    var o: [String: Any] = [
        "price": price, "amount": amount, "timestamp": ms / 1000, "timestampms": ms, "type": side,
        "aggressor": true, "fee_currency": feeCurrency, "fee_amount": fee, "tid": tid, "order_id": orderID.description,
        "exchange": "gemini", "is_clearing_fill": false,
    ]
    if let symbol { o["symbol"] = symbol }
    if let cid { o["client_order_id"] = cid }
    if let breakKind { o["break"] = breakKind }
    return o
}

func trade(tid: Int64, orderID: VenueOrderID, cid: String? = nil, symbol: String? = "BTCUSD", side: String = "Buy",
           price: String = "100.00", amount: String, fee: String = "0.10", feeCurrency: String = "USD",
           ms: Int64 = 1_700_000_000_000, breakKind: String? = nil) -> TradeReport {
    TradeReport(gemini: decode(MyTrade.self, tradeJSON(tid: tid, orderID: orderID, cid: cid, symbol: symbol, side: side, price: price,
                                   amount: amount, fee: fee, feeCurrency: feeCurrency, ms: ms, breakKind: breakKind)))!
}

/// An order event of `type`.
func event(_ type: String, orderID: VenueOrderID, cid: String?, symbol: String = "btcusd", side: String = "buy",
           price: String = "100.00", original: String = "1", executed: String? = "0",
           live: Bool = true, cancelled: Bool = false, reason: String? = nil,
           fill: (tradeID: String, amount: String, price: String, fee: String)? = nil,
           ms: Int64 = 1_700_000_000_000, sequence: Int64 = 0) -> OrderReport {
    var o: [String: Any] = [
        "type": type, "order_id": orderID.description, "api_session": "k", "symbol": symbol, "side": side,
        "order_type": "exchange limit", "timestamp": String(ms / 1000), "timestampms": ms,
        "is_live": live, "is_cancelled": cancelled, "is_hidden": false, "avg_execution_price": "0",
        "original_amount": original, "price": price, "socket_sequence": sequence,
    ]
    if type != "initial" { o["event_id"] = "\(orderID)\(sequence)" }
    if let executed {
        o["executed_amount"] = executed
        o["remaining_amount"] = (d(original) - d(executed)).description
    }
    if let cid { o["client_order_id"] = cid }
    if let reason { o["reason"] = reason }
    if let fill = fill ?? (type == "fill" ? ("\(orderID)0\(sequence)", "0.1", price, "0") : nil) {
        o["fill"] = ["trade_id": fill.tradeID, "liquidity": "Taker", "price": fill.price, "amount": fill.amount,
                     "fee": fill.fee, "fee_currency": "USD"]
    }
    return OrderReport(gemini: decode(OrderEvent.self, o))!
}

func makeManager(seed: UInt64 = 7, config: OrderManager.Configuration = .init()) -> OrderManager {
    OrderManager(generator: try! ClientOrderIDGenerator(prefix: "cx", boot: "boot1"), configuration: config, seed: seed)
}

func intent(_ side: Side = .buy, amount: String = "1", price: String = "100.00", symbol: Symbol = "BTCUSD",
            deadline: Int64? = nil) -> OrderIntent {
    OrderIntent(symbol: symbol, side: side, amount: d(amount), price: d(price), deadlineMs: deadline)
}

extension Array where Element == OrderAction {
    var lookups: [ClientOrderID] { compactMap { if case .lookup(let id, _) = $0 { id } else { nil } } }
    var resends: [NewOrderRequest] { compactMap { if case .resend(let r, _) = $0 { r } else { nil } } }
    var sends: [NewOrderRequest] { compactMap { if case .send(let r) = $0 { r } else { nil } } }
    var fills: [LedgerFill] { compactMap { if case .notifyStrategy(.fill(let f)) = $0 { f } else { nil } } }
    var rejects: [OrderRejection] { compactMap { if case .reject(_, let r) = $0 { r } else { nil } } }
    var cancels: [VenueOrderID] { compactMap { if case .sendCancel(let id, _) = $0 { id } else { nil } } }
    var duplicateCancels: [VenueOrderID] { compactMap { if case .cancelDuplicate(let id) = $0 { id } else { nil } } }
    var queries: [VenueOrderID] { compactMap { if case .queryOrder(let id, _) = $0 { id } else { nil } } }
    var alerts: [String] { compactMap { if case .alert(let s) = $0 { s } else { nil } } }
    var expectedRaces: [String] { compactMap { if case .expectedRace(let s) = $0 { s } else { nil } } }
}
