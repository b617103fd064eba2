/// What the simulator saw of each rate-limit bucket's traffic, so a test can prove a client
/// stayed within the limits on its own: limiter refusals and queueing are counted apart from
/// the 429s of an injected storm, and the busiest one-second window of arrivals is kept.
///
/// Buckets are named as the rate limiter names them: `key:<api key>` for private requests,
/// `ip:<address>` for public ones.
public struct SimTrafficStats: Sendable, Equatable {
    /// Requests that reached the rate limiter (storm and maintenance refusals excluded).
    public var arrivals: [String: Int] = [:]
    /// 429s from the rate limiter itself: the client went beyond rate + burst + queue.
    public var limiterRejections: [String: Int] = [:]
    /// Requests the limiter queued (delayed) because they came faster than the rate.
    public var limiterDelays: [String: Int] = [:]
    /// 429s answered because an injected `rateLimitStormMs` storm was in force.
    public var stormRejections: [String: Int] = [:]
    /// Most arrivals in one wall-clock second (by the simulator's clock), per bucket.
    public var maxArrivalsPerSecond: [String: Int] = [:]
    /// Executed private requests per bucket and path (e.g. `/v1/order/status` = lookups).
    public var privatePaths: [String: [String: Int]] = [:]
    /// Private requests answered with an injected 5xx instead of being executed.
    public var injectedErrors = 0
    /// Order placements executed whose response was dropped by a fault.
    public var droppedResponses = 0

    public init() {}

    /// Counts one limiter decision for `bucket` at `nowMilliseconds`.
    mutating func note(_ decision: RateLimiter.Decision, bucket: String, nowMilliseconds: Int64) {
        arrivals[bucket, default: 0] += 1
        switch decision {
        case .proceed: break
        case .delayUntil: limiterDelays[bucket, default: 0] += 1
        case .reject: limiterRejections[bucket, default: 0] += 1
        }
        let second = nowMilliseconds / 1_000
        if currentSecond[bucket] != second {
            currentSecond[bucket] = second
            currentCount[bucket] = 0
        }
        currentCount[bucket, default: 0] += 1
        maxArrivalsPerSecond[bucket] = max(maxArrivalsPerSecond[bucket] ?? 0, currentCount[bucket]!)
    }

    // The second being counted per bucket (bounded memory: one entry per bucket).
    private var currentSecond: [String: Int64] = [:]
    private var currentCount: [String: Int] = [:]

    public static func == (a: SimTrafficStats, b: SimTrafficStats) -> Bool {
        a.arrivals == b.arrivals && a.limiterRejections == b.limiterRejections && a.limiterDelays == b.limiterDelays
            && a.stormRejections == b.stormRejections && a.maxArrivalsPerSecond == b.maxArrivalsPerSecond
            && a.privatePaths == b.privatePaths && a.injectedErrors == b.injectedErrors
            && a.droppedResponses == b.droppedResponses
    }
}
