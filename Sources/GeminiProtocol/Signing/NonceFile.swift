#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The on-disk high-water mark of a `NonceSource`: one decimal integer of milliseconds
/// and a newline, mode 0600.
///
/// Writes are atomic and durable (temp file, fsync, rename, fsync of the directory) so a
/// crash leaves either the old or the new mark, never a torn or empty file.
struct NonceFile: Sendable {
    let path: String

    /// The stored mark, or nil when the file does not exist yet (first start for this key).
    func read() throws(NonceSourceError) -> Int64? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            let code = errno
            if code == ENOENT { return nil }
            throw .unreadable(path: path, errno: code)
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64)
        while bytes.count <= 64 {
            let count = chunk.withUnsafeMutableBytes { posixRead(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .unreadable(path: path, errno: errno)
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        guard let mark = Self.parse(bytes) else {
            throw .corrupt(path: path, contents: String(decoding: bytes.prefix(64), as: UTF8.self))
        }
        return mark
    }

    /// Replaces the stored mark atomically and durably.
    func write(_ mark: Int64) throws(NonceSourceError) {
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .writeFailed(path: temporary, operation: "open", errno: errno) }
        var closed = false
        defer { if !closed { close(fd) } }
        // open() honours the umask, and an old temp file keeps its mode: force 0600.
        guard fchmod(fd, 0o600) == 0 else { throw .writeFailed(path: temporary, operation: "fchmod", errno: errno) }
        let bytes = Array("\(mark)\n".utf8)
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { posixWrite(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .writeFailed(path: temporary, operation: "write", errno: errno)
            }
            written += count
        }
        guard fsync(fd) == 0 else { throw .writeFailed(path: temporary, operation: "fsync", errno: errno) }
        closed = true
        guard close(fd) == 0 else { throw .writeFailed(path: temporary, operation: "close", errno: errno) }
        guard rename(temporary, path) == 0 else { throw .writeFailed(path: path, operation: "rename", errno: errno) }
        // Without syncing the directory the rename itself may be lost on power failure.
        let directory = Self.directory(of: path)
        let dirFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dirFD >= 0 else { throw .writeFailed(path: directory, operation: "open directory", errno: errno) }
        defer { close(dirFD) }
        guard fsync(dirFD) == 0 else { throw .writeFailed(path: directory, operation: "fsync directory", errno: errno) }
    }

    /// Digits with an optional single trailing newline; anything else is corrupt.
    static func parse(_ bytes: [UInt8]) -> Int64? {
        var digits = bytes[...]
        if digits.last == UInt8(ascii: "\n") { digits = digits.dropLast() }
        guard !digits.isEmpty, digits.count <= 18,
              digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        return Int64(String(decoding: digits, as: UTF8.self))
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let directory = String(path[..<slash])
        return directory.isEmpty ? "/" : directory
    }
}

// Inside `NonceFile` its own `read()`/`write(_:)` methods shadow the C functions.
private func posixRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(fd, buffer, count)
}

private func posixWrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
    write(fd, buffer, count)
}
