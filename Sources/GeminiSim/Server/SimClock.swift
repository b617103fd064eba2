import Foundation
import Synchronization

/// The simulator's notion of time, injected so nonce windows, rate limits, heartbeat expiry
/// and fault windows can be driven deterministically by tests.
///
/// Time is Unix epoch milliseconds because that is what Gemini's nonces, `timestampms`
/// fields and rate windows are expressed in.
public protocol SimClock: Sendable {
    /// The current Unix time in milliseconds.
    func nowMilliseconds() -> Int64
    /// Suspends until `nowMilliseconds() >= deadline` (returns at once if already past).
    /// Throws `CancellationError` when the task is cancelled.
    func sleep(untilMilliseconds deadline: Int64) async throws
}

/// Wall-clock time and real sleeping: what `castor sim` and the daemon's embedded venue use.
public struct SystemSimClock: SimClock {
    public init() {}

    public func nowMilliseconds() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
    }

    public func sleep(untilMilliseconds deadline: Int64) async throws {
        let remaining = deadline - nowMilliseconds()
        if remaining > 0 { try await Task.sleep(for: .milliseconds(remaining)) }
    }
}

/// A clock that moves only when `advance(byMilliseconds:)` or `set(milliseconds:)` is called.
///
/// Sleepers are resumed, in deadline order, by the call that moves time past their deadline,
/// so a test can queue rate-limited requests, check they are still pending, then release them.
/// Thread-safe: all state sits behind one `Mutex`; continuations are resumed outside it.
public final class ManualSimClock: SimClock {
    private struct Sleeper {
        let id: UInt64
        let deadline: Int64
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now: Int64
        var nextID: UInt64 = 0
        var sleepers: [Sleeper] = []
    }

    private let state: Mutex<State>

    /// Starts at `milliseconds` since the epoch (default: 2024-04-02T08:14:38Z, a fixed instant).
    public init(milliseconds: Int64 = 1_712_045_678_000) {
        state = Mutex(State(now: milliseconds))
    }

    public func nowMilliseconds() -> Int64 { state.withLock { $0.now } }

    /// How many tasks are currently suspended in `sleep(untilMilliseconds:)`.
    public var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    /// The deadlines of the suspended sleepers, soonest first (to wait for a specific one).
    public var pendingDeadlines: [Int64] { state.withLock { $0.sleepers.map(\.deadline).sorted() } }

    public func advance(byMilliseconds delta: Int64) {
        precondition(delta >= 0, "ManualSimClock cannot go backwards")
        set(milliseconds: nowMilliseconds() + delta)
    }

    /// Jumps to `milliseconds` (forwards or backwards) and wakes every sleeper now due.
    public func set(milliseconds: Int64) {
        let due: [Sleeper] = state.withLock { state in
            state.now = milliseconds
            let ready = state.sleepers.filter { $0.deadline <= milliseconds }.sorted { $0.deadline < $1.deadline }
            state.sleepers.removeAll { $0.deadline <= milliseconds }
            return ready
        }
        for sleeper in due { sleeper.continuation.resume() }
    }

    public func sleep(untilMilliseconds deadline: Int64) async throws {
        let id: UInt64 = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let resumeNow: Bool = state.withLock { state in
                    if state.now >= deadline || Task.isCancelled { return true }
                    state.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let cancelled: Sleeper? = state.withLock { state in
                guard let index = state.sleepers.firstIndex(where: { $0.id == id }) else { return nil }
                return state.sleepers.remove(at: index)
            }
            cancelled?.continuation.resume(throwing: CancellationError())
        }
        try Task.checkCancellation()
    }
}
