import Foundation

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
/// Injected so tests can drive time-dependent decisions and so strategies see the same
/// clock as the order manager.
public struct EngineClock: Sendable {
    /// Current time in milliseconds; never steps. Safe to call from any thread.
    public let nowMs: @Sendable () -> Int64
    /// The wall clock as it reads now (may step).
    public let wallMs: @Sendable () -> Int64

    /// A clock that is its own wall clock (tests that set the time by hand).
    public init(nowMs: @escaping @Sendable () -> Int64) {
        self.nowMs = nowMs
        self.wallMs = nowMs
    }

    public init(nowMs: @escaping @Sendable () -> Int64, wallMs: @escaping @Sendable () -> Int64) {
        self.nowMs = nowMs
        self.wallMs = wallMs
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
    public static let systemWallMs: @Sendable () -> Int64 = { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }

    /// The system clock, steady: the wall clock at first use, advanced by CLOCK_MONOTONIC.
    public static var system: EngineClock {
        .steady(wall: systemWallMs, monotonicNs: { DispatchTime.now().uptimeNanoseconds })
    }
}
