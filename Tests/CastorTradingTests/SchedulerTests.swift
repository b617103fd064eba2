import GeminiProtocol
import Testing
@testable import CastorTrading

@Suite struct SchedulerTests {
    @Test func tokenBucketRefillsAndCaps() {
        var b = TokenBucket(ratePerSecond: 5, burst: 5)
        #expect(b.intervalMs == 200 && b.available(at: 0) == 5)
        for _ in 0..<5 { do { let ok = b.tryTake(at: 0); #expect(ok) } }
        do { let ok = b.tryTake(at: 0); #expect(!ok) }
        #expect(b.nextTokenTime(at: 0) == 200)
        do { let ok = b.tryTake(at: 199); #expect(!ok) }
        do { let ok = b.tryTake(at: 200); #expect(ok) }
        #expect(b.available(at: 100_000) == 5)  // capped at the burst
        // A clock stepping back refills nothing.
        var c = TokenBucket(intervalMs: 1000, capacity: 1)
        do { let ok = c.tryTake(at: 5_000); #expect(ok) }
        do { let ok = c.tryTake(at: 1_000); #expect(!ok) }
        #expect(c.nextTokenTime(at: 5_500) == 6_000)
    }

    func send<P>(_ d: SchedulerDecision<P>) -> ScheduledRequest<P>? { if case .send(let r) = d { r } else { nil } }

    @Test func prioritiesCancelsFirstThenNewOrdersThenQueries() {
        var s = RequestScheduler<String>(privateBucket: TokenBucket(intervalMs: 100, capacity: 10))
        s.enqueue("q1", kind: .query, now: 0)
        s.enqueue("n1", kind: .newOrder, now: 0)
        s.enqueue("c1", kind: .cancel, now: 0)
        s.enqueue("n2", kind: .newOrder, now: 0)
        var order: [String] = []
        for t in 0..<4 {
            let r = send(s.next(now: Int64(t)))!
            order.append(r.payload)
            s.complete(r.id)
        }
        #expect(order == ["c1", "n1", "n2", "q1"])
        #expect(s.next(now: 10).isIdle)
    }

    @Test func onePrivateInFlight() {
        var s = RequestScheduler<String>()
        s.enqueue("a", kind: .newOrder, now: 0)
        s.enqueue("b", kind: .newOrder, now: 0)
        s.enqueue("p", kind: .query, group: .public, now: 0)
        let a = send(s.next(now: 0))!
        #expect(a.payload == "a" && s.privateInFlight == a.id)
        // Private blocked on "a"; the public request may go.
        #expect(send(s.next(now: 0))?.payload == "p")
        #expect(s.next(now: 1).isIdle)
        s.complete(a.id)
        #expect(send(s.next(now: 1))?.payload == "b")
    }

    @Test func rateLimitWaits() {
        var s = RequestScheduler<Int>(privateBucket: TokenBucket(intervalMs: 200, capacity: 1))
        s.enqueue(1, kind: .query, now: 0)
        s.enqueue(2, kind: .query, now: 0)
        let r = send(s.next(now: 0))!
        s.complete(r.id)
        guard case .wait(let until) = s.next(now: 50) else { Issue.record("expected wait"); return }
        #expect(until == 200)
        #expect(send(s.next(now: 200))?.payload == 2)
    }

    @Test func staleRequestsExpireInsteadOfBeingSentLate() {
        var s = RequestScheduler<String>(privateBucket: TokenBucket(intervalMs: 1000, capacity: 1))
        s.enqueue("q", kind: .query, now: 0)
        s.enqueue("n", kind: .newOrder, now: 0, deadlineMs: 500)
        let first = send(s.next(now: 0))!
        #expect(first.payload == "n")  // higher priority goes first
        s.complete(first.id)
        s.enqueue("n2", kind: .newOrder, now: 0, deadlineMs: 500)
        guard case .wait(let until) = s.next(now: 10) else { Issue.record("expected wait"); return }
        #expect(until == 501)  // wakes for the expiry before the next token at 1000
        guard case .expired(let e) = s.next(now: 501) else { Issue.record("expected expiry"); return }
        #expect(e.payload == "n2")
        guard case .wait(let u2) = s.next(now: 501) else { Issue.record("expected wait"); return }
        #expect(u2 == 1000)
        #expect(send(s.next(now: 1000))?.payload == "q")
    }

    @Test func notBeforeAndPause() {
        var s = RequestScheduler<String>(privateBucket: TokenBucket(intervalMs: 10, capacity: 5))
        s.enqueue("c", kind: .cancel, now: 0, notBeforeMs: 300)
        s.enqueue("q", kind: .query, now: 0)
        let q = send(s.next(now: 0))!
        #expect(q.payload == "q")  // the cancel is backing off; a ready query may go
        s.complete(q.id)
        s.pause(.private, untilMs: 1_000)
        guard case .wait(let until) = s.next(now: 300) else { Issue.record("expected wait"); return }
        #expect(until == 1_000)
        #expect(send(s.next(now: 1_000))?.payload == "c")
    }

    // MARK: the lease of the key's slot (the order-events handshake)

    @Test func aLeaseWaitsBehindCancelsGoesAheadOfNewOrdersAndHoldsTheSlot() {
        // One token: a lease must not need one.
        var s = RequestScheduler<String>(privateBucket: TokenBucket(intervalMs: 1_000, capacity: 1))
        s.enqueue("n", kind: .newOrder, now: 0)
        s.enqueue("q", kind: .query, now: 0)
        s.enqueueLease("lease", now: 0, deadlineMs: 10_000, maximumHoldMs: 30_000)
        s.enqueue("c", kind: .cancel, now: 0)
        let c = send(s.next(now: 0))!
        #expect(c.payload == "c")
        s.complete(c.id)
        let lease = send(s.next(now: 1))!
        #expect(lease.payload == "lease" && lease.isLease && s.privateInFlight == lease.id)
        // Held: nothing private goes, although the bucket refills.
        guard case .wait(let until) = s.next(now: 5_000) else { Issue.record("expected a wait"); return }
        #expect(until == 30_001)  // the end of its hold; no cancel waits
        s.complete(lease.id)
        #expect(send(s.next(now: 5_000))?.payload == "n")
    }

    @Test func aLeaseNotReleasedIsRevokedAtItsMaximumHoldAndItsLateReleaseIsIgnored() {
        var s = RequestScheduler<String>()
        s.enqueueLease("lease", now: 0, deadlineMs: nil, maximumHoldMs: 2_000)
        let lease = send(s.next(now: 0))!
        s.enqueue("q", kind: .query, now: 100)
        guard case .wait(let until) = s.next(now: 100) else { Issue.record("expected a wait"); return }
        #expect(until == 2_000)
        guard case .revoked(let r, let why) = s.next(now: 2_000) else { Issue.record("expected a revocation"); return }
        #expect(r.id == lease.id && why == .maximumHold && s.privateInFlight == nil)
        let q = send(s.next(now: 2_000))!
        #expect(q.payload == "q")
        // The holder's release arrives late: it must not free the query's slot.
        s.complete(lease.id)
        #expect(s.privateInFlight == q.id)
    }

    @Test func aWaitingCancelTakesTheSlotFromALeaseAfterThePreemptTimeButAQueryDoesNot() {
        var s = RequestScheduler<String>(leasePreemptAfterMs: 1_000)
        s.enqueueLease("lease", now: 0, deadlineMs: nil, maximumHoldMs: 30_000)
        let lease = send(s.next(now: 0))!
        s.enqueue("q", kind: .query, now: 10)
        guard case .wait(let u1) = s.next(now: 10) else { Issue.record("expected a wait"); return }
        #expect(u1 == 30_000)  // a query does not preempt
        s.enqueue("c", kind: .cancel, now: 500)
        guard case .wait(let u2) = s.next(now: 500) else { Issue.record("expected a wait"); return }
        #expect(u2 == 1_000)  // measured from the grant
        guard case .revoked(let r, let why) = s.next(now: 1_000) else { Issue.record("expected a revocation"); return }
        #expect(r.id == lease.id && why == .cancelWaiting)
        #expect(send(s.next(now: 1_000))?.payload == "c")
    }

    @Test func aLeaseStillQueuedAtItsDeadlineExpires() {
        var s = RequestScheduler<String>()
        s.enqueue("q", kind: .query, now: 0)
        let q = send(s.next(now: 0))!
        s.enqueueLease("lease", now: 0, deadlineMs: 300, maximumHoldMs: 30_000)
        guard case .wait(let until) = s.next(now: 10) else { Issue.record("expected a wait"); return }
        #expect(until == 301)
        guard case .expired(let e) = s.next(now: 301) else { Issue.record("expected expiry"); return }
        #expect(e.payload == "lease" && e.isLease)
        s.complete(q.id)
        #expect(s.next(now: 301).isIdle)
    }

    @Test func retiredEverythingQueuedNowOrLaterExpiresAndQuietWaitsForTheRequestInFlight() {
        var s = RequestScheduler<String>()
        s.enqueue("a", kind: .query, now: 0)
        s.enqueue("b", kind: .newOrder, now: 0)
        let inFlight = send(s.next(now: 0))!
        #expect(inFlight.payload == "b")
        s.retire()
        #expect(s.isRetired && !s.isQuiet)
        guard case .expired(let e) = s.next(now: 0) else { Issue.record("expected expiry"); return }
        #expect(e.payload == "a")
        s.enqueue("late", kind: .cancel, now: 1)
        guard case .expired(let late) = s.next(now: 1) else { Issue.record("expected expiry"); return }
        #expect(late.payload == "late")
        #expect(s.next(now: 1).isIdle)
        s.complete(inFlight.id)
        #expect(s.isQuiet)
    }

    @Test func aHeldLeaseDoesNotKeepARetiredQueueFromBeingQuiet() {
        var s = RequestScheduler<String>()
        s.enqueueLease("lease", now: 0, deadlineMs: nil, maximumHoldMs: 30_000)
        _ = send(s.next(now: 0))!
        s.retire()
        #expect(s.isQuiet)  // its nonce was drawn at the grant; its release draws none
    }

    @Test func newBucketsKeepTheQueueTheRequestInFlightAndTheLease() {
        var s = RequestScheduler<String>(privateBucket: TokenBucket(intervalMs: 10_000, capacity: 1))
        s.enqueue("a", kind: .query, now: 0)
        s.enqueue("b", kind: .query, now: 0)
        let a = send(s.next(now: 0))!
        s.setBuckets(privateBucket: TokenBucket(intervalMs: 10, capacity: 5), publicBucket: .publicDefault)
        #expect(s.privateInFlight == a.id)
        #expect(s.next(now: 1).isIdle)  // still one at a time
        s.complete(a.id)
        #expect(send(s.next(now: 1))?.payload == "b")
    }

    @Test func extremeTimesDoNotTrap() {
        var s = RequestScheduler<String>()
        s.enqueue("q", kind: .query, now: 0, deadlineMs: .max)
        s.enqueueLease("lease", now: 0, deadlineMs: .max, maximumHoldMs: .max)
        let lease = send(s.next(now: 0))!
        #expect(lease.isLease)
        guard case .wait(let until) = s.next(now: 1) else { Issue.record("expected a wait"); return }
        #expect(until == .max)
    }
}

extension SchedulerDecision {
    var isIdle: Bool { if case .idle = self { true } else { false } }
}
