import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A journal file moved within the state directory (with its `-wal` and `-shm` companions).
public struct JournalFileMove: Sendable, Hashable, CustomStringConvertible {
    /// Where the file was (absolute path).
    public let from: String
    /// Where it is now (absolute path).
    public let to: String
    /// The destination held an older file of the same kind, which this move removed (only
    /// ever a set-aside journal: `Journal.setAside` keeps one generation).
    public let replacedOlder: Bool

    public var description: String {
        "\(from) → \(to)" + (replacedOlder ? " (replacing the older one there)" : "")
    }
}

/// Moving journal files between names: the one journal of older Castor versions to its
/// per-venue name, and the journals of a venue whose ledger started afresh out of the way.
///
/// Like opening a journal, these must only run while no `Journal` of the state directory is
/// open in this or any other process (the engine calls them before it opens its journal).
/// Renames are atomic and the directory is fsync'ed afterwards, so a crash leaves each file
/// either at its old name or at its new one.
extension Journal {
    /// SQLite's companions of a database file in WAL mode.
    static let companionSuffixes = ["-wal", "-shm"]

    /// True when the state directory holds a journal from before per-venue journals.
    public static func legacyJournalExists(stateDirectory: String) -> Bool {
        let directory = (stateDirectory as NSString).standardizingPath
        return FileManager.default.fileExists(atPath: (directory as NSString).appendingPathComponent(legacyFileName))
    }

    /// Gives the journal of older Castor versions (`castor.sqlite`, one per state directory,
    /// with no notion of venue or account) to `scope`, when `scope` has no journal yet.
    ///
    /// The old file is opened once first (integrity check and schema migrations, as any
    /// open; closing it checkpoints its write-ahead log into the file), then renamed to
    /// `scope.fileName`, together with any `-wal`/`-shm` left. Nothing is copied and nothing
    /// is deleted. Returns the move, or nil when there is no old file or `scope` already has
    /// its own journal (the old file is then left alone).
    ///
    /// The old file cannot say which venue it belonged to: call this for the venue being
    /// started (not for a simulator whose ledger is new), and tell the operator.
    /// - Throws: `JournalError` when the old file is unusable (corrupt, newer schema) or
    ///   cannot be renamed; it is then left where it was.
    public static func adoptLegacyJournal(stateDirectory: String, as scope: JournalScope) throws(JournalError) -> JournalFileMove? {
        let directory = (stateDirectory as NSString).standardizingPath
        try checkDirectory(directory)
        let legacy = (directory as NSString).appendingPathComponent(legacyFileName)
        let target = (directory as NSString).appendingPathComponent(scope.fileName)
        guard exists(legacy), !exists(target) else { return nil }
        // A `-wal` without its database (deleted by hand?) would be replayed into the
        // adopted file: refuse rather than mix it in.
        for suffix in companionSuffixes where exists(target + suffix) {
            throw .fileMove(from: legacy, to: target + suffix, errno: EEXIST)
        }
        let old = try Journal(directory: directory, fileName: legacyFileName)
        try old.close()
        // SQLite deletes the WAL when the last connection closes; if one is still there
        // (another process has the file open, or the platform keeps it), it travels with
        // the database, before it, so the database never sits at the new name without it.
        for suffix in companionSuffixes where exists(legacy + suffix) {
            try move(legacy + suffix, to: target + suffix)
        }
        try move(legacy, to: target)
        try syncDirectory(directory)
        return JournalFileMove(from: legacy, to: target, replacedOlder: false)
    }

    /// Moves every journal of `venue` (any account) out of the way, to
    /// `JournalScope.setAsideFileName`, for a venue whose ledger started afresh: the
    /// embedded simulator forgets its orders and fills when it stops and numbers trades from
    /// the same start again, so a journal of an earlier run would restore orders the new
    /// simulator never had and take its new fills for already-journaled ones.
    ///
    /// One generation is kept: an older set-aside file of the same scope is replaced (and
    /// reported in the returned move). Files are renamed with their `-wal`/`-shm`, so a
    /// set-aside journal stays a valid database. Returns one move per journal set aside.
    public static func setAside(stateDirectory: String, venue: String) throws(JournalError) -> [JournalFileMove] {
        let directory = (stateDirectory as NSString).standardizingPath
        try checkDirectory(directory)
        let entries: [String]
        do { entries = try FileManager.default.contentsOfDirectory(atPath: directory) } catch {
            throw .stateDirectoryUnwritable(path: directory, errno: EACCES)
        }
        let prefix = "castor." + JournalScope.venueSegment(venue) + "."
        var bases = Set<String>()
        for name in entries where name.hasPrefix(prefix) {
            var rest = Substring(name.dropFirst(prefix.count))
            for suffix in companionSuffixes where rest.hasSuffix(suffix) { rest = rest.dropLast(suffix.count) }
            guard rest.hasSuffix(".sqlite") else { continue }
            let account = rest.dropLast(".sqlite".count)
            // A set-aside file (`<account>.previous`) has a dot; an account segment never does.
            guard !account.isEmpty, !account.contains(".") else { continue }
            bases.insert(prefix + account)
        }
        var moves: [JournalFileMove] = []
        for base in bases.sorted() {
            let live = (directory as NSString).appendingPathComponent(base + ".sqlite")
            let aside = (directory as NSString).appendingPathComponent(base + ".previous.sqlite")
            let replacing = exists(aside)
            for file in [aside] + companionSuffixes.map({ aside + $0 }) where exists(file) {
                guard unlink(file) == 0 else { throw .stateDirectoryUnwritable(path: directory, errno: errno) }
            }
            // Companions first: a crash in between leaves the live database without its old
            // WAL (set aside with the rest next time), never a stale WAL next to a new file.
            for suffix in companionSuffixes where exists(live + suffix) {
                try move(live + suffix, to: aside + suffix)
            }
            if exists(live) { try move(live, to: aside) }
            moves.append(JournalFileMove(from: live, to: aside, replacedOlder: replacing))
        }
        if !moves.isEmpty { try syncDirectory(directory) }
        return moves
    }

    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    static func move(_ from: String, to: String) throws(JournalError) {
        guard rename(from, to) == 0 else { throw .fileMove(from: from, to: to, errno: errno) }
    }

    /// Makes renames in `directory` durable (they live in the directory, not in the files).
    static func syncDirectory(_ directory: String) throws(JournalError) {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw .stateDirectoryUnwritable(path: directory, errno: errno) }
        defer { _ = Glibc.close(fd) }
        guard fsync(fd) == 0 else { throw .stateDirectoryUnwritable(path: directory, errno: errno) }
    }
}
