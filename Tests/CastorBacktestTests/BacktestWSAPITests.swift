import CastorBacktest
import CastorCore
import CastorTestSupport
import Testing

/// The same hand-made market as `HandMade`, written as the new WebSocket API's frames.
enum HandMadeWS {
    static let snapshot = #"{"e":"depthUpdate","E":1700000000000000000,"s":"btcusd","U":10,"u":10,"b":[["100.00","2.00000000"],["99.00","1.00000000"]],"a":[["101.00","1.00000000"],["102.00","3.00000000"]]}"#
    /// `m` true: the buyer was the maker, so the taker sold.
    static func trade(_ id: Int, _ price: String, _ quantity: String, takerSold: Bool = true) -> String {
        #"{"E":1700000000000000000,"s":"btcusd","t":\#(id),"p":"\#(price)","q":"\#(quantity)","m":\#(takerSold)}"#
    }
    static func diff(_ first: Int, _ last: Int, bids: String = "[]", asks: String = "[]") -> String {
        #"{"e":"depthUpdate","E":1700000000000000000,"s":"btcusd","U":\#(first),"u":\#(last),"b":\#(bids),"a":\#(asks)}"#
    }
}

/// Recordings of the new WebSocket API run through the same engine and fill model.
@Suite struct BacktestWSAPITests {
    /// `BacktestFillModelTests.restingBidFillsOnlyAfterTheQueueAheadIsTraded`, frame for frame
    /// in the new API's format (with its subscribe ack and a ping reply among them): the
    /// same fills, fees and PnL.
    @Test func theNewAPIsFramesFillLikeV2s() async throws {
        let text = [
            HandMade.at(0, HandMadeWS.snapshot),
            HandMade.at(0, #"{"id":1,"status":200}"#),
            HandMade.at(20, HandMadeWS.trade(1, "100.00", "5")),
            HandMade.at(100, HandMadeWS.trade(2, "100.00", "1.5")),
            HandMade.at(150, HandMadeWS.trade(3, "101.00", "0.7", takerSold: false)),
            HandMade.at(200, HandMadeWS.trade(4, "100.00", "1")),
            HandMade.at(250, #"{"id":1001,"status":200}"#),
            HandMade.at(300, HandMadeWS.trade(5, "100.00", "0.3")),
            HandMade.at(400, HandMadeWS.trade(6, "99.50", "0.1")),
            HandMade.at(500, HandMadeWS.trade(7, "99.50", "0.1")),
        ].joined(separator: "\n") + "\n"
        let strategy = OneOrder(side: .buy, price: ExactDecimal("100.00")!, amount: 1)
        let report = try await offPool { try BacktestHarness.run(text, BacktestHarness.options(strategy)) }
        #expect(report.messages == 8)
        #expect(report.fills == 3)
        #expect(report.venueCounters.makerFills == 3)
        #expect(report.ledgerMatchesVenue)
        let s = try #require(report.symbols.first)
        #expect(s.position == 1)
        #expect(s.fees == ExactDecimal("0.2")!)
        #expect(s.unrealized == ExactDecimal("0.5")!)
        #expect(report.total == ExactDecimal("0.3")!)
    }

    /// A diff that does not overlap the last one (frames lost while recording) empties the
    /// book until the recorder's next connection sends a snapshot (`U == u`); a stale frame
    /// after it is dropped. The strategy's crossing buy, placed at the first book with a
    /// mid (the resynced one), takes the resynced ask, not levels from before the gap or
    /// from the stale frame.
    @Test func aGapEmptiesTheBookUntilTheNextSnapshot() async throws {
        let text = [
            HandMade.at(0, #"{"e":"depthUpdate","E":1,"s":"btcusd","U":10,"u":10,"b":[["100.00","2"]],"a":[]}"#),
            HandMade.at(100, HandMadeWS.diff(20, 25, asks: #"[["101.00","7"]]"#)),   // gap: no mid yet
            HandMade.at(300, HandMadeWS.diff(25, 26, asks: #"[["101.00","8"]]"#)),   // still waiting
            HandMade.at(900, #"{"e":"depthUpdate","E":1,"s":"btcusd","U":40,"u":40,"b":[["100.00","2"]],"a":[["103.00","4"]]}"#),
            HandMade.at(920, HandMadeWS.diff(30, 40, asks: #"[["101.00","5"]]"#)),   // stale: dropped
            HandMade.at(2_000, HandMadeWS.diff(40, 41, bids: #"[["99.00","1"]]"#)),
        ].joined(separator: "\n")
        let strategy = OneOrder(side: .buy, price: ExactDecimal("103.00")!, amount: 1)
        let report = try await offPool { try BacktestHarness.run(text, BacktestHarness.options(strategy)) }
        #expect(report.fills == 1)
        let s = try #require(report.symbols.first)
        #expect(s.position == 1)
        #expect(s.volume == 1)
        // Taken at 103.00 (40 bps: 0.412); at 101.00 it would be 0.404.
        #expect(s.fees == ExactDecimal("0.412")!)
    }
}

/// The progress callback a terminal's progress line is drawn from.
@Suite struct BacktestProgressTests {
    @Test func progressReportsBytesReadInOrderUpToTheTotal() async throws {
        let text = [HandMade.at(0, HandMade.snapshot)] + (1...20).map { HandMade.at($0 * 100, HandMade.trade($0, "101.00", "0.1", "buy")) }
        let recording = text.joined(separator: "\n") + "\n"
        let seen = Mutexed<[(Int, Int, Int)]>([])
        var options = BacktestHarness.options(OneOrder(side: .buy, price: ExactDecimal("99.00")!, amount: 1))
        options.progress = { done, total, messages in seen.value.append((done, total, messages)) }
        options.progressEvery = 5
        let run = options
        let report = try await offPool { try BacktestHarness.run(recording, run) }
        let calls = seen.value
        #expect(calls.count == 4)   // 21 frames, every 5th
        #expect(calls.allSatisfy { $0.1 == recording.utf8.count && $0.0 <= $0.1 })
        #expect(zip(calls, calls.dropFirst()).allSatisfy { $0.0 < $1.0 && $0.2 < $1.2 })
        #expect(report.messages == 21)
    }
}
