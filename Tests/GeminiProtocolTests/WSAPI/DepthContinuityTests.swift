import CastorCore
import GeminiProtocol
import Testing

/// `DepthContinuity` over hand-made and random frame streams (WS-API.md §3.11).
@Suite struct DepthContinuityTests {
    @Test func snapshotThenOverlappingDiffs() {
        var c = DepthContinuity()
        #expect(c.accept(first: 10, last: 10) == .applySnapshot)
        #expect(c.accept(first: 10, last: 14) == .applyDiff)
        #expect(c.accept(first: 14, last: 20) == .applyDiff)
        #expect(c.lastUpdateID == 20)
        #expect(c.accept(first: 20, last: 20) == .dropStale)
        #expect(c.accept(first: 12, last: 19) == .dropStale)
        #expect(c.accept(first: 20, last: 22) == .applyDiff)
        #expect(c.accept(first: 30, last: 31) == .gap(expected: 22, received: 30))
        #expect(c.accept(first: 31, last: 40) == .dropResyncing)
        c.resubscribed()
        #expect(c.accept(first: 50, last: 50) == .applySnapshot)
        // One id short of overlapping is a gap too (the strict rule), counted apart.
        #expect(c.accept(first: 51, last: 55) == .gap(expected: 50, received: 51))
        #expect(c.contiguousFrames == 1)
        #expect(c.gaps == 2 && c.staleFrames == 2)
    }

    @Test func snapshotWithARangeIsTakenAndNamed() {
        var c = DepthContinuity()
        #expect(c.accept(first: 5, last: 9) == .applySnapshotWithRange)
        #expect(c.lastUpdateID == 9)
    }

    /// A random stream of the server's shape (global ids, per-symbol overlap) with dropped
    /// frames (gaps) and repeated ones (stale): every drop is detected at the next frame,
    /// no repeat is applied, and the ids applied only ever grow.
    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8] as [UInt64])
    func randomStreamsWithGapsAndStales(seed: UInt64) {
        var random = SeededRandom(seed: seed)
        var c = DepthContinuity()
        var serverLast: Int64 = Int64(random.next() % 1_000) + 1
        var applied: Int64 = -1
        var pendingGap = false
        var lastSent: (Int64, Int64)?
        _ = c.accept(first: serverLast, last: serverLast)
        applied = serverLast
        for _ in 0..<2_000 {
            let next = serverLast + Int64(random.next() % 50) + 1
            let frame = (serverLast, next)
            serverLast = next
            let roll = random.next() % 20
            if roll == 0 { pendingGap = true; continue }   // dropped on the way
            if roll == 1, let old = lastSent {              // a repeat of the previous frame
                #expect(c.accept(first: old.0, last: old.1) == .dropStale || c.phase == .resyncing)
            }
            lastSent = frame
            let verdict = c.accept(first: frame.0, last: frame.1)
            if pendingGap {
                #expect(verdict == .gap(expected: applied, received: frame.0) || verdict == .dropResyncing)
                c.resubscribed()
                // The resubscribe's snapshot covers everything up to the current id.
                #expect(c.accept(first: serverLast, last: serverLast) == .applySnapshot)
                applied = serverLast
                pendingGap = false
                lastSent = nil
                continue
            }
            #expect(verdict == .applyDiff)
            #expect(frame.1 > applied)
            applied = frame.1
            #expect(c.lastUpdateID == applied)
        }
    }
}
