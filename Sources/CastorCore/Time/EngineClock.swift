import Dispatch
import Glibc

/// The engine's sense of time, in milliseconds on the Unix epoch scale.
///
/// Everything the engine times (deadlines, backoff, token buckets, heartbeats, rate
/// windows) is measured on this clock, so it must not jump: `system` reads the wall clock
/// once at start and advances with the monotonic clock from there, so an NTP step or a
/// manual `date -s` of an hour either way moves no deadline and stalls no rate limit.
/// The price is drift: after such a step `nowMs` and the wall clock disagree by the step
/// (`skewMs` tells by how much), which matters only where the engine compares its time
/// with the exchange's (the fill catch-up's starting point allows for it). Nonces keep
/// their own wall-clock source (`NonceSource`), as Gemini requires.
///
/// The clock also runs the engine's timers (`schedule`): on Dispatch for the system clock,
/// by hand for a `ManualClock`, so tests and backtests run start-up, shutdown and every
/// deadline on virtual time.
///
/// Injected so tests can drive time-dependent decisions and so strategies see the same
/// clock as the order manager.
public struct EngineClock: Sendable {
    /// Current time in milliseconds; never steps. Safe to call from any thread.
    public let nowMs: @Sendable () -> Int64
    /// The wall clock as it reads now (may step).
    public let wallMs: @Sendable () -> Int64
    /// What runs the timers armed with `schedule`.
    public let timers: any TimerScheduler

    /// A clock that is its own wall clock (tests that set the time by hand); timers on
    /// Dispatch, their delays measured on this clock when armed.
    public init(nowMs: @escaping @Sendable () -> Int64) {
        self.init(nowMs: nowMs, wallMs: nowMs)
    }

    public init(nowMs: @escaping @Sendable () -> Int64, wallMs: @escaping @Sendable () -> Int64,
                timers: any TimerScheduler = DispatchTimerScheduler()) {
        self.nowMs = nowMs
        self.wallMs = wallMs
        self.timers = timers
    }

    /// Runs `work` on `queue` once this clock reads `atMs` or later; cancel it with the
    /// returned timer.
    @discardableResult
    public func schedule(on queue: DispatchQueue, atMs: Int64,
                         _ work: @escaping @Sendable () -> Void) -> ScheduledTimer {
        let timer = ScheduledTimer()
        timers.schedule(on: queue, atMs: atMs, nowMs: nowMs(), timer, work)
        return timer
    }

    /// Runs `work` on `queue` after `ms` milliseconds of this clock.
    @discardableResult
    public func schedule(on queue: DispatchQueue, afterMs ms: Int64,
                         _ work: @escaping @Sendable () -> Void) -> ScheduledTimer {
        let now = nowMs()
        let timer = ScheduledTimer()
        timers.schedule(on: queue, atMs: now.addingReportingOverflow(max(0, ms)).overflow ? .max : now + max(0, ms),
                        nowMs: now, timer, work)
        return timer
    }

    /// Runs `work` on `queue` every `ms` milliseconds (the first after `ms`), until the
    /// returned timer is cancelled. Each run is armed from the previous one's due time, so
    /// a late run does not shift the ones after it.
    @discardableResult
    public func repeating(on queue: DispatchQueue, everyMs ms: Int64,
                          _ work: @escaping @Sendable () -> Void) -> ScheduledTimer {
        let timer = ScheduledTimer()
        armRepeat(timer, on: queue, atMs: nowMs() &+ max(1, ms), everyMs: max(1, ms), work)
        return timer
    }

    private func armRepeat(_ timer: ScheduledTimer, on queue: DispatchQueue, atMs: Int64, everyMs: Int64,
                           _ work: @escaping @Sendable () -> Void) {
        let clock = self
        timers.schedule(on: queue, atMs: atMs, nowMs: nowMs(), timer) {
            work()
            guard !timer.isCancelled else { return }
            // After a long stall, the next run is due from now, not in a burst of catch-ups.
            let next = max(atMs &+ everyMs, clock.nowMs())
            clock.armRepeat(timer, on: queue, atMs: next, everyMs: everyMs, work)
        }
    }

    /// How far `nowMs` runs ahead of the wall clock (negative: behind), after a step.
    public var skewMs: Int64 { nowMs() - wallMs() }

    /// Anchored at `wall()` when made, then advanced by `monotonicNs()` (nanoseconds of any
    /// monotonic origin).
    public static func steady(wall: @escaping @Sendable () -> Int64,
                              monotonicNs: @escaping @Sendable () -> UInt64) -> EngineClock {
        let anchorWall = wall()
        let anchorNs = monotonicNs()
        return EngineClock(nowMs: {
            let elapsed = monotonicNs() &- anchorNs
            return anchorWall &+ Int64(truncatingIfNeeded: elapsed / 1_000_000)
        }, wallMs: wall)
    }

    /// Unix time from the system's wall clock.
    public static let systemWallMs: @Sendable () -> Int64 = {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }

    /// The system clock, steady: the wall clock at first use, advanced by CLOCK_MONOTONIC.
    public static var system: EngineClock {
        .steady(wall: systemWallMs, monotonicNs: { DispatchTime.now().uptimeNanoseconds })
    }
}
