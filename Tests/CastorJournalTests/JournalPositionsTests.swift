import CastorCore
import CastorJournal
import Foundation
import GRDB
import Testing

/// The per-symbol aggregate kept with each fill (issue 10) and the bounded open.
@Suite struct JournalPositionsTests {
    static func fills(_ n: Int) -> [JournalFill] {
        (0..<n).map { (i: Int) -> JournalFill in
            let side: Side = i % 3 == 0 ? .sell : .buy
            let symbol = i % 2 == 0 ? "btcusd" : "ethusd"
            let price = String(1_000 + i % 97) + "." + String(i % 1_000)
            let amount = "0." + String(1 + i % 777)
            let fee = i % 5 == 0 ? "0" : "0.00" + String(i % 13)
            let ts = Int64(1_000_000) + Int64(i) * 1_000
            return makeFill("t" + String(i), side: side, symbol: symbol, price: price, amount: amount, fee: fee, ts: ts)
        }
    }

    /// The sums, computed here independently of the journal.
    static func expected(_ fills: [JournalFill]) -> [String: (base: ExactDecimal, quote: ExactDecimal, fees: [String: ExactDecimal], count: Int, last: Int64)] {
        var result: [String: (base: ExactDecimal, quote: ExactDecimal, fees: [String: ExactDecimal], count: Int, last: Int64)] = [:]
        for f in fills {
            var e = result[f.symbol] ?? (.zero, .zero, [:], 0, 0)
            let notional = f.price * f.amount
            e.base = f.side == .buy ? e.base + f.amount : e.base - f.amount
            e.quote = f.side == .buy ? e.quote - notional : e.quote + notional
            e.fees[f.feeCurrency, default: .zero] = e.fees[f.feeCurrency, default: .zero] + f.fee
            e.count += 1
            e.last = max(e.last, f.timestampMs)
            result[f.symbol] = e
        }
        return result
    }

    static func check(_ positions: [String: JournalPosition], against fills: [JournalFill]) {
        let want = expected(fills)
        #expect(Set(positions.keys) == Set(want.keys))
        for (symbol, e) in want {
            let p = positions[symbol]
            #expect(p?.base == e.base && p?.quote == e.quote, "\(symbol)")
            #expect(p?.fees == e.fees && p?.fillCount == e.count && p?.lastFillMs == e.last, "\(symbol)")
        }
    }

    @Test func aggregateEqualsTheSumOfFills() throws {
        let dir = TempDirectory()
        let all = Self.fills(2_000)
        let journal = try Journal(stateDirectory: dir.path, scope: scope)
        try journal.recordFills(Array(all[..<1_500]))
        for f in all[1_500...] { try journal.recordFill(f) }
        // Duplicates (same trade id, even with other numbers) change nothing.
        #expect(try journal.recordFills(Array(all[..<10])) == Array(repeating: false, count: 10))
        var changed = all[3]
        changed.amount = dec("99")
        #expect(try journal.recordFill(changed) == false)
        Self.check(try journal.loadState().positions, against: all)
        try journal.close()
        // And after a restart.
        Self.check(try Journal(stateDirectory: dir.path, scope: scope).loadState().positions, against: all)
    }

    /// A journal written before the aggregate existed (migration v1 only) gets it backfilled
    /// from its fills when opened.
    @Test func migrationBackfillsTheAggregate() throws {
        let dir = TempDirectory()
        let all = Self.fills(1_000)
        do {
            let journal = try Journal(stateDirectory: dir.path, scope: scope)
            try journal.recordFills(all)
            try journal.close()
        }
        // Turn the file back into what the previous release left: no aggregate, no v2 row,
        // no clean-shutdown marker.
        let queue = try DatabaseQueue(path: dir.file(scope.fileName))
        try queue.write { db in
            try db.execute(sql: """
                DROP TABLE positions; DROP TABLE position_fees;
                DELETE FROM grdb_migrations WHERE identifier = 'v2-positions';
                DELETE FROM meta WHERE key = 'journal.clean_shutdown';
                """)
        }
        try queue.close()
        let journal = try Journal(stateDirectory: dir.path, scope: scope)
        Self.check(try journal.loadState().positions, against: all)
        // New fills keep adding to the backfilled totals.
        let more = (0..<10).map { makeFill("new\($0)", ts: 5_000_000_000 + Int64($0)) }
        try journal.recordFills(more)
        Self.check(try journal.loadState().positions, against: all + more)
    }

