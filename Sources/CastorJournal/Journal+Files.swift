import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Checks on the state directory and the file before SQLite sees them, so that the common
/// operator mistakes get a precise error instead of SQLite's generic "unable to open".
extension Journal {
    static func checkDirectory(_ directory: String) throws(JournalError) {
        var info = stat()
        guard stat(directory, &info) == 0 else {
            if errno == ENOENT { throw .stateDirectoryMissing(path: directory) }
            if errno == ENOTDIR { throw .notADirectory(path: directory) }
            throw .stateDirectoryUnwritable(path: directory, errno: errno)
        }
        guard info.st_mode & S_IFMT == S_IFDIR else { throw .notADirectory(path: directory) }
        // SQLite creates `-wal` and `-shm` next to the database on every open.
        guard access(directory, W_OK | X_OK) == 0 else { throw .stateDirectoryUnwritable(path: directory, errno: errno) }
    }

    /// Creates the file with mode 0600 (or tightens an existing one). SQLite gives the `-wal`
    /// and `-shm` files the database file's mode, so they are private too.
    static func createPrivateFile(_ path: String, directory: String) throws(JournalError) {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            let e = errno
            if e == EISDIR { throw .corrupt(path: path, detail: "is a directory") }
            throw .stateDirectoryUnwritable(path: directory, errno: e)
        }
        // Qualified: inside `Journal`, `close` is the journal's own `close()`.
        defer { _ = Glibc.close(fd) }
        guard fchmod(fd, 0o600) == 0 else { throw .stateDirectoryUnwritable(path: directory, errno: errno) }
    }
}
