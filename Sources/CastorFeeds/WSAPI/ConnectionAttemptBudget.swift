/// Paces connection attempts under Gemini's `CONNECTION_ATTEMPTS` limit (WS-API.md §4.1:
/// 300 per 5 minutes): at most `limit` attempts in any `windowMs`, whatever the reconnect
/// backoff would allow. I/O-free; the adapters ask it before each attempt.
struct ConnectionAttemptBudget: Sendable {
    let limit: Int
    let windowMs: Int64
    private var attempts: [Int64] = []

    /// - Parameter limit: attempts per window for one socket (each adapter has its own
    ///   budget, so two sockets together stay under the venue's 300).
    init(limit: Int = 120, windowMs: Int64 = 300_000) {
        self.limit = max(1, limit)
        self.windowMs = windowMs
    }

    /// Records an attempt at `nowMs` if the window has room; else how long until it has.
    mutating func take(nowMs: Int64) -> Int64? {
        attempts.removeAll { $0 <= nowMs - windowMs }
        guard attempts.count < limit else { return attempts[0] + windowMs - nowMs }
        attempts.append(nowMs)
        return nil
    }
}