    @Test func aBadFillRowFailsTheBackfillAsACorruptRecord() throws {
        let dir = TempDirectory()
        do {
            let journal = try Journal(stateDirectory: dir.path, scope: scope)
            try journal.recordFill(makeFill("t1"))
            try journal.close()
        }
        let queue = try DatabaseQueue(path: dir.file(scope.fileName))
        try queue.write { db in
            try db.execute(sql: """
                DROP TABLE positions; DROP TABLE position_fees;
                DELETE FROM grdb_migrations WHERE identifier = 'v2-positions';
                UPDATE fills SET amount = '1e999' WHERE trade_id = 't1';
                """)
        }
        try queue.close()
        #expect(throws: JournalError.corruptRecord(table: "fills", key: "t1", detail: "amount '1e999' is not an exact decimal")) {
            try Journal(stateDirectory: dir.path, scope: scope)
        }
    }

    @Test func recentFillsAreBoundedPerSymbol() throws {
        let dir = TempDirectory()
        let all = Self.fills(2_000)  // one second apart, alternating symbols
        let journal = try Journal(stateDirectory: dir.path, scope: scope)
        try journal.recordFills(all)
        let recent = try journal.recentFills(windowMs: 10_000, limitPerSymbol: 100)
        // Each symbol fills every 2 s: its last fill and the 5 before it are within 10 s.
        #expect(recent.map(\.tradeID) == ["t1988", "t1989", "t1990", "t1991", "t1992", "t1993", "t1994", "t1995", "t1996", "t1997", "t1998", "t1999"])
        #expect(try journal.recentFills(windowMs: 10_000_000, limitPerSymbol: 3).map(\.tradeID) == ["t1994", "t1995", "t1996", "t1997", "t1998", "t1999"])
        #expect(try journal.containsFill(tradeID: "t0") && !journal.containsFill(tradeID: "t2000"))
        let order0 = try journal.executedAmount(orderID: "o-t0")
        #expect(order0 == all[0].amount)
        #expect(try journal.executedAmount(orderID: "o-t0", excludingTradeID: "t0") == .zero)
    }

    @Test func cleanShutdownIsMarked() throws {
        let dir = TempDirectory()
        let journal = try Journal(stateDirectory: dir.path, scope: scope)
        #expect(try journal.getMeta("journal.clean_shutdown") == "0")
        try journal.close()
        try journal.close()  // harmless
        let queue = try DatabaseQueue(path: dir.file(scope.fileName))
        #expect(try queue.read { db in try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'journal.clean_shutdown'") } == "1")
        try queue.close()
        let reopened = try Journal(stateDirectory: dir.path, scope: scope)
        #expect(try reopened.getMeta("journal.clean_shutdown") == "0")
        #expect(try reopened.loadState().meta["journal.clean_shutdown"] == nil)
    }

    /// The full check is skipped after a clean close, but a damaged file is still refused
    /// with `corrupt`, at the open or at the first read of the damaged pages.
    @Test func damageAfterACleanCloseIsStillRefused() throws {
        let dir = TempDirectory()
        do {
            let journal = try Journal(stateDirectory: dir.path, scope: scope)
            for i in 0..<200 { try journal.recordFill(makeFill("t\(i)")) }
            try journal.close()
        }
        let path = dir.file(scope.fileName)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(bytes.count > 8192)
        for i in 4096..<bytes.count { bytes[i] = UInt8(truncatingIfNeeded: i &* 31 &+ 7) }
        try bytes.write(to: URL(fileURLWithPath: path))
        do {
            let journal = try Journal(stateDirectory: dir.path, scope: scope)
            _ = try journal.loadState()
            _ = try journal.fills()
            Issue.record("read a damaged file")
        } catch {
            guard case .corrupt = error else { Issue.record("unexpected \(error)"); return }
        }
    }

    /// `.always` runs the full check even after a clean close.
    @Test func alwaysVerificationChecksAfterACleanClose() throws {
        let dir = TempDirectory()
        do {
            let journal = try Journal(stateDirectory: dir.path, scope: scope)
            for i in 0..<500 { try journal.recordFill(makeFill("t\(i)", ts: Int64(i))) }
            try journal.close()
        }
        // Damage only the last page (fill rows or an index the open does not read).
        let path = dir.file(scope.fileName)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        for i in (bytes.count - 4096)..<bytes.count { bytes[i] = UInt8(truncatingIfNeeded: i &* 31 &+ 7) }
        try bytes.write(to: URL(fileURLWithPath: path))
        do {
            _ = try Journal(stateDirectory: dir.path, scope: scope, verification: .always)
            Issue.record("opened a damaged file with verification .always")
        } catch {
            guard case .corrupt = error else { Issue.record("unexpected \(error)"); return }
        }
    }

    /// The archive a restored ledger consults knows only the fills its totals include: those
    /// journaled when the state was read and those recorded through the same instance since.
    @Test func countedFillsAreThoseOfTheStateAndOfThisInstance() throws {
        let dir = TempDirectory()
        let journal = try Journal(stateDirectory: dir.path, scope: scope)
        try journal.recordFills((0..<10).map { makeFill("old\($0)") })
        let mark = try journal.loadState().fillRowHighWater
        #expect(mark == 10)
        try journal.recordFill(makeFill("mine"))
        // A second writer (forbidden in production; a dropped engine in a test).
        let other = try Journal(stateDirectory: dir.path, scope: scope)
        try other.recordFill(makeFill("theirs"))
        #expect(try journal.containsFill(tradeID: "old3", countedThroughRow: mark))
        #expect(try journal.containsFill(tradeID: "mine", countedThroughRow: mark))
        #expect(try !journal.containsFill(tradeID: "theirs", countedThroughRow: mark))
        #expect(try journal.containsFill(tradeID: "theirs"))
        // Once this instance's caller records it (and so counted it), it is counted.
        #expect(try journal.recordFill(makeFill("theirs")) == false)
        #expect(try journal.containsFill(tradeID: "theirs", countedThroughRow: mark))
        #expect(try !journal.containsFill(tradeID: "never", countedThroughRow: mark))
        try other.close()
        try journal.close()
    }
}
