import CastorCore

/// The connection life cycle of one feed, as a value type without I/O: the adapter feeds
/// it events with the current monotonic time and performs the returned actions in order.
///
/// ```
/// idle ─start→ connecting ─opened→ subscribing ─confirmed→ live
///                 ↑                    │ │                   │
///                 │   reconnectDue     │ └──── failure ──────┤
///                 └── reconnecting(cause, attempt) ←─────────┘
/// any ─fatal→ failed          any ─stop→ idle
/// ```
///
/// Failures are every `FeedDisconnectCause`: connect failure, close or failure by the peer,
/// sequence gaps, heartbeat silence, stale market data, decode errors, crossed books.
/// Reconnect delays use exponential backoff with full jitter (`Backoff`) and a cap; the
/// attempt counter resets once a connection has stayed live for `stableAfterMs`, so a
/// feed that drops once a day reconnects at once, while a flapping one backs off.
///
/// Events that do not fit the phase (a late `opened` from an abandoned connection, a
/// timer after a stop) are ignored and return no actions.
public struct FeedConnectionStateMachine: Sendable {
    /// Timing policy. Milliseconds of a monotonic clock.
    public struct Configuration: Sendable, Hashable {
        /// Reconnect delay: attempt n waits uniformly in `0...min(cap, base·2^n)`.
        public var backoff: Backoff
        /// A connection with no heartbeat for this long is dead (Gemini sends one every
        /// 5 s; API.md §6.4 suggests 10–15 s). 0 disables the check.
        public var heartbeatTimeoutMs: Int64
        /// Market data: no data message (book or trade) for this long means the feed is
        /// stale although heartbeats flow. nil disables (quiet markets can be silent).
        public var staleAfterMs: Int64?
        /// After this long live, the next failure starts the backoff from attempt 0.
        public var stableAfterMs: Int64
        /// An open connection whose subscription is not confirmed within this long is
        /// dropped (a peer that accepts the upgrade but never answers).
        public var subscribeTimeoutMs: Int64

        public init(backoff: Backoff = Backoff(baseMs: 250, capMs: 30_000), heartbeatTimeoutMs: Int64 = 15_000,
                    staleAfterMs: Int64? = nil, stableAfterMs: Int64 = 60_000, subscribeTimeoutMs: Int64 = 10_000) {
            precondition(heartbeatTimeoutMs >= 0 && (staleAfterMs ?? 1) > 0 && stableAfterMs >= 0 && subscribeTimeoutMs > 0)
            self.subscribeTimeoutMs = subscribeTimeoutMs
            self.backoff = backoff
            self.heartbeatTimeoutMs = heartbeatTimeoutMs
            self.staleAfterMs = staleAfterMs
            self.stableAfterMs = stableAfterMs
        }
    }

    /// Where the machine is.
    public enum Phase: Sendable, Hashable {
        case idle
        case connecting
        case subscribing
        case live
        /// `attempt` counts consecutive failures since the last stable period (1-based).
        case reconnecting(cause: FeedDisconnectCause, attempt: Int)
        case failed(FeedFatalError)
    }

    /// What the adapter must do, in the order returned.
    public enum Action: Sendable, Hashable {
        /// Open a new connection (drop any reference to an older one first).
        case connect
        /// The connection is open: send the subscribe request(s) and reset per-connection
        /// state (books, sequence trackers).
        case subscribe
        /// Drop the current connection now because of `cause`; ignore its further events.
        case closeAndReconnect(FeedDisconnectCause)
        /// Close the current connection for good (stop or fatal error).
        case close
        /// Call `timerFired` after this many milliseconds (replaces an armed timer).
        case armTimer(afterMs: Int64)
        /// Cancel the watchdog timer.
        case disarmTimer
        /// Call `reconnectDue` after this many milliseconds.
        case scheduleReconnect(afterMs: Int64)
        /// Cancel a scheduled reconnect.
        case cancelReconnect
        /// Tell the delegate (and the log) about the new state.
        case notify(FeedConnectionState)
    }

    public let configuration: Configuration
    public private(set) var phase: Phase = .idle
    /// Consecutive failures since the last stable live period.
    public private(set) var failures = 0
    private var liveSinceMs: Int64?
    private var lastHeartbeatMs: Int64 = 0
    private var lastDataMs: Int64 = 0
    private var openedAtMs: Int64 = 0
    private var random: SeededRandom

    /// - Parameter seed: jitter seed; give a fixed one in tests, a random one in production.
    public init(configuration: Configuration = Configuration(), seed: UInt64 = UInt64.random(in: .min ... .max)) {
        self.configuration = configuration
        random = SeededRandom(seed: seed)
    }

    /// Whether a connection is open or being opened (events from it matter).
    public var hasConnection: Bool {
        switch phase {
        case .connecting, .subscribing, .live: true
        case .idle, .reconnecting, .failed: false
        }
    }

    // MARK: events

    /// The owner starts the feed (also restarts after a fatal error or stop).
    public mutating func start(nowMs: Int64) -> [Action] {
        switch phase {
        case .idle, .failed:
            failures = 0
            return beginConnecting()
        case .connecting, .subscribing, .live, .reconnecting:
            return []
        }
    }

