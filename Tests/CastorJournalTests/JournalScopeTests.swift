import CastorJournal
import Foundation
import Testing

/// One journal per venue and account: file names, separation, the legacy file, set-aside.
struct JournalScopeTests {
    @Test func fileNamesNameTheVenueAndAccount() {
        #expect(JournalScope(venue: "sim", account: nil).fileName == "castor.sim.default.sqlite")
        #expect(JournalScope(venue: "production", account: "primary").fileName == "castor.production.account-primary.sqlite")
        #expect(JournalScope(venue: "custom-127.0.0.1-8443", account: nil).fileName == "castor.custom-127.0.0.1-8443.default.sqlite")
        #expect(JournalScope(venue: "sandbox", account: "desk-2").setAsideFileName == "castor.sandbox.account-desk-2.previous.sqlite")
        // Anything that is not a plain name character is escaped, so names stay in the
        // directory, never hide, and an account can never contain the separator.
        #expect(JournalScope(venue: "a/b", account: "x.y").fileName == "castor.a%2Fb.account-x%2Ey.sqlite")
        #expect(JournalScope(venue: "sandbox", account: "tr%de").fileName == "castor.sandbox.account-tr%25de.sqlite")
    }

    @Test func distinctScopesNeverShareAFile() {
        let scopes = [
            JournalScope(venue: "sim", account: nil), JournalScope(venue: "sim", account: "default"),
            JournalScope(venue: "sim.default", account: nil), JournalScope(venue: "sim", account: "default.previous"),
            JournalScope(venue: "production", account: nil), JournalScope(venue: "production", account: "primary"),
            JournalScope(venue: "sandbox", account: nil), JournalScope(venue: "custom-localhost-8443", account: nil),
            JournalScope(venue: "custom-localhost-8443", account: "a_b"), JournalScope(venue: "custom-localhost-8443", account: "a b"),
        ]
        let names = scopes.flatMap { [$0.fileName, $0.setAsideFileName] }
        #expect(Set(names).count == names.count, "\(names)")
    }

    /// Gemini trade ids are unique only within a venue: the same id on two venues is two
    /// fills, each counted in its own venue's journal, and positions stay apart.
    @Test func sameTradeIDOnTwoVenuesIsCountedOnEachAndPositionsStayApart() throws {
        let dir = TempDirectory()
        let production = try Journal(stateDirectory: dir.path, scope: JournalScope(venue: "production", account: nil))
        let sandbox = try Journal(stateDirectory: dir.path, scope: JournalScope(venue: "sandbox", account: nil))
        #expect(try production.recordFill(makeFill("77", side: .buy, amount: "2")))
        #expect(try sandbox.recordFill(makeFill("77", side: .sell, amount: "0.5")), "a sandbox fill was taken for a production one")
        // Each still refuses its own duplicate.
        #expect(try !sandbox.recordFill(makeFill("77", side: .sell, amount: "0.5")))

        let p = try production.loadState().positions["btcusd"]
        let s = try sandbox.loadState().positions["btcusd"]
        #expect(p?.fillCount == 1 && p?.base == dec("2"))
        #expect(s?.fillCount == 1 && s?.base == dec("-0.5"))
        #expect(production.path != sandbox.path)
    }

    @Test func accountsOfOneVenueKeepApartToo() throws {
        let dir = TempDirectory()
        let primary = try Journal(stateDirectory: dir.path, scope: JournalScope(venue: "production", account: "primary"))
        let desk = try Journal(stateDirectory: dir.path, scope: JournalScope(venue: "production", account: "desk"))
        try primary.recordIntent(makeIntent("c-1"))
        try primary.reserveClientOrderCounters(through: 1000)
        #expect(try desk.loadState().openOrders.isEmpty)
        #expect(try desk.loadState().clientOrderCounter == 0)
        #expect(try primary.loadState().openOrders.map(\.intent.clientOrderID) == ["c-1"])
    }

