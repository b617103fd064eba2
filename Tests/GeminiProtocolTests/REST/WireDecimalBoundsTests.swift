import CastorCore
import Foundation
import GeminiProtocol
import Testing

/// Decimals from Gemini are bounded at decode time (magnitude below 10^20, at most 18
/// places) so hostile values never reach the arithmetic; timestamps in seconds that
/// overflow in milliseconds give no timestamp instead of a trap.
@Suite struct WireDecimalBoundsTests {
    @Test func bounds() throws {
        #expect(WireDecimal.bounded(try #require(ExactDecimal("99999999999999999999.999999999999999999"))) != nil)
        #expect(WireDecimal.bounded(try #require(ExactDecimal("-99999999999999999999"))) != nil)
        #expect(WireDecimal.bounded(try #require(ExactDecimal("100000000000000000000"))) == nil)
        #expect(WireDecimal.bounded(try #require(ExactDecimal("-100000000000000000000"))) == nil)
        #expect(WireDecimal.bounded(try #require(ExactDecimal("0.0000000000000000001"))) == nil)
        // Trailing zeros beyond 18 places are dropped, not refused.
        #expect(WireDecimal.bounded(try #require(ExactDecimal("2.50000000000000000000")))?.description == "2.5")
        #expect(WireDecimal.bounded(ExactDecimal(mantissa: .min, scale: 0)) == nil)
    }

    @Test func restDecimalsOutOfRangeAreADecodingError() {
        let balance = #"[{"type":"exchange","currency":"USD","amount":"1e25","available":"1"}]"#
        #expect(throws: GeminiDecodingError.self) { try GeminiRESTDecoder.decode([Balance].self, from: Data(balance.utf8)) }
        let ok = #"[{"type":"exchange","currency":"USD","amount":"12345.67","available":"1"}]"#
        #expect(throws: Never.self) { try GeminiRESTDecoder.decode([Balance].self, from: Data(ok.utf8)) }
    }

    @Test func orderEventDecimalsOutOfRangeAreADecodingError() {
        let fill = #"[{"type":"fill","order_id":"1","event_id":"2","symbol":"btcusd","side":"buy","order_type":"exchange limit","timestampms":1,"is_live":false,"is_cancelled":false,"socket_sequence":0,"fill":{"trade_id":"3","liquidity":"Taker","price":"1e37","amount":"1e37","fee":"0","fee_currency":"USD"}}]"#
        #expect(throws: GeminiDecodingError.self) { try OrderEventsDecoder.decode(Data(fill.utf8)) }
    }

    @Test func secondsThatOverflowInMillisecondsGiveNoTimestamp() throws {
        let json = #"[{"type":"accepted","order_id":"1","event_id":"2","symbol":"btcusd","side":"buy","order_type":"exchange limit","timestamp":"\#(Int64.max)","is_live":true,"is_cancelled":false,"price":"1","original_amount":"1","socket_sequence":0}]"#
        guard case .events(let events) = try OrderEventsDecoder.decode(Data(json.utf8)) else {
            Issue.record("not events"); return
        }
        #expect(events.first?.timestampSeconds == Int64.max)
        #expect(events.first?.timestamp == nil)
    }
}
