/// Why the control socket could not be served or reached, and what to do.
public enum ControlSocketError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The path does not fit a UNIX socket address (108 bytes on Linux).
    case pathTooLong(String)
    /// Something that is not a socket is in the way; it is never removed.
    case pathOccupied(String)
    /// A system call failed.
    case system(call: String, path: String, errno: Int32)
    /// Nothing listens there: the daemon is not running, or runs with another state directory.
    case notRunning(path: String)
    /// The daemon did not answer in time.
    case timedOut(path: String)
    /// The answer was not one line of text.
    case badAnswer(String)

    public var description: String {
        switch self {
        case .pathTooLong(let p): "control socket path is too long for a UNIX socket (108 bytes): \(p); use a shorter RUNTIME_DIRECTORY or state directory"
        case .pathOccupied(let p): "\(p) exists and is not a socket; move it away (castor never deletes it)"
        case .system(let call, let path, let e): "\(call) on \(path) failed: \(String(cString: strerror(e))) (errno \(e))"
        case .notRunning(let p): "castor is not running (nothing listens on \(p)); start it, or pass the --config it runs with"
        case .timedOut(let p): "castor did not answer on \(p) within the time limit"
        case .badAnswer(let why): "unexpected answer from castor: \(why)"
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