    /// The scope has no key in it: a rotated key on the same venue and account opens the
    /// same file and finds the open orders, fills and counter the old key left.
    @Test func aRotatedKeyOnTheSameVenueAndAccountKeepsTheJournal() throws {
        let dir = TempDirectory()
        let before = try Journal(stateDirectory: dir.path, scope: JournalScope(venue: "sandbox", account: "primary"))
        try before.recordIntent(makeIntent("c-1"))
        try before.recordFill(makeFill("t1"))
        try before.reserveClientOrderCounters(through: 2000)
        try before.close()
        let after = try Journal(stateDirectory: dir.path, scope: JournalScope(venue: "sandbox", account: "primary"))
        let state = try after.loadState()
        #expect(state.openOrders.map(\.intent.clientOrderID) == ["c-1"])
        #expect(state.positions["btcusd"]?.fillCount == 1)
        #expect(state.clientOrderCounter == 2000)
    }

    /// The journal of older versions, as `kill -9` left it (committed fills still in its
    /// WAL), becomes the venue's journal with every fill; nothing is left at the old name.
    @Test func theLegacyJournalIsAdoptedWithItsWAL() throws {
        let live = TempDirectory()
        let state = TempDirectory()
        let writer = try Journal(stateDirectory: live.path, scope: scope)
        for i in 0..<20 { try writer.recordFill(makeFill("t\(i)", ts: Int64(i))) }
        try writer.recordIntent(makeIntent("c-open"))
        for suffix in ["", "-wal", "-shm"] {
            try FileManager.default.copyItem(atPath: live.file(scope.fileName + suffix), toPath: state.file(Journal.legacyFileName + suffix))
        }
        #expect(try FileManager.default.attributesOfItem(atPath: state.file(Journal.legacyFileName + "-wal"))[.size] as? Int ?? 0 > 0)
        #expect(Journal.legacyJournalExists(stateDirectory: state.path))

        let production = JournalScope(venue: "production", account: nil)
        let move = try #require(try Journal.adoptLegacyJournal(stateDirectory: state.path, as: production))
        #expect(move.from == state.file(Journal.legacyFileName))
        #expect(move.to == state.file(production.fileName))
        #expect(!Journal.legacyJournalExists(stateDirectory: state.path))
        for suffix in ["", "-wal", "-shm"] {
            #expect(!FileManager.default.fileExists(atPath: state.file(Journal.legacyFileName + suffix)), "\(suffix)")
        }
        let adopted = try Journal(stateDirectory: state.path, scope: production)
        let loaded = try adopted.loadState()
        #expect(loaded.positions["btcusd"]?.fillCount == 20)
        #expect(loaded.openOrders.map(\.intent.clientOrderID) == ["c-open"])
        #expect(try FileManager.default.attributesOfItem(atPath: state.file(production.fileName))[.posixPermissions] as? Int == 0o600)
    }

    /// A venue that already has its own journal leaves the legacy file alone (it may belong
    /// to the next venue that starts); with no legacy file there is nothing to do.
    @Test func theLegacyJournalIsNeverMergedIntoAnExistingOne() throws {
        let dir = TempDirectory()
        let sandbox = JournalScope(venue: "sandbox", account: nil)
        #expect(try Journal.adoptLegacyJournal(stateDirectory: dir.path, as: sandbox) == nil)
        let own = try Journal(stateDirectory: dir.path, scope: sandbox)
        try own.recordFill(makeFill("own"))
        try own.close()
        let legacy = try Journal(stateDirectory: dir.path, scope: JournalScope(venue: "x", account: nil))
        try legacy.recordFill(makeFill("legacy"))
        try legacy.close()
        try FileManager.default.moveItem(atPath: dir.file(JournalScope(venue: "x", account: nil).fileName), toPath: dir.file(Journal.legacyFileName))

        #expect(try Journal.adoptLegacyJournal(stateDirectory: dir.path, as: sandbox) == nil)
        #expect(Journal.legacyJournalExists(stateDirectory: dir.path))
        #expect(try Journal(stateDirectory: dir.path, scope: sandbox).fills().map(\.tradeID) == ["own"])
        // The next venue without a journal gets it.
        let production = JournalScope(venue: "production", account: nil)
        #expect(try Journal.adoptLegacyJournal(stateDirectory: dir.path, as: production) != nil)
        #expect(try Journal(stateDirectory: dir.path, scope: production).fills().map(\.tradeID) == ["legacy"])
    }

    @Test func aCorruptLegacyJournalIsReportedAndLeftInPlace() throws {
        let dir = TempDirectory()
        _ = FileManager.default.createFile(atPath: dir.file(Journal.legacyFileName), contents: Data(repeating: 0x42, count: 8192))
        let production = JournalScope(venue: "production", account: nil)
        #expect(throws: JournalError.self) { try Journal.adoptLegacyJournal(stateDirectory: dir.path, as: production) }
        #expect(Journal.legacyJournalExists(stateDirectory: dir.path))
        #expect(!FileManager.default.fileExists(atPath: dir.file(production.fileName)))
    }

