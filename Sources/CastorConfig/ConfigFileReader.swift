#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a configuration file with a bound: only regular files, at most
/// ``CastorConfiguration/maximumFileSize`` bytes, so `--config /dev/zero` (or a FIFO, or a
/// runaway generated file) is refused with a message instead of being read without end.
enum ConfigFileReader {
    static func contents(path: String, limit: Int) throws(ConfigurationError) -> [UInt8] {
        // O_NONBLOCK: opening a FIFO with no writer must not hang; cleared below for a regular file.
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard fd >= 0 else {
            let code = errno
            throw .unreadable(path: path, reason: code == ENOENT ? "no such file"
                : code == EACCES ? "\(String(cString: strerror(code))) (check the file's permissions)"
                : String(cString: strerror(code)))
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .unreadable(path: path, reason: String(cString: strerror(errno))) }
        guard info.st_mode & S_IFMT == S_IFREG else {
            let kind = switch info.st_mode & S_IFMT {
            case S_IFDIR: "a directory"
            case S_IFCHR: "a character device"
            case S_IFBLK: "a block device"
            case S_IFIFO: "a pipe"
            case S_IFSOCK: "a socket"
            default: "not a regular file"
            }
            throw .unreadable(path: path, reason: "\(kind), not a regular file: give the path of a TOML file")
        }
        let tooLarge = "larger than \(limit / 1024) KiB; is this the right file?"
        guard Int64(info.st_size) <= Int64(limit) else { throw .unreadable(path: path, reason: tooLarge) }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        // Read at most limit + 1 bytes whatever fstat said: the file may grow while read.
        var bytes = [UInt8](repeating: 0, count: limit + 1)
        var count = 0
        while count < bytes.count {
            let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + count, $0.count - count) }
            if n > 0 { count += n } else if n == 0 { break } else if errno == EINTR { continue } else {
                throw .unreadable(path: path, reason: String(cString: strerror(errno)))
            }
        }
        guard count <= limit else { throw .unreadable(path: path, reason: tooLarge) }
        bytes.removeSubrange(count...)
        return bytes
    }
}
