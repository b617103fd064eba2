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
/// Thread safety: all state is inside a `Mutex`, and the file is written while holding it,
/// so a nonce is returned only after a mark covering it is durable.
public final class NonceSource: Sendable {
    /// Default distance the persisted mark is reserved ahead of the last issued nonce.
    public static let defaultReservationMilliseconds: Int64 = 5_000

    /// How the nonces of this source are written; fixed for the key's lifetime.
    public let format: NonceFormat
    private let clock: any NonceClock
    private let file: NonceFile?
    private let reservation: Int64
    private let state: Mutex<State>

    private struct State {
        /// The last issued nonce, or after a restart the persisted mark: the next one is above it.
        var floor: Int64
        /// The persisted mark (`Int64.max` when memory-only, so no write is ever due).
        var reserved: Int64
        var lastIssued: Int64?
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
        reservationMilliseconds: Int64 = NonceSource.defaultReservationMilliseconds
    ) throws(NonceSourceError) {
        precondition(reservationMilliseconds >= 0, "reservation window must not be negative")
        self.clock = clock
        self.format = format
        self.reservation = reservationMilliseconds
        let file = persistenceFile.map { NonceFile(path: $0) }
        self.file = file
        if let file {
            let mark = try file.read() ?? -1
            state = Mutex(State(floor: mark, reserved: mark))
        } else {
            state = Mutex(State(floor: -1, reserved: .max))
        }
    }

    /// The next nonce: above every nonce this source (and, if persisted, its earlier runs)
    /// issued, and never below the clock.
    ///
    /// - Throws: `NonceSourceError.writeFailed` when the mark must advance and cannot be
    ///   persisted; no nonce is consumed then. Memory-only sources never throw.
    public func next() throws(NonceSourceError) -> Nonce {
        let now = clock.nowMilliseconds()
        let step = format.granularityMilliseconds
        return try state.withLock { (state: inout State) throws(NonceSourceError) -> Nonce in
            let candidate = max(now, state.floor + step)
            if candidate > state.reserved, let file {
                let mark = candidate + reservation
                try file.write(mark)
                state.reserved = mark
            }
            state.floor = candidate
            state.lastIssued = candidate
            return Nonce(milliseconds: candidate)
        }
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
