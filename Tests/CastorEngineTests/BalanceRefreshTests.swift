import Testing
@testable import CastorEngine

/// When the engine reads the balances again: a few seconds after a fill (one read for a
/// burst), at the latest every minute, never two at a time, never before start-up's read.
@Suite struct BalanceRefreshTests {
    @Test func nothingIsDueBeforeTheFirstRead() {
        var r = BalanceRefresh()
        r.filled(atMs: 0)
        do { let due = r.due(atMs: 1_000_000); #expect(!due) }
    }

    @Test func aBurstOfFillsIsOneReadAfterTheDelay() {
        var r = BalanceRefresh()
        r.loaded(atMs: 0)
        r.filled(atMs: 10_000)
        r.filled(atMs: 11_000)
        do { let due = r.due(atMs: 10_000 + BalanceRefresh.afterFillMs - 1); #expect(!due) }
        do { let due = r.due(atMs: 10_000 + BalanceRefresh.afterFillMs); #expect(due) }
        // In flight: not again until it is answered, whatever happens meanwhile.
        r.filled(atMs: 15_500)
        do { let due = r.due(atMs: 100_000); #expect(!due) }
        r.loaded(atMs: 16_000)
        // The answer may predate that fill: it is read again after the delay.
        do { let due = r.due(atMs: 16_000); #expect(!due) }
        do { let due = r.due(atMs: 16_000 + BalanceRefresh.afterFillMs); #expect(due) }
    }

    @Test func withoutFillsOnceAMinuteAndAFailureTriesAgainLater() {
        var r = BalanceRefresh()
        r.loaded(atMs: 0)
        do { let due = r.due(atMs: BalanceRefresh.everyMs - 1); #expect(!due) }
        do { let due = r.due(atMs: BalanceRefresh.everyMs); #expect(due) }
        r.failed(atMs: BalanceRefresh.everyMs + 100)
        // Still a minute old, but a failing venue is asked again only after the delay.
        do { let due = r.due(atMs: BalanceRefresh.everyMs + 1_000); #expect(!due) }
        do { let due = r.due(atMs: BalanceRefresh.everyMs + 100 + BalanceRefresh.afterFillMs); #expect(due) }
        r.loaded(atMs: BalanceRefresh.everyMs + 6_000)
        do { let due = r.due(atMs: BalanceRefresh.everyMs + 7_000); #expect(!due) }
    }

    /// A push of the balances on the account socket covers the fills before it: no read is
    /// owed for them; the minute's read still comes, since a push can be lost while
    /// subscribing.
    @Test func aPushStandsInForTheReadAfterAFillButNotForTheMinutesRead() {
        var r = BalanceRefresh()
        r.loaded(atMs: 0)
        r.filled(atMs: 10_000)
        r.pushed()
        do { let due = r.due(atMs: 10_000 + BalanceRefresh.afterFillMs); #expect(!due) }
        // A fill after the push is owed its read again.
        r.filled(atMs: 20_000)
        do { let due = r.due(atMs: 20_000 + BalanceRefresh.afterFillMs); #expect(due) }
        r.loaded(atMs: 26_000)
        r.pushed()
        do { let due = r.due(atMs: 26_000 + BalanceRefresh.everyMs - 1); #expect(!due) }
        do { let due = r.due(atMs: 26_000 + BalanceRefresh.everyMs); #expect(due) }
    }
}
