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
    /// Set for a lease (`enqueueLease`): the longest it may hold the key's slot.
    public let maximumHoldMs: Int64?

    /// A lease of the key's slot rather than a request: a signed operation that is not a
    /// venue call (the order-events WebSocket upgrade) and holds the slot until released.
    public var isLease: Bool { maximumHoldMs != nil }

    /// Position in the queue's order: cancels (they reduce risk), then leases (the fills
    /// feed waits on them), then new orders, then queries.
    var rank: Int {
        if isLease { return 1 }
        switch kind {
        case .cancel: return 0
        case .newOrder: return 2
        case .query: return 3
        }
    }
}

extension ScheduledRequest: Equatable where Payload: Equatable {}

/// What the engine should do next.
public enum SchedulerDecision<Payload: Sendable>: Sendable {
    /// Send this request now (a token was taken; for the private group it is now the one
    /// request in flight until `complete(_:)`). For a lease: grant it; it holds the slot
    /// until `complete(_:)` or until the scheduler revokes it.
    case send(ScheduledRequest<Payload>)
    /// This request passed its deadline unsent (or the scheduler was retired) and was
    /// removed: tell its owner (a new order dropped here certainly never reached the
    /// exchange). Call `next` again.
    case expired(ScheduledRequest<Payload>)
    /// The lease held the slot past its maximum hold, or for `leasePreemptAfterMs` while a
    /// cancel waited: the slot is free again and a later release of it is ignored. Its
    /// operation may still be answered; one whose nonce a later request overtook is
    /// refused and retried by its owner, while a cancel held back for seconds may cost
    /// money. Call `next` again.
    case revoked(ScheduledRequest<Payload>, because: LeaseRevocation)
    /// Nothing can go before this time; call `next` again then (or on any new input).
    case wait(untilMs: Int64)
    /// Nothing to do until a request is enqueued or an in-flight one completes.
    case idle
}

/// Why a lease lost the key's slot.
public enum LeaseRevocation: String, Sendable, Hashable {
    /// It held the slot for its whole maximum hold.
    case maximumHold = "maximum_hold"
    /// A cancel waited while it had held the slot for `leasePreemptAfterMs`.
    case cancelWaiting = "cancel_waiting"
}

/// The one ordered queue of an API key, and the REST queue policy: three priorities
/// (cancels > new orders > queries, FIFO within one), a token bucket per rate group,
/// per-request deadlines and not-before times, at most one private request in flight so
/// nonces reach the venue in order (§2.3, §8.1), leases of that one slot for signed
/// operations that are not requests (the order-events handshake), and retirement.
///
/// Value type; its owner (the engine) keeps it on one queue and passes `now` in.
public struct RequestScheduler<Payload: Sendable>: Sendable {
    public private(set) var queue: [ScheduledRequest<Payload>] = []
    /// The private request (or lease) holding the key's slot.
    public private(set) var privateInFlight: UInt64?
    /// Set by `retire`: everything queued, now or later, expires unsent.
    public private(set) var isRetired = false
    /// How long a lease may keep the slot once a cancel is waiting.
    public let leasePreemptAfterMs: Int64
    private var buckets: [RateGroup: TokenBucket]
    private var pausedUntil: [RateGroup: Int64] = [:]
    /// The lease holding the slot, and when it was granted.
    private var heldLease: (request: ScheduledRequest<Payload>, grantedAtMs: Int64)?
    private var nextID: UInt64 = 1

    public init(privateBucket: TokenBucket = .privateDefault, publicBucket: TokenBucket = .publicDefault,
                leasePreemptAfterMs: Int64 = 1_000) {
        buckets = [.private: privateBucket, .public: publicBucket]
        self.leasePreemptAfterMs = leasePreemptAfterMs
    }

    public var isEmpty: Bool { queue.isEmpty }

    /// Retired, and no request holds the slot (a held lease does not count: its nonce was
    /// drawn when it was granted, and releasing it draws none).
    public var isQuiet: Bool { isRetired && (privateInFlight == nil || heldLease != nil) }

    /// Queues a request and returns its id.
    @discardableResult
    public mutating func enqueue(_ payload: Payload, kind: RequestKind, group: RateGroup = .private, now: Int64,
                                 notBeforeMs: Int64? = nil, deadlineMs: Int64? = nil) -> UInt64 {
        append(payload, kind: kind, group: group, now: now, notBeforeMs: notBeforeMs, deadlineMs: deadlineMs, maximumHoldMs: nil)
    }

