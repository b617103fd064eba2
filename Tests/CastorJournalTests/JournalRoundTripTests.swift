import CastorCore
import CastorJournal
import Foundation
import Testing

@Suite struct JournalRoundTripTests {
    @Test func intentRoundTripKeepsDecimalsExactlyAsWritten() throws {
        let dir = TempDirectory()
        let journal = try Journal(stateDirectory: dir.path, scope: scope)
        try journal.recordIntent(makeIntent("c1"))
        let (intent, state) = try #require(try journal.intent(clientOrderID: "c1"))
        #expect(intent == makeIntent("c1"))
        #expect(intent.symbol == "btcusd")
        #expect(intent.price?.description == "3633.00")
        #expect(intent.amount.description == "0.00000001")
        #expect(state == .pending)
    }

    @Test func marketIntentWithoutPriceOrOptions() throws {
        let dir = TempDirectory()
        let journal = try Journal(stateDirectory: dir.path, scope: scope)
        let intent = JournalIntent(clientOrderID: "m", strategy: "twap", symbol: "ethusd", side: .buy, price: nil,
                                   amount: dec("1e-8"), createdMs: 5)
        try journal.recordIntent(intent)
        #expect(try journal.intent(clientOrderID: "m")?.intent == intent)
    }

    @Test func duplicateIntentIsRefused() throws {
        let dir = TempDirectory()
        let journal = try Journal(stateDirectory: dir.path, scope: scope)
        try journal.recordIntent(makeIntent("c1"))
        #expect(throws: JournalError.duplicateClientOrderID("c1")) { try journal.recordIntent(makeIntent("c1")) }
    }

    @Test func optionWithCommaIsRefused() throws {
        let dir = TempDirectory()
        let journal = try Journal(stateDirectory: dir.path, scope: scope)
        var intent = makeIntent("c1")
        intent.options = ["a,b"]
        #expect(throws: JournalError.invalidArgument("order option 'a,b' contains a comma")) { try journal.recordIntent(intent) }
    }

    @Test func fillRoundTripIsExact() throws {
        let dir = TempDirectory()
        let journal = try Journal(stateDirectory: dir.path, scope: scope)
        let fill = makeFill("107317526")
        #expect(try journal.recordFill(fill))
        let stored = try journal.fills()
        #expect(stored == [fill])
        #expect(stored[0].price.description == "3632.8508430064554")
        #expect(stored[0].amount.description == "0.00000001")
        #expect(stored[0].fee.description == "0.024937655575035")
        #expect(stored[0].feeCurrency == "USD")
    }

    @Test func duplicateFillIsCountedOnce() throws {
        let dir = TempDirectory()
        let journal = try Journal(stateDirectory: dir.path, scope: scope)
        #expect(try journal.recordFill(makeFill("t1", amount: "0.5")))
        // Same trade id reported again (e.g. by /v1/mytrades after the WebSocket), even with
        // different details: the first record wins.
        #expect(try journal.recordFill(makeFill("t1", amount: "0.5")) == false)
        #expect(try journal.recordFill(makeFill("t1", amount: "9")) == false)
        let state = try journal.loadState()
        #expect(state.positions["btcusd"]?.base == dec("0.5"))
        #expect(state.positions["btcusd"]?.fillCount == 1)
        #expect(try journal.fills().count == 1)
    }

    @Test func orderEventsAppendAndTerminalStateSticks() throws {
        let dir = TempDirectory()
        let journal = try Journal(stateDirectory: dir.path, scope: scope)
        try journal.recordIntent(makeIntent("c1"))
        let accepted = JournalOrderEvent(clientOrderID: "c1", orderID: "372456298", state: .accepted, executed: dec("0"),
                                         remaining: dec("14.0296"), timestampMs: 10, source: .rest)
        let closed = JournalOrderEvent(clientOrderID: "c1", orderID: "372456298", state: .closed, executed: dec("14.0296"),
                                       remaining: dec("0"), timestampMs: 12, source: .ws)
        try journal.recordOrderState(accepted)
        try journal.recordOrderState(closed, durability: .synced)
        // A late REST answer must not reopen a closed order.
        let late = JournalOrderEvent(clientOrderID: "c1", orderID: "372456298", state: .booked, timestampMs: 11, source: .rest)
        try journal.recordOrderState(late)
        #expect(try journal.orderEvents(clientOrderID: "c1") == [accepted, closed, late])
        #expect(try journal.intent(clientOrderID: "c1")?.state == .closed)
        #expect(try journal.loadState().openOrders.isEmpty)
    }

    @Test func metaRoundTripAndReservedKeys() throws {
        let dir = TempDirectory()
        let journal = try Journal(stateDirectory: dir.path, scope: scope)
        try journal.setMeta("boot_id", "b-1")
        try journal.setMeta("boot_id", "b-2")
        try journal.setMeta("config_hash", "abc")
        #expect(try journal.getMeta("boot_id") == "b-2")
        try journal.setMeta("config_hash", nil)
        #expect(try journal.getMeta("config_hash") == nil)
        #expect(throws: JournalError.reservedMetaKey("journal.client_order_counter")) {
            try journal.setMeta("journal.client_order_counter", "0")
        }
        #expect(try journal.loadState().meta == ["boot_id": "b-2"])
    }

    @Test func lastFillTimestampNeverMovesBackwards() throws {
        let dir = TempDirectory()
        let journal = try Journal(stateDirectory: dir.path, scope: scope)
        try journal.recordFill(makeFill("a", symbol: "BTCUSD", ts: 2_000))
        try journal.recordFill(makeFill("b", symbol: "btcusd", ts: 1_000))
        try journal.recordFill(makeFill("c", symbol: "ethusd", ts: 1_500))
        let state = try journal.loadState()
        #expect(state.lastFillMs == ["btcusd": 2_000, "ethusd": 1_500])
        #expect(state.positions["btcusd"]?.lastFillMs == 2_000)
        #expect(try journal.fills(symbol: "BTCUSD", sinceMs: 1_500).map(\.tradeID) == ["a"])
    }

    @Test func batchOfFillsReportsWhichWereNew() throws {
        let dir = TempDirectory()
        let journal = try Journal(stateDirectory: dir.path, scope: scope)
        try journal.recordFill(makeFill("2"))
        #expect(try journal.recordFills([makeFill("1"), makeFill("2"), makeFill("3"), makeFill("1")]) == [true, false, true, false])
        #expect(try journal.loadState().positions["btcusd"]?.fillCount == 3)
    }
}
