import CastorCore
import GRDB

/// The `positions` / `position_fees` aggregate: what every journaled fill of a symbol adds up
/// to, kept in step with `fills` inside the same transaction, so start-up never re-reads the
/// whole fill history (issue 10).
extension Journal {
    /// Adds one newly inserted fill to its symbol's totals. Throws `arithmeticOverflow` (and
    /// the caller's transaction rolls back, fill included) rather than store a wrong sum.
    static func addToPositions(_ fill: JournalFill, _ db: Database) throws {
        let row = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT base, quote, fill_count, last_fill_ms FROM positions WHERE symbol = ?"),
            arguments: [fill.symbol])
        var position = JournalPosition(symbol: fill.symbol)
        if let row {
            position.base = try decimal(row, "base", table: "positions", key: fill.symbol)
            position.quote = try decimal(row, "quote", table: "positions", key: fill.symbol)
            position.fillCount = row["fill_count"]
            position.lastFillMs = row["last_fill_ms"]
        }
        // Only this fill's fee currency changes, so only its row is read and written.
        let feeRow = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT amount FROM position_fees WHERE symbol = ? AND currency = ?"),
            arguments: [fill.symbol, fill.feeCurrency])
        if let feeRow {
            position.fees[fill.feeCurrency] = try decimal(feeRow, "amount", table: "position_fees", key: "\(fill.symbol) \(fill.feeCurrency)")
        }
        guard let next = position.adding(fill.side, price: fill.price, amount: fill.amount, fee: fill.fee,
                                          feeCurrency: fill.feeCurrency, timestampMs: fill.timestampMs)
        else { throw JournalError.arithmeticOverflow(symbol: fill.symbol) }
        try db.cachedStatement(sql: """
            INSERT INTO positions (symbol, base, quote, fill_count, last_fill_ms) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (symbol) DO UPDATE SET base = excluded.base, quote = excluded.quote,
                fill_count = excluded.fill_count, last_fill_ms = excluded.last_fill_ms
            """).execute(arguments: [fill.symbol, next.base.description, next.quote.description, next.fillCount, next.lastFillMs])
        try db.cachedStatement(sql: """
            INSERT INTO position_fees (symbol, currency, amount) VALUES (?, ?, ?)
            ON CONFLICT (symbol, currency) DO UPDATE SET amount = excluded.amount
            """).execute(arguments: [fill.symbol, fill.feeCurrency, next.fees[fill.feeCurrency, default: .zero].description])
    }

    /// The aggregate, by lower-case symbol.
    static func storedPositions(_ db: Database) throws -> [String: JournalPosition] {
        var positions: [String: JournalPosition] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT symbol, base, quote, fill_count, last_fill_ms FROM positions") {
            let symbol: String = row["symbol"]
            positions[symbol] = JournalPosition(
                symbol: symbol, base: try decimal(row, "base", table: "positions", key: symbol),
                quote: try decimal(row, "quote", table: "positions", key: symbol),
                fillCount: row["fill_count"], lastFillMs: row["last_fill_ms"])
        }
        for row in try Row.fetchAll(db, sql: "SELECT symbol, currency, amount FROM position_fees") {
            let symbol: String = row["symbol"], currency: String = row["currency"]
            let amount = try decimal(row, "amount", table: "position_fees", key: "\(symbol) \(currency)")
            positions[symbol, default: JournalPosition(symbol: symbol)].fees[currency] = amount
        }
        return positions
    }

    /// Computes the aggregate from every journaled fill (the `v2-positions` migration's
    /// backfill, run once). Exact decimals throughout; a bad row or an overflow fails the
    /// migration, which rolls back and leaves the file as it was.
    static func backfillPositions(_ db: Database) throws {
        var positions: [String: JournalPosition] = [:]
        let cursor = try Row.fetchCursor(db, sql: "SELECT trade_id, symbol, side, price, amount, fee, fee_currency, ts_ms FROM fills")
        while let row = try cursor.next() {
            let key: String = row["trade_id"]
            let symbol: String = row["symbol"]
            let side: Side = try decode(row, "side", table: "fills", key: key)
            let position = positions[symbol] ?? JournalPosition(symbol: symbol)
            guard let next = position.adding(
                side,
                price: try decimal(row, "price", table: "fills", key: key),
                amount: try decimal(row, "amount", table: "fills", key: key),
                fee: try decimal(row, "fee", table: "fills", key: key),
                feeCurrency: row["fee_currency"], timestampMs: row["ts_ms"])
            else { throw JournalError.arithmeticOverflow(symbol: symbol) }
            positions[symbol] = next
        }
        for p in positions.values {
            try db.execute(sql: "INSERT INTO positions (symbol, base, quote, fill_count, last_fill_ms) VALUES (?, ?, ?, ?, ?)",
                           arguments: [p.symbol, p.base.description, p.quote.description, p.fillCount, p.lastFillMs])
            for (currency, amount) in p.fees {
                try db.execute(sql: "INSERT INTO position_fees (symbol, currency, amount) VALUES (?, ?, ?)",
                               arguments: [p.symbol, currency, amount.description])
            }
        }
    }
}
