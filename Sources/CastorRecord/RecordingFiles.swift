import Glibc

/// When `castor record` starts a new file.
public enum RecordingRotation: Sendable, Equatable {
    case none
    /// Before a write would take the current file past this many bytes (a file holds at
    /// least one chunk, so it can exceed the limit by one chunk when the limit is tiny).
    case bytes(Int)
    /// When the UTC hour of the chunk's time differs from the current file's.
    case hourly
}

/// A failure to create or write a recording file, with the call and errno's text.
public struct RecordingFileError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let call: String
    public let errno: Int32
    public var description: String { "\(path): \(call) failed: \(String(cString: strerror(errno)))" }
}

/// The output of one recording: `path` first, then `path.1`, `path.2`, … in recording order
/// (nothing is ever renamed, so `castor backtest path path.1 path.2` reads them in order).
/// Every file is created with O_TRUNC; whole chunks (whole lines) are written, so every
/// file ends at a line boundary.
///
/// Not thread-safe: one owner (the recorder's I/O queue) calls everything.
final class RecordingFiles {
    let basePath: String
    let rotation: RecordingRotation
    private var fd: Int32 = -1
    private var fileBytes = 0
    private var fileHour: Int64 = -1
    /// Every file created so far, in order.
    private(set) var paths: [String] = []
    /// Bytes written to all files.
    private(set) var totalBytes = 0

    /// Creates the first file right away, so an unwritable output fails before anything
    /// connects.
    init(path: String, rotation: RecordingRotation, nowMs: Int64) throws(RecordingFileError) {
        basePath = path
        self.rotation = rotation
        try open(path, hour: nowMs / 3_600_000)
    }

    deinit { if fd >= 0 { Glibc.close(fd) } }

    private func open(_ path: String, hour: Int64) throws(RecordingFileError) {
        let newFD = Glibc.open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard newFD >= 0 else { throw RecordingFileError(path: path, call: "open", errno: errno) }
        if fd >= 0 { Glibc.close(fd) }
        fd = newFD
        fileBytes = 0
        fileHour = hour
        paths.append(path)
    }

    /// Writes `chunk` (whole lines) received around `timeMs`, rotating first if due.
    func write(_ chunk: [UInt8], timeMs: Int64) throws(RecordingFileError) {
        guard !chunk.isEmpty else { return }
        let hour = timeMs / 3_600_000
        let due: Bool = switch rotation {
        case .none: false
        case .bytes(let limit): fileBytes > 0 && fileBytes + chunk.count > limit
        case .hourly: hour != fileHour && fileBytes > 0
        }
        if due {
            try open("\(basePath).\(paths.count)", hour: hour)
        } else if fileBytes == 0 {
            fileHour = hour
        }
        var offset = 0
        while offset < chunk.count {
            let n = chunk.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n > 0 {
                offset += n
            } else if n < 0 && errno == EINTR {
                continue
            } else {
                throw RecordingFileError(path: paths.last ?? basePath, call: "write", errno: n < 0 ? errno : EIO)
            }
        }
        fileBytes += chunk.count
        totalBytes += chunk.count
    }

    /// Flushes to the disk and closes the current file.
    func close() throws(RecordingFileError) {
        guard fd >= 0 else { return }
        defer { Glibc.close(fd); fd = -1 }
        if fsync(fd) != 0 && errno != EINVAL {
            throw RecordingFileError(path: paths.last ?? basePath, call: "fsync", errno: errno)
        }
    }
}
