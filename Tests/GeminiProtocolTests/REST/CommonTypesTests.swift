import CastorCore
import Foundation
import GeminiProtocol
import Testing

private struct Probe: Decodable {
    let id: String
    let n: Int64?
    private enum CodingKeys: String, CodingKey { case id, n }
    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decodeID(.id)
        n = try c.decodeFlexibleInt64IfPresent(.n)
    }
}

@Suite struct CommonTypesTests {
    @Test func lenientIdsAndIntegersNeverGoThroughDouble() throws {
        let decoder = JSONDecoder()
        let a = try decoder.decode(Probe.self, from: Data(#"{"id": 9007199254740993, "n": "1673932381478308169"}"#.utf8))
        #expect(a.id == "9007199254740993")   // 2^53 + 1: a Double would give ...992
        #expect(a.n == 1_673_932_381_478_308_169)  // nanoseconds
        let b = try decoder.decode(Probe.self, from: Data(#"{"id": "73751560172006688", "n": 9007199254740993}"#.utf8))
        #expect(b.id == "73751560172006688")
        #expect(b.n == 9_007_199_254_740_993)
        let c = try decoder.decode(Probe.self, from: Data(#"{"id": "x", "n": null}"#.utf8))
        #expect(c.n == nil)
        #expect(throws: DecodingError.self) { _ = try decoder.decode(Probe.self, from: Data(#"{"id": 1.5}"#.utf8)) }
        #expect(throws: DecodingError.self) { _ = try decoder.decode(Probe.self, from: Data(#"{"id": "1", "n": "12a"}"#.utf8)) }
    }

    @Test func orderStateDerivation() {
        #expect(OrderState(isLive: true, isCancelled: true) == .cancelled)
        #expect(OrderState(isLive: true, isCancelled: false) == .open)
        #expect(OrderState(isLive: false, isCancelled: false) == .filled)
    }

    @Test func decodingErrorDescriptionsReadWell() {
        let error = GeminiDecodingError(messageType: "fill", path: "[0].fill.price", problem: .missingField)
        #expect(error.description == "fill: field '[0].fill.price' is missing")
        #expect(error.field == "price")
        #expect(GeminiDecodingError(messageType: "update", path: "events[3]", problem: .missingField).field == nil)
        #expect(GeminiDecodingError(messageType: "update", path: "events[3].side", problem: .missingField).field == "side")
    }
}