    /// Queues a lease of the private slot: at its turn it is granted (`.send`) without
    /// taking a rate token, and no private request goes until it is completed or revoked.
    /// Past `deadlineMs` still queued, it expires.
    @discardableResult
    public mutating func enqueueLease(_ payload: Payload, now: Int64, deadlineMs: Int64?, maximumHoldMs: Int64) -> UInt64 {
        append(payload, kind: .query, group: .private, now: now, notBeforeMs: nil, deadlineMs: deadlineMs,
               maximumHoldMs: max(0, maximumHoldMs))
    }

    private mutating func append(_ payload: Payload, kind: RequestKind, group: RateGroup, now: Int64, notBeforeMs: Int64?,
                                 deadlineMs: Int64?, maximumHoldMs: Int64?) -> UInt64 {
        let id = nextID
        nextID += 1
        queue.append(ScheduledRequest(id: id, kind: kind, group: group, payload: payload, enqueuedAtMs: now,
                                      notBeforeMs: notBeforeMs ?? now, deadlineMs: deadlineMs, maximumHoldMs: maximumHoldMs))
        return id
    }

    /// Removes queued requests matching `predicate` (e.g. a query made obsolete); returns them.
    @discardableResult
    public mutating func removeQueued(where predicate: (ScheduledRequest<Payload>) -> Bool) -> [ScheduledRequest<Payload>] {
        let removed = queue.filter(predicate)
        queue.removeAll(where: predicate)
        return removed
    }

    /// The answer (or failure) for a sent request arrived, or a lease was released. A
    /// revoked lease's release, and any unknown id, is ignored.
    public mutating func complete(_ id: UInt64) {
        if privateInFlight == id { privateInFlight = nil }
        if heldLease?.request.id == id { heldLease = nil }
    }

    /// New rate limits (a reload): the queue, the request in flight and any lease stay as
    /// they are, so the one-at-a-time rule holds across the swap.
    public mutating func setBuckets(privateBucket: TokenBucket, publicBucket: TokenBucket) {
        buckets = [.private: privateBucket, .public: publicBucket]
    }

    /// Sends nothing in `group` before `untilMs` (after a 429).
    public mutating func pause(_ group: RateGroup, untilMs: Int64) {
        pausedUntil[group] = max(pausedUntil[group] ?? untilMs, untilMs)
    }

    /// Retires the queue for good, so another owner may take the key over: `next` expires
    /// everything queued, and everything enqueued later, without sending it. Watch
    /// `isQuiet` for the request in flight to finish.
    public mutating func retire() {
        isRetired = true
    }

    public mutating func next(now: Int64) -> SchedulerDecision<Payload> {
        // 0. Retired: nothing more is sent.
        if isRetired, let i = ordered().first { return .expired(queue.remove(at: i)) }
        // Sorted once: steps 1 and 2 return as soon as they change the queue.
        let order = ordered()
        // 1. Drop what is stale, most urgent first.
        if let i = order.first(where: { queue[$0].deadlineMs.map { now > $0 } ?? false }) {
            return .expired(queue.remove(at: i))
        }
        var wake: Int64?
        func note(_ t: Int64) { wake = min(wake ?? t, t) }
        // 2. A lease that held the slot too long gives it up.
        if let held = heldLease {
            let holdEnds = held.grantedAtMs.addingClamped(held.request.maximumHoldMs ?? 0)
            let cancelWaits = queue.contains { $0.group == .private && !$0.isLease && $0.kind == .cancel }
            let preemptAt = cancelWaits ? held.grantedAtMs.addingClamped(leasePreemptAfterMs) : nil
            if now >= holdEnds || preemptAt.map({ now >= $0 }) == true {
                heldLease = nil
                privateInFlight = nil
                return .revoked(held.request, because: now >= holdEnds ? .maximumHold : .cancelWaiting)
            }
            note(holdEnds)
            if let preemptAt { note(preemptAt) }
        }
        // 3. The most urgent request that may go now, across both groups.
        for i in order {
            let r = queue[i]
            if let d = r.deadlineMs { note(d.addingClamped(1)) }
            if r.group == .private, privateInFlight != nil { continue }
            if r.isLease {
                queue.remove(at: i)
                privateInFlight = r.id
                heldLease = (r, now)
                return .send(r)
            }
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

    /// Queue indices, most urgent first: rank, then enqueue order.
    private func ordered() -> [Int] {
        if queue.count < 2 { return Array(queue.indices) }
        return queue.indices.sorted { a, b in
            let x = queue[a], y = queue[b]
            return x.rank != y.rank ? x.rank < y.rank : x.id < y.id
        }
    }
}

extension Int64 {
    /// `self + other`, saturating instead of trapping on overflow (times near the end of
    /// the range come from configuration and must not crash the process).
    fileprivate func addingClamped(_ other: Int64) -> Int64 {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? (other > 0 ? .max : .min) : sum
    }
}
