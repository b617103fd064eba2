import CastorJournal
import Foundation
import GRDB
import Testing

@Suite struct JournalOpenErrorTests {
    @Test func missingDirectory() {
        let dir = TempDirectory()
        let missing = dir.file("nope")
        #expect(throws: JournalError.stateDirectoryMissing(path: missing)) { try Journal(stateDirectory: missing, scope: scope) }
    }

    @Test func directoryPathIsAFile() throws {
        let dir = TempDirectory()
        let file = dir.file("plain")
        _ = FileManager.default.createFile(atPath: file, contents: Data("x".utf8))
        #expect(throws: JournalError.notADirectory(path: file)) { try Journal(stateDirectory: file, scope: scope) }
    }

    @Test func unwritableDirectory() throws {
        let dir = TempDirectory()
        // root ignores directory permissions; sysfs refuses file creation even to root.
        let target: String
        if getuid() == 0 {
            target = "/sys"
        } else {
            target = dir.file("ro")
            try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: false,
                                                    attributes: [.posixPermissions: 0o500])
        }
        do {
            _ = try Journal(stateDirectory: target, scope: scope)
            Issue.record("opened a journal in an unwritable directory")
        } catch {
            guard case .stateDirectoryUnwritable(let path, _) = error else { Issue.record("unexpected \(error)"); return }
            #expect(path == target)
        }
    }

    @Test func garbageFileIsCorrupt() throws {
        let dir = TempDirectory()
        let garbage = Data(String(repeating: "not a database, just trades.csv\n", count: 200).utf8)
        _ = FileManager.default.createFile(atPath: dir.file(scope.fileName), contents: garbage)
        do {
            _ = try Journal(stateDirectory: dir.path, scope: scope)
            Issue.record("opened a garbage file")
        } catch {
            guard case .corrupt(let path, _) = error else { Issue.record("unexpected \(error)"); return }
            #expect(path == dir.file(scope.fileName))
        }
    }

    @Test func damagedPagesAreCorrupt() throws {
        let dir = TempDirectory()
        do {
            let journal = try Journal(stateDirectory: dir.path, scope: scope)
            for i in 0..<200 { try journal.recordFill(makeFill("t\(i)")) }
        }
        // Overwrite everything after the header page with noise.
        let path = dir.file(scope.fileName)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(bytes.count > 8192)
        for i in 4096..<bytes.count { bytes[i] = UInt8(truncatingIfNeeded: i &* 31 &+ 7) }
        try bytes.write(to: URL(fileURLWithPath: path))
        do {
            _ = try Journal(stateDirectory: dir.path, scope: scope)
            Issue.record("opened a damaged file")
        } catch {
            guard case .corrupt = error else { Issue.record("unexpected \(error)"); return }
        }
    }

    @Test func newerSchemaIsRefused() throws {
        let dir = TempDirectory()
        _ = try Journal(stateDirectory: dir.path, scope: scope)
        // What a future Castor's migrator would leave behind.
        let queue = try DatabaseQueue(path: dir.file(scope.fileName))
        try queue.write { db in try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v2-future')") }
        try queue.close()
        #expect(throws: JournalError.newerSchema(path: dir.file(scope.fileName), unknownMigrations: ["v2-future"])) {
            try Journal(stateDirectory: dir.path, scope: scope)
        }
    }

    @Test func tamperedDecimalIsACorruptRecordNotZero() throws {
        let dir = TempDirectory()
        try Journal(stateDirectory: dir.path, scope: scope).recordFill(makeFill("t1"))
        let queue = try DatabaseQueue(path: dir.file(scope.fileName))
        try queue.write { db in try db.execute(sql: "UPDATE fills SET amount = '1,5'") }
        try queue.close()
        let journal = try Journal(stateDirectory: dir.path, scope: scope)
        // loadState reads the positions aggregate, not the fills; reading the fill is strict.
        #expect(throws: JournalError.corruptRecord(table: "fills", key: "t1", detail: "amount '1,5' is not an exact decimal")) {
            try journal.fills()
        }
        try journal.close()
    }

    @Test func tamperedAggregateIsACorruptRecordNotZero() throws {
        let dir = TempDirectory()
        try Journal(stateDirectory: dir.path, scope: scope).recordFill(makeFill("t1"))
        let queue = try DatabaseQueue(path: dir.file(scope.fileName))
        try queue.write { db in
            try db.execute(sql: "UPDATE positions SET base = '1,5'")
            try db.execute(sql: "UPDATE position_fees SET amount = 'x'")
        }
        try queue.close()
        let journal = try Journal(stateDirectory: dir.path, scope: scope)
        #expect(throws: JournalError.corruptRecord(table: "positions", key: "btcusd", detail: "base '1,5' is not an exact decimal")) {
            try journal.loadState()
        }
        // A new fill on top of a bad total is refused too (rolled back), never added to zero.
        #expect(throws: JournalError.corruptRecord(table: "positions", key: "btcusd", detail: "base '1,5' is not an exact decimal")) {
            try journal.recordFill(makeFill("t2"))
        }
        #expect(try journal.fills().map(\.tradeID) == ["t1"])
    }

    @Test func filesAreOwnerOnly() throws {
        let dir = TempDirectory()
        // A pre-existing world-readable file is tightened too.
        _ = FileManager.default.createFile(atPath: dir.file(scope.fileName), contents: nil, attributes: [.posixPermissions: 0o644])
        let journal = try Journal(stateDirectory: dir.path, scope: scope)
        try journal.recordFill(makeFill("t1"))
        for name in [scope.fileName, scope.fileName + "-wal", scope.fileName + "-shm"] {
            let mode = try FileManager.default.attributesOfItem(atPath: dir.file(name))[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(name)")
        }
    }
}
