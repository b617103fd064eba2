/// A token bucket in integer milliseconds: one token every `intervalMs`, at most
/// `capacity` saved up. Time is injected; a clock that steps backwards refills nothing.
public struct TokenBucket: Sendable, Hashable {
    public let capacity: Int
    public let intervalMs: Int64
    /// Fill level in milliseconds of refill time: `capacity · intervalMs` when full.
    private var level: Int64
    private var lastMs: Int64?

    /// One token per `intervalMs`, burst `capacity`; starts full.
    public init(intervalMs: Int64, capacity: Int) {
        precondition(intervalMs > 0 && capacity > 0, "token bucket needs a positive interval and capacity")
        self.intervalMs = intervalMs
        self.capacity = capacity
        level = intervalMs * Int64(capacity)
    }

    /// `ratePerSecond` tokens per second (interval rounded up, so never faster), burst `burst`.
    public init(ratePerSecond: Int, burst: Int) {
        precondition(ratePerSecond > 0)
        self.init(intervalMs: (1000 + Int64(ratePerSecond) - 1) / Int64(ratePerSecond), capacity: burst)
    }

    /// Private REST default: 5/s, burst 5 (Gemini allows 600/min plus 5 queued, §5).
    public static var privateDefault: TokenBucket { TokenBucket(ratePerSecond: 5, burst: 5) }
    /// Public REST default: 1/s (Gemini allows 120/min, recommends ≤ 1/s).
    public static var publicDefault: TokenBucket { TokenBucket(ratePerSecond: 1, burst: 1) }

    private var full: Int64 { intervalMs * Int64(capacity) }

    private func level(at now: Int64) -> Int64 {
        guard let lastMs, now > lastMs else { return level }
        let (sum, overflow) = level.addingReportingOverflow(now - lastMs)
        return overflow ? full : min(full, sum)
    }

    /// Whole tokens available at `now`.
    public func available(at now: Int64) -> Int { Int(level(at: now) / intervalMs) }

    /// Takes one token if there is one.
    public mutating func tryTake(at now: Int64) -> Bool {
        let current = level(at: now)
        lastMs = max(lastMs ?? now, now)
        level = current
        guard current >= intervalMs else { return false }
        level -= intervalMs
        return true
    }

    /// The earliest time a token is available (`now` if one is).
    public func nextTokenTime(at now: Int64) -> Int64 {
        let current = level(at: now)
        return current >= intervalMs ? now : now + (intervalMs - current)
    }
}

/// Which rate limit a request counts against (§5: limits are per endpoint group).
public enum RateGroup: Sendable, Hashable, CaseIterable {
    case `private`, `public`
}

/// A request waiting in (or taken from) the scheduler.
public struct ScheduledRequest<Payload: Sendable>: Sendable {
    public let id: UInt64
    public let kind: RequestKind
    public let group: RateGroup
    public let payload: Payload
    public let enqueuedAtMs: Int64
    /// Not sent before this time (retry backoff).
    public let notBeforeMs: Int64
    /// Dropped instead of sent after this time: a stale intent must not be sent late.
    public let deadlineMs: Int64?
}

extension ScheduledRequest: Equatable where Payload: Equatable {}

/// What the engine should do next.
public enum SchedulerDecision<Payload: Sendable>: Sendable {
    /// Send this request now (a token was taken; for the private group it is now the one
    /// request in flight until `complete(_:)`).
    case send(ScheduledRequest<Payload>)
    /// This request passed its deadline unsent and was removed: tell its owner (a new
    /// order dropped here certainly never reached the exchange). Call `next` again.
    case expired(ScheduledRequest<Payload>)
    /// Nothing can go before this time; call `next` again then (or on any new input).
    case wait(untilMs: Int64)
    /// Nothing to do until a request is enqueued or an in-flight one completes.
    case idle
}

/// The REST queue policy: three priorities (cancels > new orders > queries, FIFO within
/// one), a token bucket per rate group, per-request deadlines and not-before times, and
/// at most one private request in flight so nonces reach Gemini in order (§2.3, §8.1).
///
/// Value type; the engine owns it on its queue and passes `now` in.
public struct RequestScheduler<Payload: Sendable>: Sendable {
    public private(set) var queue: [ScheduledRequest<Payload>] = []
    public private(set) var privateInFlight: UInt64?
    private var buckets: [RateGroup: TokenBucket]
    private var pausedUntil: [RateGroup: Int64] = [:]
    private var nextID: UInt64 = 1

    public init(privateBucket: TokenBucket = .privateDefault, publicBucket: TokenBucket = .publicDefault) {
        buckets = [.private: privateBucket, .public: publicBucket]
    }

    public var isEmpty: Bool { queue.isEmpty }

    /// Queues a request and returns its id.
    @discardableResult
    public mutating func enqueue(_ payload: Payload, kind: RequestKind, group: RateGroup = .private, now: Int64,
                                 notBeforeMs: Int64? = nil, deadlineMs: Int64? = nil) -> UInt64 {
        let id = nextID
        nextID += 1
        queue.append(ScheduledRequest(id: id, kind: kind, group: group, payload: payload, enqueuedAtMs: now,
                                      notBeforeMs: notBeforeMs ?? now, deadlineMs: deadlineMs))
        return id
    }

    /// Removes queued requests matching `predicate` (e.g. a query made obsolete); returns them.
    @discardableResult
    public mutating func removeQueued(where predicate: (ScheduledRequest<Payload>) -> Bool) -> [ScheduledRequest<Payload>] {
        let removed = queue.filter(predicate)
        queue.removeAll(where: predicate)
        return removed
    }

    /// The answer (or failure) for a sent request arrived.
    public mutating func complete(_ id: UInt64) {
        if privateInFlight == id { privateInFlight = nil }
    }

    /// Sends nothing in `group` before `untilMs` (after a 429).
    public mutating func pause(_ group: RateGroup, untilMs: Int64) {
        pausedUntil[group] = max(pausedUntil[group] ?? untilMs, untilMs)
    }

    public mutating func next(now: Int64) -> SchedulerDecision<Payload> {
        // 1. Drop what is stale, most urgent first.
        if let i = ordered().first(where: { queue[$0].deadlineMs.map { now > $0 } ?? false }) {
            return .expired(queue.remove(at: i))
        }
        // 2. The most urgent request that may go now, across both groups.
        var wake: Int64?
        func note(_ t: Int64) { wake = min(wake ?? t, t) }
        for i in ordered() {
            let r = queue[i]
            if let d = r.deadlineMs { note(d + 1) }
            if r.group == .private, privateInFlight != nil { continue }
            var readyAt = r.notBeforeMs
            if let p = pausedUntil[r.group], p > now { readyAt = max(readyAt, p) }
            readyAt = max(readyAt, buckets[r.group]!.nextTokenTime(at: now))
            if readyAt > now { note(readyAt); continue }
            guard buckets[r.group]!.tryTake(at: now) else { continue }
            queue.remove(at: i)
            if r.group == .private { privateInFlight = r.id }
            return .send(r)
        }
        if let wake { return .wait(untilMs: wake) }
        return .idle
    }

    /// Queue indices, most urgent first: priority, then enqueue order.
    private func ordered() -> [Int] {
        queue.indices.sorted { a, b in
            let x = queue[a], y = queue[b]
            return x.kind != y.kind ? x.kind < y.kind : x.id < y.id
        }
    }
}
