import Dispatch
import Synchronization

/// The work a virtual run's doubles post to the engine queue, counted, so the run can tell
/// when the queue has nothing left to do: `settle` returns once everything posted through
/// `async` has run, including what that posted, however many hops deep.
///
/// Why it matters: `ManualClock` runs each timer with `queue.sync` from the test's thread.
/// Were it to run the next one while the previous one's asynchronous hops (a venue answer,
/// an order event, a feed reconnect) were still queued, where the timer landed among those
/// hops would depend on thread timing. Installed as the clock's `settle`, it makes every
/// timer, and every step of the test's own, start on an idle queue, so a run is a function
/// of its seed.
///
/// Sound only if every asynchronous post to the engine queue goes through here. In a
/// virtual run it does: the engine itself posts to its own queue only on a failed journal
/// write and when a key-slot lease (the Gemini order-events handshake, not used by
/// `ChaosOrderEvents`) is returned; its timers run under the `ManualClock`, and the journal
/// writer queue posts nothing back.
final class PostedWork: Sendable {
    let queue: DispatchQueue
    private let outstanding = Atomic<Int>(0)
    private let posted = Atomic<Int>(0)

    init(queue: DispatchQueue) { self.queue = queue }

    /// `queue.async(execute: work)`, counted. `on` must be this tracker's queue (the doubles
    /// are handed the engine queue by the engine; the check keeps the count honest).
    func async(on target: DispatchQueue, _ work: @escaping @Sendable () -> Void) {
        precondition(target === queue, "PostedWork: a post to a queue other than the engine queue")
        outstanding.add(1, ordering: .sequentiallyConsistent)
        posted.add(1, ordering: .relaxed)
        queue.async {
            work()
            self.outstanding.subtract(1, ordering: .sequentiallyConsistent)
        }
    }

    /// How many posts were made so far.
    var postedCount: Int { posted.load(ordering: .relaxed) }

    /// Blocks until the queue has run everything posted through `async` (and what that
    /// posted). Call from a thread other than the queue's (the test's own).
    ///
    /// Each `queue.sync {}` waits for everything queued before it; a post made by one of
    /// those is counted before the block that made it returns, so a zero count after the
    /// barrier means nothing is queued or running. A chain that never ends (work re-posting
    /// itself without a timer) traps instead of hanging.
    func settle() {
        dispatchPrecondition(condition: .notOnQueue(queue))
        var rounds = 0
        repeat {
            queue.sync {}
            rounds += 1
            precondition(rounds < 1_000_000, "PostedWork: the engine queue never went idle")
        } while outstanding.load(ordering: .sequentiallyConsistent) > 0
    }
}
