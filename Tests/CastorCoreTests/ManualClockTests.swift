import CastorCore
import Dispatch
import Synchronization
import Testing

@Suite struct ManualClockTests {
    final class Log: Sendable {
        let entries = Mutex<[String]>([])
        func add(_ s: String) { entries.withLock { $0.append(s) } }
        var all: [String] { entries.withLock { $0 } }
    }

    @Test func timersRunInDueOrderWithTheClockAtTheirDueTime() {
        let manual = ManualClock(startMs: 1_000)
        let clock = manual.engineClock
        let q = DispatchQueue(label: "t")
        let log = Log()
        clock.schedule(on: q, afterMs: 300) { log.add("c@\(clock.nowMs())") }
        clock.schedule(on: q, afterMs: 100) { log.add("a@\(clock.nowMs())") }
        clock.schedule(on: q, atMs: 1_100) { log.add("b@\(clock.nowMs())") }
        manual.advance(byMs: 99)
        #expect(log.all.isEmpty)
        manual.advance(byMs: 1)
        #expect(log.all == ["a@1100", "b@1100"])
        manual.advance(byMs: 1_000)
        #expect(log.all == ["a@1100", "b@1100", "c@1300"])
        #expect(manual.nowMs == 2_100)
        #expect(manual.pendingTimerCount == 0)
    }

    @Test func cancelledTimersNeverRun() {
        let manual = ManualClock(startMs: 0)
        let q = DispatchQueue(label: "t")
        let log = Log()
        let t = manual.engineClock.schedule(on: q, afterMs: 10) { log.add("x") }
        #expect(manual.nextTimerMs == 10)
        t.cancel()
        #expect(manual.pendingTimerCount == 0)
        manual.advance(byMs: 100)
        #expect(log.all.isEmpty)
    }

    @Test func timersArmedByATimerRunWithinTheSameAdvance() {
        let manual = ManualClock(startMs: 0)
        let clock = manual.engineClock
        let q = DispatchQueue(label: "t")
        let log = Log()
        clock.schedule(on: q, afterMs: 10) {
            log.add("first@\(clock.nowMs())")
            clock.schedule(on: q, afterMs: 15) { log.add("second@\(clock.nowMs())") }
            clock.schedule(on: q, afterMs: 500) { log.add("late") }
        }
        manual.advance(byMs: 30)
        #expect(log.all == ["first@10", "second@25"])
        #expect(manual.nextTimerMs == 510)
    }

    @Test func repeatingTimerRunsEveryPeriodUntilCancelled() {
        let manual = ManualClock(startMs: 0)
        let clock = manual.engineClock
        let q = DispatchQueue(label: "t")
        let log = Log()
        let t = clock.repeating(on: q, everyMs: 1_000) { log.add("\(clock.nowMs())") }
        manual.advance(byMs: 3_500)
        #expect(log.all == ["1000", "2000", "3000"])
        t.cancel()
        manual.advance(byMs: 10_000)
        #expect(log.all.count == 3)
    }

    @Test func aWallClockStepMovesNoTimer() {
        let manual = ManualClock(startMs: 10_000)
        let clock = manual.engineClock
        let q = DispatchQueue(label: "t")
        let log = Log()
        clock.schedule(on: q, afterMs: 1_000) { log.add("fired") }
        manual.stepWall(byMs: -3_600_000)
        #expect(clock.wallMs() == 10_000 - 3_600_000)
        #expect(clock.nowMs() == 10_000)
        #expect(clock.skewMs == 3_600_000)
        manual.advance(byMs: 999)
        #expect(log.all.isEmpty)
        manual.advance(byMs: 1)
        #expect(log.all == ["fired"])
    }

    @Test func farFutureAndPastTimesAreSafe() async {
        let manual = ManualClock(startMs: 0)
        let clock = manual.engineClock
        let q = DispatchQueue(label: "t")
        let log = Log()
        clock.schedule(on: q, afterMs: .max) { log.add("never") }
        clock.schedule(on: q, atMs: .min) { log.add("past") }
        manual.runDue()
        #expect(log.all == ["past"])
        // The Dispatch scheduler refuses to trap on out-of-range deadlines too.
        let real = EngineClock(nowMs: { 0 })
        real.schedule(on: q, atMs: .max) { log.add("never either") }
        real.schedule(on: q, afterMs: .max) { log.add("never either") }
        let ran = Mutex(false)
        real.schedule(on: q, atMs: .min) { ran.withLock { $0 = true } }
        for _ in 0..<2_000 where !ran.withLock({ $0 }) { try? await Task.sleep(for: .milliseconds(5)) }
        #expect(ran.withLock { $0 })
        #expect(log.all == ["past"])
    }

    /// With a barrier installed, a timer's chain of `async` hops runs to the end before the
    /// next timer (due at the same instant) and before `advance` returns.
    @Test func aSettleBarrierRunsBeforeEachTimerAndBeforeAdvanceReturns() {
        let manual = ManualClock(startMs: 0)
        let clock = manual.engineClock
        let q = DispatchQueue(label: "t")
        let log = Log()
        let outstanding = Mutex(0)
        let settles = Mutex(0)
        @Sendable func post(_ work: @escaping @Sendable () -> Void) {
            outstanding.withLock { $0 += 1 }
            q.async {
                work()
                outstanding.withLock { $0 -= 1 }
            }
        }
        @Sendable func hops(_ name: String, _ n: Int) {
            guard n > 0 else { return }
            post {
                log.add("\(name)\(n)@\(clock.nowMs())")
                hops(name, n - 1)
            }
        }
        manual.setSettle {
            settles.withLock { $0 += 1 }
            repeat { q.sync {} } while outstanding.withLock { $0 } > 0
        }
        clock.schedule(on: q, atMs: 10) { log.add("a"); hops("a", 4) }
        clock.schedule(on: q, atMs: 10) { log.add("b") }
        clock.schedule(on: q, atMs: 20) { log.add("c"); hops("c", 3) }
        manual.advance(toMs: 30)
        #expect(log.all == ["a", "a4@10", "a3@10", "a2@10", "a1@10", "b", "c", "c3@20", "c2@20", "c1@20"])
        #expect(settles.withLock { $0 } == 4)
        manual.setSettle(nil)
        manual.advance(byMs: 10)
        #expect(settles.withLock { $0 } == 4)
    }
}
