import CastorCore
import GRDB

/// Row decoding: stored text is parsed strictly, and anything unparseable is reported as a
/// corrupt record rather than read as zero, because a wrong quantity is worse than a stop.
extension Journal {
    static func decimal(_ row: Row, _ column: String, table: String, key: String) throws -> ExactDecimal {
        let text: String? = row[column]
        guard let text, let value = ExactDecimal(text) else {
            throw JournalError.corruptRecord(table: table, key: key, detail: "\(column) '\(text ?? "NULL")' is not an exact decimal")
        }
        return value
    }

    static func optionalDecimal(_ row: Row, _ column: String, table: String, key: String) throws -> ExactDecimal? {
        let text: String? = row[column]
        guard text != nil else { return nil }
        return try decimal(row, column, table: table, key: key)
    }

    static func decode<E: RawRepresentable>(_ row: Row, _ column: String, table: String, key: String) throws -> E where E.RawValue == String {
        let text: String? = row[column]
        guard let text, let value = E(rawValue: text) else {
            throw JournalError.corruptRecord(table: table, key: key, detail: "\(column) '\(text ?? "NULL")' is not a valid \(E.self)")
        }
        return value
    }

    static func intent(from row: Row) throws -> JournalIntent {
        let key: String = row["client_order_id"]
        let options: String = row["options"]
        return JournalIntent(
            clientOrderID: key, strategy: row["strategy"], symbol: row["symbol"],
            side: try decode(row, "side", table: "intents", key: key),
            price: try optionalDecimal(row, "price", table: "intents", key: key),
            amount: try decimal(row, "amount", table: "intents", key: key),
            options: options.isEmpty ? [] : options.split(separator: ",", omittingEmptySubsequences: false).map(String.init),
            createdMs: row["created_ms"])
    }

    static func event(from row: Row) throws -> JournalOrderEvent {
        let key = "seq \(row["seq"] as Int64)"
        return JournalOrderEvent(
            clientOrderID: row["client_order_id"], orderID: row["order_id"],
            state: try decode(row, "state", table: "order_events", key: key),
            executed: try optionalDecimal(row, "executed", table: "order_events", key: key),
            remaining: try optionalDecimal(row, "remaining", table: "order_events", key: key),
            reason: row["reason"], timestampMs: row["ts_ms"],
            source: try decode(row, "source", table: "order_events", key: key))
    }

    static func fill(from row: Row) throws -> JournalFill {
        let key: String = row["trade_id"]
        let liquidity: String? = row["liquidity"]
        return JournalFill(
            tradeID: key, orderID: row["order_id"], clientOrderID: row["client_order_id"], symbol: row["symbol"],
            side: try decode(row, "side", table: "fills", key: key),
            price: try decimal(row, "price", table: "fills", key: key),
            amount: try decimal(row, "amount", table: "fills", key: key),
            fee: try decimal(row, "fee", table: "fills", key: key),
            feeCurrency: row["fee_currency"],
            liquidity: liquidity == nil ? nil : try decode(row, "liquidity", table: "fills", key: key),
            timestampMs: row["ts_ms"])
    }
}
