import Testing
@testable import CastorFeeds

@Suite struct ConnectionAttemptBudgetTests {
    @Test func atMostTheLimitInAnyWindow() {
        var b = ConnectionAttemptBudget(limit: 3, windowMs: 1_000)
        #expect(b.take(nowMs: 0) == nil)
        #expect(b.take(nowMs: 10) == nil)
        #expect(b.take(nowMs: 20) == nil)
        #expect(b.take(nowMs: 30) == 970)      // the first attempt leaves the window at 1 000
        #expect(b.take(nowMs: 999) == 1)
        #expect(b.take(nowMs: 1_000) == nil)   // one slot again
        #expect(b.take(nowMs: 1_001) == 9)
    }

    @Test func theDefaultKeepsTwoSocketsUnderGeminisLimit() {
        let b = ConnectionAttemptBudget()
        #expect(2 * b.limit <= 300 && b.windowMs == 300_000)
    }
}
