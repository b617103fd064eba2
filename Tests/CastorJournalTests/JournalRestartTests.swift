import CastorCore
import CastorJournal
import Foundation
import Testing

@Suite struct JournalRestartTests {
    @Test func counterIsMonotonicAcrossReopen() throws {
        let dir = TempDirectory()
        do {
            let journal = try Journal(stateDirectory: dir.path, scope: scope)
            #expect(try journal.nextClientOrderCounter() == 1)
            #expect(try journal.nextClientOrderCounter() == 2)
        }
        let journal = try Journal(stateDirectory: dir.path, scope: scope)
        #expect(try journal.loadState().clientOrderCounter == 2)
        #expect(try journal.nextClientOrderCounter() == 3)
    }

    @Test func closeHandsTheFileToTheNextOwnerAndRefusesLaterWrites() throws {
        let dir = TempDirectory()
        let first = try Journal(stateDirectory: dir.path, scope: scope)
        try first.setMeta("engine.boot", "first")
        try first.close()
        try first.close()  // twice is harmless
        // Writes after close fail instead of reaching the file behind the next owner's back.
        #expect(throws: JournalError.self) { try first.setMeta("engine.boot", "late") }
        // The WAL was checkpointed into the database file by the close.
        #expect(!FileManager.default.fileExists(atPath: dir.file(scope.fileName + "-wal")))
        let second = try Journal(stateDirectory: dir.path, scope: scope)
        #expect(try second.getMeta("engine.boot") == "first")
    }

    @Test func stateAfterReopenEqualsWhatWasWritten() throws {
        let dir = TempDirectory()
        let fills = [
            makeFill("1", side: .buy, price: "3648.09", amount: "0.0027343246", fee: "0.024937655575035", ts: 100),
            makeFill("2", side: .buy, price: "3633.00", amount: "0.00423677", fee: "0.038480463525", ts: 200),
            makeFill("3", side: .sell, price: "3632.8508430064554", amount: "0.00000001", fee: "0.00000001", ts: 300),
            makeFill("4", side: .sell, symbol: "ETHBTC", price: "0.01514", amount: "785.020886", fee: "0.0001", ts: 250),
        ]
        let written: JournalState
        do {
            let journal = try Journal(stateDirectory: dir.path, scope: scope)
            try journal.setMeta("boot_id", "boot-1")
            for fill in fills { try journal.recordFill(fill) }
            try journal.recordIntent(makeIntent("open-1", created: 1))
            try journal.recordIntent(makeIntent("open-2", created: 2))
            try journal.recordIntent(makeIntent("done", created: 3))
            let booked = JournalOrderEvent(clientOrderID: "open-1", orderID: "9", state: .booked, executed: dec("0"),
                                           remaining: dec("0.00000001"), timestampMs: 50, source: .ws)
            try journal.recordOrderState(booked)
            try journal.recordOrderState(JournalOrderEvent(clientOrderID: "done", orderID: "10", state: .rejected,
                                                           reason: "InvalidPrice", timestampMs: 60, source: .ws))
            _ = try journal.nextClientOrderCounter()
            written = try journal.loadState()
            #expect(written.openOrders.map(\.intent.clientOrderID) == ["open-1", "open-2"])
            #expect(written.openOrders[0].state == .booked && written.openOrders[0].lastEvent == booked)
            #expect(written.openOrders[1].state == .pending && written.openOrders[1].lastEvent == nil)
        }
        let reopened = try Journal(stateDirectory: dir.path, scope: scope)
        let state = try reopened.loadState()
        #expect(state == written)
        #expect(try reopened.fills() == fills.sorted { $0.timestampMs < $1.timestampMs })

        // Hand-computed: 0.0027343246 + 0.00423677 - 0.00000001
        let btc = try #require(state.positions["btcusd"])
        #expect(btc.base.description == "0.0069710846")
        // -(3648.09 × 0.0027343246) - (3633.00 × 0.00423677) + 3632.8508430064554 × 0.00000001
        #expect(btc.quote == dec("-9.975062230014") - dec("15.3921854100") + dec("0.000036328508430064554"))
        #expect(btc.fees == ["USD": dec("0.063418119100035") + dec("0.00000001")])
        #expect(btc.fillCount == 3)
        let eth = try #require(state.positions["ethbtc"])
        #expect(eth.base == dec("-785.020886"))
        #expect(eth.quote == dec("11.88521621404"))
        #expect(state.lastFillMs == ["btcusd": 300, "ethbtc": 250])
        #expect(state.clientOrderCounter == 1)
        #expect(state.meta == ["boot_id": "boot-1"])
    }

    /// What a power cut or `kill -9` leaves: the database, its WAL with committed but not
    /// checkpointed frames, and a stale shared-memory index, copied while the connection is
    /// still open (closing would checkpoint and delete the WAL, hiding the case).
    @Test func crashLikeReopenLosesNoCommittedFill() throws {
        let live = TempDirectory()
        let crashed = TempDirectory()
        let journal = try Journal(stateDirectory: live.path, scope: scope)
        for i in 0..<50 { try journal.recordFill(makeFill("t\(i)", amount: "0.00000001", ts: Int64(i))) }
        let walSize = try FileManager.default.attributesOfItem(atPath: live.file(scope.fileName + "-wal"))[.size] as? Int ?? 0
        #expect(walSize > 0, "fills should still sit in the WAL")
        for suffix in ["", "-wal", "-shm"] {
            try FileManager.default.copyItem(atPath: live.file(scope.fileName + suffix), toPath: crashed.file(scope.fileName + suffix))
        }
        let reopened = try Journal(stateDirectory: crashed.path, scope: scope)
        let state = try reopened.loadState()
        #expect(state.positions["btcusd"]?.fillCount == 50)
        #expect(state.positions["btcusd"]?.base == dec("0.00000050"))
        #expect(try reopened.recordFill(makeFill("t49")) == false)
        withExtendedLifetime(journal) {}
    }

    /// The same, without copying: the first connection is never closed (as if its process
    /// were frozen), and a second one opens the same files.
    @Test func reopenWhileFirstConnectionIsAbandoned() throws {
        let dir = TempDirectory()
        let first = try Journal(stateDirectory: dir.path, scope: scope)
        try first.recordFill(makeFill("x"))
        _ = try first.nextClientOrderCounter()
        let second = try Journal(stateDirectory: dir.path, scope: scope)
        #expect(try second.fills().map(\.tradeID) == ["x"])
        #expect(try second.nextClientOrderCounter() == 2)
        withExtendedLifetime(first) {}
    }
}
