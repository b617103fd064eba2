import CastorCore
import Dispatch

/// A one-shot timer on a serial queue that can be re-armed and cancelled, armed on the
/// engine's clock (`EngineClock.schedule`): Dispatch in production, by hand under a
/// `ManualClock`, so heartbeat, subscription and reconnect deadlines run on virtual time in
/// tests and never move with a wall-clock step.
///
/// Invariant behind `@unchecked Sendable`: `timer` and `armed` are touched only on `queue`.
final class FeedTimer: @unchecked Sendable {
    private let queue: DispatchQueue
    private let clock: EngineClock
    private var timer: ScheduledTimer?
    private var armed: UInt64 = 0

    init(queue: DispatchQueue, clock: EngineClock) {
        self.queue = queue
        self.clock = clock
    }

    /// Whether the timer is armed and has not fired.
    var isArmed: Bool {
        dispatchPrecondition(condition: .onQueue(queue))
        return timer != nil
    }

    /// Runs `handler` on the queue after `milliseconds` of the engine clock, replacing an
    /// armed timer.
    func arm(afterMs milliseconds: Int64, _ handler: @escaping @Sendable () -> Void) {
        dispatchPrecondition(condition: .onQueue(queue))
        cancel()
        let token = armed
        timer = clock.schedule(on: queue, afterMs: max(0, milliseconds)) { [weak self] in
            // A run already under way when the timer was replaced must not fire.
            guard let self, self.armed == token, self.timer != nil else { return }
            self.timer = nil
            handler()
        }
    }

    func cancel() {
        dispatchPrecondition(condition: .onQueue(queue))
        armed &+= 1
        timer?.cancel()
        timer = nil
    }

    deinit { timer?.cancel() }
}