    /// The embedded simulator's journals of an earlier run go aside (one generation kept,
    /// still a readable journal); other venues' journals and the legacy file stay.
    @Test func setAsideMovesOnlyThatVenuesJournals() throws {
        let dir = TempDirectory()
        let sim = JournalScope(venue: "sim", account: nil)
        let simPrimary = JournalScope(venue: "sim", account: "primary")
        let production = JournalScope(venue: "production", account: nil)
        let first = try Journal(stateDirectory: dir.path, scope: sim)
        try first.recordFill(makeFill("run-1"))
        try first.recordIntent(makeIntent("c-1"))
        try first.close()
        try Journal(stateDirectory: dir.path, scope: simPrimary).close()
        try Journal(stateDirectory: dir.path, scope: production).recordFill(makeFill("real"))
        _ = FileManager.default.createFile(atPath: dir.file(Journal.legacyFileName), contents: nil)

        let moves = try Journal.setAside(stateDirectory: dir.path, venue: "sim")
        #expect(moves.map(\.to).sorted() == [dir.file(simPrimary.setAsideFileName), dir.file(sim.setAsideFileName)].sorted())
        #expect(moves.allSatisfy { !$0.replacedOlder })
        #expect(!FileManager.default.fileExists(atPath: dir.file(sim.fileName)))
        #expect(FileManager.default.fileExists(atPath: dir.file(production.fileName)))
        #expect(Journal.legacyJournalExists(stateDirectory: dir.path))
        let fresh = try Journal(stateDirectory: dir.path, scope: sim).loadState()
        #expect(fresh.openOrders.isEmpty && fresh.positions.isEmpty)

        // The next run's journal replaces the set-aside one; the set-aside file is never
        // itself taken for a live journal.
        let second = try Journal(stateDirectory: dir.path, scope: sim)
        try second.recordFill(makeFill("run-2"))
        try second.close()
        let again = try Journal.setAside(stateDirectory: dir.path, venue: "sim")
        #expect(again.map(\.to) == [dir.file(sim.setAsideFileName)])
        #expect(again.first?.replacedOlder == true)
        let aside = try Journal(stateDirectory: dir.path, scope: JournalScope(venue: "sim", account: "x"))  // opens fine alongside
        try aside.close()
        #expect(try Journal.setAside(stateDirectory: dir.path, venue: "sim").count == 1, "only the journal just opened")
        #expect(FileManager.default.fileExists(atPath: dir.file(sim.setAsideFileName)))
        #expect(FileManager.default.fileExists(atPath: dir.file(JournalScope(venue: "sim", account: "x").setAsideFileName)))
        #expect(!FileManager.default.fileExists(atPath: dir.file(sim.fileName)))
    }

    /// A set-aside journal keeps its WAL with it, so it stays a complete database.
    @Test func setAsideKeepsTheWALWithItsDatabase() throws {
        let live = TempDirectory()
        let dir = TempDirectory()
        let sim = JournalScope(venue: "sim", account: nil)
        let writer = try Journal(stateDirectory: live.path, scope: sim)
        for i in 0..<10 { try writer.recordFill(makeFill("t\(i)", ts: Int64(i))) }
        for suffix in ["", "-wal", "-shm"] {
            try FileManager.default.copyItem(atPath: live.file(sim.fileName + suffix), toPath: dir.file(sim.fileName + suffix))
        }
        #expect(try Journal.setAside(stateDirectory: dir.path, venue: "sim").count == 1)
        for suffix in ["", "-wal", "-shm"] {
            #expect(!FileManager.default.fileExists(atPath: dir.file(sim.fileName + suffix)), "\(suffix)")
        }
        // Renamed back by hand, it is the whole journal.
        for suffix in ["", "-wal", "-shm"] {
            try FileManager.default.moveItem(atPath: dir.file(sim.setAsideFileName + suffix), toPath: dir.file("castor.restored.default.sqlite" + suffix))
        }
        let restored = try Journal(stateDirectory: dir.path, scope: JournalScope(venue: "restored", account: nil))
        #expect(try restored.fills().count == 10)
    }
}
