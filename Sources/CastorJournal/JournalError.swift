import Foundation
import GRDB

/// Why the journal could not be opened, read or written.
///
/// The engine treats every case as fatal for trading: without a durable journal a fill could
/// be acknowledged and then forgotten, so it stops rather than trade blind.
public enum JournalError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The state directory does not exist. Castor never creates it: a typo in the
    /// configuration must not silently start from an empty history.
    case stateDirectoryMissing(path: String)
    /// The state directory path names something that is not a directory.
    case notADirectory(path: String)
    /// The state directory (or the journal file in it) cannot be written: SQLite needs to
    /// create the `-wal` and `-shm` files next to the database.
    case stateDirectoryUnwritable(path: String, errno: Int32)
    /// The journal file exists but is not a SQLite database, or fails its integrity check.
    case corrupt(path: String, detail: String)
    /// The file was migrated by a newer Castor; this one does not know these migrations and
    /// must not write to a schema it does not understand.
    case newerSchema(path: String, unknownMigrations: [String])
    /// A stored value does not parse (an exact decimal, a side, a state): the file was edited
    /// by hand or damaged.
    case corruptRecord(table: String, key: String, detail: String)
    /// `recordIntent` with a client order id the journal already holds.
    case duplicateClientOrderID(String)
    /// An argument the journal cannot store faithfully (e.g. an option containing a comma).
    case invalidArgument(String)
    /// `setMeta` on a key under the journal's own `journal.` prefix.
    case reservedMetaKey(String)
    /// A position sum exceeded the 38 digits of `ExactDecimal`.
    case arithmeticOverflow(symbol: String)
    /// The disk is full: the last write was rolled back, nothing was half-written.
    case diskFull(path: String)
    /// A journal file could not be renamed or removed while moving it to its per-venue name
    /// or setting it aside; the files it did not reach are where they were.
    case fileMove(from: String, to: String, errno: Int32)
    /// Any other SQLite failure, with its primary result code.
    case sqlite(code: Int32, message: String)

    public var description: String {
        switch self {
        case .stateDirectoryMissing(let path): "journal: state directory \(path) does not exist"
        case .notADirectory(let path): "journal: \(path) is not a directory"
        case .stateDirectoryUnwritable(let path, let e): "journal: cannot write in \(path): \(String(cString: strerror(e)))"
        case .corrupt(let path, let detail): "journal: \(path) is corrupt: \(detail)"
        case .newerSchema(let path, let ids):
            "journal: \(path) was written by a newer Castor (unknown migrations \(ids.joined(separator: ", ")))"
        case .corruptRecord(let table, let key, let detail): "journal: bad record in \(table) (\(key)): \(detail)"
        case .duplicateClientOrderID(let id): "journal: client order id \(id) already recorded"
        case .invalidArgument(let why): "journal: invalid argument: \(why)"
        case .reservedMetaKey(let key): "journal: meta key \(key) is reserved for the journal itself"
        case .arithmeticOverflow(let symbol): "journal: position of \(symbol) overflows an exact decimal"
        case .diskFull(let path): "journal: disk full writing \(path)"
        case .fileMove(let from, let to, let e):
            "journal: cannot move \(from) to \(to): \(String(cString: strerror(e))); fix the state directory's permissions, or move the file by hand while castor is stopped"
        case .sqlite(let code, let message): "journal: SQLite error \(code): \(message)"
        }
    }

    /// Maps whatever GRDB or SQLite threw onto a journal error; journal errors pass through.
    static func wrap(_ error: any Error, path: String) -> JournalError {
        if let error = error as? JournalError { return error }
        guard let db = error as? DatabaseError else {
            return .sqlite(code: -1, message: String(describing: error))
        }
        let message = db.message ?? "\(db.resultCode)"
        switch db.resultCode {
        case .SQLITE_NOTADB, .SQLITE_CORRUPT: return .corrupt(path: path, detail: message)
        case .SQLITE_FULL: return .diskFull(path: path)
        case .SQLITE_READONLY, .SQLITE_PERM, .SQLITE_CANTOPEN:
            return .stateDirectoryUnwritable(path: (path as NSString).deletingLastPathComponent, errno: EACCES)
        default: return .sqlite(code: db.resultCode.primaryResultCode.rawValue, message: message)
        }
    }
}
