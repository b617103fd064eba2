import Dispatch

/// What runs the engine's timers: Dispatch in production (`DispatchTimerScheduler`), a
/// hand-advanced clock in tests and backtests (`ManualClock`).
///
/// Times are on the owning `EngineClock`'s scale (`nowMs`), never the wall clock, so a
/// wall-clock step moves no timer.
public protocol TimerScheduler: Sendable {
    /// Runs `work` on `queue` once the clock reads `atMs` or later (at once, asynchronously,
    /// if that is past). `nowMs` is the clock's reading when the timer is armed.
    func schedule(on queue: DispatchQueue, atMs: Int64, nowMs: Int64,
                  _ timer: ScheduledTimer, _ work: @escaping @Sendable () -> Void)
}

/// Timers on Dispatch's monotonic clock (`asyncAfter`): real time.
public struct DispatchTimerScheduler: TimerScheduler {
    public init() {}

    public func schedule(on queue: DispatchQueue, atMs: Int64, nowMs: Int64,
                         _ timer: ScheduledTimer, _ work: @escaping @Sendable () -> Void) {
        let delay = atMs.subtractingReportingOverflow(nowMs)
        let ms = delay.overflow ? (atMs > nowMs ? Int64.max : 0) : max(0, delay.partialValue)
        // Dispatch's deadline arithmetic traps beyond ~292 years of nanoseconds; a timer
        // that far out is one that never fires.
        guard ms < 100 * 365 * 86_400_000 else { return }
        queue.asyncAfter(deadline: .now() + .milliseconds(Int(ms))) {
            if !timer.isCancelled { work() }
        }
    }
}
