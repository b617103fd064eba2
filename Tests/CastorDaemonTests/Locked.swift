import Synchronization

/// A shareable reference to a `Mutex`-guarded value (a `Mutex` itself cannot be captured
/// by several closures).
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
    func withLock<R: Sendable>(_ body: (inout sending Value) -> sending R) -> sending R { mutex.withLock(body) }
}
