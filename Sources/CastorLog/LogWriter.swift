#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Writes whole log lines to a file descriptor, one `write(2)` per line.
///
/// Formatting happens into one reusable buffer under a mutex, and the write is issued while the
/// mutex is held: lines from different threads can never interleave, even when a line is longer
/// than `PIPE_BUF` or the kernel accepts it in pieces. Logging is rare enough next to the
/// trading work that serialising it costs less than allocating a buffer per event.
///
/// The writer does not own the descriptor: stdout/stderr outlive it, and tests close their pipe.
public final class LogWriter: Sendable {
    /// The descriptor lines go to.
    public let fd: Int32
    private let buffer: Mutex<[UInt8]>

    /// Buffers that grew past this for one huge event are released afterwards.
    private static let retainedCapacity = 16 * 1024

    /// A writer for `fd` (1 = stdout, the journal when run by systemd).
    public init(fd: Int32 = 1) {
        self.fd = fd
        var initial: [UInt8] = []
        initial.reserveCapacity(1024)
        buffer = Mutex(initial)
    }

    /// Formats one line with `format` (which must not append the newline) and writes it.
    public func writeLine(_ format: (inout [UInt8]) -> Void) {
        buffer.withLock { bytes in
            bytes.removeAll(keepingCapacity: true)
            format(&bytes)
            bytes.append(UInt8(ascii: "\n"))
            Self.writeAll(fd, bytes)
            if bytes.capacity > Self.retainedCapacity {
                bytes = []
                bytes.reserveCapacity(1024)
            }
        }
    }

    /// Loops only for EINTR and short writes; any other failure drops the line, because there
    /// is nowhere left to report that logging itself failed.
    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n > 0 {
                    offset += n
                } else if n < 0 && errno == EINTR {
                    continue
                } else {
                    return
                }
            }
        }
    }
}
