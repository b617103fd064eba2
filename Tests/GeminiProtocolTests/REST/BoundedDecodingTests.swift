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
}
