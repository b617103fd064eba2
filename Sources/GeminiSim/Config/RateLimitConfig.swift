/// Gemini's REST rate limits (API.md §5), configurable so tests can use small numbers.
public struct RateLimitConfig: Sendable, Codable, Equatable {
    /// Turn limiting off entirely (benchmarks).
    public var enabled: Bool
    /// Public endpoints, per client IP: 120/min on Gemini.
    public var publicPerMinute: Int
    /// Private endpoints, per API key: 600/min on Gemini.
    public var privatePerMinute: Int
    /// Requests over the rate that are delayed rather than refused: 5 on Gemini.
    public var queuedBeyondLimit: Int
    /// Requests accepted back to back before spacing applies; nil means one second's worth
    /// (`perMinute / 60`, at least 1), which reproduces Gemini's worked example (10 at 600/min).
    public var burst: Int?

    public init(enabled: Bool = true, publicPerMinute: Int = 120, privatePerMinute: Int = 600,
                queuedBeyondLimit: Int = 5, burst: Int? = nil) {
        self.enabled = enabled
        self.publicPerMinute = publicPerMinute
        self.privatePerMinute = privatePerMinute
        self.queuedBeyondLimit = queuedBeyondLimit
        self.burst = burst
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = RateLimitConfig()
        enabled = try c.decodeIfPresent(Bool.self, forKey: .enabled) ?? d.enabled
        publicPerMinute = try c.decodeIfPresent(Int.self, forKey: .publicPerMinute) ?? d.publicPerMinute
        privatePerMinute = try c.decodeIfPresent(Int.self, forKey: .privatePerMinute) ?? d.privatePerMinute
        queuedBeyondLimit = try c.decodeIfPresent(Int.self, forKey: .queuedBeyondLimit) ?? d.queuedBeyondLimit
        burst = try c.decodeIfPresent(Int.self, forKey: .burst)
    }
}
