import CastorCore
import Foundation
import GRDB
import Synchronization

/// The durable record of Castor's intents, order state changes and fills of one venue and
/// account, in `<state dir>/castor.<venue>.<account>.sqlite` (see `JournalScope`).
///
/// **Thread safety.** All access goes through one GRDB `DatabaseQueue`, which serialises
/// reads and writes on a single SQLite connection. Every method is synchronous and may be
/// called from any thread or queue; concurrent calls wait their turn. The engine calls it from
/// its serial queue (or a dedicated writer queue), so in practice there is no contention.
///
/// **Durability.** The database runs in WAL mode. Each write chooses its `Durability`:
/// `.synced` commits with `synchronous=FULL`, i.e. the WAL is fsync'ed before the call returns,
/// so a fill or intent the caller was told about survives a power cut; `.deferred` commits
/// with `synchronous=NORMAL`, which is still crash-safe for a process crash and never
/// corrupts the file, but the last commits before a power cut may be lost. Because the WAL
/// is one append-only file, a later `.synced` commit also makes every earlier deferred commit
/// durable. Fills, intents and the client-order counter are always synced; order state
/// events default to deferred, since the exchange still knows them and reconciliation after a
/// restart recovers any that were lost.
public final class Journal: Sendable {
    /// How hard a write insists on reaching the disk before returning.
    public enum Durability: Sendable, Hashable {
        /// `synchronous=FULL`: fsync of the WAL at commit (about one disk flush per call).
        case synced
        /// `synchronous=NORMAL`: no fsync at commit; survives process crashes, not power loss.
        case deferred
    }

    /// The one journal file of the state directory before journals were kept per venue and
    /// account; `adoptLegacyJournal` renames it to the first real venue's file.
    public static let legacyFileName = "castor.sqlite"

    /// Keys under this prefix belong to the journal; `setMeta` refuses them.
    public static let reservedMetaPrefix = "journal."
    static let counterKey = "journal.client_order_counter"
    static let lastFillPrefix = "journal.last_fill_ms."
    /// "1" while the journal is closed after a clean `close()`, "0" while it is open (or
    /// after a crash). See `init(directory:fileName:verification:)`.
    static let cleanShutdownKey = "journal.clean_shutdown"

    /// When opening runs SQLite's full `PRAGMA quick_check`.
    public enum Verification: Sendable, Hashable {
        /// Only when the previous run did not close the journal cleanly (a crash, a kill, a
        /// power cut), or the file predates the marker: the cases in which damage is likely.
        case afterUncleanShutdown
        /// At every open (reads the whole file: seconds for a journal of a million fills).
        case always
    }

    /// Absolute path of the database file.
    public let path: String
    private let queue: DatabaseQueue
    /// Rowids of the fills this instance inserted; see `containsFill(tradeID:countedThroughRow:)`.
    private let ownFillRows = Mutex<[ClosedRange<Int64>]>([])

    /// Opens the journal of `scope` in `stateDirectory` (file `scope.fileName`), creating and
    /// migrating it if needed.
    ///
    /// The directory must already exist (Castor does not guess where state lives). The file
    /// is created with mode 0600, and an existing file is tightened to 0600, because it
    /// reveals the account's trading history. See `Verification` for when opening runs
    /// SQLite's `quick_check`.
    public convenience init(stateDirectory: String, scope: JournalScope,
                            verification: Verification = .afterUncleanShutdown) throws(JournalError) {
        try self.init(directory: (stateDirectory as NSString).standardizingPath, fileName: scope.fileName,
                      verification: verification)
    }

