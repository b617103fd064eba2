#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An API secret in one heap buffer that is wiped when the last reference goes away.
///
/// A `[UInt8]` could be copied by the runtime (copy-on-write, growth) and leave stray copies
/// of the secret behind; this buffer is allocated once, never resized and never handed out
/// beyond the duration of `withBytes`.
///
/// Thread safety: `@unchecked Sendable` because the buffer pointer is not `Sendable`. The
/// bytes are written only in `init` and in `deinit`; between the two they are read-only,
/// so concurrent reads through `withBytes` are safe, and `deinit` runs only when no other
/// reference (hence no reader) exists.
final class SecretBytes: @unchecked Sendable {
    private let storage: UnsafeMutableRawBufferPointer

    init(_ bytes: some Collection<UInt8>) {
        storage = .allocate(byteCount: bytes.count, alignment: 1)
        _ = storage.initializeMemory(as: UInt8.self, from: bytes)
    }

    var count: Int { storage.count }

    /// Read-only access to the secret; do not let the buffer escape `body`.
    func withBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try body(UnsafeRawBufferPointer(storage))
    }

    deinit {
        // explicit_bzero / memset_s: a plain loop could be elided as a dead store before free.
        if let base = storage.baseAddress, storage.count > 0 {
            #if canImport(Glibc)
            explicit_bzero(base, storage.count)
            #else
            _ = memset_s(base, storage.count, 0, storage.count)
            #endif
        }
        storage.deallocate()
    }
}

extension SecretBytes: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    var description: String { "<redacted>" }
    var debugDescription: String { "<redacted>" }
    var customMirror: Mirror { Mirror(self, children: [], displayStyle: .class) }
}
