#if canImport(Glibc)
import Glibc
#endif

/// An exclusive `flock` on `<state directory>/castor.lock`, held for the life of the
/// process, so two castor processes never share one state directory: they would race on
/// the nonce file (`nonce-<key>`) and on the journals, and cancel each other's orders.
///
/// The lock belongs to the open file and is released by the kernel when the process
/// exits, however it exits (`kill -9` included): no stale lock to clean up. The file holds
/// the owner's pid, so the refusal can name it.
public final class StateDirectoryLock: @unchecked Sendable {
    /// The lock file's name inside the state directory.
    public static let fileName = "castor.lock"

    /// Why the lock could not be taken.
    public enum Failure: Error, Equatable, CustomStringConvertible {
        /// Another process holds it (`pid` from the file, nil if unreadable).
        case held(path: String, pid: Int32?)
        /// The directory or file could not be created or opened.
        case unavailable(path: String, reason: String)

        public var description: String {
            switch self {
            case .held(let path, let pid):
                "another castor (pid \(pid.map(String.init) ?? "unknown")) is running on this state directory (\(path) is locked); "
                    + "stop it first, or give this instance its own [engine] state_directory"
            case .unavailable(let path, let reason):
                "cannot lock the state directory (\(path)): \(reason); check that the directory exists and is writable"
            }
        }
    }

    public let path: String
    private let fd: Int32

    private init(path: String, fd: Int32) {
        self.path = path
        self.fd = fd
    }

    deinit { close(fd) }

    /// Takes the lock on `stateDirectory` (created with mode 0700 if missing) and writes
    /// this process's pid into the lock file.
    public static func acquire(stateDirectory: String) -> Result<StateDirectoryLock, Failure> {
        let path = stateDirectory.hasSuffix("/") ? stateDirectory + fileName : stateDirectory + "/" + fileName
        if let reason = makeDirectories(stateDirectory) {
            return .failure(.unavailable(path: stateDirectory, reason: reason))
        }
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return .failure(.unavailable(path: path, reason: String(cString: strerror(errno)))) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            let owner = readPID(fd)
            close(fd)
            if code == EWOULDBLOCK { return .failure(.held(path: path, pid: owner)) }
            return .failure(.unavailable(path: path, reason: String(cString: strerror(code))))
        }
        let text = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = text.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        return .success(StateDirectoryLock(path: path, fd: fd))
    }

    /// `mkdir -p` with mode 0700 for each directory it makes: on a fresh machine the default
    /// (`~/.local/state/castor`) has missing parents. Nil on success, else why not.
    static func makeDirectories(_ path: String) -> String? {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += component
            if mkdir(prefix, 0o700) != 0, errno != EEXIST { return "\(prefix): \(String(cString: strerror(errno)))" }
            prefix += "/"
        }
        return nil
    }

    private static func readPID(_ fd: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return nil }
        let digits = buffer[0..<n].prefix { $0 >= 0x30 && $0 <= 0x39 }
        return Int32(String(decoding: digits, as: UTF8.self))
    }
}
