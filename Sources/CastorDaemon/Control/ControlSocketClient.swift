#if canImport(Glibc)
import Glibc
#endif

/// The command line's side of the control socket: one request line, one answer line.
public enum ControlSocketClient {
    /// Sends `request` and returns the answer line (without its newline). Blocking; for
    /// the `castor status` / `castor kill-switch` commands.
    public static func request(_ request: String, path: String, timeoutSeconds: Int = 10) throws(ControlSocketError) -> String {
        let address = try UnixSocketAddress(path: path)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .system(call: "socket", path: path, errno: errno) }
        defer { close(fd) }
        var limit = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        guard address.withSockaddr({ connect(fd, $0, $1) }) == 0 else {
            let e = errno
            if e == ENOENT || e == ECONNREFUSED { throw .notRunning(path: path) }
            throw .system(call: "connect", path: path, errno: e)
        }
        let bytes = Array((request + "\n").utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else {
                if errno == EAGAIN { throw .timedOut(path: path) }
                throw .system(call: "send", path: path, errno: errno)
            }
            sent += n
        }
        var answer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16_384)
        while !answer.contains(0x0A) {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0, errno == EINTR { continue }
            if n < 0, errno == EAGAIN { throw .timedOut(path: path) }
            guard n > 0 else { break }
            answer += chunk.prefix(n)
            guard answer.count <= 16 << 20 else { throw .badAnswer("more than 16 MiB") }
        }
        guard let end = answer.firstIndex(of: 0x0A) else { throw .badAnswer("no complete line") }
        return String(decoding: answer[..<end], as: UTF8.self)
    }
}
