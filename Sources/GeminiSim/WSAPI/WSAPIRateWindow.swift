/// A fixed-window counter on the injected clock, as `conninfo` reports one: the window
/// starts at a multiple of `lengthMs` since the epoch (so a day window is the UTC day) and
/// the count starts over in each window.
struct WSAPIRateWindow: Sendable, Equatable {
    let lengthMs: Int64
    private(set) var start: Int64 = .min
    private(set) var count = 0

    init(lengthMs: Int64) { self.lengthMs = lengthMs }

    /// The count in the window that holds `now` (0 once its window has passed).
    func count(at now: Int64) -> Int { Self.windowStart(now, lengthMs) == start ? count : 0 }

    /// Adds `amount` if that keeps the window at or below `limit` (or `enforce` is off);
    /// returns whether it did. A refused request is not counted.
    mutating func take(_ amount: Int, limit: Int, at now: Int64, enforce: Bool) -> Bool {
        let current = Self.windowStart(now, lengthMs)
        if current != start {
            start = current
            count = 0
        }
        if enforce, count + amount > limit { return false }
        count += amount
        return true
    }

    /// Whether a window is over at `now` (its counter can be forgotten).
    func isStale(at now: Int64) -> Bool { Self.windowStart(now, lengthMs) != start }

    private static func windowStart(_ now: Int64, _ length: Int64) -> Int64 {
        let r = now % length
        return now - (r < 0 ? r + length : r)
    }
}
