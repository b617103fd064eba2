import CastorCore
import CastorTrading
import Dispatch

/// One API key's ordered queue as the engine keeps it, for tests without an engine: the
/// real `RequestScheduler` on the key sender's queue, so REST calls and the order-events
/// handshake's slot loans leave one at a time, in the scheduler's order.
///
/// Queue-confined to `queue` (the sender's) behind `@unchecked Sendable`.
final class TestKeyLane: KeySlotLender, @unchecked Sendable {
    struct Job: Sendable {
        let run: @Sendable (_ done: @escaping @Sendable () -> Void) -> Void
        let expired: (@Sendable () -> Void)?
    }

    let queue: DispatchQueue
    private var scheduler = RequestScheduler<Job>(privateBucket: TokenBucket(intervalMs: 1, capacity: 1_000))
    /// Loans granted so far (one per handshake).
    private(set) var loansGranted = 0
    private var wakeArmedFor: Int64?

    init(queue: DispatchQueue) { self.queue = queue }

    private var now: Int64 { EngineClock.system.nowMs() }

    /// Queues a private call; `run` must call `done` once it was answered. Any queue.
    func submit(kind: RequestKind = .query, _ run: @escaping @Sendable (_ done: @escaping @Sendable () -> Void) -> Void) {
        queue.async {
            self.scheduler.enqueue(Job(run: run, expired: nil), kind: kind, now: self.now)
            self.pump()
        }
    }

    func borrowSlot(waitMs: Int64, maximumHoldMs: Int64,
                    _ granted: @escaping @Sendable (Result<KeySlotLoan, KeySlotRefusal>) -> Void) {
        dispatchPrecondition(condition: .onQueue(queue))
        let t = now
        let job = Job(run: { [queue] done in
            granted(.success(KeySlotLoan { queue.async(execute: done) }))
        }, expired: { granted(.failure(.expired)) })
        scheduler.enqueueLease(job, now: t, deadlineMs: t + waitMs, maximumHoldMs: maximumHoldMs)
        pump()
    }

    private func pump() {
        dispatchPrecondition(condition: .onQueue(queue))
        while true {
            switch scheduler.next(now: now) {
            case .send(let request):
                if request.isLease { loansGranted += 1 }
                let id = request.id
                request.payload.run { [self] in
                    dispatchPrecondition(condition: .onQueue(queue))
                    scheduler.complete(id)
                    pump()
                }
            case .expired(let request):
                request.payload.expired?()
            case .revoked:
                continue
            case .wait(let until):
                guard wakeArmedFor.map({ until < $0 }) ?? true else { return }
                wakeArmedFor = until
                queue.asyncAfter(deadline: .now() + .milliseconds(Int(max(0, until - now)))) { [self] in
                    wakeArmedFor = nil
                    pump()
                }
                return
            case .idle:
                return
            }
        }
    }
}