    /// The WebSocket upgrade succeeded.
    public mutating func opened(nowMs: Int64) -> [Action] {
        guard phase == .connecting else { return [] }
        phase = .subscribing
        openedAtMs = nowMs
        lastHeartbeatMs = nowMs
        lastDataMs = nowMs
        return [.notify(.subscribing), .subscribe] + watchdog(nowMs: nowMs)
    }

    /// The first message proving the subscription works arrived (market data: any
    /// message; order events: the `subscription_ack`).
    public mutating func subscriptionConfirmed(nowMs: Int64) -> [Action] {
        guard phase == .subscribing else { return [] }
        phase = .live
        liveSinceMs = nowMs
        return [.notify(.live)]
    }

    /// A heartbeat arrived.
    public mutating func heartbeatReceived(nowMs: Int64) {
        if hasConnection { lastHeartbeatMs = nowMs }
    }

    /// A data message (book update, trade, order event) arrived.
    public mutating func dataReceived(nowMs: Int64) {
        if hasConnection { lastDataMs = nowMs }
    }

    /// The watchdog timer fired: checks heartbeat silence and staleness.
    public mutating func timerFired(nowMs: Int64) -> [Action] {
        guard phase == .subscribing || phase == .live else { return [] }
        if phase == .subscribing, nowMs - openedAtMs >= configuration.subscribeTimeoutMs {
            return fail(.subscriptionTimeout(milliseconds: nowMs - openedAtMs), nowMs: nowMs)
        }
        let silent = nowMs - lastHeartbeatMs
        if configuration.heartbeatTimeoutMs > 0, silent >= configuration.heartbeatTimeoutMs {
            return fail(.heartbeatSilence(milliseconds: silent), nowMs: nowMs)
        }
        let quiet = nowMs - lastDataMs
        if let stale = configuration.staleAfterMs, quiet >= stale {
            return fail(.staleMarketData(milliseconds: quiet), nowMs: nowMs)
        }
        return watchdog(nowMs: nowMs)
    }

    /// The connection ended by itself: `.closed` (with `closeCode`) or `.failed` (nil).
    /// Before the upgrade finished this is a connect failure.
    public mutating func connectionEnded(closeCode: Int?, reason: String, nowMs: Int64) -> [Action] {
        let cause: FeedDisconnectCause
        switch phase {
        case .connecting: cause = .connectFailed(reason)
        case .subscribing, .live:
            cause = closeCode.map { .closedByPeer(code: $0, reason: reason) } ?? .connectionLost(reason)
        case .idle, .reconnecting, .failed: return []
        }
        return reconnect(cause: cause, nowMs: nowMs, closing: false)
    }

    /// The adapter found the connection unusable (gap, decode error, crossed book…): drop
    /// it and reconnect. `.stopped` is not a failure; use `stop()`.
    public mutating func fail(_ cause: FeedDisconnectCause, nowMs: Int64) -> [Action] {
        guard hasConnection, cause != .stopped else { return [] }
        return reconnect(cause: cause, nowMs: nowMs, closing: true)
    }

    /// The backoff delay elapsed.
    public mutating func reconnectDue(nowMs: Int64) -> [Action] {
        guard case .reconnecting = phase else { return [] }
        return beginConnecting()
    }

    /// A problem reconnecting cannot fix: stop and report it.
    public mutating func fatal(_ error: FeedFatalError) -> [Action] {
        if case .failed = phase { return [] }
        let wasIdle = phase == .idle
        phase = .failed(error)
        liveSinceMs = nil
        return (wasIdle ? [] : [.close]) + [.disarmTimer, .cancelReconnect, .notify(.failed(error))]
    }

    /// The owner stops the feed.
    public mutating func stop() -> [Action] {
        guard phase != .idle else { return [] }
        phase = .idle
        liveSinceMs = nil
        return [.close, .disarmTimer, .cancelReconnect, .notify(.idle)]
    }

    // MARK: helpers

    private mutating func beginConnecting() -> [Action] {
        phase = .connecting
        return [.notify(.connecting), .connect]
    }

    private mutating func reconnect(cause: FeedDisconnectCause, nowMs: Int64, closing: Bool) -> [Action] {
        if let since = liveSinceMs, nowMs - since >= configuration.stableAfterMs { failures = 0 }
        liveSinceMs = nil
        let delay = configuration.backoff.delay(attempt: failures, using: &random)
        failures += 1
        phase = .reconnecting(cause: cause, attempt: failures)
        var actions: [Action] = closing ? [.closeAndReconnect(cause)] : []
        actions += [.disarmTimer, .notify(.reconnecting(cause: cause, attempt: failures, delayMs: delay)),
                    .scheduleReconnect(afterMs: delay)]
        return actions
    }

    /// Arms the timer for the nearest deadline still ahead.
    private func watchdog(nowMs: Int64) -> [Action] {
        var next: Int64?
        if configuration.heartbeatTimeoutMs > 0 { next = lastHeartbeatMs + configuration.heartbeatTimeoutMs }
        if let stale = configuration.staleAfterMs { next = min(next ?? .max, lastDataMs + stale) }
        if phase == .subscribing { next = min(next ?? .max, openedAtMs + configuration.subscribeTimeoutMs) }
        guard let next else { return [] }
        return [.armTimer(afterMs: max(1, next - nowMs))]
    }
}
