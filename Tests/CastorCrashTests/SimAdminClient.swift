import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Reads the external simulator's truth through its `/sim/*` admin endpoints (loopback).
struct SimAdminClient: Sendable {
    let restURL: String
    /// The admin token, when the simulator wants one (`X-Sim-Admin-Token`). Default: the
    /// environment's `CASTOR_SIM_ADMIN_TOKEN`, else none.
    var adminToken: String? = ProcessInfo.processInfo.environment["CASTOR_SIM_ADMIN_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }

    /// The one place admin requests are made (and the token attached).
    func adminRequest(_ path: String, method: String = "GET", body: Data? = nil) async throws -> Data {
        var request = URLRequest(url: URL(string: restURL + path)!)
        request.httpMethod = method
        request.timeoutInterval = 10
        if let adminToken { request.setValue(adminToken, forHTTPHeaderField: "X-Sim-Admin-Token") }
        if let body {
            request.httpBody = body
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        guard let http = response as? HTTPURLResponse, http.statusCode == 200 else {
            throw ChildProcessError(description: "\(method) \(path): \((response as? HTTPURLResponse)?.statusCode ?? -1) \(String(decoding: data, as: UTF8.self))")
        }
        return data
    }

    /// One account's orders and trades from `GET /sim/ledger`.
    func ledger(account: String) async throws -> SimLedger {
        let data = try await adminRequest("/sim/ledger")
        guard let root = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let accounts = root["accounts"] as? [[String: Any]],
              let entry = accounts.first(where: { $0["name"] as? String == account }) else {
            throw ChildProcessError(description: "no account \(account) in /sim/ledger")
        }
        let orders = (entry["orders"] as? [[String: Any]] ?? []).map(SimLedger.Order.init)
        let trades = (entry["trades"] as? [[String: Any]] ?? []).map(SimLedger.Trade.init)
        return SimLedger(orders: orders, trades: trades)
    }
}

/// What the simulator knows of one account.
struct SimLedger: Sendable {
    struct Order: Sendable {
        let orderID: String
        let clientOrderID: String?
        let createdMs: Int64
        let isLive: Bool

        init(_ o: [String: Any]) {
            orderID = text(o["order_id"]) ?? "?"
            clientOrderID = o["client_order_id"] as? String
            createdMs = Int64(text(o["timestampms"]) ?? "") ?? 0
            isLive = o["is_live"] as? Bool ?? false
        }

        init(orderID: String, clientOrderID: String?, createdMs: Int64, isLive: Bool) {
            self.orderID = orderID
            self.clientOrderID = clientOrderID
            self.createdMs = createdMs
            self.isLive = isLive
        }
    }

    struct Trade: Sendable, Hashable {
        let tradeID: String
        let orderID: String
        let price: String
        let amount: String
        let fee: String

        init(_ t: [String: Any]) {
            tradeID = text(t["tid"]) ?? "?"
            orderID = text(t["order_id"]) ?? "?"
            price = text(t["price"]) ?? "?"
            amount = text(t["amount"]) ?? "?"
            fee = text(t["fee_amount"]) ?? "?"
        }

        init(tradeID: String, orderID: String, price: String, amount: String, fee: String) {
            self.tradeID = tradeID
            self.orderID = orderID
            self.price = price
            self.amount = amount
            self.fee = fee
        }
    }

    let orders: [Order]
    let trades: [Trade]
}

/// A JSON scalar as text (numbers and strings alike).
private func text(_ value: Any?) -> String? {
    switch value {
    case let s as String: s
    case let n as NSNumber: n.stringValue
    default: nil
    }
}
