import Glibc

/// Why a recording could not be read.
public enum ReplayInputError: Error, Equatable, CustomStringConvertible {
    /// No file at the path: check the path.
    case notFound(path: String)
    /// The file exists but cannot be opened or read (`errno` text included): check permissions.
    case unreadable(path: String, reason: String)
    /// The path names a directory or device, not a regular file.
    case notARegularFile(path: String)

    public var description: String {
        switch self {
        case .notFound(let p): "no such file: \(p)"
        case .unreadable(let p, let r): "cannot read \(p): \(r)"
        case .notARegularFile(let p): "not a regular file: \(p)"
        }
    }
}

/// A whole file mapped read-only into memory, so replay reads it with no copy and no
/// per-line allocation. Unmapped when released.
public final class MappedFile {
    /// The file's bytes (empty for an empty file).
    public let bytes: UnsafeRawBufferPointer
    private let mapping: UnsafeMutableRawPointer?

    /// Maps `path`.
    public init(path: String) throws(ReplayInputError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let e = errno
            if e == ENOENT { throw .notFound(path: path) }
            throw .unreadable(path: path, reason: String(cString: strerror(e)))
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw .unreadable(path: path, reason: String(cString: strerror(errno))) }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw .notARegularFile(path: path) }
        let size = Int(st.st_size)
        if size == 0 {
            mapping = nil
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        // A recording up to `populateLimit` is mapped whole at once (MAP_POPULATE): its
        // page faults, some 15 % of a replay's time on a 150 MB file, happen here rather
        // than in the decode loop; a larger one is faulted in as it is read, so a huge
        // file neither waits to be read whole nor is held mapped whole.
        let flags = MAP_PRIVATE | (size <= MappedFile.populateLimit ? MAP_POPULATE : 0)
        let p = mmap(nil, size, PROT_READ, flags, fd, 0)
        guard let p, p != MAP_FAILED else { throw .unreadable(path: path, reason: String(cString: strerror(errno))) }
        // Sequential access: let the kernel read ahead aggressively.
        _ = madvise(p, size, MADV_SEQUENTIAL)
        mapping = p
        bytes = UnsafeRawBufferPointer(start: p, count: size)
    }

    /// The largest file mapped with all its pages at once (1 GiB).
    public static let populateLimit = 1 << 30

    deinit {
        if let mapping { munmap(mapping, bytes.count) }
    }
}
