import CastorCore
import Foundation
import Testing
@testable import GeminiProtocol

/// What a hostile or broken peer can make the decoders keep is bounded (issue 10).
@Suite struct BoundedDecodingTests {
    @Test func aTickerWithMoreThanAWeekOfHourlyChangesIsRefused() throws {
        func body(_ n: Int) -> Data {
            let changes = Array(repeating: "\"1.5\"", count: n).joined(separator: ",")
            return Data(#"{"symbol":"BTCUSD","open":"1","high":"2","low":"1","close":"1.5","changes":[\#(changes)],"bid":"1","ask":"2"}"#.utf8)
        }
        #expect(try JSONDecoder().decode(TickerV2.self, from: body(24)).changes.count == 24)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(TickerV2.self, from: body(TickerV2.maxChanges + 1)) }
    }

    @Test func theUnknownMessageTallyKeepsABoundedNumberOfNames() {
        let tally = UnknownMessageTally(maxKeys: 10)
        for i in 0..<1_000 { tally.record(.messageType, "type-\(i)") }
        let snapshot = tally.snapshot()
        #expect(snapshot.count == 11)
        #expect(snapshot[.init(category: .messageType, name: UnknownMessageTally.overflowName)] == 990)
        // Still counted: a known name goes on counting, and the overflow was logged once.
        #expect(tally.record(.messageType, "type-3").count == 2)
        #expect(!tally.record(.messageType, "type-5000").isFirstSighting)
        let long = String(repeating: "x", count: 10_000)
        let t2 = UnknownMessageTally()
        t2.record(.reason, long)
        #expect(t2.snapshot().keys.first?.name.utf8.count == UnknownMessageTally.maxNameLength)
    }
}