    /// Opens `fileName` in `directory` (already standardised).
    ///
    /// Why the full check is not run at every open: `quick_check` reads every page, so its
    /// cost grows with history (seconds at a million fills) and start-up must not. SQLite's
    /// own WAL recovery still runs at every open and is what makes a crash safe; a file
    /// damaged some other way (disk, hand edits) is most likely after an unclean stop, when
    /// the check does run. A clean `close()` leaves a marker saying so, and the next open
    /// skips the check; the open clears the marker first, so a crash in between leaves it
    /// cleared. A file that is not a database at all fails on the first read whatever the
    /// marker, and a damaged page read later is still reported as `JournalError.corrupt`.
    init(directory: String, fileName: String, verification: Verification = .afterUncleanShutdown) throws(JournalError) {
        path = (directory as NSString).appendingPathComponent(fileName)
        try Journal.checkDirectory(directory)
        try Journal.createPrivateFile(path, directory: directory)

        var config = Configuration()
        config.journalMode = .wal
        config.label = "castor.journal"
        do {
            queue = try DatabaseQueue(path: path, configuration: config)
            try queue.writeWithoutTransaction { [path] db in
                var cleanlyClosed = false
                if try db.tableExists("meta") {
                    let marker = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [Journal.cleanShutdownKey])
                    cleanlyClosed = marker == "1"
                }
                if verification == .always || !cleanlyClosed {
                    let check = try String.fetchOne(db, sql: "PRAGMA quick_check") ?? "no result"
                    guard check == "ok" else { throw JournalError.corrupt(path: path, detail: check) }
                }
                let migrator = JournalSchema.migrator
                if try migrator.hasBeenSuperseded(db) {
                    let known = Set(migrator.migrations)
                    let unknown = try migrator.appliedIdentifiers(db).filter { !known.contains($0) }.sorted()
                    throw JournalError.newerSchema(path: path, unknownMigrations: unknown)
                }
            }
            try JournalSchema.migrator.migrate(queue)
        } catch {
            throw JournalError.wrap(error, path: path)
        }
        // Synced before anything else is written: from here on a crash means "unclean".
        try setCleanShutdownMarker(false)
    }

    private func setCleanShutdownMarker(_ clean: Bool) throws(JournalError) {
        try write(.synced) { db in
            try db.execute(sql: "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                           arguments: [Journal.cleanShutdownKey, clean ? "1" : "0"])
        }
    }

    /// Closes the database connection (SQLite checkpoints the WAL into the file). Every
    /// later call fails. Close before another `Journal` opens the same file (same scope), so
    /// exactly one writer owns the journal at a time (an engine handing over to its
    /// replacement). Closing twice is harmless.
    public func close() throws(JournalError) {
        // Ignored on failure (already closed, disk full): a missing marker only makes the
        // next open run the full check.
        try? setCleanShutdownMarker(true)
        do {
            try queue.close()
        } catch {
            throw JournalError.wrap(error, path: path)
        }
    }

    // MARK: - Writes

    /// Journals an order in state `pending`. Always synced (one WAL fsync).
    ///
    /// The engine calls this on its journal writer queue right after handing the request to
    /// the sender, not before: the exchange is the source of truth for orders, and a crash
    /// between the send and this commit leaves an order whose client order id carries our
    /// prefix, which the next start's reconciliation finds and adopts or cancels. What must
    /// never be lost is the client-order counter (`reserveClientOrderCounters`), which is
    /// synced before any id from its block is handed out.
    public func recordIntent(_ intent: JournalIntent) throws(JournalError) {
        if let bad = intent.options.first(where: { $0.contains(",") }) {
            throw .invalidArgument("order option '\(bad)' contains a comma")
        }
        try write(.synced) { db in
            let exists = try Bool.fetchOne(
                db.cachedStatement(sql: "SELECT 1 FROM intents WHERE client_order_id = ?"),
                arguments: [intent.clientOrderID]) ?? false
            if exists { throw JournalError.duplicateClientOrderID(intent.clientOrderID) }
            try db.cachedStatement(sql: """
                INSERT INTO intents (client_order_id, strategy, symbol, side, price, amount, options, created_ms, state)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [
                    intent.clientOrderID, intent.strategy, intent.symbol, intent.side.rawValue,
                    intent.price?.description, intent.amount.description, intent.options.joined(separator: ","),
                    intent.createdMs, JournalOrderState.pending.rawValue,
                ])
        }
    }

    /// Appends an order state change and moves the intent's current state to it.
    ///
    /// A terminal state is never left: a late `accepted` from a REST response that arrives
    /// after the WebSocket's `closed` is journaled as an event but does not reopen the order.
    public func recordOrderState(_ event: JournalOrderEvent, durability: Durability = .deferred) throws(JournalError) {
        try write(durability) { db in
            try db.cachedStatement(sql: """
                INSERT INTO order_events (client_order_id, order_id, state, executed, remaining, reason, ts_ms, source)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [
                    event.clientOrderID, event.orderID, event.state.rawValue, event.executed?.description,
                    event.remaining?.description, event.reason, event.timestampMs, event.source.rawValue,
                ])
            try db.cachedStatement(sql: """
                UPDATE intents SET state = ?
                WHERE client_order_id = ? AND state NOT IN (\(JournalOrderState.terminalSQLList))
                """).execute(arguments: [event.state.rawValue, event.clientOrderID])
        }
    }

    /// Journals a fill, synced. Returns false, writing nothing, when the trade id is already
    /// journaled: the same fill arrives from the WebSocket, REST and `/v1/mytrades`, and must
    /// count once.
    @discardableResult
    public func recordFill(_ fill: JournalFill) throws(JournalError) -> Bool {
        let row = try write(.synced) { db in try Journal.insert(fill, db) }
        noteOwnFillRows([row.rowid])
        return row.new
    }

    /// Journals many fills in one synced transaction (one fsync instead of one per fill), as
    /// when catching up from a `/v1/mytrades` page. Returns, per fill, whether it was new.
    @discardableResult
    public func recordFills(_ fills: [JournalFill]) throws(JournalError) -> [Bool] {
        let rows = try write(.synced) { db in try fills.map { try Journal.insert($0, db) } }
        noteOwnFillRows(rows.map(\.rowid))
        return rows.map(\.new)
    }

    /// Remembers the rowids of the fills recorded through this instance (after their commit),
    /// new or not: its caller counted them. As ranges: with one writer new fills get
    /// consecutive rowids, so this stays one range however many fills.
    private func noteOwnFillRows(_ rows: [Int64?]) {
        ownFillRows.withLock { ranges in
            for case let row? in rows {
                if let last = ranges.last, last.upperBound &+ 1 == row {
                    ranges[ranges.count - 1] = last.lowerBound...row
                } else {
                    ranges.append(row...row)
                }
            }
        }
    }

    /// Inserts a fill and adds it to the aggregate if its trade id is new; its row either way.
    private static func insert(_ fill: JournalFill, _ db: Database) throws -> (rowid: Int64?, new: Bool) {
        try db.cachedStatement(sql: """
            INSERT INTO fills (trade_id, order_id, client_order_id, symbol, side, price, amount, fee, fee_currency, liquidity, ts_ms)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (trade_id) DO NOTHING
            """).execute(arguments: [
                fill.tradeID, fill.orderID, fill.clientOrderID, fill.symbol, fill.side.rawValue,
                fill.price.description, fill.amount.description, fill.fee.description, fill.feeCurrency,
                fill.liquidity?.rawValue, fill.timestampMs,
            ])
        guard db.changesCount == 1 else {
            let existing = try Int64.fetchOne(db.cachedStatement(sql: "SELECT rowid FROM fills WHERE trade_id = ?"),
                                              arguments: [fill.tradeID])
            return (existing, false)
        }
        let rowid = db.lastInsertedRowID
        try Journal.addToPositions(fill, db)
        // Kept in meta (not only derived from `fills`) so that pruning old fills one day
        // cannot move the mytrades catch-up point backwards.
        try db.cachedStatement(sql: """
            INSERT INTO meta (key, value) VALUES (?, ?)
            ON CONFLICT (key) DO UPDATE SET value = excluded.value
            WHERE CAST(excluded.value AS INTEGER) > CAST(meta.value AS INTEGER)
            """).execute(arguments: [Journal.lastFillPrefix + fill.symbol, String(fill.timestampMs)])
        return (rowid, true)
    }

    /// Stores caller metadata (boot id, config hash, …); nil removes the key. Synced.
    public func setMeta(_ key: String, _ value: String?) throws(JournalError) {
        guard !key.hasPrefix(Journal.reservedMetaPrefix) else { throw .reservedMetaKey(key) }
        try write(.synced) { db in
            if let value {
                try db.execute(sql: "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                               arguments: [key, value])
            } else {
                try db.execute(sql: "DELETE FROM meta WHERE key = ?", arguments: [key])
            }
        }
    }

    /// The value stored under `key`, or nil. Also reads the journal's own keys.
    public func getMeta(_ key: String) throws(JournalError) -> String? {
        try read { db in try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [key]) }
    }

    /// The next value of the persisted client-order counter, starting at 1.
    ///
    /// Synced before it returns, so a number that may have reached the exchange as part of a
    /// client order id is never handed out again after a crash or power cut.
    public func nextClientOrderCounter() throws(JournalError) -> Int64 {
        try write(.synced) { db in
            let current = try Int64.fetchOne(
                db.cachedStatement(sql: "SELECT CAST(value AS INTEGER) FROM meta WHERE key = ?"),
                arguments: [Journal.counterKey]) ?? 0
            let next = current + 1
            try db.cachedStatement(sql: "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
                .execute(arguments: [Journal.counterKey, String(next)])
            return next
        }
    }

    /// Reserves every client-order counter up to and including `value`, synced: the
    /// persisted counter becomes `max(current, value)` and never goes down.
    ///
    /// The engine reserves counters in blocks (one synced write per block, not per order)
    /// and hands them out from memory. After a crash it resumes above the persisted mark,
    /// i.e. above every counter of the block in use, so no counter that may have reached the
    /// exchange is reused; the unused rest of the block is simply skipped.
    public func reserveClientOrderCounters(through value: Int64) throws(JournalError) {
        try write(.synced) { db in
            try db.cachedStatement(sql: """
                INSERT INTO meta (key, value) VALUES (?, ?)
                ON CONFLICT (key) DO UPDATE SET value = excluded.value
                WHERE CAST(excluded.value AS INTEGER) > CAST(meta.value AS INTEGER)
                """).execute(arguments: [Journal.counterKey, String(value)])
        }
    }

    // MARK: - Reads

    /// Rebuilds what the engine needs after a restart: open orders with their last event,
    /// exact per-symbol positions (the aggregate kept with every fill insert), the mytrades catch-up points, the counter
    /// and the caller's metadata. Reads in one transaction, so the parts agree.
    public func loadState() throws(JournalError) -> JournalState {
        try read { db in
            var openOrders: [JournalState.OpenOrder] = []
            let intentRows = try Row.fetchAll(db, sql: """
                SELECT * FROM intents WHERE state NOT IN (\(JournalOrderState.terminalSQLList))
                ORDER BY created_ms, client_order_id
                """)
            for row in intentRows {
                let intent = try Journal.intent(from: row)
                let state: JournalOrderState = try Journal.decode(row, "state", table: "intents", key: intent.clientOrderID)
                let last = try Row.fetchOne(
                    db.cachedStatement(sql: "SELECT * FROM order_events WHERE client_order_id = ? ORDER BY seq DESC LIMIT 1"),
                    arguments: [intent.clientOrderID]).map(Journal.event(from:))
                openOrders.append(.init(intent: intent, state: state, lastEvent: last))
            }

            // From the running aggregate, not by re-reading every fill (issue 10).
            let positions = try Journal.storedPositions(db)

            var lastFill: [String: Int64] = [:]
            var meta: [String: String] = [:]
            var counter: Int64 = 0
            for row in try Row.fetchAll(db, sql: "SELECT key, value FROM meta") {
                let key: String = row["key"], value: String = row["value"]
                if key == Journal.counterKey {
                    counter = Int64(value) ?? 0
                } else if key.hasPrefix(Journal.lastFillPrefix) {
                    lastFill[String(key.dropFirst(Journal.lastFillPrefix.count))] = Int64(value) ?? 0
                } else if !key.hasPrefix(Journal.reservedMetaPrefix) {
                    meta[key] = value
                }
            }
            let highWater = try Int64.fetchOne(db, sql: "SELECT max(rowid) FROM fills") ?? 0
            return JournalState(openOrders: openOrders, positions: positions, lastFillMs: lastFill,
                                clientOrderCounter: counter, meta: meta, fillRowHighWater: highWater)
        }
    }

    /// Journaled fills, oldest first, optionally of one symbol and/or at or after a time.
    public func fills(symbol: String? = nil, sinceMs: Int64? = nil) throws(JournalError) -> [JournalFill] {
        try read { db in
            var sql = "SELECT * FROM fills WHERE 1"
            var arguments: StatementArguments = []
            if let symbol { sql += " AND symbol = ?"; arguments += [symbol.lowercased()] }
            if let sinceMs { sql += " AND ts_ms >= ?"; arguments += [sinceMs] }
            sql += " ORDER BY ts_ms, trade_id"
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map(Journal.fill(from:))
        }
    }

    /// The newest fills of each symbol: those at or after the symbol's last fill time minus
    /// `windowMs`, at most `limitPerSymbol` of them (the newest), oldest first. Bounded work:
    /// an index range per symbol, whatever the length of the history.
    public func recentFills(windowMs: Int64, limitPerSymbol: Int) throws(JournalError) -> [JournalFill] {
        try read { db in
            var result: [JournalFill] = []
            for row in try Row.fetchAll(db, sql: "SELECT symbol, last_fill_ms FROM positions ORDER BY symbol") {
                let symbol: String = row["symbol"], last: Int64 = row["last_fill_ms"]
                let since = last.subtractingReportingOverflow(max(0, windowMs)).overflow ? Int64.min : last - max(0, windowMs)
                let rows = try Row.fetchAll(db.cachedStatement(sql: """
                    SELECT * FROM fills WHERE symbol = ? AND ts_ms >= ? ORDER BY ts_ms DESC, trade_id DESC LIMIT ?
                    """), arguments: [symbol, since, max(0, limitPerSymbol)])
                result += try rows.reversed().map(Journal.fill(from:))
            }
            return result.sorted { ($0.timestampMs, $0.tradeID) < ($1.timestampMs, $1.tradeID) }
        }
    }

    /// True when a fill with this trade id is journaled (the primary key: one index probe).
    public func containsFill(tradeID: String) throws(JournalError) -> Bool {
        try fillRow(tradeID: tradeID) != nil
    }

    /// True when a fill with this trade id is journaled and counted in totals read at
    /// `countedThroughRow` (`JournalState.fillRowHighWater`) or inserted since by this
    /// instance: the fills a ledger restored from that state has counted. A fill another
    /// writer journaled meanwhile (which `Journal` forbids, but a dropped engine in a test may
    /// still do) is not, so the ledger counts it instead of taking it as known.
    public func containsFill(tradeID: String, countedThroughRow: Int64) throws(JournalError) -> Bool {
        guard let row = try fillRow(tradeID: tradeID) else { return false }
        return row <= countedThroughRow || ownFillRows.withLock { $0.contains { $0.contains(row) } }
    }

    private func fillRow(tradeID: String) throws(JournalError) -> Int64? {
        try read { db in
            try Int64.fetchOne(db.cachedStatement(sql: "SELECT rowid FROM fills WHERE trade_id = ?"), arguments: [tradeID])
        }
    }

    /// The exact sum of the amounts of the order's journaled fills, leaving out the trade
    /// `excludingTradeID` if given (by the `fills_by_order` index: the order's fills only).
    public func executedAmount(orderID: String, excludingTradeID: String? = nil) throws(JournalError) -> ExactDecimal {
        try read { db in
            var total = ExactDecimal.zero
            let rows = try Row.fetchAll(db.cachedStatement(sql: "SELECT trade_id, amount FROM fills WHERE order_id = ?"),
                                        arguments: [orderID])
            for row in rows {
                let key: String = row["trade_id"]
                if key == excludingTradeID { continue }
                guard let sum = total.addingReportingOverflow(try Journal.decimal(row, "amount", table: "fills", key: key))
                else { throw JournalError.arithmeticOverflow(symbol: "order \(orderID)") }
                total = sum
            }
            return total
        }
    }

    /// The journaled intent with this client order id, and its current state.
    public func intent(clientOrderID: String) throws(JournalError) -> (intent: JournalIntent, state: JournalOrderState)? {
        try read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM intents WHERE client_order_id = ?", arguments: [clientOrderID])
            else { return nil }
            return (try Journal.intent(from: row), try Journal.decode(row, "state", table: "intents", key: clientOrderID))
        }
    }

    /// Every event journaled for a client order id, in the order recorded.
    public func orderEvents(clientOrderID: String) throws(JournalError) -> [JournalOrderEvent] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM order_events WHERE client_order_id = ? ORDER BY seq", arguments: [clientOrderID])
                .map(Journal.event(from:))
        }
    }

    // MARK: - Plumbing

    private func write<T>(_ durability: Durability, _ body: (Database) throws -> T) throws(JournalError) -> T {
        do {
            return try queue.writeWithoutTransaction { db in
                // synchronous cannot change inside a transaction, so it is set per write
                // before BEGIN; it costs no I/O.
                try db.cachedStatement(sql: durability == .synced ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL").execute()
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(db)
                    return .commit
                }
                return result!
            }
        } catch {
            throw JournalError.wrap(error, path: path)
        }
    }

    private func read<T>(_ body: (Database) throws -> T) throws(JournalError) -> T {
        do {
            return try queue.read(body)
        } catch {
            throw JournalError.wrap(error, path: path)
        }
    }
}
