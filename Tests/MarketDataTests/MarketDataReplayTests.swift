import CastorCore
import GeminiProtocol
import MarketData
import Testing

@Suite struct MarketDataReplayTests {
    static let recording = """
        # recorded 2021-06-24
        1624493666.100: {"type":"subscribe","subscriptions":[{"name":"l2","symbols":["BTCUSD","ETHUSD"]}]}
        1624493666.869: {"type":"heartbeat","timestamp":1624493666869}
        1624493667.001: {"type":"l2_updates","symbol":"BTCUSD","changes":[["buy","9122.04","0.5"],["buy","9122.00","1"],["sell","9122.07","0.98942292"],["sell","9123","2"]],"trades":[{"type":"trade","symbol":"BTCUSD","event_id":1,"timestamp":1,"price":"9122.04","quantity":"0.1","side":"sell"}]}
        {"symbol": "ETHUSD", "changes": [["sell", "2000.5", "1e-8"], ["buy", "1999.99", "3"]], "type": "l2_updates"}

        1624493667.200: {"type":"l2_updates","symbol":"BTCUSD","changes":[["buy","9122.04","0"],["sell","9122.05","0.25"]]}
        {"type":"trade","symbol":"BTCUSD","event_id":2,"timestamp":2,"price":"9122.05","quantity":"0.25","side":"buy"}
        not json at all
        {"type":"l2_updates","symbol":"BTCUSD","changes":[["buy","9122.04","1"]
        [1,2,3]
        {"type":"auction_open","symbol":"BTCUSD","auction_time_ms":1}\r
        """

