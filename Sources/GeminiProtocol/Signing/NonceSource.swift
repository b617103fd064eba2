import Dispatch
import Synchronization

/// Issues strictly increasing nonces for one API key, surviving restarts.
///
/// Each value is `max(clock now, last + step)` in milliseconds, where `step` is the
/// format's granularity (1 ms, or 1000 ms for whole seconds), so nonces increase even when
/// the clock stands still, steps backwards (NTP) or many threads ask at once.
///
/// **One source per API key, and one key per process.** Gemini tracks nonces per key, so two
/// sources (or two processes) sharing a key would interleave and be rejected. Requests must
/// also be *sent* in nonce order on counter keys: see API.md §2.3.
///
/// **Persistence.** With a `persistenceFile`, the source stores a high-water mark that is
/// always ≥ every nonce it has issued, and after a restart issues only nonces above it, so
/// a crash, a restart or a clock that went backwards never reuses or lowers a nonce. Writing
/// a file per request would cost an fsync each time, so the mark is *reserved ahead*: when
/// an issued nonce passes the mark, the new mark is that nonce plus `reservationMilliseconds`
/// (5 s by default), and no write happens until nonces pass it again. The cost of the window
/// is that, after a crash, the first nonce may lead the clock by up to the window; 5 s keeps
/// time-based keys well inside Gemini's ±30 s tolerance. Do not raise it above ~20 s.
///
/// **Renewal off the request path.** A durable write costs an fsync (tens of ms on some
/// disks), and `next()` runs on the tick-to-order path. So once issued nonces are past half
/// the window, the next mark is written on a background queue, and `reserved` moves only
/// after that write is durable. `next()` writes synchronously only if nonces outrun the
/// renewal (or it failed), so the rule "every issued nonce ≤ the durable mark" never bends.
///
/// Thread safety: all state is inside a `Mutex`; the file has its own lock, which makes
/// writes one at a time and never lowers the stored mark. Lock order: state, then file.
public final class NonceSource: Sendable {
    /// Default distance the persisted mark is reserved ahead of the last issued nonce.
    public static let defaultReservationMilliseconds: Int64 = 5_000
    /// Default bound on how far a whole-second nonce (and the persisted mark) may lead the
    /// wall clock. Time-based keys reject a nonce more than 30 s from server time, so a
    /// source that ran ahead (whole-second nonces asked for faster than one per second)
    /// would lock such a key out, and a mark persisted that far ahead would keep it out
    /// after a restart. Past the bound `next()` refuses (`aheadOfClock`) until the clock
    /// catches up. Only `.seconds` is bounded: the finer formats cannot outrun the clock
    /// by themselves, and on counter keys `bump(atLeast:)` must be free to jump ahead.
    public static let defaultMaxLeadMilliseconds: Int64 = 20_000

    /// How the nonces of this source are written; fixed for the key's lifetime.
    public let format: NonceFormat
    private let clock: any NonceClock
    private let file: NonceFile?
    private let reservation: Int64
    private let maxLead: Int64
    private let state: Mutex<State>
    /// The highest mark this source made durable; its lock serialises file writes.
    private let written: Mutex<Int64>
    private let renewer = DispatchQueue(label: "castor.nonce-renewal", qos: .utility)

    private struct State {
        /// The last issued nonce, or after a restart the persisted mark: the next one is above it.
        var floor: Int64
        /// The persisted mark (`Int64.max` when memory-only, so no write is ever due).
        var reserved: Int64
        var lastIssued: Int64?
        /// A background renewal of the mark is queued or running.
        var renewing = false
    }

    /// Creates a source, loading the high-water mark from `persistenceFile` if given.
    ///
    /// - Parameters:
    ///   - clock: wall clock in milliseconds; inject a fixed or scripted clock in tests.
    ///   - format: the key's nonce format; `.seconds` makes the source step by whole seconds.
    ///   - persistenceFile: path of the mark file (created with mode 0600 on first use);
    ///     nil keeps nonces in memory only, which is safe only while the clock never goes back
    ///     across a restart.
    ///   - reservationMilliseconds: how far ahead the mark is reserved (see the type's docs).
    /// - Throws: `NonceSourceError.unreadable` or `.corrupt` if the file exists but cannot be
    ///   trusted. A missing file is a first start.
    public init(
        clock: any NonceClock = SystemNonceClock(),
        format: NonceFormat = .secondsWithMillis,
        persistenceFile: String? = nil,
        reservationMilliseconds: Int64 = NonceSource.defaultReservationMilliseconds,
        maxLeadMilliseconds: Int64 = NonceSource.defaultMaxLeadMilliseconds
    ) throws(NonceSourceError) {
        precondition(reservationMilliseconds >= 0, "reservation window must not be negative")
        precondition(maxLeadMilliseconds >= 0, "lead bound must not be negative")
        self.clock = clock
        self.format = format
        self.reservation = reservationMilliseconds
        self.maxLead = format == .seconds ? maxLeadMilliseconds : .max
        let file = persistenceFile.map { NonceFile(path: $0) }
        self.file = file
        if let file {
            let mark = try file.read() ?? -1
            state = Mutex(State(floor: mark, reserved: mark))
            written = Mutex(mark)
        } else {
            state = Mutex(State(floor: -1, reserved: .max))
            written = Mutex(.max)
        }
    }

