import CastorCore
import Testing
@testable import GeminiProtocol

/// `order.place` is written byte by byte on the tick-to-order path; these pin its text.
@Suite struct WSAPIRequestBytesTests {
    private func order(_ symbol: String, stop: String? = nil, id: String = "castor-1-7") -> WSAPIOrderParameters {
        WSAPIOrderParameters(symbol: symbol, side: .sell, price: ExactDecimal("3633.00")!, quantity: ExactDecimal("0.00000001")!,
                             timeInForce: .makerOrCancel, stopPrice: stop.flatMap { ExactDecimal($0) }, clientOrderID: id)
    }

    @Test func placeIsTheDocumentedFrame() {
        #expect(WSAPIRequest.place(id: 42, order("BTCUSD")) ==
            #"{"id":42,"method":"order.place","params":{"symbol":"btcusd","side":"SELL","type":"LIMIT","timeInForce":"MOC","price":"3633.00","quantity":"0.00000001","clientOrderId":"castor-1-7"}}"#)
        #expect(WSAPIRequest.place(id: 9_223_372_036_854_775_807, order("ethusd", stop: "3600.5")) ==
            #"{"id":9223372036854775807,"method":"order.place","params":{"symbol":"ethusd","side":"SELL","type":"LIMIT","timeInForce":"MOC","price":"3633.00","stopPrice":"3600.5","quantity":"0.00000001","clientOrderId":"castor-1-7"}}"#)
    }

    @Test func appendsAfterWhatTheBufferHolds() {
        var out = Array("prefix".utf8)
        WSAPIRequest.place(id: 1, order("BTCUSD"), into: &out)
        let text = String(decoding: out, as: UTF8.self)
        #expect(text.hasPrefix("prefix{\"id\":1,"))
        #expect(text == "prefix" + WSAPIRequest.place(id: 1, order("BTCUSD")))
    }

    @Test func oddSymbolsAndIdsStayValidJSON() {
        // Not a Gemini symbol, but nothing may break the frame: quotes escaped, non-ASCII
        // lower-cased the Unicode way, negative ids written as numbers.
        #expect(WSAPIRequest.place(id: -5, order("A\"B", id: "q\"x")).contains(#""symbol":"a\"b""#))
        #expect(WSAPIRequest.place(id: -5, order("A\"B", id: "q\"x")).contains(#""clientOrderId":"q\"x""#))
        #expect(WSAPIRequest.place(id: -5, order("ÄBC")).contains(#""symbol":"äbc""#))
        #expect(WSAPIRequest.place(id: -5, order("BTCUSD")).hasPrefix(#"{"id":-5,"#))
    }
}
