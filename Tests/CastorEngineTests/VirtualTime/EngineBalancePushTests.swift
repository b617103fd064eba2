import CastorCore
import CastorEngine
import CastorFeeds
import CastorTrading
import Synchronization
import Testing

/// Balances the venue pushes on the order-events stream (the new API's `balanceUpdate`)
/// reach `castor status` and the strategy at once, on virtual time against the scripted
/// venue; the engine still reads them over REST once a minute.
@Suite(.serialized) struct EngineBalancePushTests {
    typealias Harness = EngineVirtualTimeTests.Harness

    @Test func pushedBalancesShowAtOnceAndTheMinutesReadStillComes() async throws {
        let feed = Mutex<TellingOrderEvents?>(nil)
        let h = try Harness(orders: [], orderEvents: { _ in
            let made = TellingOrderEvents()
            feed.withLock { $0 = made }
            return made
        })
        try await h.start().get()
        func balance(_ currency: String) -> (String, String)? {
            h.on { h.engine.statusReport.balances.first { $0.currency == currency }.map { ($0.available, $0.total) } }
        }
        #expect(balance("USD")! == ("100000", "100000"))
        let reads = h.venue.calls.filter { $0 == .balances }.count

        h.on {
            feed.withLock { $0 }?.push([
                VenueBalanceChange(currency: "USD", available: ExactDecimal(90_000), total: ExactDecimal(100_000)),
                VenueBalanceChange(currency: "BTC", available: ExactDecimal("9.5")!, total: nil),
            ])
        }
        #expect(balance("USD")! == ("90000", "100000"))
        #expect(balance("BTC")! == ("9.5", "10"))  // no total pushed: the last known one stands
        #expect(h.venue.calls.filter { $0 == .balances }.count == reads)  // a push asks for no read

        // The minute's read replaces them with the venue's answer.
        h.advance(byMs: 61_000)
        #expect(h.venue.calls.filter { $0 == .balances }.count == reads + 1)
        #expect(balance("USD")! == ("100000", "100000"))
        _ = h.shutdown()
    }
}
