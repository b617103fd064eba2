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

    // The new WebSocket API (WS-API.md §4.1), as its `conninfo` reports them; refused with
    // 429/-1003 (a connection attempt beyond its limit with HTTP 429). Windows are fixed and
    // aligned on the injected clock (10 s, 10 s, the UTC day, 5 min). `enabled` switches
    // these off too (the counts are still reported).

    /// REQUEST_WEIGHT per 10 s, per connection: 1 a request, a (un)subscribe 1 a stream.
    public var wsAPIRequestWeightPer10s: Int
    /// ORDERS per 10 s, per API key (every connection of the key): `order.place` counts 1.
    public var wsAPIOrdersPer10s: Int
    /// ORDERS per UTC day, per API key.
    public var wsAPIOrdersPerDay: Int
    /// CONNECTION_ATTEMPTS per 5 min: per API key for signed upgrades (whatever their
    /// outcome), per client IP for public ones.
    public var wsAPIConnectionAttemptsPer5Min: Int

    public init(enabled: Bool = true, publicPerMinute: Int = 120, privatePerMinute: Int = 600,
                queuedBeyondLimit: Int = 5, burst: Int? = nil, wsAPIRequestWeightPer10s: Int = 7_000,
                wsAPIOrdersPer10s: Int = 3_500, wsAPIOrdersPerDay: Int = 10_000_000,
                wsAPIConnectionAttemptsPer5Min: Int = 300) {
        self.wsAPIRequestWeightPer10s = wsAPIRequestWeightPer10s
        self.wsAPIOrdersPer10s = wsAPIOrdersPer10s
        self.wsAPIOrdersPerDay = wsAPIOrdersPerDay
        self.wsAPIConnectionAttemptsPer5Min = wsAPIConnectionAttemptsPer5Min
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
        wsAPIRequestWeightPer10s = try c.decodeIfPresent(Int.self, forKey: .wsAPIRequestWeightPer10s) ?? d.wsAPIRequestWeightPer10s
        wsAPIOrdersPer10s = try c.decodeIfPresent(Int.self, forKey: .wsAPIOrdersPer10s) ?? d.wsAPIOrdersPer10s
        wsAPIOrdersPerDay = try c.decodeIfPresent(Int.self, forKey: .wsAPIOrdersPerDay) ?? d.wsAPIOrdersPerDay
        wsAPIConnectionAttemptsPer5Min = try c.decodeIfPresent(Int.self, forKey: .wsAPIConnectionAttemptsPer5Min)
            ?? d.wsAPIConnectionAttemptsPer5Min
    }
}