    /// The next nonce: above every nonce this source (and, if persisted, its earlier runs)
    /// issued, and never below the clock.
    ///
    /// - Throws: `NonceSourceError.writeFailed` when the mark must advance and cannot be
    ///   persisted; `.aheadOfClock` when the next nonce would lead the wall clock by more
    ///   than the lead bound (asked too fast, or a mark from an earlier run far ahead): ask
    ///   again once the clock has caught up. No nonce is consumed then.
    public func next() throws(NonceSourceError) -> Nonce {
        try next(wholeSecond: false)
    }

    /// The next nonce at a whole second (the new WebSocket API's upgrade nonce is integer
    /// epoch seconds, WS-API.md §1.4): the first whole second at or above what `next()`
    /// would give, so it stays above every nonce issued before, REST ones included, and
    /// every later nonce is above it.
    public func nextWholeSecond() throws(NonceSourceError) -> Nonce {
        try next(wholeSecond: true)
    }

    private func next(wholeSecond: Bool) throws(NonceSourceError) -> Nonce {
        let now = clock.nowMilliseconds()
        let step = format.granularityMilliseconds
        let (nonce, renewal) = try state.withLock { (state: inout State) throws(NonceSourceError) -> (Nonce, Int64?) in
            let (sum, overflow) = state.floor.addingReportingOverflow(step)
            var candidate = overflow ? Int64.max : max(now, sum)
            if wholeSecond, candidate % 1_000 != 0 {
                let (up, over) = (candidate / 1_000 + 1).multipliedReportingOverflow(by: 1_000)
                candidate = over ? Int64.max : up
            }
            guard maxLead == .max || candidate - maxLead <= now else {
                throw .aheadOfClock(leadMilliseconds: candidate - now, limitMilliseconds: maxLead)
            }
            if candidate > state.reserved, file != nil {
                // Never persisted further ahead of the clock than the lead bound.
                let mark = max(candidate, min(NonceSource.sum(candidate, reservation), NonceSource.sum(now, maxLead)))
                try persist(mark)
                state.reserved = max(state.reserved, mark)
            }
            state.floor = candidate
            state.lastIssued = candidate
            var renewal: Int64?
            if file != nil, !state.renewing, state.reserved - candidate < reservation / 2 {
                let mark = min(NonceSource.sum(candidate, reservation), NonceSource.sum(now, maxLead))
                if mark > state.reserved {
                    state.renewing = true
                    renewal = mark
                }
            }
            return (Nonce(milliseconds: candidate), renewal)
        }
        if let renewal { renewer.async { self.renew(to: renewal) } }
        return nonce
    }

    /// `a + b`, saturating at `Int64.max` (the unbounded lead).
    private static func sum(_ a: Int64, _ b: Int64) -> Int64 {
        let (s, overflow) = a.addingReportingOverflow(b)
        return overflow ? .max : s
    }

    /// Makes `mark` durable unless a higher one already is; one write at a time.
    private func persist(_ mark: Int64) throws(NonceSourceError) {
        guard let file else { return }
        try written.withLock { (last: inout Int64) throws(NonceSourceError) in
            guard mark > last else { return }
            try file.write(mark)
            last = mark
        }
    }

    /// The background renewal. On failure nothing moves: `next()` retries synchronously
    /// when the mark is reached and reports the error then.
    private func renew(to mark: Int64) {
        let durable: Bool
        do { try persist(mark); durable = true } catch { durable = false }
        state.withLock { state in
            if durable { state.reserved = max(state.reserved, mark) }
            state.renewing = false
        }
    }

    /// Waits until a queued background renewal of the mark has finished (an orderly
    /// shutdown, tests). Not needed for safety: a renewal only ever raises the mark.
    public func waitForRenewal() {
        renewer.sync {}
    }

    /// Makes every later nonce greater than `nonce`, e.g. the value Gemini reports in
    /// "Nonce 'N' has not increased since your last call". Lowers nothing.
    public func bump(atLeast nonce: Nonce) {
        state.withLock { state in
            state.floor = max(state.floor, nonce.milliseconds)
        }
    }

    /// Moves the next nonce `milliseconds` past both the last nonce and the clock: the
    /// fallback after an `InvalidNonce` reply that names no value.
    public func skip(milliseconds: Int64 = 1_000) {
        precondition(milliseconds >= 0, "skip distance must not be negative")
        let now = clock.nowMilliseconds()
        state.withLock { state in
            state.floor = max(state.floor, now) + milliseconds
        }
    }

    /// The most recently issued nonce in this process, if any.
    public var lastIssued: Nonce? {
        state.withLock { $0.lastIssued.map(Nonce.init(milliseconds:)) }
    }
}
