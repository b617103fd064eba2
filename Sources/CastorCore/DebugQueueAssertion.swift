import Dispatch

/// Traps unless the caller runs on `queue` — in debug builds (tests) only.
///
/// For the per-message paths (market data, book views): `dispatchPrecondition` stays
/// checked in release builds and costs about 50 instructions a call, several calls a
/// message. Everywhere else the engine keeps `dispatchPrecondition`. Inlinable so that the
/// caller's build configuration decides.
@inlinable @inline(__always)
public func debugAssertOnQueue(_ queue: DispatchQueue) {
    #if DEBUG
    dispatchPrecondition(condition: .onQueue(queue))
    #endif
}
