import Dispatch

/// A one-shot timer on a serial queue that can be re-armed and cancelled.
///
/// Invariant behind `@unchecked Sendable`: `source` is touched only on `queue`.
final class FeedTimer: @unchecked Sendable {
    private let queue: DispatchQueue
    private var source: DispatchSourceTimer?
    private var armed: UInt64 = 0

    init(queue: DispatchQueue) { self.queue = queue }

    /// Runs `handler` on the queue after `milliseconds`, replacing an armed timer.
    func arm(afterMs milliseconds: Int64, _ handler: @escaping @Sendable () -> Void) {
        dispatchPrecondition(condition: .onQueue(queue))
        cancel()
        armed &+= 1
        let token = armed
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + .milliseconds(Int(clamping: max(0, milliseconds))))
        timer.setEventHandler { [weak self] in
            // A handler already queued when the timer was replaced must not fire.
            guard let self, self.armed == token, self.source != nil else { return }
            self.source = nil
            handler()
        }
        source = timer
        timer.activate()
    }

    func cancel() {
        dispatchPrecondition(condition: .onQueue(queue))
        armed &+= 1
        source?.cancel()
        source = nil
    }

    deinit { source?.cancel() }
}

/// Milliseconds of a monotonic clock; injectable so tests can drive timeouts.
public typealias FeedClock = @Sendable () -> Int64

/// The system's monotonic clock in milliseconds.
public let monotonicFeedClock: FeedClock = { Int64(DispatchTime.now().uptimeNanoseconds / 1_000_000) }
