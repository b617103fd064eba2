/// Gemini's REST rate limiting (API.md §5) as a pure state machine over injected time.
///
/// Each bucket (an API key for private endpoints, a client IP for public ones) is a GCRA
/// (generic cell rate algorithm): requests are spaced `60 s / perMinute` apart, `burst` of
/// them may arrive back to back, the next `queued` are delayed until their slot comes, and
/// any beyond that get 429 without consuming a slot. At 600/min with the default burst of
/// 10 this reproduces Gemini's worked example exactly: of 20 simultaneous requests, 10 run,
/// 5 are queued (run 100–500 ms later), 5 are refused.
public struct RateLimiter: Sendable {
    /// What to do with one request.
    public enum Decision: Sendable, Equatable {
        /// Handle it now.
        case proceed
        /// Handle it once the clock reaches this Unix time (ms); it has a slot reserved.
        case delayUntil(milliseconds: Int64)
        /// Answer 429 `RateLimit`.
        case reject
    }

    private let perMinute: Int
    private let burst: Int
    private let queued: Int
    /// Theoretical arrival time of the next conforming request, per bucket, in microseconds.
    private var nextSlot: [String: Int64] = [:]

    public init(perMinute: Int, burst: Int? = nil, queued: Int = 5) {
        precondition(perMinute > 0, "rate limit must be positive")
        self.perMinute = perMinute
        self.burst = max(1, burst ?? perMinute / 60)
        self.queued = max(0, queued)
    }

    /// Microseconds between slots; integer maths so decisions are exact and reproducible.
    private var intervalMicros: Int64 { 60_000_000 / Int64(perMinute) }

    /// Decides for one request in `bucket` arriving at `nowMilliseconds`, reserving its slot.
    public mutating func admit(bucket: String, nowMilliseconds: Int64) -> Decision {
        let now = nowMilliseconds * 1_000
        let interval = intervalMicros
        let tolerance = Int64(burst - 1) * interval
        let slot = max(nextSlot[bucket] ?? now, now)
        let excess = slot - now - tolerance
        if excess <= 0 {
            nextSlot[bucket] = slot + interval
            return .proceed
        }
        guard excess <= Int64(queued) * interval else { return .reject }
        nextSlot[bucket] = slot + interval
        // Round the wait up to whole milliseconds so a queued request never runs early.
        return .delayUntil(milliseconds: (now + excess + 999) / 1_000)
    }

    /// Forgets buckets whose slots are all in the past (bounded memory for many IPs).
    public mutating func prune(nowMilliseconds: Int64) {
        let now = nowMilliseconds * 1_000
        nextSlot = nextSlot.filter { $0.value > now }
    }
}