    @Test func jsonReportEndToEnd() {
        var replay = MarketDataReplay()
        var bytes = Array(Self.recording.utf8)
        bytes.withUnsafeMutableBytes { replay.run(UnsafeRawBufferPointer($0)) }
        #expect(replay.messages == 6)
        // comment, subscribe request, blank line, "not json", truncated message, array
        #expect(replay.skipped == 6)
        #expect(replay.malformed == 1 && replay.firstMalformed?.line == 10)
        #expect(replay.jsonReport(depth: 2, seconds: 0.25) == """
            {"symbols": {"BTCUSD": {"bids": [["9122.00", "1"]], "asks": [["9122.05", "0.25"], ["9122.07", "0.98942292"]]}, \
            "ETHUSD": {"bids": [["1999.99", "3"]], "asks": [["2000.5", "0.00000001"]]}}, "messages": 6, "skipped": 6, "seconds": 0.250000}
            """)
    }

    /// A recording of the new WebSocket API: snapshots (`U == u`), overlapping diffs, a
    /// stale repeat (dropped), a diff that does not overlap (a gap: that book is emptied
    /// until its next snapshot; the other book is untouched), the subscribe ack and a
    /// ping reply (skipped), trades.
    @Test func theNewAPIsFramesReplayWithContinuity() {
        let text = """
            # castor record ws://127.0.0.1:1 symbols BTCUSD,ETHUSD started 1
            1.000: {"e":"depthUpdate","E":1,"s":"btcusd","U":10,"u":10,"b":[["100.00","2.0000"],["99.00","1"]],"a":[["101.00","1.000"]]}
            1.001: {"e":"depthUpdate","E":1,"s":"ethusd","U":11,"u":11,"b":[["10.0","5"]],"a":[["11.0","6"]]}
            1.002: {"id":1,"status":200}
            1.100: {"e":"depthUpdate","E":1,"s":"btcusd","U":10,"u":12,"b":[["99.00","0"]],"a":[["102.00","3"]]}
            1.150: {"e":"depthUpdate","E":1,"s":"btcusd","U":10,"u":12,"b":[["98.00","9"]],"a":[]}
            1.200: {"E":1,"s":"btcusd","t":77,"p":"101.00","q":"0.5","m":false}
            1.300: {"e":"depthUpdate","E":1,"s":"ethusd","U":20,"u":21,"b":[["9.0","1"]],"a":[]}
            1.400: {"id":2,"status":200}
            1.600: {"e":"depthUpdate","E":1,"s":"ethusd","U":30,"u":30,"b":[["12.0","1"]],"a":[["13.0","2"]]}
            """
        var replay = MarketDataReplay()
        var bytes = Array(text.utf8)
        bytes.withUnsafeMutableBytes { replay.run(UnsafeRawBufferPointer($0)) }
        #expect(replay.format == .webSocketAPI)
        #expect(replay.malformed == 0)
        #expect(replay.messages == 7 && replay.gaps == 1)
        let books = replay.snapshot(depth: 5)
        #expect(books.map(\.symbol) == ["BTCUSD", "ETHUSD"])
        #expect(books[0].bids.map(\.price) == [ExactDecimal("100")!])
        #expect(books[0].asks.map(\.price) == [ExactDecimal("101")!, ExactDecimal("102")!])
        #expect(books[1].bids.map(\.price) == [ExactDecimal("12")!])
        #expect(replay.feed.books.lastTrade(replay.feed.symbolID("BTCUSD")!)?.eventID == 77)
    }

    @Test func aGapMarkerResetsTheBooksForTheSnapshotAfterIt() {
        // Before the gap the bid is 100; after it the market moved down and the fresh
        // snapshot has asks below 100: it must replace the book, not cross it.
        let recording = """
            {"type":"l2_updates","symbol":"BTCUSD","changes":[["buy","100","1"],["sell","101","1"]],"trades":[]}
            # gap 1624493667.001 closed_by_peer: closed by peer
            {"type":"l2_updates","symbol":"BTCUSD","changes":[["buy","95","1"],["sell","96","2"]],"trades":[]}
            {"type":"l2_updates","symbol":"BTCUSD","changes":[["buy","94","3"]]}
            # not a gap
            """
        var replay = MarketDataReplay()
        var bytes = Array(recording.utf8)
        bytes.withUnsafeMutableBytes { replay.run(UnsafeRawBufferPointer($0)) }
        #expect(replay.messages == 3 && replay.skipped == 2 && replay.malformed == 0)
        let counters = replay.feed.books.counters
        #expect(counters.snapshots == 2 && counters.crossedUpdates == 0)
        let (_, bids, asks) = replay.snapshot(depth: 5)[0]
        #expect(bids.map(\.price.description) == ["95", "94"] && asks.map(\.price.description) == ["96"])
    }

    @Test func fixedNotationNeverUsesExponents() {
        #expect(MarketDataReplay.fixed(0.0000123, places: 6) == "0.000012")
        #expect(MarketDataReplay.fixed(12.5, places: 1) == "12.5")
        #expect(MarketDataReplay.fixed(3, places: 0) == "3")
    }

    @Test func syntheticStreamIsDeterministicAndReplaysCleanly() {
        let a = SyntheticL2Stream(messages: 3000, symbols: 3, seed: 42).generate()
        let b = SyntheticL2Stream(messages: 3000, symbols: 3, seed: 42).generate()
        let c = SyntheticL2Stream(messages: 3000, symbols: 3, seed: 43).generate()
        #expect(a == b && a != c)
        #expect(a.filter { $0 == 0x0A }.count == 3000)
        var replay = MarketDataReplay()
        a.withUnsafeBytes { replay.run($0) }
        #expect(replay.messages == 3000 && replay.skipped == 0)
        let counters = replay.feed.books.counters
        #expect(counters.snapshots == 3 && counters.crossedUpdates == 0 && counters.removalsOfAbsentLevels == 0)
        #expect(counters.trades > 150 && counters.heartbeats > 0)
        for (_, bids, asks) in replay.snapshot(depth: 1) {
            #expect(bids.count == 1 && asks.count == 1 && bids[0].price < asks[0].price)
        }
    }
}
