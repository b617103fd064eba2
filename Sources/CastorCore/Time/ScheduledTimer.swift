import Synchronization

/// A timer armed with `EngineClock.schedule`: `cancel` stops it if it has not run yet.
///
/// Safe to cancel from any thread; the work itself runs on the queue it was scheduled on,
/// and a cancel made on that queue before the work starts always wins.
public final class ScheduledTimer: Sendable {
    private let cancelled = Atomic<Bool>(false)

    public init() {}

    /// Stops the timer; a no-op once it ran or was cancelled.
    public func cancel() { cancelled.store(true, ordering: .releasing) }

    /// True once `cancel` was called.
    public var isCancelled: Bool { cancelled.load(ordering: .acquiring) }
}
