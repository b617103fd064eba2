/// Exponential backoff with full jitter: attempt n waits a uniformly random time in
/// `[0, min(cap, base·2^n)]` milliseconds (AWS "full jitter"), so retrying clients spread
/// out instead of hammering the exchange in lock-step.
public struct Backoff: Sendable, Hashable {
    public let baseMs: Int64
    public let capMs: Int64

    public init(baseMs: Int64 = 250, capMs: Int64 = 30_000) {
        precondition(baseMs > 0 && capMs >= baseMs, "backoff needs 0 < base ≤ cap")
        self.baseMs = baseMs
        self.capMs = capMs
    }

    /// The ceiling for attempt `n` (0-based): `min(cap, base·2^n)`, overflow-safe.
    public func ceiling(attempt: Int) -> Int64 {
        let n = max(0, attempt)
        if n >= 62 { return capMs }
        let (v, overflow) = baseMs.multipliedReportingOverflow(by: Int64(1) << Int64(n))
        return overflow ? capMs : min(capMs, v)
    }

    /// A delay for attempt `n`, uniformly in `0...ceiling(attempt:)`.
    public func delay(attempt: Int, using rng: inout some RandomNumberGenerator) -> Int64 {
        Int64.random(in: 0...ceiling(attempt: attempt), using: &rng)
    }
}
