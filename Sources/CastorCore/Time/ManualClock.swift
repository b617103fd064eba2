import Dispatch
import Synchronization

/// A clock that moves only when told to: tests and the backtester advance it by hand, and
/// the timers armed on it run then, in time order, each on its own queue.
///
/// `engineClock` is the `EngineClock` to inject. Its `nowMs` is the manual time; its wall
/// clock is the manual time plus any step made with `stepWall(byMs:)` (an NTP step, which
/// must move no timer).
///
/// `advance` runs each due timer with `queue.sync` on the queue it was armed for, so call
/// it from a thread that is not that queue (a test's own thread). Work a timer posts to its
/// serial queue with `async` is queued before the next timer's `sync`, but whatever that
/// work posts in turn (a chain of hops) may still be queued when the next timer runs, so
/// where the next timer lands in such a chain depends on thread timing. An owner that needs
/// each timer to start on an idle queue (a deterministic replay) installs a quiescence
/// barrier with `setSettle`; without one, `advance` does not wait.
public final class ManualClock: TimerScheduler, Sendable {
    private struct Pending {
        let atMs: Int64
        let seq: UInt64
        let queue: DispatchQueue
        let timer: ScheduledTimer
        let work: @Sendable () -> Void
    }

    private struct State {
        var nowMs: Int64
        var wallStepMs: Int64 = 0
        var seq: UInt64 = 0
        var pending: [Pending] = []
        var settle: (@Sendable () -> Void)?
    }

    private let state: Mutex<State>

    /// A clock that reads `startMs` (Unix milliseconds) until advanced.
    public init(startMs: Int64) {
        state = Mutex(State(nowMs: startMs))
    }

    /// The clock to hand to the engine.
    public var engineClock: EngineClock {
        EngineClock(nowMs: { self.nowMs }, wallMs: { self.state.withLock { $0.nowMs &+ $0.wallStepMs } }, timers: self)
    }

    /// The manual time.
    public var nowMs: Int64 { state.withLock { $0.nowMs } }

    /// Timers armed and neither run nor cancelled.
    public var pendingTimerCount: Int { state.withLock { $0.pending.filter { !$0.timer.isCancelled }.count } }

    /// When the next live timer is due, if any.
    /// No allocation: a driver (the backtester) asks before every message.
    public var nextTimerMs: Int64? {
        state.withLock { s in
            var best: Int64?
            for p in s.pending where !p.timer.isCancelled && p.atMs < (best ?? .max) { best = p.atMs }
            return best
        }
    }

    /// Moves the wall clock (not the engine's time) by `ms`, as an NTP step would.
    public func stepWall(byMs ms: Int64) {
        state.withLock { $0.wallStepMs &+= ms }
    }

    /// Installs (or, with nil, removes) the owner's quiescence barrier: `advance` calls it on
    /// the advancing thread before it picks each due timer, so also after the last one ran
    /// and before it returns. It must block until the work already posted by the timers (and
    /// by the owner) has run, however many hops deep, typically by draining the queues the
    /// owner knows until nothing more is posted. It runs with the clock reading the time of
    /// the timer that ran last (the work settles at the instant it was posted, as it would in
    /// real time when it is fast); it must not call `advance`.
    public func setSettle(_ settle: (@Sendable () -> Void)?) {
        state.withLock { $0.settle = settle }
    }

    public func schedule(on queue: DispatchQueue, atMs: Int64, nowMs: Int64,
                         _ timer: ScheduledTimer, _ work: @escaping @Sendable () -> Void) {
        state.withLock { s in
            s.seq &+= 1
            s.pending.append(Pending(atMs: atMs, seq: s.seq, queue: queue, timer: timer, work: work))
        }
    }

    /// Advances the time by `ms` (≥ 0), running every timer that falls due on the way, in
    /// order of due time (then of arming), with the clock reading each one's due time while
    /// it runs. Timers armed by those run too if they fall due within the advance.
    public func advance(byMs ms: Int64) {
        advance(toMs: nowMs &+ max(0, ms))
    }

    /// Advances the time to `targetMs` (never backwards); see `advance(byMs:)`. With a
    /// `setSettle` barrier installed, it settles before each timer and before returning.
    public func advance(toMs targetMs: Int64) {
        let settle = state.withLock { $0.settle }
        while true {
            settle?()
            guard let next = takeNextDue(upTo: targetMs) else { break }
            dispatchPrecondition(condition: .notOnQueue(next.queue))
            next.queue.sync {
                if !next.timer.isCancelled { next.work() }
            }
        }
        state.withLock { s in s.nowMs = max(s.nowMs, targetMs) }
    }

    /// Runs the timers already due (armed for now or the past) without moving the time.
    public func runDue() { advance(byMs: 0) }

    private func takeNextDue(upTo targetMs: Int64) -> Pending? {
        state.withLock { s in
            s.pending.removeAll { $0.timer.isCancelled }
            var best: Int?
            for (i, p) in s.pending.enumerated() where p.atMs <= targetMs {
                if let b = best, (s.pending[b].atMs, s.pending[b].seq) <= (p.atMs, p.seq) { continue }
                best = i
            }
            guard let b = best else { return nil }
            let p = s.pending.remove(at: b)
            s.nowMs = max(s.nowMs, p.atMs)
            return p
        }
    }
}
