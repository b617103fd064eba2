import Foundation

/// The engine's sense of time: wall-clock milliseconds since the Unix epoch.
///
/// Injected so tests can drive time-dependent decisions (deadlines, backoff, heartbeats)
/// and so strategies see the same clock as the order manager. Timers still run on
/// Dispatch; the clock only answers "what time is it now".
public struct EngineClock: Sendable {
    /// Current time in Unix milliseconds; must be safe to call from any thread.
    public let nowMs: @Sendable () -> Int64

    public init(nowMs: @escaping @Sendable () -> Int64) {
        self.nowMs = nowMs
    }

    /// The system wall clock.
    public static let system = EngineClock { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }
}
